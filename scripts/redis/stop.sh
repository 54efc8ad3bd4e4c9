#!/usr/bin/env bash
# Stops the Redis server that scripts/redis/start.sh started (by its pid file, never by name).
#
#   scripts/redis/stop.sh [--port PORT] [--dir DIR] [--wipe]
#
# --wipe   also delete its directory (the AOF: the queues' contents)
set -euo pipefail

port="${MOBO_REDIS_PORT:-6390}"
dir=""
wipe=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    --wipe) wipe=1; shift ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) echo "stop.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
dir="${dir:-${MOBO_REDIS_DIR:-/tmp/mobo-redis-$port}}"

if [[ -f "$dir/redis.pid" ]]; then
  pid="$(cat "$dir/redis.pid")"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
  fi
fi
if [[ $wipe == 1 ]]; then rm -rf "$dir"; fi
