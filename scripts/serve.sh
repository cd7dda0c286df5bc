#!/usr/bin/env bash
# Run the site in production: gunicorn and the background task worker(s), in the foreground, on PostgreSQL.
#
# Before starting it checks the settings (PostgreSQL, SITE_URL, ALLOWED_HOSTS, a signing key), applies migrations,
# makes the signing key if its file doesn't exist yet, runs `manage.py check --deploy` and collects static files.
# Ctrl-C or SIGTERM stops everything it started; if one process dies, the others are stopped too and the script
# exits non-zero, so a supervisor (systemd, a container runtime) can restart it.
#
# Environment (besides the site's own settings, see README "Running in production"):
#   BIND                    address gunicorn listens on (default 127.0.0.1:$PORT, PORT default 8000)
#   WEB_CONCURRENCY         gunicorn worker processes (default 2 x CPU cores + 1)
#   TASK_WORKERS            `manage.py db_worker` processes (default 1; 0 on app servers that leave tasks to others)
#   MIGRATE_ON_START        1 (default) applies migrations first; 0 where another host or a release step does it
#   COLLECTSTATIC_ON_START  1 (default) collects static files first; 0 where the release was built with them
#   PROXY_PROTOCOL_FROM     the load balancers' addresses, when they send the PROXY protocol (HAProxy send-proxy,
#                           a cloud TCP/network balancer): each request then has its real client's address, which
#                           the per-address rate limit counts by; without it every client is the balancer
#   DEPLOY_CHECK_FAIL_LEVEL `check --deploy` fails on this level or above (default WARNING)
#   ALLOW_INSECURE_SITE_URL 1 lets SITE_URL be plain http or an IP address, for a local trial only: credentials
#                           name their issuer did:web:<host>, which resolves only over https at a DNS name
#   PYTHON                  the interpreter (default .venv/bin/python)
set -euo pipefail

cd "$(dirname "$0")/.."
python=${PYTHON:-.venv/bin/python}
[ -x "$python" ] || python=python3

# Production whatever .env says: no debug pages, tasks on the database queue that db_worker reads.
export DEBUG=0
export TASKS_BACKEND=django_tasks_db.DatabaseBackend
export DJANGO_SETTINGS_MODULE=config.settings

bind=${BIND:-127.0.0.1:${PORT:-8000}}
web_workers=${WEB_CONCURRENCY:-$((2 * $(nproc) + 1))}
task_workers=${TASK_WORKERS:-1}
fail_level=${DEPLOY_CHECK_FAIL_LEVEL:-WARNING}
for number in "$web_workers" "$task_workers"; do
  [[ "$number" =~ ^[0-9]+$ ]] || { echo "serve: WEB_CONCURRENCY and TASK_WORKERS must be whole numbers." >&2; exit 2; }
done
[ "$web_workers" -ge 1 ] || { echo "serve: WEB_CONCURRENCY must be at least 1." >&2; exit 2; }

say() { echo "serve: $*" >&2; }

