"""Fixtures for account tests: logging in for real. Rate-limit counts and used two-factor codes live in the database
cache, so each test's rollback forgets them."""

import re
import time

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail

from lms.roles import PROGRAMME_ADMIN, SUPERVISOR
from tests.factories import PASSWORD, UserFactory

LINK = re.compile(r"https?://[^\s]+")


@pytest.fixture(autouse=True)
def fresh_totp_window():
    """Start each test at the beginning of a 30-second authenticator window, so early codes are still current."""
    # A window boundary between working a code out and typing it failed a test now and then.
    start = (int(time.time()) // 30 + 1) * 30
    with time_machine.travel(start, tick=True):
        yield


def verified(user):
    """Give the user their email as a verified primary address, as allauth needs for a real login."""
    EmailAddress.objects.get_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    return user


def log_in(client, login: str, password: str = PASSWORD):
    """Post the login form (username or email); returns the response, not followed."""
    return client.post("/accounts/login/", {"login": login, "password": password})


def signed_in_user_id(client):
    """The id of the user the client's session is signed in as, or None."""
    value = client.session.get("_auth_user_id")
    return int(value) if value is not None else None


def links_in(message) -> list[str]:
    """Every link in an email's body."""
    return LINK.findall(message.body)


def last_email_to(address: str):
    """The latest email sent to an address."""
    messages = [message for message in mail.outbox if address in message.to]
    assert messages, f"no email to {address}"
    return messages[-1]


@pytest.fixture
def programme_admin(db):
    """A programme admin with two-factor on."""
    return UserFactory(username="pat_admin", first_name="Pat", last_name="Lee", roles=[PROGRAMME_ADMIN])


@pytest.fixture
def admin_client(client, programme_admin):
    """A test client signed in as the programme admin."""
    client.force_login(programme_admin)
    return client


@pytest.fixture
def supervisor_without_2fa(db):
    """A supervisor with a verified email who hasn't set up an authenticator app."""
    return verified(
        UserFactory(username="sam_sup", first_name="Sam", last_name="Okafor", roles=[SUPERVISOR], mfa=False)
    )
