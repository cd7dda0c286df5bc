"""Links in allauth's emails (confirming an address, resetting a password) start with SITE_URL, whatever Host says."""

import pytest
from django.core import mail
from django.test import override_settings

from tests.accounts.conftest import links_in, verified
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("public_address")]

SITE = "https://training.example.org"
# An allowed host on a port of the asker's choosing: Django checks the host against ALLOWED_HOSTS, never the port.
HOSTILE = {"HTTP_HOST": "127.0.0.1:6666"}
PASSWORD = "a sturdy passphrase 91"


@pytest.fixture
def public_address():
    """The site's public address, unlike anything the requests below claim to be sent to."""
    with override_settings(SITE_URL=SITE):
        yield


def only_site_links(message) -> list[str]:
    """Every link in the email, checked to start with SITE_URL; the host asked by never appears."""
    links = links_in(message)
    assert links, message.body
    assert [link for link in links if not link.startswith(SITE + "/")] == []
    assert "6666" not in message.body and "6666" not in message.subject
    return links


def sign_up(client, email: str):
    """Post allauth's sign-up form with the hostile Host header."""
    data = {"first_name": "Robin", "last_name": "Ng", "username": "robin_ng", "email": email}
    return client.post("/accounts/signup/", {**data, "password1": PASSWORD, "password2": PASSWORD}, **HOSTILE)


def test_the_confirmation_link_of_a_sign_up_starts_with_the_site_address(client):
    assert sign_up(client, "new@example.org").status_code == 302
    (message,) = mail.outbox
    links = only_site_links(message)
    assert any(link.startswith(SITE + "/accounts/confirm-email/") for link in links)


def test_the_confirmation_link_of_an_added_address_starts_with_the_site_address(client):
    client.force_login(verified(UserFactory(username="adds_one")))
    client.post("/accounts/email/", {"action_add": "", "email": "second@example.org"}, **HOSTILE)
    (message,) = [message for message in mail.outbox if message.to == ["second@example.org"]]
    assert any(link.startswith(SITE + "/accounts/confirm-email/") for link in only_site_links(message))


def test_the_password_reset_link_starts_with_the_site_address(client):
    verified(UserFactory(username="forgetful", email="forgetful@example.org"))
    response = client.post("/accounts/password/reset/", {"email": "forgetful@example.org"}, **HOSTILE)
    assert response.status_code == 302
    (message,) = mail.outbox
    assert any(link.startswith(SITE + "/accounts/password/reset/key/") for link in only_site_links(message))


def test_the_account_already_exists_email_links_to_the_site_address(client):
    verified(UserFactory(email="taken@example.org"))
    sign_up(client, "taken@example.org")
    (message,) = mail.outbox
    assert message.subject == "You already have an account with Peer Specialist Training"
    assert SITE + "/accounts/password/reset/" in only_site_links(message)


def test_a_reset_for_an_unknown_address_links_to_the_site_address(client):
    client.post("/accounts/password/reset/", {"email": "nobody@example.org"}, **HOSTILE)
    (message,) = mail.outbox
    assert SITE + "/accounts/signup/" in only_site_links(message)
