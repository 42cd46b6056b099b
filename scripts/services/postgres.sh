# PostgreSQL from Debian's `postgresql` package, as its own cluster under $CHSYNC_HOME/postgres.
# shellcheck shell=bash

pg_bindir() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$dir" ] && echo "$dir"
}
pg_data="$CHSYNC_HOME/postgres"
pg_log="$CHSYNC_HOME/log/postgres.log"

# PostgreSQL refuses to run as root, so as root it runs as the `postgres` user. That user must be
# able to reach its data folder; where the checkout is private (a mktemp dir), the cluster lives
# in a folder postgres owns and $CHSYNC_HOME/postgres links to it.
pg_as_owner() {
  if is_root; then runuser -u postgres -- "$@"; else "$@"; fi
}

postgres_install() {
  [ -n "$(pg_bindir)" ] || apt_install postgresql
  [ -n "$(pg_bindir)" ] || die "PostgreSQL binaries not found under /usr/lib/postgresql"
}

pg_init() {
  [ -f "$pg_data/PG_VERSION" ] && return 0
  if is_root; then
    mkdir -p "$pg_data"
    if ! runuser -u postgres -- test -w "$pg_data"; then
      chown postgres: "$pg_data" 2>/dev/null || true
    fi
    if ! runuser -u postgres -- test -w "$pg_data"; then
      local private
      private="/var/lib/postgresql/chsync-$(printf '%s' "$CHSYNC_HOME" | cksum | cut -d' ' -f1)"
      say "postgres cannot reach $pg_data; keeping the cluster in $private (linked)"
      rmdir "$pg_data" 2>/dev/null || rm -f "$pg_data"
      mkdir -p "$private"
      ln -sfn "$private" "$pg_data"
    fi
    chown postgres: "$pg_data/"
    chmod 700 "$pg_data/"
  fi
  local pwfile
  pwfile="$(mktemp)"
  printf '%s\n' "$CHSYNC_PG_PASSWORD" >"$pwfile"
  chmod 644 "$pwfile"
  say "postgres: initdb $pg_data"
  pg_as_owner "$(pg_bindir)/initdb" -D "$pg_data/" -U "$CHSYNC_PG_USER" --pwfile="$pwfile" \
    --auth-host=scram-sha-256 --auth-local=trust -E UTF8 --locale=C.UTF-8 >"$CHSYNC_HOME/log/initdb.log" 2>&1 ||
    { rm -f "$pwfile"; die "initdb failed: $CHSYNC_HOME/log/initdb.log"; }
  rm -f "$pwfile"
}

postgres_start() {
  pg_init
  touch "$pg_log"
  is_root && chown postgres: "$pg_log"
  # The socket goes to the data folder so nothing under /var/run is needed.
  pg_as_owner "$(pg_bindir)/pg_ctl" -D "$pg_data/" -l "$pg_log" -w -t 60 start \
    -o "-p $CHSYNC_PG_PORT -c listen_addresses=$CHSYNC_HOST -k $pg_data/ -c max_connections=200 -c fsync=on" \
    >/dev/null || die "postgres did not start: $pg_log"
  ln -sfn "$pg_data/postmaster.pid" "$CHSYNC_HOME/run/postgres.pid"
  pg_as_owner "$(pg_bindir)/psql" -h "$pg_data/" -p "$CHSYNC_PG_PORT" -U "$CHSYNC_PG_USER" -d postgres -Atqc \
    "SELECT 1 FROM pg_database WHERE datname = '$CHSYNC_PG_DATABASE'" | grep -q 1 ||
    pg_as_owner "$(pg_bindir)/createdb" -h "$pg_data/" -p "$CHSYNC_PG_PORT" -U "$CHSYNC_PG_USER" "$CHSYNC_PG_DATABASE"
}

postgres_running() {
  [ -n "$(pg_bindir)" ] && [ -f "$pg_data/PG_VERSION" ] && pg_as_owner "$(pg_bindir)/pg_ctl" -D "$pg_data/" status >/dev/null 2>&1
}

postgres_wait() {
  wait_until postgres "$(pg_bindir)/pg_isready" -h "$CHSYNC_HOST" -p "$CHSYNC_PG_PORT" -d "$CHSYNC_PG_DATABASE"
}

postgres_stop() {
  pg_as_owner "$(pg_bindir)/pg_ctl" -D "$pg_data/" -m fast -w stop >/dev/null
  rm -f "$CHSYNC_HOME/run/postgres.pid"
}

postgres_where() { echo "postgres://$CHSYNC_PG_USER@$CHSYNC_HOST:$CHSYNC_PG_PORT/$CHSYNC_PG_DATABASE"; }
