# PostgreSQL from Debian's `postgresql` package, as its own cluster under $CHSYNC_HOME/postgres.
# shellcheck shell=bash

pg_bindir() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$dir" ] && echo "$dir"
}
# PostgreSQL refuses to run as root, so as root it runs as the `postgres` user. That user must be
# able to reach its folder; where the checkout is private (a mktemp dir), the folder lives where
# postgres can reach it and $CHSYNC_HOME/postgres links to it. Every path handed to PostgreSQL is
# the resolved one, since postgres cannot walk through the private checkout to follow the link.
pg_root() { readlink -f "$CHSYNC_HOME/postgres"; }
pg_data() { echo "$(pg_root)/data"; }
pg_log() { echo "$(pg_root)/postgres.log"; }

pg_as_owner() {
  if is_root; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

postgres_install() {
  [ -n "$(pg_bindir)" ] || apt_install postgresql
  [ -n "$(pg_bindir)" ] || die "PostgreSQL binaries not found under /usr/lib/postgresql"
}

pg_init() {
  [ -f "$(pg_data)/PG_VERSION" ] && return 0
  mkdir -p "$CHSYNC_HOME/postgres"
  if is_root; then
    chown postgres: "$CHSYNC_HOME/postgres/"
    if ! runuser -u postgres -- test -w "$CHSYNC_HOME/postgres/"; then
      local private
      private="/var/lib/postgresql/chsync-$(printf '%s' "$CHSYNC_HOME" | cksum | cut -d' ' -f1)"
      say "postgres cannot reach $CHSYNC_HOME/postgres; keeping its folder in $private (linked)"
      rm -rf "$CHSYNC_HOME/postgres" "$private"
      mkdir -p "$private"
      chown postgres: "$private"
      ln -sfn "$private" "$CHSYNC_HOME/postgres"
    fi
  fi
  pg_as_owner mkdir -p -m 700 "$(pg_data)"
  local pwfile
  pwfile="$(mktemp)"
  printf '%s\n' "$CHSYNC_PG_PASSWORD" >"$pwfile"
  chmod 644 "$pwfile"
  say "postgres: initdb $(pg_data)"
  pg_as_owner "$(pg_bindir)/initdb" -D "$(pg_data)" -U "$CHSYNC_PG_USER" --pwfile="$pwfile" \
    --auth-host=scram-sha-256 --auth-local=trust -E UTF8 --locale=C.UTF-8 >"$CHSYNC_HOME/log/initdb.log" 2>&1 ||
    { rm -f "$pwfile"; die "initdb failed: $CHSYNC_HOME/log/initdb.log"; }
  rm -f "$pwfile"
}

postgres_start() {
  pg_init
  # The socket goes to the data folder so nothing under /var/run is needed. search_path=public: the
  # user is named like chsync's outbox schema, and "$user" first would put unqualified tables there.
  pg_as_owner "$(pg_bindir)/pg_ctl" -D "$(pg_data)" -l "$(pg_log)" -w -t 60 start \
    -o "-p $CHSYNC_PG_PORT -c listen_addresses=$CHSYNC_HOST -k $(pg_data) -c max_connections=200 -c search_path=public" \
    >/dev/null || die "postgres did not start: $(pg_log)"
  pg_as_owner "$(pg_bindir)/psql" -h "$(pg_data)" -p "$CHSYNC_PG_PORT" -U "$CHSYNC_PG_USER" -d postgres -Atqc \
    "SELECT 1 FROM pg_database WHERE datname = '$CHSYNC_PG_DATABASE'" | grep -q 1 ||
    pg_as_owner "$(pg_bindir)/createdb" -h "$(pg_data)" -p "$CHSYNC_PG_PORT" -U "$CHSYNC_PG_USER" "$CHSYNC_PG_DATABASE"
}

postgres_running() {
  [ -n "$(pg_bindir)" ] && [ -e "$CHSYNC_HOME/postgres" ] && pg_as_owner "$(pg_bindir)/pg_ctl" -D "$(pg_data)" status >/dev/null 2>&1
}

postgres_wait() {
  wait_until postgres "$(pg_bindir)/pg_isready" -h "$CHSYNC_HOST" -p "$CHSYNC_PG_PORT" -d "$CHSYNC_PG_DATABASE"
}

postgres_stop() {
  pg_as_owner "$(pg_bindir)/pg_ctl" -D "$(pg_data)" -m fast -w stop >/dev/null
}

postgres_where() { echo "postgres://$CHSYNC_PG_USER@$CHSYNC_HOST:$CHSYNC_PG_PORT/$CHSYNC_PG_DATABASE"; }
postgres_port() { echo "$CHSYNC_PG_PORT"; }
