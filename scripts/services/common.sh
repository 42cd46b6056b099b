# Settings and helpers shared by the service scripts. Every value can be overridden by environment.
# shellcheck shell=bash

SERVICES=(postgres redis clickhouse temporal)

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CHSYNC_HOME="${CHSYNC_HOME:-$repo_root/.chsync}"
mkdir -p "$CHSYNC_HOME"
CHSYNC_HOME="$(cd "$CHSYNC_HOME" && pwd)"

CHSYNC_HOST=127.0.0.1
CHSYNC_PG_PORT="${CHSYNC_PG_PORT:-55432}"
CHSYNC_PG_USER="${CHSYNC_PG_USER:-chsync}"
CHSYNC_PG_PASSWORD="${CHSYNC_PG_PASSWORD:-chsync}"
CHSYNC_PG_DATABASE="${CHSYNC_PG_DATABASE:-chsync}"
CHSYNC_REDIS_PORT="${CHSYNC_REDIS_PORT:-56379}"
CHSYNC_CLICKHOUSE_HTTP_PORT="${CHSYNC_CLICKHOUSE_HTTP_PORT:-58123}"
CHSYNC_CLICKHOUSE_TCP_PORT="${CHSYNC_CLICKHOUSE_TCP_PORT:-59000}"
CHSYNC_CLICKHOUSE_INTERSERVER_PORT="${CHSYNC_CLICKHOUSE_INTERSERVER_PORT:-59009}"
CHSYNC_TEMPORAL_PORT="${CHSYNC_TEMPORAL_PORT:-57233}"
CHSYNC_TEMPORAL_UI_PORT="${CHSYNC_TEMPORAL_UI_PORT:-58233}"
CHSYNC_TEMPORAL_VERSION="${CHSYNC_TEMPORAL_VERSION:-1.9.1}"
CHSYNC_SERVICES_TIMEOUT="${CHSYNC_SERVICES_TIMEOUT:-120}"

say() { printf 'services: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }
is_root() { [ "$(id -u)" -eq 0 ]; }

apt_updated=0
# Installs Debian packages when running as root; otherwise explains what to install.
apt_install() {
  is_root || die "missing $* — install it (apt-get install $*) or use docker compose (README.md)"
  if [ "$apt_updated" -eq 0 ]; then
    say "apt-get update"
    apt-get update -qq >/dev/null
    apt_updated=1
  fi
  say "apt-get install $*"
  # policy-rc.d keeps Debian from starting the packaged services on their default ports.
  DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# pid_alive FILE: the process recorded in FILE is alive.
pid_alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# stop_pid FILE NAME: TERM the recorded process, wait for it, KILL it if it will not go.
stop_pid() {
  local file="$1" name="$2" pid
  pid_alive "$file" || { rm -f "$file"; return 0; }
  pid="$(cat "$file")"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$file"; return 0; }
    sleep 0.2
  done
  say "$name did not stop in 20 s: SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$file"
}

# wait_until NAME COMMAND…: retry COMMAND until it succeeds or CHSYNC_SERVICES_TIMEOUT passes.
wait_until() {
  local name="$1"
  shift
  local deadline=$((SECONDS + CHSYNC_SERVICES_TIMEOUT))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || die "$name did not answer within ${CHSYNC_SERVICES_TIMEOUT}s (logs: $CHSYNC_HOME/log)"
    sleep 0.3
  done
}

port_open() { (exec 3<>"/dev/tcp/$CHSYNC_HOST/$1") 2>/dev/null; }

write_env() {
  local file="$CHSYNC_HOME/services.env"
  cat >"$file" <<ENV
# Written by scripts/services.sh up; read by the test setup, and by the chsync CLI for the PostgreSQL,
# Redis and Temporal connections a config leaves out (a config or a real CHSYNC_* variable wins).
# ClickHouse: tests only; a config without databases stays on embedded chDB.
CHSYNC_POSTGRES_URL=postgres://$CHSYNC_PG_USER:$CHSYNC_PG_PASSWORD@$CHSYNC_HOST:$CHSYNC_PG_PORT/$CHSYNC_PG_DATABASE
CHSYNC_REDIS_URL=redis://$CHSYNC_HOST:$CHSYNC_REDIS_PORT
CHSYNC_CLICKHOUSE_URL=http://$CHSYNC_HOST:$CHSYNC_CLICKHOUSE_HTTP_PORT
CHSYNC_TEMPORAL_ADDRESS=$CHSYNC_HOST:$CHSYNC_TEMPORAL_PORT
CHSYNC_TEMPORAL_UI_URL=http://$CHSYNC_HOST:$CHSYNC_TEMPORAL_UI_PORT
CHSYNC_TEMPORAL_BIN=$(temporal_bin)
CHSYNC_HOME=$CHSYNC_HOME
ENV
  say "wrote $file"
}
