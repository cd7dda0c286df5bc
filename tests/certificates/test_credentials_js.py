"""Our credentials checked by an independent implementation: Digital Bazaar's JavaScript VC verifier."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from certificates.credential_check import credential_check
from certificates.status_changes import (
    certificate_reinstate,
    certificate_reissue,
    certificate_revoke,
    certificate_suspend,
)
from lms.roles import PROGRAMME_ADMIN
from tests.dataintegrity.jsverifier import js_verify
from tests.factories import UserFactory, issued_certificate

pytestmark = pytest.mark.django_db

DO_NOT_ACCEPT = "the credential is not to be accepted (revoked or suspended)."


@pytest.fixture
def certificate():
    return issued_certificate(first_name="Amara", last_name="Okafor")


@pytest.fixture
def admin():
    return UserFactory(roles=[PROGRAMME_ADMIN])


def fetch(client, url: str) -> dict:
    """What a verifier would fetch from the site, read through the test client."""
    response = client.get(url.removeprefix("http://127.0.0.1:8000"))
    assert response.status_code == 200, url
    return json.loads(response.content)


def published(client, credential: dict) -> dict:
    """The documents a verifier resolves for our credential: the issuer's DID document and the status list."""
    documents = {credential["issuer"]["id"]: fetch(client, "/.well-known/did.json")}
    entries = credential["credentialStatus"]
    for entry in entries if isinstance(entries, list) else [entries]:
        documents[entry["statusListCredential"]] = fetch(client, entry["statusListCredential"])
    return documents


def verdict(client, credential: dict, **options) -> dict:
    """Digital Bazaar's verdict on the credential, with its status checked against what the site publishes now."""
    return js_verify(credential, published(client, credential), check_status=True, **options)


def refused_for_status(result: dict) -> bool:
    """Whether the JS verifier refused the credential because its status bit is set (and for nothing else)."""
    return (
        result["verified"] is False
        and [entry["status"] for entry in result["statusResults"]] == [True]
        and any(error.endswith(DO_NOT_ACCEPT) for error in result["errors"])
    )


def test_the_javascript_verifier_accepts_our_credential_with_its_status(client, certificate):
    credential = fetch(client, f"/credentials/{certificate.display_code}.json")
    result = verdict(client, credential)
    assert result["verified"] is True, result["errors"]
    assert [(entry["statusPurpose"], entry["status"]) for entry in result["statusResults"]] == [("message", False)]


def test_one_changed_letter_of_the_name_fails_in_both_verifiers(client, certificate):
    credential = fetch(client, f"/credentials/{certificate.display_code}.json")
    credential["credentialSubject"]["identifier"][0]["identityHash"] = "Amara Okafar"
    result = verdict(client, credential)
    assert result["verified"] is False
    assert "Invalid signature." in result["errors"]
    assert credential_check(credential).outcome == "tampered"


def test_revoked_and_suspended_credentials_are_refused_and_valid_ones_accepted_in_both(client, certificate, admin):
    credential = fetch(client, f"/credentials/{certificate.display_code}.json")
    certificate_suspend(by=admin, certificate=certificate, reason="Under review.")
    assert refused_for_status(verdict(client, credential))
    assert credential_check(credential).outcome == "suspended"
    certificate_reinstate(by=admin, certificate=certificate)
    reinstated = verdict(client, credential)
    assert reinstated["verified"] is True, reinstated["errors"]
    assert credential_check(credential).outcome == "valid"
    certificate_revoke(by=admin, certificate=certificate, reason="Not supervised.")
    assert refused_for_status(verdict(client, credential))
    assert credential_check(credential).outcome == "revoked"


def test_a_credential_replaced_by_a_reissue_fails_the_status_check_in_the_javascript_verifier(
    client, certificate, admin
):
    credential = fetch(client, f"/credentials/{certificate.display_code}.json")
    newer = certificate_reissue(by=admin, certificate=certificate, holder_name="Amara N. Okafor", reason="Corrected.")
    assert refused_for_status(verdict(client, credential))
    replacement = fetch(client, f"/credentials/{newer.display_code}.json")
    assert verdict(client, replacement)["verified"] is True


def test_an_expired_credential_is_refused_in_both(client, certificate):
    credential = fetch(client, f"/credentials/{certificate.display_code}.json")
    later = timezone.now() + timedelta(days=365 * 3)
    result = verdict(client, credential, now=later.isoformat())
    assert result["verified"] is False
    assert any("validUntil" in error for error in result["errors"]), result["errors"]
    assert credential_check(credential, now=later).outcome == "expired"
