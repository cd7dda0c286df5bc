# Peer Specialist Training: `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
DEV := DEBUG=1

.PHONY: run test test-sqlite test-postgres install system-deps runtime-deps lint format migrate demo bench clean

## run: set everything up, load the demo data and serve http://127.0.0.1:$(PORT)
run: install runtime-deps .env
	@mkdir -p var
	$(DEV) $(PY) manage.py migrate --noinput
	$(DEV) $(PY) manage.py rotate_signing_key --if-missing
	$(DEV) $(PY) manage.py seed_demo
	@echo "Serving on http://127.0.0.1:$(PORT)/  (log in as trainee / peerdemo2026)"
	$(DEV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

## test: the whole suite on SQLite, then again on a throwaway PostgreSQL cluster where PostgreSQL is installed
test: install system-deps test-sqlite test-postgres

test-sqlite: install
	@mkdir -p var
	$(PY) -m pytest

test-postgres: install
	@scripts/with-postgres.sh $(PY) -m pytest; status=$$?; \
	  if [ $$status -eq 3 ] && [ -z "$$CI" ]; then echo "PostgreSQL run skipped: PostgreSQL is not installed."; exit 0; fi; exit $$status

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

## bench: time certificate rendering and download, then requests/s of verification next to /healthz on gunicorn
bench: install
	$(PY) bench/certificates.py
	@scripts/system-deps.sh --bench
	$(PY) bench/throughput.py

clean:
	rm -rf $(VENV) var
