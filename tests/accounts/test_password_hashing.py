"""Every login attempt runs the password hasher once: right or wrong, by username or by email, known or not."""

from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import hashers
from django.core.cache import cache
from django.test import override_settings

from lms.roles import PROGRAMME_ADMIN
from tests.accounts.conftest import log_in, signed_in_user_id, verified
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

WRONG = "not the password at all"


@pytest.fixture(autouse=True)
def real_hasher():
    """Production's PBKDF2 hasher (the test settings use MD5 for speed), and no failed logins counted yet."""
    cache.clear()
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"]):
        yield
    cache.clear()


@pytest.fixture
def robin():
    """A trainee with a verified address, her password hashed with PBKDF2."""
    return verified(UserFactory(username="robin", email="robin@example.org"))


def pbkdf2_runs(client, login: str, password: str) -> tuple[int, int | None]:
    """Post the login form once; how many times PBKDF2 ran, and who is signed in afterwards."""
    with mock.patch.object(hashers, "pbkdf2", wraps=hashers.pbkdf2) as pbkdf2:
        log_in(client, login, password)
    return pbkdf2.call_count, signed_in_user_id(client)


@pytest.mark.parametrize(
    ("login", "password", "signed_in"),
    [
        ("robin", PASSWORD, True),
        ("Robin", PASSWORD, True),
        ("robin", WRONG, False),
        ("nobody", WRONG, False),
        ("robin@example.org", PASSWORD, True),
        ("ROBIN@example.org", PASSWORD, True),
        ("robin@example.org", WRONG, False),
        ("nobody@example.org", WRONG, False),
    ],
)
def test_one_hash_per_login_attempt(client, robin, login, password, signed_in):
    assert pbkdf2_runs(client, login, password) == (1, robin.pk if signed_in else None)


def test_one_hash_when_others_hold_the_address_unconfirmed(client, robin):
    """Accounts that signed up with someone's address but never confirmed it don't cost a hash each."""
    for number in range(3):
        squatter = UserFactory(username=f"squatter{number}", email=f"squatter{number}@example.org")
        EmailAddress.objects.create(user=squatter, email="robin@example.org", verified=False, primary=False)
    assert pbkdf2_runs(client, "robin@example.org", WRONG) == (1, None)
    assert pbkdf2_runs(client, "robin@example.org", PASSWORD) == (1, robin.pk)


def test_one_hash_for_a_username_that_looks_like_an_address(client):
    """allauth passes such a login as both email and username; only the username's account is checked, once."""
    verified(UserFactory(username="sam@example.org", email="sam.work@example.org"))
    assert pbkdf2_runs(client, "sam@example.org", WRONG) == (1, None)
    assert pbkdf2_runs(client, "sam@example.org", PASSWORD)[0] == 1


def test_permissions_still_come_from_the_database(client):
    admin = UserFactory(username="pat", roles=[PROGRAMME_ADMIN])
    trainee = UserFactory(username="tam")
    assert admin.has_perm("wagtailadmin.access_admin") and admin.has_perm("courses.view_quizattempt")
    assert not trainee.has_perm("wagtailadmin.access_admin")
    client.force_login(admin)
    assert client.get("/admin/reports/quizzes/").status_code == 200
