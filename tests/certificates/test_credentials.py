"""Signed Open Badges 3.0 credentials: content, proof, DID document, key rotation, status lists, the PDF copy."""

import io
import json
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from pypdf import PdfReader

from certificates.credential_check import credential_check, credential_file_check
from certificates.credential_files import CredentialFileError
from certificates.models import CertificateCredential, SigningKey
from certificates.pdf_storage import certificate_credential_sign, certificate_render
from certificates.services import certificates_check
from certificates.signing import issuer_did, loader, resolve_public_key
from certificates.status_changes import (
    certificate_reinstate,
    certificate_reissue,
    certificate_revoke,
    certificate_suspend,
)
from certificates.status_lists import ENTRIES_PER_LIST, PLACES_PER_LIST, STATUS_SIZE, status_place
from dataintegrity.bitstring import MIN_ENTRIES, decode_list
from dataintegrity.eddsa_rdfc_2022 import add_proof, verify_proof
from lms.roles import PROGRAMME_ADMIN
from tests.certificates.status_readers import spec_message
from tests.factories import UserFactory, approve_programme_hours, build_assignment, issued_certificate

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate():
    return issued_certificate(first_name="Robin", last_name="Asante", email="robin.private@example.org")


@pytest.fixture
def admin():
    return UserFactory(roles=[PROGRAMME_ADMIN])


def served(client, certificate) -> dict:
    response = client.get(f"/credentials/{certificate.display_code}.json")
    assert response.status_code == 200
    return json.loads(response.content)


def status_list(client, url: str) -> dict:
    response = client.get(url.removeprefix("http://127.0.0.1:8000"))
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_credential_is_an_open_badge_naming_the_holder_and_nothing_private(client, certificate):
    credential = served(client, certificate)
    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["issuer"]["id"] == issuer_did() == "did:web:127.0.0.1%3A8000"
    assert credential["credentialSubject"]["identifier"] == [
        {"type": "IdentityObject", "identityHash": "Robin Asante", "identityType": "name", "hashed": False}
    ]
    assert credential["credentialSubject"]["achievement"]["achievementType"] == "Certification"
    assert credential["validUntil"].startswith(certificate.expires_on.isoformat())
    assert credential["validFrom"] == credential["awardedDate"]
    assert credential["validFrom"].startswith(certificate.issued_on.isoformat())
    status = credential["credentialStatus"]
    assert (status["type"], status["statusPurpose"], status["statusSize"]) == ("BitstringStatusListEntry", "message", 2)
    assert status["statusMessage"] == [
        {"status": "0x0", "message": "valid"},
        {"status": "0x1", "message": "unused"},
        {"status": "0x2", "message": "revoked"},
        {"status": "0x3", "message": "suspended"},
    ]
    (proof,) = credential["proof"]
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["verificationMethod"].startswith(issuer_did() + "#z6Mk")
    text = json.dumps(credential)
    assert "robin.private@example.org" not in text
    assert "score" not in text.lower() and "evidence" not in text


def test_our_verifier_accepts_the_credential_and_rejects_one_changed_letter(client, certificate):
    credential = served(client, certificate)
    assert verify_proof(credential, resolve_key=resolve_public_key, loader=loader()).verified
    credential["credentialSubject"]["identifier"][0]["identityHash"] = "Robin Asanta"
    check = verify_proof(credential, resolve_key=resolve_public_key, loader=loader())
    assert (check.verified, check.code) == (False, "bad_signature")
    assert credential_check(credential).outcome == "tampered"


def test_the_credential_is_signed_once_and_served_for_any_form_of_the_code(client, certificate):
    first = client.get(f"/credentials/{certificate.display_code}.json")
    again = client.get(f"/credentials/{certificate.code.lower()}.json")
    assert first.content == again.content
    assert first["Content-Type"] == "application/ld+json"
    assert first["Access-Control-Allow-Origin"] == "*"
    assert first["X-Robots-Tag"] == "noindex"
    assert CertificateCredential.objects.filter(certificate=certificate).count() == 1
    for code in ("AAAA-BBBB", "not a code at all"):
        response = client.get(f"/credentials/{code}.json")
        assert (response.status_code, json.loads(response.content)) == (404, {"status": "not_found"})


def test_the_did_document_lists_the_key_as_a_multikey(client, certificate):
    credential = served(client, certificate)
    response = client.get("/.well-known/did.json")
    document = json.loads(response.content)
    method = credential["proof"][0]["verificationMethod"]
    assert document["id"] == issuer_did()
    assert document["assertionMethod"] == [method]
    assert document["verificationMethod"] == [
        {
            "id": method,
            "type": "Multikey",
            "controller": issuer_did(),
            "publicKeyMultibase": method.partition("#")[2],
        }
    ]
    assert "max-age=300" in response["Cache-Control"]


