#!/usr/bin/env bash
# Run a command beside a throwaway Redis server on 127.0.0.1, with REDIS_URL set for it (the tests that count rate
# limits in Redis, as CACHE_URL=redis://… deployments do, read it; each parallel test worker uses a database of its
# own, tests/workers.py). Nothing is saved to disk; the server stops after.
# Exits 3 if redis-server is not installed.
set -euo pipefail

if ! command -v redis-server >/dev/null; then
  echo "redis-server is not installed; skipping the Redis tests." >&2
  exit 3
fi

dir=$(mktemp -d /tmp/lms-redis.XXXXXX)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cleanup() {
  if [ -f "$dir/redis.pid" ]; then kill "$(cat "$dir/redis.pid")" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT

redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --save "" --appendonly no --databases 64 \
  --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
for _ in $(seq 1 100); do
  redis-cli -p "$port" ping 2>/dev/null | grep -q PONG && break
  sleep 0.1
done
redis-cli -p "$port" ping | grep -q PONG || { echo "Redis didn't start:" >&2; cat "$dir/redis.log" >&2; exit 1; }

echo "Redis $(redis-server --version | grep -o 'v=[0-9.]*' | cut -d= -f2) running on 127.0.0.1:$port"
export REDIS_URL="redis://127.0.0.1:$port/0"
"$@"
