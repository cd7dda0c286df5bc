"""Sign-up through allauth makes a trainee and asks them to verify their email."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from lms.roles import TRAINEE

pytestmark = pytest.mark.django_db


def test_signup_creates_a_trainee_and_sends_verification(client):
    response = client.post(
        "/accounts/signup/",
        {
            "first_name": "Robin",
            "last_name": "Ng",
            "username": "newperson",
            "email": "new@example.org",
            "password1": "a sturdy passphrase 91",
            "password2": "a sturdy passphrase 91",
        },
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(username="newperson")
    assert list(user.groups.values_list("name", flat=True)) == [TRAINEE]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new@example.org"]


def test_login_page_uses_site_layout(client):
    html = client.get("/accounts/login/").content.decode()
    assert 'class="skip-link"' in html
    assert "<main" in html
