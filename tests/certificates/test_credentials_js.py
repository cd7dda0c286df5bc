"""Our credentials checked by an independent implementation: Digital Bazaar's JavaScript VC verifier."""

import json

import pytest

from certificates.credential_check import credential_check
from certificates.services import certificate_revoke
from lms.roles import PROGRAMME_ADMIN
from tests.dataintegrity.jsverifier import js_verify
from tests.factories import UserFactory, issued_certificate

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate():
    return issued_certificate(first_name="Amara", last_name="Okafor")


def fetch(client, url: str) -> dict:
    """What a verifier would fetch from the site, read through the test client."""
    response = client.get(url.removeprefix("http://127.0.0.1:8000"))
    assert response.status_code == 200, url
    return json.loads(response.content)


def published(client, credential: dict) -> dict:
    """The documents a verifier resolves for our credential: the issuer's DID document and the status lists."""
    documents = {credential["issuer"]["id"]: fetch(client, "/.well-known/did.json")}
    for entry in credential["credentialStatus"]:
        documents[entry["statusListCredential"]] = fetch(client, entry["statusListCredential"])
    return documents


def test_the_javascript_verifier_accepts_our_credential_with_its_status(client, certificate):
    credential = fetch(client, f"/credentials/{certificate.display_code}.json")
    result = js_verify(credential, published(client, credential), check_status=True)
    assert result["verified"] is True, result["errors"]


def test_one_changed_letter_of_the_name_fails_in_both_verifiers(client, certificate):
    credential = fetch(client, f"/credentials/{certificate.display_code}.json")
    credential["credentialSubject"]["identifier"][0]["identityHash"] = "Amara Okafar"
    result = js_verify(credential, published(client, credential), check_status=True)
    assert result["verified"] is False
    assert result["errors"]
    assert credential_check(credential).outcome == "tampered"


def test_a_revoked_credential_fails_the_status_check_in_both_verifiers(client, certificate):
    credential = fetch(client, f"/credentials/{certificate.display_code}.json")
    certificate_revoke(by=UserFactory(roles=[PROGRAMME_ADMIN]), certificate=certificate, reason="Not supervised.")
    documents = published(client, credential)
    result = js_verify(credential, documents, check_status=True)
    assert result["verified"] is False
    assert any("revoked" in error for error in result["errors"]), result["errors"]
    assert credential_check(credential).outcome == "revoked"


def test_a_credential_replaced_by_a_reissue_fails_the_status_check_in_the_javascript_verifier(client, certificate):
    from certificates.services import certificate_reissue

    credential = fetch(client, f"/credentials/{certificate.display_code}.json")
    admin = UserFactory(roles=[PROGRAMME_ADMIN])
    certificate_reissue(by=admin, certificate=certificate, holder_name="Amara N. Okafor", reason="Name corrected.")
    result = js_verify(credential, published(client, credential), check_status=True)
    assert result["verified"] is False
    assert any("revoked" in error for error in result["errors"]), result["errors"]
