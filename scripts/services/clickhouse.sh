# A real ClickHouse server over HTTP from Debian's `clickhouse-server` package (18.16 on Debian 12:
# old, which is what capability detection is tested against). Started without a service manager,
# with every path and port overridden on the command line.
# shellcheck shell=bash

ch_dir="$CHSYNC_HOME/clickhouse"
ch_pid="$CHSYNC_HOME/run/clickhouse.pid"
ch_config="${CHSYNC_CLICKHOUSE_CONFIG:-/etc/clickhouse-server/config.xml}"

clickhouse_install() { command -v clickhouse-server >/dev/null || apt_install clickhouse-server; }

# Users of the stack: `default` (no password, every right) and `chsync_reader` (no password, a
# readonly profile), which the fault suite targets to see a model without INSERT rights block.
clickhouse_users() {
  cat >"$ch_dir/users.xml" <<'XML'
<?xml version="1.0"?>
<yandex>
  <profiles>
    <default><max_memory_usage>10000000000</max_memory_usage></default>
    <!-- readonly 2: reads, and settings per query (which every chsync query sends), but no writes. -->
    <chsync_readonly><readonly>2</readonly></chsync_readonly>
  </profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>::/0</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
    <chsync_reader>
      <password></password>
      <networks><ip>::/0</ip></networks>
      <profile>chsync_readonly</profile>
      <quota>default</quota>
    </chsync_reader>
  </users>
  <quotas><default></default></quotas>
</yandex>
XML
}

clickhouse_start() {
  mkdir -p "$ch_dir/data" "$ch_dir/tmp" "$ch_dir/user_files" "$ch_dir/format_schemas"
  clickhouse_users
  (cd "$ch_dir" && clickhouse-server --config-file="$ch_config" --pid-file="$ch_pid" --daemon -- \
    --users_config="$ch_dir/users.xml" \
    --path="$ch_dir/data/" --tmp_path="$ch_dir/tmp/" --user_files_path="$ch_dir/user_files/" \
    --format_schema_path="$ch_dir/format_schemas/" --listen_host="$CHSYNC_HOST" \
    --http_port="$CHSYNC_CLICKHOUSE_HTTP_PORT" --tcp_port="$CHSYNC_CLICKHOUSE_TCP_PORT" \
    --interserver_http_port="$CHSYNC_CLICKHOUSE_INTERSERVER_PORT" \
    --logger.log="$CHSYNC_HOME/log/clickhouse.log" --logger.errorlog="$CHSYNC_HOME/log/clickhouse.err.log") ||
    die "clickhouse did not start: $CHSYNC_HOME/log/clickhouse.err.log"
}

clickhouse_running() { pid_alive "$ch_pid"; }
clickhouse_ping() { [ "$(curl -fsS "http://$CHSYNC_HOST:$CHSYNC_CLICKHOUSE_HTTP_PORT/ping" 2>/dev/null)" = "Ok." ]; }
clickhouse_wait() { wait_until clickhouse clickhouse_ping; }
clickhouse_stop() { stop_pid "$ch_pid" clickhouse; }
clickhouse_where() { echo "http://$CHSYNC_HOST:$CHSYNC_CLICKHOUSE_HTTP_PORT (data: $ch_dir)"; }
clickhouse_port() { echo "$CHSYNC_CLICKHOUSE_HTTP_PORT"; }
