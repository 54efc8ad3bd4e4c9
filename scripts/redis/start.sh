#!/usr/bin/env bash
# Starts a Redis server on loopback for mobo's queue runner tests and prints its URL.
#
#   scripts/redis/start.sh [--install] [--port PORT] [--dir DIR]
#
# --install   apt-get install redis-server first when it is missing (Debian/Ubuntu, as root)
# --port      default $MOBO_REDIS_PORT or 6390
# --dir       where the AOF, the log and the pid file live (default $MOBO_REDIS_DIR or
#             /tmp/mobo-redis-PORT)
#
# The server runs with AOF and `appendfsync always` (see the README: what a restart keeps). It prints
# one line, the URL (redis://127.0.0.1:PORT), for `export MOBO_REDIS_URL=$(scripts/redis/start.sh)`.
# Idempotent: when a server started here answers on the port, it prints the URL and exits 0.
# scripts/redis/stop.sh stops it.
set -euo pipefail

install=0
port="${MOBO_REDIS_PORT:-6390}"
dir=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --install) install=1; shift ;;
    --port) port="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "start.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
dir="${dir:-${MOBO_REDIS_DIR:-/tmp/mobo-redis-$port}}"

die() { echo "start.sh: $*" >&2; exit 1; }

if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
  [[ $install == 1 ]] || die "redis-server not found: install it (apt-get install redis-server) or pass --install"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends redis-server >/dev/null
fi

url="redis://127.0.0.1:$port"
if [[ -f "$dir/redis.pid" ]] && kill -0 "$(cat "$dir/redis.pid")" 2>/dev/null \
  && [[ "$(redis-cli -p "$port" ping 2>/dev/null)" == PONG ]]; then
  echo "$url"
  exit 0
fi

mkdir -p "$dir"
redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" \
  --appendonly yes --appendfsync always --save '' \
  --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >&2
for _ in $(seq 100); do
  [[ "$(redis-cli -p "$port" ping 2>/dev/null)" == PONG ]] && break
  sleep 0.1
done
[[ "$(redis-cli -p "$port" ping 2>/dev/null)" == PONG ]] || die "redis-server does not answer on port $port (see $dir/redis.log)"
echo "$url"
