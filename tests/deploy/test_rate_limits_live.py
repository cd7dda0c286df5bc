"""One client over the lookup limit, against gunicorn as production runs it: refused at once, and nobody else waits.

Each test starts gunicorn with 3 workers, DEBUG off and the production settings as they are (no cache override), on
a fresh database: SQLite, PostgreSQL (make test's second pass), or either with CACHE_URL pointing at Redis (the
server scripts/with-redis.sh starts). 200 lookups arrive from 4 threads at once while another client signs in.
Exactly the limit (VERIFY_RATE_LIMIT's default, 60 a minute) get answers; the rest get 429 with Retry-After, each
in a moment of the worker's time (gunicorn's access log; bounded at 2 s, far below the 30 s a lock wait took) and at
the client, which also waits its turn for a worker; the sign-in completes meanwhile. Before the counters moved out
of a file cache with a lock of its own, the 61st lookup deadlocked its worker, and every other request touching the
cache waited until gunicorn killed it.
"""

import contextlib
import os
import secrets
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from tests.deploy.conftest import ROOT, free_port, manage, postgres_databases
from tests.workers import worker_redis_url

LIMIT = 60  # config/settings.py: VERIFY_RATE_LIMIT's default, per client address and minute
LOOKUPS = 200
THREADS = 4
PASSWORD = "a long passphrase for the live test"
REDIS_URL = worker_redis_url(os.environ.get("REDIS_URL", ""))
HTTPS = {"X-Forwarded-Proto": "https"}  # as the TLS-terminating proxy in front of gunicorn says (README)

MAKE_ACCOUNT_AND_CERTIFICATE = f"""
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from lms.roles import VERIFIER
from tests.factories import UserFactory, issued_certificate
from verification.services import api_token_create

user = get_user_model().objects.create_user("signer", "signer@example.org", {PASSWORD!r})
EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
print(api_token_create(user=UserFactory(roles=[VERIFIER]), name="warm-up")[1])
print(issued_certificate(first_name="Robin", last_name="Asante").display_code)
"""


def on_postgres() -> bool:
    """Whether this pass of the suite runs on PostgreSQL (make test's second pass)."""
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def production_settings(*, database_url: str, folder: Path, cache_url: str = "") -> dict:
    """The environment gunicorn runs with: config.settings as deployed, DEBUG off, the cache as CACHE_URL says."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DEBUG", "TASKS_", "CACHE_"))}
    env = {
        **inherited,
        "LMS_READ_DOTENV": "0",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "https://certify.example.test",
        "DATABASE_URL": database_url,
        "SIGNING_KEY_FILE": str(folder / "signing-key.json"),
        "CERTIFICATE_ROOT": str(folder / "certificates"),
        "MEDIA_ROOT": str(folder / "media"),
        "STATIC_ROOT": str(folder / "static"),
        "EMAIL_URL": f"file://{folder / 'mail'}",
        # The test's client speaks plain http to 127.0.0.1 and only sends Secure cookies over https.
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "PYTHONPATH": str(ROOT),
    }
    if cache_url:
        env["CACHE_URL"] = cache_url
    return env


def warm_up(base: str, code: str, token: str) -> None:
    """Let each worker serve the pages and lookups a running server has served, before the clock starts.

    A worker's first API lookup costs it 55-90 ms of CPU that no later one does (django-ninja and pydantic
    validating a response for the first time), 160-255 ms under load: measured, and nothing to do with counting.
    The lookups here carry a verifier's token, so they count against that account, not the client address tested.
    """
    lookup = f"/api/v1/verify/{code}"
    paths = ["/accounts/login/", "/api/v1/openapi.json", "/verify/", lookup, lookup] * 6
    headers = {**HTTPS, "Authorization": f"Bearer {token}"}
    with ThreadPoolExecutor(max_workers=6) as pool:
        for response in pool.map(lambda path: requests.get(base + path, headers=headers, timeout=60), paths):
            assert response.status_code == 200, (response.url, response.status_code)


def start_of_a_fresh_minute() -> None:
    """Wait, if need be, so that the whole run falls inside one minute's window."""
    into_the_minute = time.time() % 60
    if into_the_minute > 40:
        time.sleep(60 - into_the_minute + 0.5)


