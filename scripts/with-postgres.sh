#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster on 127.0.0.1, with DATABASE_URL set for it.
# The cluster lives in a temporary folder and is removed afterwards. Exits 3 if PostgreSQL is not installed.
set -euo pipefail

pgbin=$(compgen -G "/usr/lib/postgresql/*/bin" | sort -V | tail -n 1 || true)
if [ -z "$pgbin" ] || [ ! -x "$pgbin/initdb" ]; then
  echo "PostgreSQL is not installed; skipping the PostgreSQL run." >&2
  exit 3
fi

dir=$(mktemp -d /tmp/lms-pg.XXXXXX)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
[ "$(id -u)" = 0 ] && chown postgres "$dir"

cleanup() {
  as_postgres "$pgbin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

as_postgres "$pgbin/initdb" -D "$dir/data" -U lms -A trust -E UTF8 --no-sync >/dev/null
as_postgres "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null
"$pgbin/psql" -q -h 127.0.0.1 -p "$port" -U lms -d postgres -c "CREATE DATABASE lms" >/dev/null

echo "PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') running on 127.0.0.1:$port"
export DATABASE_URL="postgres://lms@127.0.0.1:$port/lms"
"$@"
