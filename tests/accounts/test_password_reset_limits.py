"""Password resets: only allauth's rate-limited form sends reset emails; Wagtail's own reset pages are off."""

import pytest
from django.core import mail

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/admin/password_reset/", "/admin/password_reset/done/"])
def test_wagtail_s_unlimited_reset_pages_do_not_exist(client, path):
    UserFactory(email="robin@example.org", is_staff=True)
    assert client.get(path).status_code == 404
    for _ in range(10):
        assert client.post(path, {"email": "robin@example.org"}).status_code in {403, 404}
    assert mail.outbox == []


def test_the_admin_login_offers_no_reset_of_its_own(client):
    response = client.get("/admin/login/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    assert "/admin/password_reset/" not in response.content.decode()


def test_allauth_s_reset_form_sends_at_most_five_emails_a_minute_to_one_address(client):
    UserFactory(email="robin@example.org")
    answers = [client.post("/accounts/password/reset/", {"email": "robin@example.org"}).status_code for _ in range(8)]
    assert answers[:5] == [302] * 5
    assert answers[5:] == [429] * 3
    assert len(mail.outbox) == 5
