"""Demo two-factor: seed_demo's supervisor and admin get the published demo secret; totp_code prints their code."""

from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import CommandError, call_command
from django.test import override_settings

from demo.accounts import DEMO_TOTP_SECRET, ensure_demo_authenticators, totp_code_now, totp_secret_of
from demo.site import LoadReport, ensure_demo_users
from tests.accounts.conftest import signed_in_user_id
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_users():
    """The demo accounts, with their authenticators."""
    report = LoadReport()
    users = ensure_demo_users(report)
    ensure_demo_authenticators(users=users, report=report)
    return users


def _code(*args) -> str:
    out = StringIO()
    call_command("totp_code", *args, stdout=out)
    return out.getvalue().strip()


def test_the_demo_supervisor_and_admin_get_the_demo_secret_once(demo_users):
    for username in ("supervisor", "admin"):
        assert totp_secret_of(demo_users[username]) == DEMO_TOTP_SECRET
    for username in ("trainee", "verifier", "graduate"):
        assert totp_secret_of(demo_users[username]) is None
    report = LoadReport()
    ensure_demo_authenticators(users=demo_users, report=report)
    assert report.created == []
    assert sorted(Authenticator.objects.values_list("user__username", "type")) == [
        ("admin", "recovery_codes"),
        ("admin", "totp"),
        ("supervisor", "recovery_codes"),
        ("supervisor", "totp"),
    ]


def test_a_known_moment_gives_the_rfc_6238_code():
    # The secret is 20 bytes, like RFC 6238's SHA-1 test key; the code for a fixed moment never changes.
    assert totp_code_now(DEMO_TOTP_SECRET, at=59) == totp_code_now(DEMO_TOTP_SECRET, at=30)
    assert totp_code_now("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", at=59) == "287082"  # RFC 6238 appendix B, 6 digits


@override_settings(DEBUG=True)
def test_totp_code_prints_the_code_that_logs_the_demo_supervisor_in(client, demo_users):
    code = _code("supervisor")
    assert len(code) == 6 and code.isdigit()
    assert code == totp_code_now(DEMO_TOTP_SECRET)
    response = client.post("/accounts/login/", {"login": "supervisor", "password": "peerdemo2026"})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    response = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert signed_in_user_id(client) == demo_users["supervisor"].pk


@override_settings(DEBUG=False)
def test_totp_code_refuses_when_debug_is_off_unless_forced(demo_users):
    with pytest.raises(CommandError, match="refuses to run when DEBUG is off"):
        _code("admin")
    assert _code("admin", "--force") == totp_code_now(DEMO_TOTP_SECRET)


@override_settings(DEBUG=True)
def test_totp_code_only_reveals_the_demo_secret(demo_users):
    with pytest.raises(CommandError, match="There's no account called 'nobody'"):
        _code("nobody")
    with pytest.raises(CommandError, match="hasn't set up two-factor authentication"):
        _code("trainee")
    UserFactory(username="realperson", roles=["Supervisor"])  # a random secret, like a real phone's
    with pytest.raises(CommandError, match="isn't the demo one"):
        _code("realperson")
