"""Signing out of the Wagtail admin happens only on a POST with a valid CSRF token, never from a link."""

import pytest
from django.conf import settings
from django.test import Client

from lms.roles import PROGRAMME_ADMIN
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    """A programme admin (with two-factor on, as the role needs)."""
    return UserFactory(username="logout_admin", roles=[PROGRAMME_ADMIN])


def signed_in_client(user) -> Client:
    """A client that checks CSRF tokens as browsers' requests are checked, signed in as `user`."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def still_signed_in(client, user) -> bool:
    """Whether the client's next request is still made as `user` (the session and its cookie both survive)."""
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    return (
        bool(cookie and cookie.value)
        and client.get("/admin/").status_code == 200
        and (client.session.get("_auth_user_id") == str(user.pk))
    )


@pytest.mark.parametrize("method", ["get", "head"])
def test_a_link_to_the_admin_logout_does_not_sign_anyone_out(admin, method):
    client = signed_in_client(admin)
    response = getattr(client, method)("/admin/logout/")
    assert response.status_code == 405
    assert settings.SESSION_COOKIE_NAME not in response.cookies  # the session cookie is neither deleted nor replaced
    assert still_signed_in(client, admin)


def test_a_post_without_a_valid_csrf_token_does_not_sign_anyone_out(admin):
    client = signed_in_client(admin)
    for data in ({}, {"csrfmiddlewaretoken": "forged" * 8}):
        response = client.post("/admin/logout/", data)
        assert response.status_code == 403
        assert settings.SESSION_COOKIE_NAME not in response.cookies
        assert still_signed_in(client, admin)


def test_the_admin_sign_out_button_signs_out(admin):
    client = signed_in_client(admin)
    page = client.get("/admin/")
    assert '"action": "/admin/logout/", "method": "POST"' in page.content.decode()  # the admin menu's "Log out"
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post("/admin/logout/", {"csrfmiddlewaretoken": token}, follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")  # by way of /admin/login/
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302
