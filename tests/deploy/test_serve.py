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


@pytest.mark.parametrize(
    ("site_url", "reason"),
    [
        ("http://certify.example.test", "but it must start with https://"),
        ("http://127.0.0.1:8000", "but it must start with https://"),
        ("https://127.0.0.1:8000", "not an IP address (127.0.0.1)"),
        ("https://[::1]", "not an IP address (::1)"),
        ("https://10.0.0.7", "not an IP address (10.0.0.7)"),
        ("https://127.1", "not an IP address (127.1)"),
        ("https://localhost:8443", "a full DNS host name such as certify.example.org, not localhost"),
        ("https://under_score.example.test", "a full DNS host name such as certify.example.org"),
        ("https://admin:secret@certify.example.test", "with no user name, path or query"),
        ("https://certify.example.test/lms", "with no user name, path or query"),
        ("https://certify.example.test/?x=1", "with no user name, path or query"),
    ],
)
def test_a_site_url_did_web_cannot_use_is_refused_and_says_why(env, site_url, reason):
    result = serve({**env, "SITE_URL": site_url})
    assert result.returncode != 0
    assert f"serve: SITE_URL is {site_url}" in result.stderr and reason in result.stderr
    assert "did:web" in result.stderr  # why: credentials name their issuer by it
    assert "ALLOW_INSECURE_SITE_URL=1" in result.stderr  # and how to try the site locally anyway
    assert "applying migrations" not in result.stderr and "starting gunicorn" not in result.stderr


@pytest.mark.parametrize("site_url", ["https://certify.example.test", "https://xn--bcher-kva.example:8443"])
def test_an_https_dns_name_passes_the_check(env, site_url):
    result = serve({**env, "SITE_URL": site_url, "SECRET_KEY": "django-insecure-" + "a" * 50})  # stops at check
    assert "SITE_URL is" not in result.stderr
    assert "serve: checking the deployment settings" in result.stderr


def test_a_local_trial_may_allow_an_insecure_site_url(env, processes):
    port = env["BIND"].rsplit(":", 1)[1]
    trial = {**env, "SITE_URL": f"http://127.0.0.1:{port}", "ALLOW_INSECURE_SITE_URL": "1", "TASK_WORKERS": "1"}
    started = processes.start("serve", SERVE, trial)
    deadline = time.monotonic() + 120
    while started.process.poll() is None and time.monotonic() < deadline:  # the worker can't reach the database
        time.sleep(0.5)
    output = started.output()
    assert "serve: starting gunicorn" in output, output
    assert "but it must" not in output and "but its host must" not in output
    assert f"serve: ALLOW_INSECURE_SITE_URL=1: trying the site at http://127.0.0.1:{port}" in output
    assert "credentials signed now can't be verified anywhere else" in output
    processes.stop(started)
