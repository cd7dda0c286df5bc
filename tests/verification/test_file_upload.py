"""Checking an uploaded certificate PDF or credential file on /verify/: proof, key, status, clear errors."""

import html
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from certificates.pdf_storage import certificate_render
from certificates.status_changes import (
    certificate_reinstate,
    certificate_reissue,
    certificate_revoke,
    certificate_suspend,
)
from lms.roles import PROGRAMME_ADMIN
from tests.factories import UserFactory
from verification.models import Lookup

pytestmark = pytest.mark.django_db


def credential_bytes(client, certificate) -> bytes:
    """The certificate's published credential, fetched from another address (a fetch counts as a lookup too)."""
    return Client(REMOTE_ADDR="192.0.2.10").get(f"/credentials/{certificate.display_code}.json").content


def pdf_bytes(certificate) -> bytes:
    certificate_render(certificate_id=certificate.pk)
    with certificate.files.get(paper="letter").file.open("rb") as handle:
        return handle.read()


def upload(client, data: bytes, name: str = "credential.json", **headers):
    return client.post("/verify/", {"file": SimpleUploadedFile(name, data)}, **headers)


def text(response) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


def test_the_form_offers_the_file_check(client):
    page = text(client.get("/verify/"))
    assert 'enctype="multipart/form-data"' in page
    assert "Certificate PDF or credential file" in page


def test_a_genuine_pdf_is_shown_valid_with_what_was_checked(client, certificate):
    response = upload(client, pdf_bytes(certificate), "certificate.pdf")
    page = text(response)
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex"
    assert "This credential is genuine and valid." in page
    assert "Robin Asante" in page and certificate.number in page
    for label in ("Signature:", "Signing key:", "Status:", "Dates:"):
        assert label in page
    assert "robin@example.org" not in page


def test_a_changed_name_is_caught(client, certificate):
    credential = json.loads(credential_bytes(client, certificate))
    credential["credentialSubject"]["identifier"][0]["identityHash"] = "Robin Asanti"
    page = text(upload(client, json.dumps(credential).encode()))
    assert "Not genuine" in page
    assert "changed after it was signed" in page
    assert certificate.number not in page


def test_revoked_suspended_and_replaced_credentials_say_so(client, certificate):
    admin = UserFactory(roles=[PROGRAMME_ADMIN])
    data = credential_bytes(client, certificate)
    certificate_suspend(by=admin, certificate=certificate, reason="Under review by the board.")
    page = text(upload(client, data))
    assert "This credential is suspended for now." in page and "Under review by the board." in page
    certificate_reinstate(by=admin, certificate=certificate)
    newer = certificate_reissue(by=admin, certificate=certificate, holder_name="Robin K. Asante", reason="Name")
    page = text(upload(client, data))
    assert "replaced by a newer certificate" in page and newer.number in page
    newer_data = credential_bytes(client, newer)
    certificate_revoke(by=admin, certificate=newer, reason="Hours were not supervised.")
    page = text(upload(client, newer_data))
    assert "This credential has been revoked." in page and "Hours were not supervised." in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Choose a certificate PDF or credential file to check."),
        (b"name,code\nRobin,ABC\n", "This file isn't a credential"),
        (b"%PDF-1.7 not really a pdf", "This PDF can't be read."),
        (b'{"type": ["VerifiableCredential"], "name": "x"}', "This is a verifiable credential, but not a certificate"),
        (
            b'{"type": ["VerifiableCredential", "OpenBadgeCredential"], "name": "<script>alert(1)</script>"}',
            "Not genuine",
        ),
        (b"[" * 30_000, "This file isn't a credential"),
        (b'{"a": "' + b"x" * 40_000 + b'"}', "far larger than any this site issues"),
    ],
)
def test_files_without_a_genuine_credential_get_a_clear_answer_never_a_500(client, data, message):
    response = client.post("/verify/", {"file": SimpleUploadedFile("x.json", data)} if data else {})
    assert response.status_code in {200, 400}
    assert message in text(response)
    assert "<script>alert(1)</script>" not in response.content.decode()  # shown escaped, if at all


def test_an_oversized_file_is_refused_and_the_form_shown_again(client):
    with override_settings(CREDENTIAL_UPLOAD_MAX_BYTES=100):
        response = upload(client, b"{" + b" " * 200 + b"}")
    assert response.status_code == 400
    assert "a certificate or credential is much smaller" in text(response)
    assert 'name="file"' in response.content.decode()


def test_scripts_can_post_a_file_and_get_json(client, certificate):
    response = upload(client, credential_bytes(client, certificate), HTTP_ACCEPT="application/json")
    result = json.loads(response.content)
    assert (result["outcome"], result["holder_name"], result["certificate_number"]) == (
        "valid",
        "Robin Asante",
        certificate.number,
    )
    refused = upload(client, b"nonsense", HTTP_ACCEPT="application/json")
    assert refused.status_code == 400 and json.loads(refused.content)["outcome"] == "unreadable"


def test_a_verifiers_file_check_is_logged_for_the_holder_and_anonymous_ones_are_not(client, certificate, verifier):
    data = credential_bytes(client, certificate)
    upload(client, data)
    assert not Lookup.objects.exists()
    client.force_login(verifier)
    upload(client, data)
    lookup = Lookup.objects.get()
    assert (lookup.certificate, lookup.channel, lookup.organisation_name) == (
        certificate,
        Lookup.Channel.FILE,
        "Northfield Health Board",
    )


def test_file_checks_count_against_the_rate_limit(client, certificate):
    data = credential_bytes(client, certificate)
    with override_settings(VERIFY_RATE_LIMIT="2/m"):
        assert upload(client, data).status_code == 200
        assert upload(client, data).status_code == 200
        refused = upload(client, data)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0


def test_a_status_list_is_not_taken_for_a_certificate(client, certificate):
    credential = json.loads(credential_bytes(client, certificate))
    url = credential["credentialStatus"]["statusListCredential"].removeprefix("http://127.0.0.1:8000")
    response = upload(client, client.get(url).content)
    assert response.status_code == 400
    assert "not a certificate's" in text(response)


def test_a_pdf_that_was_changed_says_its_pages_cannot_be_trusted(client, certificate):
    genuine = pdf_bytes(certificate)
    assert "Byte for byte the PDF this site issued." in text(upload(client, genuine, "certificate.pdf"))
    edited = genuine + b"\n% edited after download\n"  # any change to the file's bytes
    page = text(upload(client, edited, "certificate.pdf"))
    assert "PDF changed" in page
    assert "The credential inside is genuine and valid, but this isn't the PDF issued for it" in page
    assert "trust the details shown here rather than the printed ones" in page
    assert "Not byte for byte the PDF this site issued" in page
    assert "This credential is genuine and valid." not in page


def test_a_declared_oversized_upload_is_refused_before_it_is_read(client):
    with override_settings(CREDENTIAL_UPLOAD_MAX_BYTES=1000):
        response = upload(client, b"x" * 100_000)
    assert response.status_code == 400
    assert "a certificate or credential is much smaller" in text(response)