# What the settings (environment and .env) say, checked before anything touches the database. Prints "missing" when
# the signing key file named by SIGNING_KEY_FILE doesn't exist yet.
key_state=$("$python" - <<'PY'
import ipaddress
import os
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

import django
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

try:
    django.setup()
except ImproperlyConfigured as error:
    sys.exit(f"serve: {error}")
DNS_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
TRIAL = "For a local trial only, set ALLOW_INSECURE_SITE_URL=1."


def site_url_problem(site_url: str) -> str | None:
    """Why did:web can't name this site's issuer from SITE_URL (https and a DNS host name), or None."""
    why = f"SITE_URL is {site_url}, but"
    parts = urlsplit(site_url)
    if parts.scheme != "https":
        return (
            f"{why} it must start with https://: signed credentials name their issuer did:web:<host>, and "
            f"did:web keys are only ever fetched over https. {TRIAL}"
        )
    if parts.username is not None or parts.password is not None or parts.path not in ("", "/") or parts.query:
        return (
            f"{why} it must be just https:// and the host name (and a port, if any), with no user name, path or "
            f"query: did:web:<host> names the issuer of every signed credential, and its keys are looked up at "
            f"https://<host>/.well-known/did.json. {TRIAL}"
        )
    host = (parts.hostname or "").rstrip(".")
    try:
        ipaddress.ip_address(host)
        is_address = True
    except ValueError:
        labels = host.split(".")
        is_address = bool(host) and labels[-1].isdigit()  # 127.1 and the like: browsers read them as addresses
    if is_address:
        return (
            f"{why} its host must be a DNS name such as certify.example.org, not an IP address ({host}): did:web, "
            f"which names the issuer of every signed credential, doesn't allow IP addresses. {TRIAL}"
        )
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        ascii_host = ""
    labels = ascii_host.split(".")
    if len(labels) < 2 or not all(DNS_LABEL.fullmatch(label) for label in labels):
        not_this = f", not {host}" if host else ""
        return (
            f"{why} its host must be a full DNS host name such as certify.example.org{not_this}: did:web, which "
            f"names the issuer of every signed credential, resolves only public DNS names. {TRIAL}"
        )
    return None


problems = []
if connection.vendor != "postgresql":
    problems.append(
        "DATABASE_URL must point to PostgreSQL, e.g. postgres://lms:password@db.example.org:5432/lms "
        "(SQLite is for development and tests)."
    )
site_url = os.environ.get("SITE_URL", "")
if not site_url:
    problems.append("SITE_URL must be the public address, e.g. https://certify.example.org.")
elif os.environ.get("ALLOW_INSECURE_SITE_URL") == "1":
    if site_url_problem(site_url):
        print(
            f"serve: ALLOW_INSECURE_SITE_URL=1: trying the site at {site_url}. Fine for a local trial, but "
            "credentials signed now can't be verified anywhere else: never use it for real certificates.",
            file=sys.stderr,
        )
elif problem := site_url_problem(site_url):
    problems.append(problem)
if not settings.ALLOWED_HOSTS:
    problems.append("ALLOWED_HOSTS must list the host names the site answers to, e.g. certify.example.org.")
if not settings.SIGNING_KEY.strip() and not settings.SIGNING_KEY_FILE:
    problems.append(
        "SIGNING_KEY_FILE must name the credential signing key's file (made on first start if missing), "
        "or SIGNING_KEY hold the key itself."
    )
if problems:
    sys.exit("\n".join(f"serve: {problem}" for problem in problems))
if not settings.SIGNING_KEY.strip() and not Path(settings.SIGNING_KEY_FILE).exists():
    print("missing")
PY
)

if [ "${MIGRATE_ON_START:-1}" = 1 ]; then
  say "applying migrations"
  "$python" manage.py migrate --noinput
fi
if [ "$key_state" = missing ]; then
  say "no signing key file yet: making the first key"
  "$python" manage.py rotate_signing_key
fi
say "checking the deployment settings"
"$python" manage.py check --deploy --fail-level "$fail_level"
if [ "${COLLECTSTATIC_ON_START:-1}" = 1 ]; then
  say "collecting static files"
  "$python" manage.py collectstatic --noinput --verbosity 0
fi

proxy_protocol=()
if [ -n "${PROXY_PROTOCOL_FROM:-}" ]; then
  proxy_protocol=(--proxy-protocol --proxy-allow-from "$PROXY_PROTOCOL_FROM")
fi

pids=()
stop() {
  trap - INT TERM
  say "stopping"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait || true
}
trap 'stop; exit 0' INT TERM

say "starting gunicorn on $bind ($web_workers web workers) and $task_workers task worker(s)"
# No control socket: its default path is per user, so two instances on one machine would fight over it.
"$python" -m gunicorn config.wsgi --bind "$bind" --workers "$web_workers" --access-logfile - --no-control-socket \
  "${proxy_protocol[@]}" &
pids+=($!)
for number in $(seq 1 "$task_workers"); do
  # Named after the machine and this script, so the database shows which worker ran each task.
  "$python" manage.py db_worker --no-reload --worker-id "${HOSTNAME:0:40}-$$-$number" &
  pids+=($!)
done

# Whichever process ends first (it shouldn't) takes the rest down with it.
status=0
wait -n || status=$?
say "a process stopped (exit status $status); stopping the others"
trap - INT TERM
for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
wait || true
exit $((status == 0 ? 1 : status))
