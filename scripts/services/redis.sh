# Redis from Debian's `redis-server` package, append-only file on so a restart keeps every operation.
# shellcheck shell=bash

redis_dir="$CHSYNC_HOME/redis"
redis_pid="$CHSYNC_HOME/run/redis.pid"

redis_install() { command -v redis-server >/dev/null || apt_install redis-server; }

redis_start() {
  mkdir -p "$redis_dir"
  redis-server --bind "$CHSYNC_HOST" --port "$CHSYNC_REDIS_PORT" --dir "$redis_dir" \
    --appendonly yes --appendfsync everysec --save '' --protected-mode yes \
    --daemonize yes --pidfile "$redis_pid" --logfile "$CHSYNC_HOME/log/redis.log" ||
    die "redis did not start: $CHSYNC_HOME/log/redis.log"
}

redis_running() { pid_alive "$redis_pid"; }
redis_wait() { wait_until redis redis_ping; }
redis_ping() { [ "$(redis-cli -h "$CHSYNC_HOST" -p "$CHSYNC_REDIS_PORT" ping 2>/dev/null)" = PONG ]; }
redis_stop() { stop_pid "$redis_pid" redis; }
redis_where() { echo "redis://$CHSYNC_HOST:$CHSYNC_REDIS_PORT (aof: $redis_dir)"; }
redis_port() { echo "$CHSYNC_REDIS_PORT"; }
