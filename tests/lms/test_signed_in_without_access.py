"""Found by an attacker: a signed-in person without admin access looped between /admin/ and the login forever, and
an id past 2**63 in an admin filter gave a server error on SQLite."""

import pytest
from wagtail.models import Page

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/admin/", "/admin/pages/", "/django-admin/"])
def test_a_trainee_opening_the_admin_is_told_it_is_not_for_them_not_sent_round_in_circles(client, path):
    client.force_login(UserFactory())
    response = client.get(path, follow=True)
    assert len(response.redirect_chain) <= 2
    assert response.status_code == 403
    assert "This page isn't available to your account" in response.content.decode()


def test_someone_signed_out_is_still_sent_to_the_site_login(client):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/?next=%2Fadmin%2F"
    assert response.status_code == 200


@pytest.mark.parametrize("name", ["site", "content_type", "owner"])
def test_an_id_too_large_for_the_database_in_an_admin_filter_is_a_bad_request_at_worst(client, name):
    client.force_login(UserFactory(is_superuser=True, roles=[]))
    root = Page.objects.get(depth=2)
    response = client.get(f"/admin/pages/{root.pk}/results/", {name: str(2**64)})
    assert response.status_code in {200, 400}  # PostgreSQL finds nothing; SQLite can't even ask
    if response.status_code == 400:
        assert response.content.decode() == "A number in this request is too large."
