"""Settings come from the environment and refuse unsafe production configurations."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings import email_settings, env_bool, env_list

ROOT = Path(__file__).resolve().parents[2]


def _settings_in_subprocess(env: dict, expression: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL"}}
    clean.update({"LMS_READ_DOTENV": "0", **env})
    return subprocess.run(  # noqa: S603 - fixed interpreter and code
        [sys.executable, "-c", f"import config.settings as s; print({expression})"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )


def test_refuses_to_start_without_secret_key_when_debug_is_off(tmp_path):
    result = _settings_in_subprocess({"DEBUG": "0"}, "s.SECRET_KEY")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off." in result.stderr


def test_debug_has_a_development_key_and_sqlite_under_var():
    result = _settings_in_subprocess({"DEBUG": "1"}, "s.SECRET_KEY[:15], s.DATABASES['default']['NAME']")
    assert result.returncode == 0, result.stderr
    assert "django-insecure" in result.stdout
    assert str(ROOT / "var" / "lms.sqlite3") in result.stdout


def test_database_url_is_honoured():
    result = _settings_in_subprocess(
        {"SECRET_KEY": "x" * 50, "DATABASE_URL": "postgres://u:p@127.0.0.1:5433/lmsdb"},
        "s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'], s.DEBUG",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["lms.postgresql", "lmsdb", "False"]  # Django's, its health check cheaper


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("console://", {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}),
        ("locmem://", {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}),
        (
            "submission://me%40x.org:s%3Acret@mail.example.org",
            {
                "EMAIL_HOST": "mail.example.org",
                "EMAIL_PORT": 587,
                "EMAIL_HOST_USER": "me@x.org",
                "EMAIL_HOST_PASSWORD": "s:cret",
                "EMAIL_USE_TLS": True,
                "EMAIL_USE_SSL": False,
            },
        ),
        ("smtps://mail.example.org:2465", {"EMAIL_PORT": 2465, "EMAIL_USE_SSL": True}),
    ],
)
def test_email_url(url, expected):
    settings = email_settings(url)
    assert {key: settings[key] for key in expected} == expected


def test_unknown_email_scheme_is_refused():
    with pytest.raises(ImproperlyConfigured, match="unknown scheme: 'pigeon'"):
        email_settings("pigeon://loft")


def test_env_helpers(monkeypatch):
    monkeypatch.setenv("FLAG", "yes")
    monkeypatch.setenv("HOSTS", " a.org, b.org ,")
    assert env_bool("FLAG") is True
    assert env_bool("MISSING_FLAG", default=False) is False
    assert env_list("HOSTS") == ["a.org", "b.org"]


def _manage_without_a_key(*args: str) -> subprocess.CompletedProcess:
    """manage.py on a fresh checkout: no .env, no SECRET_KEY, no DEBUG."""
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"}}
    return subprocess.run(  # noqa: S603 - fixed interpreter and script
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "LMS_READ_DOTENV": "0"},
        capture_output=True,
        text=True,
        check=False,
    )


def test_checking_for_missing_migrations_needs_no_secret_key():
    result = _manage_without_a_key("makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_other_commands_still_refuse_to_run_without_a_secret_key():
    result = _manage_without_a_key("migrate", "--plan")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off." in result.stderr
