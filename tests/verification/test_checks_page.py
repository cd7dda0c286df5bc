"""The holder's list of organisations that checked their certificate: theirs to see, and nobody else's."""

import pytest
from django.urls import get_resolver

from demo.site import LoadReport
from demo.verification import DEMO_ORGANISATION, ensure_demo_verifier
from lms.access import MOUNT_RULES, PUBLIC, SIGNED_IN, rule_for
from lms.roles import PROGRAMME_ADMIN, SUPERVISOR
from tests.factories import UserFactory
from tests.lms.test_access_rules import walk
from tests.verification.conftest import make_verifier
from verification.models import Lookup, VerifierProfile
from verification.services import verification_lookup_record

pytestmark = pytest.mark.django_db


def checks_url(certificate) -> str:
    return f"/certificates/{certificate.pk}/checks/"


def test_the_holder_sees_which_organisations_checked_and_when(client, certificate, verifier):
    verification_lookup_record(certificate=certificate, verifier=verifier, channel=Lookup.Channel.PAGE)
    board = make_verifier("State Peer Certification Board", first_name="Quentin", last_name="Ablewhite")
    lookup = verification_lookup_record(certificate=certificate, verifier=board, channel=Lookup.Channel.BULK)
    client.force_login(certificate.holder)
    response = client.get(checks_url(certificate))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Northfield Health Board" in html and "State Peer Certification Board" in html
    assert "On the verification page" in html and "In a CSV file of codes" in html
    assert f'datetime="{lookup.looked_up_at.isoformat()}"' in html
    assert "Quentin" not in html and board.email not in html and board.username not in html  # no personal details
    assert html.index("State Peer Certification Board") < html.index("Northfield Health Board")  # newest first


def test_an_empty_list_says_so(client, certificate):
    client.force_login(certificate.holder)
    assert "No organisation has checked this certificate yet." in client.get(checks_url(certificate)).content.decode()


def test_nobody_but_the_holder_can_see_it(client, certificate, verifier):
    verification_lookup_record(certificate=certificate, verifier=verifier, channel=Lookup.Channel.PAGE)
    for user in (
        UserFactory(),
        UserFactory(roles=[SUPERVISOR]),
        verifier,
        UserFactory(roles=[PROGRAMME_ADMIN]),
        UserFactory(roles=[], is_superuser=True, is_staff=True),
    ):
        client.force_login(user)
        assert client.get(checks_url(certificate)).status_code == 404
    client.force_login(certificate.holder)
    assert client.get(f"/certificates/{2**70}/checks/").status_code == 404
    client.logout()
    response = client.get(checks_url(certificate))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_long_lists_have_pages(client, certificate, verifier):
    for _ in range(30):
        verification_lookup_record(certificate=certificate, verifier=verifier, channel=Lookup.Channel.API)
    client.force_login(certificate.holder)
    html = client.get(checks_url(certificate)).content.decode()
    assert "Page 1 of 2" in html and html.count("Northfield Health Board") == 25
    assert client.get(checks_url(certificate), {"page": 2}).content.decode().count("Northfield Health Board") == 5


def test_the_certificate_page_links_to_it_with_a_count_for_the_holder_only(client, certificate, verifier):
    client.force_login(certificate.holder)
    html = client.get(f"/certificates/{certificate.pk}/").content.decode()
    assert f'href="{checks_url(certificate)}"' in html and "so far" not in html
    verification_lookup_record(certificate=certificate, verifier=verifier, channel=Lookup.Channel.PAGE)
    verification_lookup_record(certificate=certificate, verifier=verifier, channel=Lookup.Channel.API)
    assert "(2 checks so far)" in client.get(f"/certificates/{certificate.pk}/").content.decode()
    client.force_login(UserFactory(roles=[PROGRAMME_ADMIN]))
    assert checks_url(certificate) not in client.get(f"/certificates/{certificate.pk}/").content.decode()


def test_a_lookup_keeps_the_organisation_name_it_had_at_the_time(certificate, verifier):
    from verification.services import verifier_profile_save

    first = verification_lookup_record(certificate=certificate, verifier=verifier, channel=Lookup.Channel.PAGE)
    verifier_profile_save(user=verifier, organisation_name="Northfield and District Health Board")
    second = verification_lookup_record(certificate=certificate, verifier=verifier, channel=Lookup.Channel.PAGE)
    first.refresh_from_db()
    assert first.organisation_name == "Northfield Health Board"
    assert second.organisation_name == "Northfield and District Health Board"


def test_the_demo_verifier_gets_its_organisation_once(certificate):
    verifier = make_verifier(organisation=None, username="verifier")
    report = LoadReport()
    profile = ensure_demo_verifier(users={"verifier": verifier}, report=report, certificates=[certificate])
    assert profile.organisation_name == DEMO_ORGANISATION == "Northfield Health Board"
    assert Lookup.objects.get().organisation_name == DEMO_ORGANISATION
    again = LoadReport()
    ensure_demo_verifier(users={"verifier": verifier}, report=again, certificates=[certificate])
    assert again.created == [] and VerifierProfile.objects.count() == 1 and Lookup.objects.count() == 1


def test_every_verification_url_states_its_rule():
    rules = {route: rule_for(route, callback) for route, callback in walk(get_resolver().url_patterns)}
    assert rules["verify/"] == rules["verify/<str:code>/"] == PUBLIC
    for route in ("verify/bulk/", "verify/bulk/<uuid:job_id>/", "verify/tokens/", "verify/tokens/<id:pk>/revoke/"):
        assert rules[route] == "role: Verifier"
    assert (
        rules["verify/bulk/<uuid:job_id>/status"] == rules["verify/bulk/<uuid:job_id>/results.csv"] == "role: Verifier"
    )
    assert rules["certificates/<id:pk>/checks/"] == SIGNED_IN
    assert rules["api/v1/docs"] == rules["api/v1/openapi.json"] == PUBLIC
    assert rules["api/v1/verify/<code>"] == rules["api/v1/verify"] == MOUNT_RULES["api/v1/"]
