"""The public verification page: every status, code normalisation, one 'not found' for unknown and malformed codes."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from certificates.codes import format_code, new_code
from certificates.models import Certificate
from certificates.status_changes import certificate_reissue, certificate_revoke, certificate_suspend
from lms.roles import PROGRAMME_ADMIN
from tests.factories import PASSWORD, UserFactory
from verification.models import Lookup

pytestmark = pytest.mark.django_db

KNOWN_CODE = "0123456789ABCDEFGHJKMNPQRSTV"  # holds the 0 and 1 that people type as O, I or L


def page(client, code):
    response = client.get(f"/verify/{code}/")
    return response, response.content.decode()


def test_a_valid_certificate_shows_only_what_privacy_allows(client, certificate):
    response, html = page(client, certificate.display_code)
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex" and '<meta name="robots" content="noindex">' in html
    for shown in (
        "Valid",
        "Robin Asante",
        certificate.number,
        "Certified Peer Specialist (CPS)",
        "Peer Support Certification Board",
        f"{certificate.issued_on:%-d %B %Y}",
    ):
        assert shown in html
    assert "robin@example.org" not in html
    assert "Approved practice" not in html  # no evidence, hours or scores


def test_codes_are_found_in_any_case_and_with_or_without_separators(client, certificate):
    for typed in (certificate.code.lower(), certificate.code, certificate.display_code.replace("-", " ")):
        response = client.get("/verify/", {"code": typed})
        assert response.status_code == 302
        assert response["Location"] == f"/verify/{certificate.display_code}/"
    response = client.get(f"/verify/{certificate.code.lower()}/")
    assert response["Location"] == f"/verify/{certificate.display_code}/"


def test_letters_that_look_like_digits_are_read_as_digits(client, certificate):
    Certificate.objects.filter(pk=certificate.pk).update(code=KNOWN_CODE)
    canonical = "0123-4567-89AB-CDEF-GHJK-MNPQ-RSTV"
    for typed in (
        "OI23 4567 89ab cdef ghjk mnpq rstv",
        "ol23-4567-89AB-CDEF-GHJK-MNPQ-RSTV",
        " o123456789abcdefghjkmnpqrstv ",
    ):
        response = client.get("/verify/", {"code": typed})
        assert response.status_code == 302, typed
        assert response["Location"] == f"/verify/{canonical}/"
    assert page(client, canonical)[0].status_code == 200


def test_unknown_and_malformed_codes_get_the_same_not_found_page(client, certificate):
    unknown, malformed = client.get(f"/verify/{format_code(new_code())}/"), client.get("/verify/not-a-code/")
    assert unknown.status_code == malformed.status_code == 404
    assert unknown["X-Robots-Tag"] == malformed["X-Robots-Tag"] == "noindex"
    strip = lambda response: response.content.decode().replace("not-a-code", "")  # noqa: E731
    assert "We couldn't find a certificate with that code." in strip(unknown)
    assert strip(unknown).count("couldn't find") == strip(malformed).count("couldn't find") == 1
    typed_unknown = client.get("/verify/", {"code": "not-a-code"})
    assert typed_unknown.status_code == 404 and 'value="not-a-code"' in typed_unknown.content.decode()


def test_unknown_and_malformed_codes_run_the_same_queries(client, certificate):
    with time_machine.travel(timezone.now().replace(second=1), tick=False):  # one window for every lookup
        client.get(f"/verify/{format_code(new_code())}/")  # the first lookup of a window also prunes: start it first
        shapes = []
        for code in (format_code(new_code()), "not-a-code"):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(f"/verify/{code}/").status_code == 404
            lookups = [query["sql"] for query in queries if '"certificates_certificate"' in query["sql"]]
            assert len(lookups) == 1  # malformed codes still run the one-row query, with a code nothing has
            shapes.append([re.sub(r"'[^']*'", "?", query["sql"]) for query in queries])
        assert shapes[0] == shapes[1]


@pytest.mark.parametrize(
    ("change", "label", "text"),
    [
        (lambda c, by: certificate_suspend(by=by, certificate=c, reason="Under review."), "Suspended", "Under review."),
        (
            lambda c, by: certificate_revoke(by=by, certificate=c, reason="Hours not supervised."),
            "Revoked",
            "Hours not supervised.",
        ),
    ],
)
def test_suspended_and_revoked_show_the_reason(client, certificate, change, label, text):
    change(certificate, UserFactory(roles=[PROGRAMME_ADMIN]))
    response, html = page(client, certificate.display_code)
    assert response.status_code == 200
    assert label in html and text in html


def test_expired_and_superseded(client, certificate):
    new = certificate_reissue(
        by=UserFactory(roles=[PROGRAMME_ADMIN]), certificate=certificate, holder_name="Robin Asante-Mensah", reason="x"
    )
    _, html = page(client, certificate.display_code)
    assert "Superseded" in html and f'href="/verify/{new.display_code}/"' in html and new.number in html
    yesterday = timezone.localdate() - timedelta(days=1)
    Certificate.objects.filter(pk=new.pk).update(issued_on=yesterday, expires_on=yesterday)
    _, html = page(client, new.display_code)
    assert "Expired" in html and "This certificate expired on" in html


def test_the_form_is_public_and_prefills(client):
    response = client.get("/verify/")
    assert response.status_code == 200 and 'name="code"' in response.content.decode()
    assert response["X-Robots-Tag"] == "noindex"


def test_the_form_offers_bulk_checks_and_tokens_to_verifiers_only(client, verifier):
    html = client.get("/verify/").content.decode()
    assert "/verify/bulk/" not in html and "/verify/tokens/" not in html
    client.login(username=UserFactory().username, password=PASSWORD)
    html = client.get("/verify/").content.decode()
    assert "/verify/bulk/" not in html and "/verify/tokens/" not in html
    client.login(username=verifier.username, password=PASSWORD)
    html = client.get("/verify/").content.decode()
    assert 'href="/verify/bulk/"' in html and 'href="/verify/tokens/"' in html


def test_a_signed_in_verifier_s_page_check_is_logged_once_with_their_organisation(verifier_client, certificate):
    verifier_client.get("/verify/", {"code": certificate.code.lower()}, follow=True)
    assert not Lookup.objects.exists()  # opening the page records nothing; the button on it does
    verifier_client.post(f"/verify/{certificate.display_code}/", follow=True)
    (lookup,) = Lookup.objects.all()
    assert lookup.certificate == certificate
    assert lookup.organisation_name == "Northfield Health Board"
    assert lookup.channel == Lookup.Channel.PAGE


def test_anonymous_and_other_people_s_checks_are_not_logged(client, certificate):
    page(client, certificate.display_code)
    for user in (UserFactory(), UserFactory(roles=[PROGRAMME_ADMIN]), certificate.holder):
        client.force_login(user)
        page(client, certificate.display_code)
    client.get(f"/verify/{format_code(new_code())}/")
    assert not Lookup.objects.exists()


def test_the_page_follows_every_change_of_status_and_reason(client, certificate):
    admin = UserFactory(roles=[PROGRAMME_ADMIN])
    assert "This certificate is valid today." in page(client, certificate.display_code)[1]
    certificate_suspend(by=admin, certificate=certificate, reason="Under review.")
    html = page(client, certificate.display_code)[1]
    assert "is suspended" in html and "Under review." in html and "valid today" not in html
    Certificate.objects.filter(pk=certificate.pk).update(state_reason="Review extended.")
    html = page(client, certificate.display_code)[1]
    assert "Review extended." in html and "Under review." not in html
    certificate.refresh_from_db()
    certificate_revoke(by=admin, certificate=certificate, reason="Hours not supervised.")
    html = page(client, certificate.display_code)[1]
    assert "has been revoked" in html and "Hours not supervised." in html and "is suspended" not in html
