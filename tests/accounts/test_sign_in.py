"""Signing up with email verification, logging in by username or email, the login rate limit, and password reset."""

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail

from lms.roles import TRAINEE
from tests.accounts.conftest import last_email_to, links_in, log_in, signed_in_user_id, verified
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a sturdy passphrase 91"
TOO_MANY = "Too many failed login attempts. Try again later."
WRONG = "The username and/or password you specified are not correct."


def _sign_up(client, username="newperson", email="new@example.org"):
    return client.post(
        "/accounts/signup/",
        {
            "first_name": "Robin",
            "last_name": "Ng",
            "username": username,
            "email": email,
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )


def test_sign_up_verify_the_email_then_log_in(client):
    response = _sign_up(client)
    assert response.status_code == 302 and response["Location"] == "/accounts/confirm-email/"
    assert signed_in_user_id(client) is None
    user = get_user_model().objects.get(username="newperson")
    assert list(user.groups.values_list("name", flat=True)) == [TRAINEE]
    assert not EmailAddress.objects.get(user=user).verified

    # Unverified: the right password doesn't sign them in; they're asked to confirm instead.
    response = log_in(client, "newperson", NEW_PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/accounts/confirm-email/"
    assert signed_in_user_id(client) is None
    assert "We've sent you an email with a link to confirm your address" in client.get(
        "/accounts/confirm-email/"
    ).content.decode().replace("&#x27;", "'")

    message = last_email_to("new@example.org")
    (link,) = [link for link in links_in(message) if "/accounts/confirm-email/" in link]
    path = link.removeprefix(settings.SITE_URL)
    confirm = client.get(path)
    assert confirm.status_code == 200
    assert "new@example.org" in confirm.content.decode() and 'class="skip-link"' in confirm.content.decode()
    response = client.post(path)
    assert EmailAddress.objects.get(user=user).verified
    # Confirmed in the browser that tried to log in: that finishes logging in.
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert signed_in_user_id(client) == user.pk


def test_a_used_address_cannot_sign_up_again(client):
    verified(UserFactory(email="taken@example.org"))
    mail.outbox.clear()
    response = _sign_up(client, email="taken@example.org")
    assert response.status_code == 302
    assert get_user_model().objects.filter(email="taken@example.org").count() == 1  # no second account
    # allauth doesn't reveal that the address is in use: the owner gets an email instead.
    assert last_email_to("taken@example.org").subject == "You already have an account with Peer Specialist Training"


@pytest.mark.parametrize("login", ["robin", "robin@example.org", "Robin@Example.ORG"])
def test_log_in_by_username_or_email(client, login):
    user = verified(UserFactory(username="robin", email="robin@example.org"))
    response = log_in(client, login)
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert signed_in_user_id(client) == user.pk


def test_a_wrong_password_is_refused_with_a_message(client):
    verified(UserFactory(username="robin"))
    response = log_in(client, "robin", "not the password")
    assert response.status_code == 200
    assert WRONG in response.content.decode()
    assert signed_in_user_id(client) is None


def test_after_five_failures_even_the_right_password_is_refused(client):
    user = verified(UserFactory(username="robin"))
    for _ in range(5):
        response = log_in(client, "robin", "guess")
        assert WRONG in response.content.decode()
    response = log_in(client, "robin")
    assert response.status_code == 200
    assert TOO_MANY in response.content.decode()
    assert signed_in_user_id(client) is None
    # Another account is not affected by robin's limit.
    other = verified(UserFactory(username="sasha"))
    assert log_in(client, "sasha")["Location"] == "/dashboard/"
    assert signed_in_user_id(client) == other.pk != user.pk


def test_password_reset_by_email(client):
    user = verified(UserFactory(username="robin", email="robin@example.org"))
    response = client.post("/accounts/password/reset/", {"email": "robin@example.org"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/done/"
    message = last_email_to("robin@example.org")
    (link,) = [link for link in links_in(message) if "/accounts/password/reset/key/" in link]
    response = client.get(link.removeprefix(settings.SITE_URL))
    assert response.status_code == 302  # allauth moves the key out of the address bar
    form_url = response["Location"]
    page = client.get(form_url)
    assert page.status_code == 200 and 'class="skip-link"' in page.content.decode()
    response = client.post(form_url, {"password1": "short", "password2": "short"})
    assert "This password is too short." in response.content.decode()
    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/key/done/"
    assert log_in(client, "robin", PASSWORD).status_code == 200  # the old password no longer works
    assert log_in(client, "robin", NEW_PASSWORD)["Location"] == "/dashboard/"
    assert signed_in_user_id(client) == user.pk
    # The link was for one use.
    assert "This link has expired" in client.get(link.removeprefix(settings.SITE_URL), follow=True).content.decode()


def test_a_reset_for_an_unknown_address_reveals_nothing(client):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/done/"
