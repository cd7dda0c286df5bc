"""Programme admins set each verifier account's organisation in the Wagtail admin; the lookup log isn't there."""

import pytest

from lms.roles import PROGRAMME_ADMIN
from tests.factories import PASSWORD, UserFactory
from tests.verification.conftest import make_verifier
from verification.models import VerifierProfile

pytestmark = pytest.mark.django_db

LIST = "/admin/snippets/verification/verifierprofile/"


def test_a_programme_admin_adds_a_verifier_s_organisation(client):
    admin = UserFactory(roles=[PROGRAMME_ADMIN])
    verifier = make_verifier(organisation=None)
    assert client.login(username=admin.username, password=PASSWORD)
    assert client.get(LIST).status_code == 200
    response = client.post(
        LIST + "add/", {"user": verifier.pk, "organisation_name": "Eastbrook Clinic", "kind": "employer"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    profile = VerifierProfile.objects.get()
    assert (profile.user, profile.organisation_name) == (verifier, "Eastbrook Clinic")
    assert b"Eastbrook Clinic" in client.get(LIST).content


def test_only_verifier_accounts_can_be_chosen(client):
    admin = UserFactory(roles=[PROGRAMME_ADMIN])
    trainee = UserFactory()
    client.login(username=admin.username, password=PASSWORD)
    response = client.post(LIST + "add/", {"user": trainee.pk, "organisation_name": "Nope", "kind": "employer"})
    assert response.status_code == 200 and not VerifierProfile.objects.exists()


def test_the_lookup_log_has_no_admin_page(client):
    admin = UserFactory(roles=[PROGRAMME_ADMIN])
    client.login(username=admin.username, password=PASSWORD)
    assert client.get("/admin/snippets/verification/lookup/").status_code == 404
