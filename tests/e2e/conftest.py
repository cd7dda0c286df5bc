"""Browser tests: Playwright drives Debian's Chromium against a real gunicorn server with its own database.

The server runs in a separate process with production settings (DEBUG off,
WhiteNoise, collected static files), on a database made for the session and
loaded with seed_demo, so the browser sees exactly what a deployment serves.
"""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.databases import create_database
from tests.e2e.journey import SERVER_DATABASES
from tests.workers import worker_suffix

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTEFACTS = ROOT / "var" / "test-artefacts"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url(tmp: Path) -> str:
    """A fresh migrated database for the server: an SQLite file, or a PostgreSQL database beside the suite's."""
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        return f"sqlite:///{tmp / 'e2e.sqlite3'}"
    name = urlparse(base).path.lstrip("/") + "_e2e" + worker_suffix()
    return create_database(base, name, migrated=True)


def _run(args: list[str], env: dict) -> str:
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode:
        raise RuntimeError(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


@dataclass(frozen=True)
class E2ESite:
    """The browser tests' server: its address, the environment it runs with and its folder (mail, media, log)."""

    base: str
    env: dict
    folder: Path

    @property
    def mail_dir(self) -> Path:
        """Where the server writes every email it sends (EMAIL_URL=file://…), one file per connection."""
        return self.folder / "mail"

    def manage(self, *args: str) -> str:
        """Run a manage.py command against the server's database and settings; returns what it printed."""
        return _run([sys.executable, "manage.py", *args], self.env)


@pytest.fixture(scope="session")
def e2e_site(tmp_path_factory, collected_static):
    """A gunicorn server (2 workers) running the demo site with production settings, and what it runs with."""
    tmp = tmp_path_factory.mktemp("e2e")
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SIGNING_KEY_FILE": str(tmp / "signing-key.json"),  # certificates are signed and rendered, as deployed
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",  # the test server speaks plain http on 127.0.0.1
        "SECRET_KEY": "e2e-only-secret-key-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": _database_url(tmp),
        "MEDIA_ROOT": str(tmp / "media"),
        "STATIC_ROOT": str(collected_static),  # collected once per worker (tests/conftest.py)
        "CERTIFICATE_ROOT": str(tmp / "certificates"),
        "EMAIL_URL": f"file://{tmp / 'mail'}",
        "SITE_URL": f"http://127.0.0.1:{port}",
    }
    python = sys.executable
    _run([python, "manage.py", "migrate", "--noinput"], env)
    _run([python, "manage.py", "rotate_signing_key"], env)
    _run([python, "manage.py", "seed_demo", "--force"], env)
    log = open(tmp / "gunicorn.log", "w")  # noqa: SIM115
    process = subprocess.Popen(  # noqa: S603
        # No control socket: its default path is one per user, shared with any other gunicorn on the machine.
        [python, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2", "--no-control-socket"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    SERVER_DATABASES[base] = env["DATABASE_URL"]
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("gunicorn did not start:\n" + (tmp / "gunicorn.log").read_text()) from None
            time.sleep(0.2)
    yield E2ESite(base=base, env=env, folder=tmp)
    process.terminate()
    process.wait(timeout=10)
    log.close()


@pytest.fixture(scope="session")
def server(e2e_site):
    """Base URL of the gunicorn server running the demo site with production settings."""
    return e2e_site.base


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for each browser test module.

    Playwright's sync API runs an event loop in this thread while it is open, and Django refuses database work
    from a thread with a running loop. Under `make test`'s workers a database test file may follow a browser test
    file on the same worker, so the browser closes (and its loop with it) when its module ends.
    """
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is required in CI but was not found at {CHROMIUM}")
        pytest.skip(f"Chromium not installed at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    """A fresh browser page; a screenshot is saved to var/test-artefacts when the test fails."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTEFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item so fixtures can see failures."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's minified source as npm installed it; the tests skip without it (and fail in CI)."""
    axe = ROOT / "node_modules" / "axe-core" / "axe.min.js"
    if not axe.is_file():
        problem = f"{axe.relative_to(ROOT)} is missing: run make install"
        if os.environ.get("CI"):
            pytest.fail(f"axe-core is required in CI but {problem}")
        pytest.skip(problem)
    return axe.read_text(encoding="utf-8")


@contextlib.contextmanager
def person_page(browser, viewport):
    """A page in a fresh browser context (one person's session), closed afterwards."""
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        yield page
    finally:
        context.close()
