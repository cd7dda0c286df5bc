# Peer Specialist Training: `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# PORT goes to every command: without SITE_URL, settings make links (emails, share links, QR codes) on this port.
DEV := DEBUG=1 PORT=$(PORT)
# Each pass of `make test`: one pytest worker per core (pytest-xdist), each test file whole on one worker so its module
# fixtures run once, the browser tests all on one worker (one browser server), the longest work first
# (tests/conftest.py's RUN_FIRST); then the 20 slowest tests. PYTEST_ARGS="-p no:xdist" runs a pass in one process.
PYTEST_ARGS ?= -n auto --dist loadfile --durations=20
# The browser tests (tests/e2e) and the deployment tests (tests/deploy) start their own servers and databases, so the
# pass around them changes only which database those servers get: they run once, in the PostgreSQL pass, on
# production's backends (PostgreSQL, Redis, hashed static files), and the SQLite pass leaves them out. Where
# PostgreSQL isn't installed (outside CI) they run on SQLite instead, so every test still runs.
OWN_SERVER_TESTS := tests/e2e tests/deploy

.PHONY: run serve test test-sqlite test-postgres install system-deps runtime-deps lint format migrate demo bench loadtest backup restore clean

## run: set everything up, load the demo data and serve http://127.0.0.1:$(PORT)
run: install runtime-deps .env
	@mkdir -p var
	$(DEV) $(PY) manage.py migrate --noinput
	$(DEV) $(PY) manage.py rotate_signing_key --if-missing
	$(DEV) $(PY) manage.py seed_demo
	@echo "Serving on http://127.0.0.1:$(PORT)/  (log in as trainee / peerdemo2026)"
	$(DEV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

## serve: production: checks, migrates, then gunicorn and the task worker on PostgreSQL (README "Running in production")
serve: install runtime-deps
	@scripts/serve.sh

## test: the suite on SQLite, then again with the browser and deployment tests on throwaway PostgreSQL and Redis
test: install system-deps test-sqlite test-postgres

test-sqlite: install
	@mkdir -p var
	@start=$$(date +%s); $(PY) -m pytest $(PYTEST_ARGS) $(addprefix --ignore=,$(OWN_SERVER_TESTS)); status=$$?; \
	  scripts/pass-time.sh sqlite $$start $$status; exit $$status

test-postgres: install
	@start=$$(date +%s); scripts/with-postgres.sh scripts/with-redis.sh scripts/test-production.sh $(PY) $(PYTEST_ARGS); \
	  status=$$?; scripts/pass-time.sh postgresql $$start $$status; \
	  if [ $$status -eq 3 ] && [ -z "$$CI" ]; then \
	    echo "PostgreSQL run skipped: PostgreSQL or Redis is not installed. The browser and deployment tests run on SQLite."; \
	    $(PY) -m pytest $(PYTEST_ARGS) $(OWN_SERVER_TESTS); exit $$?; fi; exit $$status

install: $(VENV)/.installed node_modules/.installed var/jsonld-contexts/index.json

# Development values for manage.py commands typed by hand; never overwrites an existing .env.
.env:
	@printf '# Written by make run for development. Delete it, or set DEBUG=0 and a SECRET_KEY, for production.\nDEBUG=1\n' > $@
	@echo "Wrote .env with DEBUG=1 for development."

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.txt
	@touch $@

# npm packages pinned in package-lock.json: JSON-LD contexts for signed credentials, the JS verifier for tests.
node_modules/.installed: package.json package-lock.json scripts/node-deps.sh scripts/extract-contexts.mjs
	scripts/node-deps.sh
	@touch $@

# The contexts dataintegrity/ loads, extracted again if var/ was removed while node_modules/ stayed.
var/jsonld-contexts/index.json: node_modules/.installed
	@node scripts/extract-contexts.mjs
	@touch $@

system-deps:
	@scripts/system-deps.sh

runtime-deps:
	@scripts/system-deps.sh --runtime

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## bench: one table of requests/s and queries per page at 1x and 100x data, on SQLite and PostgreSQL (var/bench/latest.md)
bench: install
	@scripts/system-deps.sh --bench
	$(PY) -m bench.run

## loadtest: 32 users for 60 s on gunicorn + a throwaway PostgreSQL + a task worker; then every write counted in the DB
loadtest: install
	$(PY) bench/load.py

## backup: pg_dump of DATABASE_URL, the media and certificate files and the signing key, into var/backups/<time>/
backup:
	@scripts/backup.sh

## restore: BACKUP=var/backups/<time> into an empty database (FORCE=1 to replace what is there)
restore:
	@test -n "$(BACKUP)" || { echo "Say which backup: make restore BACKUP=var/backups/<time>"; exit 2; }
	@scripts/restore.sh $(if $(FORCE),--force) "$(BACKUP)"

clean:
	rm -rf $(VENV) var
