#!/usr/bin/env bash
# The local service stack chsync develops and tests against: PostgreSQL, Redis, a ClickHouse
# server and the Temporal dev server, on 127.0.0.1 and the project's own ports, with data under
# .chsync/. Missing software is installed from Debian packages / PyPI (as root).
#
#   scripts/services.sh up [service…]       install what is missing, start what is not running, wait, write services.env
#   scripts/services.sh down [service…]     stop exactly what `up` started (by pid file)
#   scripts/services.sh status [service…]   say what runs where
#
# Services: postgres redis clickhouse temporal (all when none is named). Ports and paths come from
# scripts/services/common.sh and can be overridden by environment: with another CHSYNC_HOME and other
# ports, `up redis` starts a private Redis (the fault tests restart such private instances).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=services/common.sh
source "$here/services/common.sh"
for service in "${SERVICES[@]}"; do
  # shellcheck source=/dev/null
  source "$here/services/$service.sh"
done

up() {
  mkdir -p "$CHSYNC_HOME/run" "$CHSYNC_HOME/log"
  for service in "${SELECTED[@]}"; do
    "${service}_install"
    if "${service}_running"; then
      say "$service: already running"
    else
      port_open "$("${service}_port")" && die "$service: port $("${service}_port") is taken by a process this script did not start"
      say "$service: starting"
      "${service}_start"
    fi
    "${service}_wait"
  done
  write_env
  status
}

down() {
  local service
  for ((i = ${#SELECTED[@]} - 1; i >= 0; i--)); do
    service="${SELECTED[$i]}"
    if "${service}_running"; then
      say "$service: stopping"
      "${service}_stop"
    fi
  done
}

status() {
  local service state failed=0
  for service in "${SELECTED[@]}"; do
    if "${service}_running"; then state="running"; else state="stopped"; failed=1; fi
    printf '%-11s %-8s %s\n' "$service" "$state" "$("${service}_where")"
  done
  return "$failed"
}

command="${1:-}"
shift || true
SELECTED=("${@:-${SERVICES[@]}}")
for service in "${SELECTED[@]}"; do
  [[ " ${SERVICES[*]} " == *" $service "* ]] || die "unknown service '$service' (one of: ${SERVICES[*]})"
done

case "$command" in
  up) up ;;
  down) down ;;
  status) status ;;
  *)
    echo "usage: $0 up|down|status [${SERVICES[*]}]…" >&2
    exit 2
    ;;
esac