def test_a_rotated_key_stays_listed_and_what_it_signed_still_verifies(client, certificate, tmp_path):
    old_credential = served(client, certificate)
    key_file = tmp_path / "signing-key.txt"
    with override_settings(SIGNING_KEY="", SIGNING_KEY_FILE=str(key_file)):
        call_command("rotate_signing_key", stdout=io.StringIO())
        assert oct(key_file.stat().st_mode & 0o777) == "0o600"
        admin = UserFactory(roles=[PROGRAMME_ADMIN])
        newer = certificate_reissue(by=admin, certificate=certificate, holder_name="Robin A. Asante", reason="Name")
        new_credential = served(client, newer)
        document = json.loads(client.get("/.well-known/did.json").content)
        key_finding = next(f for f in credential_check(old_credential).findings if f.label == "Signing key")
        assert key_finding.detail.startswith("A key in this site's DID document, retired")
    old_method, new_method = (
        old_credential["proof"][0]["verificationMethod"],
        new_credential["proof"][0]["verificationMethod"],
    )
    assert old_method != new_method
    assert document["assertionMethod"] == [old_method, new_method]
    assert SigningKey.objects.get(public_key_multibase=old_method.partition("#")[2]).retired_at is not None
    assert verify_proof(old_credential, resolve_key=resolve_public_key, loader=loader()).verified
    assert verify_proof(new_credential, resolve_key=resolve_public_key, loader=loader()).verified


def test_rotation_refuses_a_key_kept_in_the_environment():
    with pytest.raises(Exception, match="SIGNING_KEY is set"):
        call_command("rotate_signing_key", stdout=io.StringIO())


def test_the_status_list_is_large_signed_and_shows_revocation_and_suspension(client, certificate, admin):
    entry = served(client, certificate)["credentialStatus"]

    def message():
        listed = status_list(client, entry["statusListCredential"])
        assert verify_proof(listed, resolve_key=resolve_public_key, loader=loader()).verified
        bits = decode_list(listed["credentialSubject"]["encodedList"])
        assert len(bits) * 8 == ENTRIES_PER_LIST * STATUS_SIZE
        assert listed["credentialSubject"]["statusPurpose"] == entry["statusPurpose"] == "message"
        return spec_message(listed, entry)

    assert message() == "valid"
    certificate_suspend(by=admin, certificate=certificate, reason="Under review.")
    assert message() == "suspended"
    certificate_reinstate(by=admin, certificate=certificate)
    assert message() == "valid"
    certificate_revoke(by=admin, certificate=certificate, reason="Hours were not supervised.")
    assert message() == "revoked"


def test_status_lists_carry_cache_headers_and_answer_304_when_unchanged(client, certificate):
    url = served(client, certificate)["credentialStatus"]["statusListCredential"].removeprefix("http://127.0.0.1:8000")
    assert url == "/credentials/status/1.json"
    first = client.get(url)
    assert "max-age=300" in first["Cache-Control"] and "public" in first["Cache-Control"]
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    for missing in ("/credentials/status/2.json", "/credentials/status/0.json", "/credentials/status/9999999.json"):
        assert client.get(missing).status_code == 404, missing


def test_the_legacy_per_purpose_lists_stay_published(client, certificate, admin):
    list_number, position = divmod(certificate.status_index, MIN_ENTRIES)

    def bit(purpose):
        listed = status_list(client, f"/credentials/status/{list_number + 1}/{purpose}.json")
        assert verify_proof(listed, resolve_key=resolve_public_key, loader=loader()).verified
        assert listed["credentialSubject"]["statusPurpose"] == purpose
        bits = decode_list(listed["credentialSubject"]["encodedList"])
        assert len(bits) * 8 == MIN_ENTRIES
        return spec_message(listed, {"statusPurpose": purpose, "statusListIndex": str(position), "statusMessage": []})

    def set_bits():
        return tuple(
            bool(
                decode_list(
                    status_list(client, f"/credentials/status/{list_number + 1}/{purpose}.json")["credentialSubject"][
                        "encodedList"
                    ]
                )[position // 8]
                & 0x80 >> position % 8
            )
            for purpose in ("revocation", "suspension")
        )

    assert set_bits() == (False, False)
    certificate_suspend(by=admin, certificate=certificate, reason="Under review.")
    assert set_bits() == (False, True)
    certificate_reinstate(by=admin, certificate=certificate)
    certificate_revoke(by=admin, certificate=certificate, reason="Hours were not supervised.")
    assert set_bits() == (True, False)
    assert client.get(f"/credentials/status/{list_number + 2}/revocation.json").status_code == 404
    assert client.get("/credentials/status/1/expiry.json").status_code == 404


def test_each_certificate_gets_its_own_random_place(certificate):
    others = []
    for _ in range(3):
        assignment = build_assignment()
        approve_programme_hours(assignment)
        others.extend(certificates_check(holder=assignment.trainee))
    places = [certificate.status_index, *(other.status_index for other in others)]
    assert len(set(places)) == 4
    assert all(0 <= place < PLACES_PER_LIST for place in places)  # one list while it is less than half full


def test_the_pdf_carries_the_same_signed_credential(client, certificate):
    certificate_render(certificate_id=certificate.pk)
    stored = certificate.files.get(paper="a4")
    with stored.file.open("rb") as handle:
        pdf = handle.read()
    attachments = PdfReader(io.BytesIO(pdf)).attachments
    assert attachments["credential.json"][0] == client.get(f"/credentials/{certificate.display_code}.json").content
    assert credential_file_check(pdf).outcome == "valid"


def test_checking_follows_the_certificate_through_every_status(client, certificate, admin):
    credential = served(client, certificate)
    result = credential_check(credential)
    assert (result.outcome, result.holder_name, result.certificate) == ("valid", "Robin Asante", certificate)
    assert [finding.label for finding in result.findings] == ["Form", "Signature", "Signing key", "Status", "Dates"]
    later = timezone.now() + timedelta(days=365 * 3)
    assert credential_check(credential, now=later).outcome == "expired"
    certificate_suspend(by=admin, certificate=certificate, reason="Under review.")
    assert credential_check(credential).outcome == "suspended"
    certificate_reinstate(by=admin, certificate=certificate)
    newer = certificate_reissue(by=admin, certificate=certificate, holder_name="Robin Asante-Mensah", reason="Name")
    assert credential_check(credential).outcome == "superseded"
    certificate_revoke(by=admin, certificate=newer, reason="Hours were not supervised.")
    assert credential_check(served(client, newer)).outcome == "revoked"


def test_a_credential_signed_by_someone_else_is_not_vouched_for(client, certificate):
    credential = served(client, certificate)
    credential.pop("proof")
    forged = add_proof(
        credential,
        private_key=Ed25519PrivateKey.generate(),
        verification_method=issuer_did() + "#z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH",
        loader=loader(),
    )
    assert credential_check(forged).outcome in {"not_ours", "tampered"}
    assert not credential_check(forged).trusted


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"\xff\xfe not text", "This file isn't a credential"),
        (b'{"type": ["Something"]}', "This JSON file isn't a verifiable credential."),
        (b"%PDF-1.7\n garbage", "This PDF can't be read."),
    ],
)
def test_files_that_hold_no_credential_get_a_clear_message(data, message):
    with pytest.raises(CredentialFileError, match=message.replace(".", r"\.")):
        credential_file_check(data)


