"""The public verification page: every status, code normalisation, one 'not found' for unknown and malformed codes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from certificates.codes import new_code
from certificates.services import certificate_reissue, certificate_revoke, certificate_suspend, certificates_check
from lms.roles import PROGRAMME_ADMIN
from tests.factories import (
    UserFactory,
    approve_programme_hours,
    build_assignment,
    build_programme,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate():
    assignment = build_assignment()
    trainee = assignment.trainee
    trainee.first_name, trainee.last_name, trainee.email = "Robin", "Asante", "robin@example.org"
    trainee.save()
    approve_programme_hours(assignment)
    build_programme()
    (issued,) = certificates_check(holder=trainee)
    return issued


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


def test_unknown_and_malformed_codes_get_the_same_not_found_page(client, certificate):
    unknown, malformed = client.get(f"/verify/{new_code()}/"), client.get("/verify/not-a-code/")
    assert unknown.status_code == malformed.status_code == 404
    strip = lambda response: response.content.decode().replace("not-a-code", "")  # noqa: E731
    assert "We couldn't find a certificate with that code." in strip(unknown)
    assert strip(unknown).count("couldn't find") == strip(malformed).count("couldn't find") == 1


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
    from certificates.models import Certificate

    new = certificate_reissue(
        by=UserFactory(roles=[PROGRAMME_ADMIN]), certificate=certificate, holder_name="Robin Asante-Mensah", reason="x"
    )
    _, html = page(client, certificate.display_code)
    assert "Superseded" in html and f'href="/verify/{new.display_code}/"' in html
    yesterday = timezone.localdate() - timedelta(days=1)
    Certificate.objects.filter(pk=new.pk).update(issued_on=yesterday, expires_on=yesterday)
    _, html = page(client, new.display_code)
    assert "Expired" in html and "This certificate expired on" in html


def test_the_form_is_public_and_prefills(client):
    response = client.get("/verify/")
    assert response.status_code == 200 and 'name="code"' in response.content.decode()
