"""scripts/serve.sh refuses a configuration that isn't fit for production, and never leaves half a site running.

None of these needs a database server: the script checks the settings before it touches one, and the last test
points it at a PostgreSQL address where nothing listens.
"""

import subprocess
import time

import pytest
from django.conf import settings

from tests.deploy.conftest import ROOT, SERVE, free_port, production_env

UNREACHABLE_POSTGRES = "postgres://lms@127.0.0.1:9/nowhere"  # the discard port: nothing answers there


def serve(env: dict, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own script
        SERVE, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture
def env(tmp_path) -> dict:
    """A production environment whose database can't be reached, with a signing key and no migrations on start."""
    return {
        **production_env(database_url=UNREACHABLE_POSTGRES, folder=tmp_path),
        "SIGNING_KEY": settings.SIGNING_KEY,  # the test-only key
        "MIGRATE_ON_START": "0",
        "COLLECTSTATIC_ON_START": "0",
        "BIND": f"127.0.0.1:{free_port()}",
        "WEB_CONCURRENCY": "1",
    }


def test_sqlite_is_refused_with_what_to_set(env):
    result = serve({**env, "DATABASE_URL": "sqlite:////tmp/lms.sqlite3"})
    assert result.returncode != 0
    assert "serve: DATABASE_URL must point to PostgreSQL, e.g. postgres://" in result.stderr
    assert "gunicorn" not in result.stderr + result.stdout


def test_every_missing_setting_is_named_at_once(env):
    result = serve(
        {key: value for key, value in env.items() if key not in {"SITE_URL", "ALLOWED_HOSTS", "SIGNING_KEY"}}
    )
    assert result.returncode != 0
    assert "serve: SITE_URL must be the public address" in result.stderr
    assert "serve: ALLOWED_HOSTS must list the host names" in result.stderr
    assert "serve: SIGNING_KEY_FILE must name the credential signing key's file" not in result.stderr  # it is set
    without_key_file = {key: value for key, value in env.items() if key not in {"SIGNING_KEY", "SIGNING_KEY_FILE"}}
    assert "serve: SIGNING_KEY_FILE must name the credential signing key's file" in serve(without_key_file).stderr


def test_a_missing_secret_key_is_refused(env):
    result = serve({key: value for key, value in env.items() if key != "SECRET_KEY"})
    assert result.returncode != 0
    assert "serve: SECRET_KEY must be set when DEBUG is off." in result.stderr


def test_debug_from_the_environment_is_ignored(env):
    """DEBUG=1 in the environment can't turn a production server into a debugging one: serve.sh forces it off."""
    result = serve({key: value for key, value in env.items() if key != "SECRET_KEY"} | {"DEBUG": "1"})
    assert "serve: SECRET_KEY must be set when DEBUG is off." in result.stderr


def test_deployment_check_warnings_stop_the_start(env):
    result = serve({**env, "SECRET_KEY": "django-insecure-" + "a" * 50})
    assert result.returncode != 0
    assert "security.W009" in result.stderr
    assert "starting gunicorn" not in result.stderr


def test_when_one_process_dies_the_others_are_stopped(env, processes):
    """The task worker can't reach the database and exits; serve.sh stops gunicorn too and exits non-zero."""
    started = processes.start("serve", SERVE, {**env, "TASK_WORKERS": "1"})
    deadline = time.monotonic() + 120
    while started.process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.5)
    assert started.process.poll() is not None, f"serve.sh still running:\n{started.output()}"
    assert started.process.returncode != 0
    assert "serve: starting gunicorn" in started.output()
    assert "a process stopped (exit status" in started.output()
    processes.stop(started)
    assert not started.left_behind, f"serve.sh left processes running:\n{started.output()}"
