"""Certificate downloads and the certificate page: stored bytes only, for the holder (and programme admins)."""

import hashlib
import re

import pytest
from django.urls import reverse

from certificates.models import Certificate, CertificateFile
from lms.roles import PROGRAMME_ADMIN, SUPERVISOR
from tests.factories import (
    PASSWORD,
    UserFactory,
    approve_programme_hours,
    build_assignment,
    build_programme,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def assignment():
    """A supervisor assignment for a fresh trainee."""
    return build_assignment()


@pytest.fixture
def certificate(assignment, django_capture_on_commit_callbacks) -> Certificate:
    """The trainee's certificate, issued by the approval that completed the hours, and rendered."""
    build_programme()
    with django_capture_on_commit_callbacks(execute=True):
        approve_programme_hours(assignment)
    certificate = Certificate.objects.get(holder=assignment.trainee)
    assert certificate.rendering == Certificate.Rendering.READY
    return certificate


@pytest.fixture
def pending(assignment, django_capture_on_commit_callbacks) -> Certificate:
    """The trainee's certificate, issued but with its PDF still waiting to be rendered."""
    from certificates.services import certificate_issue_if_eligible

    programme = build_programme()
    approve_programme_hours(assignment)
    with django_capture_on_commit_callbacks(execute=False):
        certificate = certificate_issue_if_eligible(holder=assignment.trainee, programme=programme)
    assert certificate.rendering == Certificate.Rendering.PENDING
    return certificate


def sign_in(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def download_url(certificate: Certificate, paper: str = "a4") -> str:
    return reverse("certificate_download", args=[certificate.pk, paper])


def stored_bytes(certificate: Certificate, paper: str) -> bytes:
    stored = certificate.files.get(paper=paper)
    with stored.file.storage.open(stored.file.name, "rb") as handle:
        return handle.read()


# Downloads --------------------------------------------------------------------------------------------------


def test_download_returns_the_exact_stored_bytes(client, assignment, certificate):
    sign_in(client, assignment.trainee)
    response = client.get(download_url(certificate))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    stored = certificate.files.get(paper=CertificateFile.Paper.A4)
    assert body == stored_bytes(certificate, "a4")
    assert hashlib.sha256(body).hexdigest() == stored.sha256
    assert len(body) == stored.size
    assert body.startswith(b"%PDF-")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{certificate.number}.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["ETag"] == f'"{stored.sha256}"'


def test_two_downloads_are_byte_identical(client, assignment, certificate):
    sign_in(client, assignment.trainee)
    first = b"".join(client.get(download_url(certificate, "letter")).streaming_content)
    second = b"".join(client.get(download_url(certificate, "letter")).streaming_content)
    assert first == second == stored_bytes(certificate, "letter")
    assert hashlib.sha256(first).hexdigest() == certificate.files.get(paper="letter").sha256


def test_us_letter_is_named_as_such(client, assignment, certificate):
    sign_in(client, assignment.trainee)
    response = client.get(download_url(certificate, "letter"))
    assert response["Content-Disposition"] == f'attachment; filename="{certificate.number}-letter.pdf"'
    assert b"".join(response.streaming_content) != stored_bytes(certificate, "a4")


def test_download_never_renders_again(client, assignment, certificate, monkeypatch):
    from certificates import rendering

    def refuse(*args, **kwargs):
        raise AssertionError("a download must not render")

    monkeypatch.setattr(rendering, "certificate_pdf", refuse)
    sign_in(client, assignment.trainee)
    body = b"".join(client.get(download_url(certificate)).streaming_content)
    assert hashlib.sha256(body).hexdigest() == certificate.files.get(paper="a4").sha256


def test_a_matching_etag_gets_not_modified(client, assignment, certificate):
    sign_in(client, assignment.trainee)
    etag = f'"{certificate.files.get(paper="a4").sha256}"'
    response = client.get(download_url(certificate), headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response["ETag"] == etag


def test_other_people_get_not_found(client, certificate):
    for user in (UserFactory(), UserFactory(roles=[SUPERVISOR])):
        sign_in(client, user)
        assert client.get(download_url(certificate)).status_code == 404
        assert client.get(download_url(certificate, "letter")).status_code == 404
        assert client.get(reverse("certificate_detail", args=[certificate.pk])).status_code == 404
        client.logout()


def test_the_supervisor_of_the_holder_gets_not_found_too(client, assignment, certificate):
    sign_in(client, assignment.supervisor)
    assert client.get(download_url(certificate)).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, certificate):
    url = download_url(certificate)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


def test_a_programme_admin_can_download(client, certificate):
    sign_in(client, UserFactory(roles=[PROGRAMME_ADMIN]))
    response = client.get(download_url(certificate))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == stored_bytes(certificate, "a4")
    assert client.get(reverse("certificate_detail", args=[certificate.pk])).status_code == 200


def test_unknown_paper_sizes_and_certificates_are_not_found(client, assignment, certificate):
    sign_in(client, assignment.trainee)
    assert client.get(f"/certificates/{certificate.pk}/certificate-a3.pdf").status_code == 404
    assert client.get(download_url(Certificate(pk=certificate.pk + 100))).status_code == 404
    assert client.get(f"/certificates/{2**70}/certificate-a4.pdf").status_code == 404


def test_a_file_missing_from_storage_is_not_found(client, assignment, certificate):
    stored = certificate.files.get(paper="a4")
    stored.file.storage.delete(stored.file.name)
    sign_in(client, assignment.trainee)
    assert client.get(download_url(certificate)).status_code == 404


def test_downloading_a_pending_certificate_explains_and_goes_to_its_page(client, assignment, pending):
    sign_in(client, assignment.trainee)
    response = client.get(download_url(pending))
    assert response.status_code == 302
    assert response["Location"] == reverse("certificate_detail", args=[pending.pk])
    html = client.get(response["Location"]).content.decode()
    assert "still being prepared" in html


# The certificate page ----------------------------------------------------------------------------------------


def test_the_page_shows_status_number_dates_sharing_downloads_and_evidence(client, assignment, certificate):
    sign_in(client, assignment.trainee)
    html = client.get(reverse("certificate_detail", args=[certificate.pk])).content.decode()
    assert "Your certificate" in html
    assert '<span class="status status-valid">Valid</span>' in html
    assert certificate.number in html
    assert f"{certificate.issued_on:%-d %B %Y}" in html and f"{certificate.expires_on:%-d %B %Y}" in html
    assert certificate.verify_url in html
    assert certificate.display_code in html
    assert download_url(certificate, "a4") in html and download_url(certificate, "letter") in html
    for line in certificate.evidence["requirements"]:
        assert line["summary"] in html
    assert 'http-equiv="refresh"' not in html
    assert '<meta name="robots" content="noindex">' in html


def test_a_pending_certificate_page_is_being_prepared_and_refreshes(client, assignment, pending):
    sign_in(client, assignment.trainee)
    html = client.get(reverse("certificate_detail", args=[pending.pk])).content.decode()
    assert "being prepared" in html
    assert '<meta http-equiv="refresh" content="5">' in html
    assert re.search(r'<progress class="preparing-bar" aria-label="[^"]+"></progress>', html)
    assert "certificate-a4.pdf" not in html
    assert pending.display_code in html  # sharing works before the PDF is ready


def test_a_failed_rendering_gets_a_calm_note(client, assignment, pending):
    Certificate.objects.filter(pk=pending.pk).update(
        rendering=Certificate.Rendering.FAILED, render_error="RenderError: font missing"
    )
    sign_in(client, assignment.trainee)
    html = client.get(reverse("certificate_detail", args=[pending.pk])).content.decode()
    assert "We've been told and will fix it" in html
    assert "font missing" not in html
    assert 'http-equiv="refresh"' not in html


def test_a_revoked_certificate_shows_the_reason(client, assignment, certificate):
    from certificates.status_changes import certificate_revoke

    certificate_revoke(by=UserFactory(roles=[PROGRAMME_ADMIN]), certificate=certificate, reason="Issued in error.")
    sign_in(client, assignment.trainee)
    html = client.get(reverse("certificate_detail", args=[certificate.pk])).content.decode()
    assert '<span class="status status-revoked">Revoked</span>' in html
    assert "The reason given: Issued in error." in html


def test_a_superseded_certificate_links_to_the_newer_one(client, assignment, certificate):
    from certificates.status_changes import certificate_reissue

    newer = certificate_reissue(
        by=UserFactory(roles=[PROGRAMME_ADMIN]), certificate=certificate, holder_name="Tam Reyes", reason="Name"
    )
    sign_in(client, assignment.trainee)
    html = client.get(reverse("certificate_detail", args=[certificate.pk])).content.decode()
    assert '<span class="status status-superseded">Superseded</span>' in html
    assert f'href="{reverse("certificate_detail", args=[newer.pk])}"' in html
    assert newer.number in html


def test_certificate_views_state_their_access_rules():
    from django.urls import resolve

    from lms.access import SIGNED_IN

    assert resolve("/certificates/1/").func.access_rule == SIGNED_IN
    assert resolve("/certificates/1/certificate-a4.pdf").func.access_rule == SIGNED_IN
    assert resolve("/certificates/programmes/1/ethics/").func.access_rule == "role: Trainee"
