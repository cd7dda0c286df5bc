#!/usr/bin/env bash
# The suite's second pass, on production's own backends: run by `make test` inside scripts/with-postgres.sh and
# scripts/with-redis.sh. The database cache and counters, the database task queue (tests/tasks.py runs it with
# db_worker's own code) and the hashed static files collected first, as `make serve` does. README lists the few
# settings every pass still overrides, and why.
set -euo pipefail
python=$1
shift
export LMS_TEST_BACKENDS=production
export DJANGO_SETTINGS_MODULE=config.settings_test
export STATIC_ROOT="${STATIC_ROOT:-$(pwd)/var/test-static}"
# While collectstatic runs (one core each), migrate the cluster's own database once: every migrated database the pass
# needs is copied from it (PostgreSQL's CREATE DATABASE … TEMPLATE, well under a second), not migrated again: the
# test databases, the browser tests' servers, and the deployment tests that start from a migrated site. Where
# DATABASE_URL isn't PostgreSQL there is no template, and each database migrates itself.
if [[ "${DATABASE_URL:-}" == postgres* ]]; then
  "$python" manage.py migrate --noinput -v 0 &
  migrating=$!
  export TEST_DATABASE_TEMPLATE="${DATABASE_URL##*/}"
fi
"$python" manage.py collectstatic --noinput --clear -v 0
[ -z "${migrating:-}" ] || wait "$migrating"
exec "$python" -m pytest "$@"
