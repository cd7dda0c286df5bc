"""Deployment tests: real processes (scripts/serve.sh, gunicorn, db_worker, manage.py) on a fresh PostgreSQL database.

Nothing here uses the test database pytest-django makes: each test gets its own PostgreSQL database beside it and
starts the site's processes against it, as a deployment does. Every process started is stopped at teardown.
"""

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest
import requests

from tests.databases import create_database, drop_database
from tests.workers import worker_suffix

ROOT = Path(__file__).resolve().parents[2]
SERVE = [shutil.which("bash") or "/bin/bash", str(ROOT / "scripts" / "serve.sh")]  # the production start command
STOP_TIMEOUT = 20  # seconds a process gets to stop after SIGTERM before it is killed


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def postgres_databases(skip_reason: str):
    """Make fresh PostgreSQL databases beside the suite's: call with a name suffix, get its URL.

    Each is empty, or with migrated=True a copy of the pass's migrated template (tests/databases.py). Skips with
    `skip_reason` unless DATABASE_URL is PostgreSQL (`make test` runs these tests in its PostgreSQL pass; CI always
    does). The databases are dropped on the way out, connections and all.
    """
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        pytest.skip(skip_reason)
    made = []

    def make(suffix: str, *, migrated: bool = False) -> str:
        name = f"{urlparse(base).path.lstrip('/')}_{suffix}{worker_suffix()}"
        made.append(name)
        return create_database(base, name, migrated=migrated)

    try:
        yield make
    finally:
        for name in made:
            drop_database(base, name)


@pytest.fixture
def postgres_database():
    """Fresh PostgreSQL databases for one test (see postgres_databases)."""
    with postgres_databases(
        "needs PostgreSQL: DATABASE_URL is not a postgres:// URL (make test runs this in its PostgreSQL pass)"
    ) as make:
        yield make


def production_env(*, database_url: str, folder: Path, site_url: str = "https://certify.example.test") -> dict:
    """The environment of a production deployment whose shared state lives in `folder`.

    DEBUG off and every security setting as deployed (clients reach it as if through a TLS-terminating proxy); the
    database queue for tasks; one signing key file, one certificates folder, one media folder and one cache folder
    for every process, as several app servers share them; emails written to folder/mail.
    """
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DEBUG", "TASKS_"))}
    return {
        **inherited,
        "LMS_READ_DOTENV": "0",  # a development .env in the checkout must not leak in
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": f"{urlparse(site_url).hostname},127.0.0.1",
        "SITE_URL": site_url,
        "DATABASE_URL": database_url,
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "SIGNING_KEY_FILE": str(folder / "keys" / "signing-key.json"),
        "CERTIFICATE_ROOT": str(folder / "certificates"),
        "MEDIA_ROOT": str(folder / "media"),
        "STATIC_ROOT": str(folder / "static"),
        "EMAIL_URL": f"file://{folder / 'mail'}",
        "PYTHON": sys.executable,
    }


def manage(env: dict, *args: str, timeout: float = 300) -> str:
    """Run `manage.py` with the environment; returns what it printed, or fails the test with its output."""
    result = subprocess.run(  # noqa: S603 - our interpreter and manage.py
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode:
        pytest.fail(f"manage.py {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result.stdout


@dataclass
class Started:
    """A process started for a test, with the file its output goes to."""

    name: str
    process: subprocess.Popen
    log: Path
    left_behind: bool = False  # whether stopping it had to kill processes it left in its group

    def output(self) -> str:
        """Everything it has printed so far."""
        return self.log.read_text(errors="replace")


@dataclass
class Processes:
    """Starts processes for a test (each in its own process group) and stops them all at the end."""

    folder: Path
    started: list[Started] = field(default_factory=list)

    def start(self, name: str, args: list[str], env: dict) -> Started:
        """Start `args` in the project folder, its output going to folder/<name>.log."""
        log = self.folder / f"{name}.log"
        with log.open("w") as handle:
            process = subprocess.Popen(  # noqa: S603 - fixed commands from the tests
                args, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
            )
        started = Started(name=name, process=process, log=log)
        self.started.append(started)
        return started

    def wait_until_healthy(self, started: Started, base_url: str, *, timeout: float = 240) -> None:
        """Wait until base_url/healthz answers 200; fails with the process's output if it dies or time runs out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if started.process.poll() is not None:
                pytest.fail(f"{started.name} exited with {started.process.returncode}:\n{started.output()}")
            try:
                if requests.get(f"{base_url}/healthz", timeout=10).status_code == 200:
                    return
            except requests.RequestException:  # not listening yet, or still starting its workers
                pass
            time.sleep(0.3)
        pytest.fail(f"{started.name} didn't answer {base_url}/healthz within {timeout} s:\n{started.output()}")

    def stop(self, started: Started) -> int:
        """Stop a process with SIGTERM (its group is killed if it takes longer than STOP_TIMEOUT); its exit status."""
        if started.process.poll() is None:
            started.process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                started.process.wait(timeout=STOP_TIMEOUT)
        try:  # whatever it left behind in its group (gunicorn workers, task workers)
            os.killpg(started.process.pid, signal.SIGKILL)
            started.left_behind = True
        except ProcessLookupError:
            pass
        return started.process.wait(timeout=STOP_TIMEOUT)

    def stop_all(self) -> None:
        """Stop every process still running, newest first."""
        for started in reversed(self.started):
            self.stop(started)


@pytest.fixture
def processes(tmp_path):
    """Start processes for the test; all are stopped at teardown, whatever happened."""
    folder = tmp_path / "logs"
    folder.mkdir()
    started = Processes(folder=folder)
    try:
        yield started
    finally:
        started.stop_all()