def test_a_file_over_the_size_limit_is_refused():
    with override_settings(CREDENTIAL_UPLOAD_MAX_BYTES=10), pytest.raises(CredentialFileError, match="larger than"):
        credential_file_check(b'{"type": "VerifiableCredential", "padding": 1}')


def test_verify_credential_command_reports_and_sets_the_exit_status(client, certificate, admin, tmp_path):
    path = tmp_path / "credential.json"
    path.write_bytes(client.get(f"/credentials/{certificate.display_code}.json").content)
    output = io.StringIO()
    call_command("verify_credential", str(path), stdout=output)
    assert output.getvalue().startswith("VALID: This credential is genuine and valid.")
    assert "Holder: Robin Asante" in output.getvalue()
    certificate_revoke(by=admin, certificate=certificate, reason="Hours were not supervised.")
    output = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("verify_credential", str(path), "--json", stdout=output)
    assert exited.value.code == 1
    assert json.loads(output.getvalue())["outcome"] == "revoked"


def test_a_certificate_without_a_status_place_gets_one_when_first_signed(certificate):
    type(certificate).objects.filter(pk=certificate.pk).update(status_index=None)
    certificate.refresh_from_db()
    credential = json.loads(certificate_credential_sign(certificate=certificate).document)
    certificate.refresh_from_db()
    assert certificate.status_index is not None
    list_number, index = status_place(certificate.status_index)
    assert credential["credentialStatus"]["statusListIndex"] == str(index)
    assert credential["credentialStatus"]["statusListCredential"].endswith(f"/credentials/status/{list_number}.json")


def test_a_reissue_withdraws_the_old_credential_and_revoking_the_new_one_reaches_back(client, certificate, admin):
    old = served(client, certificate)
    entry = old["credentialStatus"]

    def message():
        return spec_message(status_list(client, entry["statusListCredential"]), entry)

    newer = certificate_reissue(by=admin, certificate=certificate, holder_name="Robin K. Asante", reason="Name")
    assert message() == "revoked"  # the old name's credential no longer verifies anywhere
    assert credential_check(old).outcome == "superseded"
    certificate_suspend(by=admin, certificate=newer, reason="Under review.")
    assert message() == "revoked"  # revoked for good: lifting the new one's suspension won't bring the old name back
    assert credential_check(old).outcome == "suspended"
    certificate_reinstate(by=admin, certificate=newer)
    certificate_revoke(by=admin, certificate=newer, reason="Hours were not supervised.")
    assert credential_check(old).outcome == "revoked"


def test_signing_twice_at_once_keeps_the_first_credential(certificate):
    first = certificate_credential_sign(certificate=certificate)
    again = certificate_credential_sign(certificate=certificate)
    assert first.pk == again.pk and first.document == again.document


def test_check_deploy_warns_without_a_signing_key():
    from django.core.checks import run_checks

    with override_settings(SIGNING_KEY="", SIGNING_KEY_FILE=""):
        warnings = [message.id for message in run_checks(include_deployment_checks=True)]
    assert "certificates.W001" in warnings
    assert "certificates.W001" not in [message.id for message in run_checks(include_deployment_checks=True)]