def sign_in(base: str) -> float:
    """Sign in as a verified account through allauth's form, as a browser does; seconds it took from the POST."""
    session = requests.Session()
    page = session.get(f"{base}/accounts/login/", headers=HTTPS, timeout=30)
    assert page.status_code == 200 and "csrftoken" in session.cookies, (page.status_code, page.headers, page.text[:300])
    started = time.monotonic()
    response = session.post(
        f"{base}/accounts/login/",
        data={"login": "signer", "password": PASSWORD, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        headers={**HTTPS, "Referer": f"{base.replace('http://', 'https://')}/accounts/login/"},
        allow_redirects=False,
        timeout=30,
    )
    took = time.monotonic() - started
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard/", response.text[:500]
    return took


@pytest.fixture(params=["sqlite", "postgres", "redis"])
def live_site(request, tmp_path, processes, collected_static):
    """gunicorn (3 workers, production settings) on a fresh database, with the cache kind the test is for.

    "redis" runs on PostgreSQL in the PostgreSQL pass, on SQLite otherwise; it needs REDIS_URL.
    """
    kind = request.param
    if kind == "redis" and not REDIS_URL:
        pytest.skip("needs Redis: make test's second pass starts one (scripts/with-redis.sh)")
    with contextlib.ExitStack() as stack:
        if kind == "postgres" or (kind == "redis" and on_postgres()):
            make = stack.enter_context(postgres_databases("needs PostgreSQL: make test runs this in its second pass"))
            database_url = make("live_limits", migrated=True)
        else:
            database_url = f"sqlite:///{tmp_path / 'live.sqlite3'}"
        port = free_port()
        env = production_settings(
            database_url=database_url, folder=tmp_path, cache_url=REDIS_URL if kind == "redis" else ""
        )
        if kind == "redis":
            import redis

            redis.Redis.from_url(REDIS_URL).flushdb()
        manage(env, "migrate", "--noinput")
        env["STATIC_ROOT"] = str(collected_static)  # collected once per worker (tests/conftest.py)
        manage(env, "rotate_signing_key", "--if-missing")
        token, code = manage(env, "shell", "--no-imports", "-c", MAKE_ACCOUNT_AND_CERTIFICATE).strip().splitlines()[-2:]
        gunicorn = [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi:application",
            "--workers=3",
            f"--bind=127.0.0.1:{port}",
            "--timeout=30",
            "--no-control-socket",
            f"--access-logfile={tmp_path / 'access.log'}",
            "--access-logformat=%(s)s %(M)s %(m)s %(U)s",  # status, milliseconds the worker spent, method, path
        ]
        server = processes.start("gunicorn", gunicorn, env)
        base = f"http://127.0.0.1:{port}"
        processes.wait_until_healthy(server, base)
        yield base, code, token, server, tmp_path / "access.log"


def test_the_lookup_limit_refuses_at_once_and_nobody_else_waits(live_site):
    base, code, token, server, access_log = live_site
    warm_up(base, code, token)
    start_of_a_fresh_minute()
    results: list[tuple[int, float, str | None]] = []
    lock = threading.Lock()
    halfway = threading.Event()

    def lookups(thread: int) -> None:
        with requests.Session() as session:
            for number in range(LOOKUPS // THREADS):
                started = time.monotonic()
                response = session.get(f"{base}/api/v1/verify/{code}", headers=HTTPS, timeout=60)
                took = time.monotonic() - started
                with lock:
                    results.append((response.status_code, took, response.headers.get("Retry-After")))
                if thread == 0 and number == LOOKUPS // THREADS // 2:
                    halfway.set()

    with ThreadPoolExecutor(max_workers=THREADS + 1) as pool:
        flood = [pool.submit(lookups, thread) for thread in range(THREADS)]
        halfway.wait(timeout=60)
        sign_in_took = pool.submit(sign_in, base).result(timeout=60)
        for future in flood:
            future.result(timeout=120)

    answered = [result for result in results if result[0] != 429]
    refused = [result for result in results if result[0] == 429]
    assert len(results) == LOOKUPS
    assert [status for status, _, _ in answered] == [200] * LIMIT, server.output()[-3000:]
    assert len(refused) == LOOKUPS - LIMIT
    assert all(retry_after is not None and 1 <= int(retry_after) <= 60 for _, _, retry_after in refused)
    # Each refusal as the server spent it: the moment a worker took the request until it sent the 429.
    server_ms = [int(line.split()[1]) for line in access_log.read_text().splitlines() if line.startswith("429 ")]
    assert len(server_ms) == LOOKUPS - LIMIT
    timings = (
        f"slowest 429 at the server: {max(server_ms)} ms, at the client: {max(t for _, t, _ in refused) * 1000:.0f} "
        f"ms (4 clients share 3 workers, one of them busy hashing the sign-in's password); sign-in during the "
        f"flood: {sign_in_took * 1000:.0f} ms"
    )
    # What this guards against is a wait on a lock, which held each request until gunicorn's 30 s timeout: the
    # bounds sit far below that and far above what a loaded 2-core machine takes (refusals measured at 4-158 ms at
    # the server, sign-in up to 1.2 s while other suites ran). How fast they are is make bench's business.
    assert max(server_ms) < 2000, timings
    assert max(took for _, took, _ in refused) < 5.0, timings
    assert sign_in_took < 5.0, timings
    healthz = requests.get(f"{base}/healthz", timeout=5)
    assert healthz.status_code == 200
    assert "WORKER TIMEOUT" not in server.output()
