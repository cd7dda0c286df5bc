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
"$python" manage.py collectstatic --noinput --clear -v 0
exec "$python" -m pytest "$@"
