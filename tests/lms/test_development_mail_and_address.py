"""Development tells the truth: links use the port `make run` serves on, and mail lands in var/mail/ to be read."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parents[2]
REPORT = (
    "import config.settings as s; print(s.SITE_URL); print(s.EMAIL_BACKEND); print(getattr(s, 'EMAIL_FILE_PATH', ''))"
)


def settings_report(**env: str) -> list[str]:
    """SITE_URL, EMAIL_BACKEND and EMAIL_FILE_PATH as settings read them from this environment alone."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "PORT", "SITE_URL", "EMAIL_URL", "SECRET_KEY"} and not k.startswith("DJANGO_")
    }
    result = subprocess.run(  # noqa: S603 - fixed interpreter and code
        [sys.executable, "-c", REPORT],
        cwd=ROOT,
        env={**clean, "LMS_READ_DOTENV": "0", **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_site_url_follows_port_unless_site_url_is_set():
    assert settings_report(DEBUG="1")[0] == "http://127.0.0.1:8000"
    assert settings_report(DEBUG="1", PORT="8431")[0] == "http://127.0.0.1:8431"
    assert settings_report(DEBUG="1", PORT="8431", SITE_URL="https://lms.example.org/")[0] == "https://lms.example.org"


def test_make_run_passes_its_port_to_every_manage_py_command():
    result = subprocess.run(  # noqa: S603 - fixed arguments
        ["make", "-n", "run", "PORT=8431"],  # noqa: S607 - make from PATH, as a developer runs it
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    commands = [line for line in result.stdout.splitlines() if "manage.py" in line]
    assert any("runserver 127.0.0.1:8431" in line for line in commands)
    assert any("seed_demo" in line for line in commands)
    assert all("PORT=8431" in line for line in commands), commands


def test_development_mail_is_written_to_var_mail_and_production_mail_is_not():
    site_url, backend, folder = settings_report(DEBUG="1")
    assert backend == "django.core.mail.backends.filebased.EmailBackend"
    assert Path(folder) == ROOT / "var" / "mail"
    assert settings_report(DEBUG="1", EMAIL_URL="console://")[1] == "django.core.mail.backends.console.EmailBackend"
    assert settings_report(DEBUG="0", SECRET_KEY="x" * 50)[1] == "django.core.mail.backends.console.EmailBackend"


@pytest.fixture
def mail_folder(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    return tmp_path


def test_show_mail_prints_the_latest_email_with_its_body(mail_folder, capsys):
    mail.send_mail("Your hours were approved", "Ana approved 8 hours.", "lms@example.org", ["sam@example.org"])
    mail.send_mail(
        "Confirm your email", "Open http://127.0.0.1:8431/accounts/confirm/abc/", "lms@example.org", ["jo@example.org"]
    )
    call_command("show_mail")
    printed = capsys.readouterr().out
    assert "Subject: Confirm your email" in printed
    assert "To: jo@example.org" in printed
    assert "Open http://127.0.0.1:8431/accounts/confirm/abc/" in printed
    assert "Your hours were approved" not in printed


def test_show_mail_lists_and_filters_by_recipient(mail_folder, capsys):
    mail.send_mail("Your hours were approved", "Ana approved 8 hours.", "lms@example.org", ["sam@example.org"])
    mail.send_mail("Confirm your email", "Confirm here.", "lms@example.org", ["jo@example.org"])
    call_command("show_mail", "--list")
    listed = capsys.readouterr().out.splitlines()
    assert len(listed) == 2
    assert "to sam@example.org  Your hours were approved" in listed[0]
    assert "to jo@example.org  Confirm your email" in listed[1]
    call_command("show_mail", "--to", "sam@")
    printed = capsys.readouterr().out
    assert "Ana approved 8 hours." in printed
    assert "Confirm here." not in printed


def test_show_mail_says_when_there_is_none_and_when_mail_is_not_kept_in_files(mail_folder, settings, capsys):
    call_command("show_mail")
    assert f"No emails in {mail_folder} yet." in capsys.readouterr().out
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    with pytest.raises(CommandError, match="In development .* it goes to var/mail/"):
        call_command("show_mail")
