"""What our add_proof signs verifies with Digital Bazaar's JavaScript libraries, an independent implementation."""

import copy

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from dataintegrity.bitstring import encode_list, new_bitstring, set_bit
from dataintegrity.contexts import document_loader
from dataintegrity.eddsa_rdfc_2022 import add_proof, verify_proof
from dataintegrity.multikey import public_key_from_multibase, public_key_multibase
from tests.dataintegrity.conftest import EXAMPLES_CONTEXT, EXAMPLES_CONTEXT_URL, resolve_did_key, vector_json
from tests.dataintegrity.jsverifier import js_verify

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
OPEN_BADGES_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DID_V1 = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
NOW = "2026-06-01T12:00:00Z"
STATUS_LIST_URL = "https://lms.example/credentials/status/1"
WEB_DID = "did:web:lms.example"
WEB_METHOD = f"{WEB_DID}#key-1"


class Issuer:
    """A freshly generated Ed25519 issuer key, named either by did:key or by a did:web DID document."""

    def __init__(self, *, web: bool = False):
        """Generate the key and work out the DID, verification method and (for did:web) the DID document."""
        self.private_key = Ed25519PrivateKey.generate()
        self.multibase = public_key_multibase(self.private_key.public_key())
        if web:
            self.did, self.method = WEB_DID, WEB_METHOD
        else:
            self.did = f"did:key:{self.multibase}"
            self.method = f"{self.did}#{self.multibase}"

    def did_document(self) -> dict:
        """The DID document a did:web issuer publishes at /.well-known/did.json."""
        return {
            "@context": [DID_V1, MULTIKEY_V1],
            "id": self.did,
            "verificationMethod": [
                {"id": self.method, "type": "Multikey", "controller": self.did, "publicKeyMultibase": self.multibase}
            ],
            "assertionMethod": [self.method],
        }

    def documents(self) -> dict:
        """What a verifier must be able to load for this issuer (nothing extra for did:key)."""
        return {self.did: self.did_document()} if self.did.startswith("did:web:") else {}

    def resolve_key(self, url: str):
        """Our side of key resolution: the issuer's own method, or any did:key."""
        return public_key_from_multibase(self.multibase) if url == self.method else resolve_did_key(url)

    def sign(self, document: dict) -> dict:
        """The document with our eddsa-rdfc-2022 proof."""
        return add_proof(
            document,
            private_key=self.private_key,
            verification_method=self.method,
            created="2026-05-01T09:30:00Z",
            loader=document_loader(),
        )


def open_badge(issuer: Issuer, **extra) -> dict:
    """An unsigned Open Badges 3.0 OpenBadgeCredential shaped like the certificates the site issues."""
    return {
        "@context": [CREDENTIALS_V2, OPEN_BADGES_V3],
        "id": "urn:uuid:0b3c5d6e-1f2a-4b5c-8d9e-0f1a2b3c4d5e",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Certified Peer Specialist",
        "issuer": {"id": issuer.did, "type": ["Profile"], "name": "Peer Specialist Training Board"},
        "validFrom": "2026-05-01T00:00:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {"type": "IdentityObject", "identityHash": "Jane Doe", "identityType": "ext:name", "hashed": False}
            ],
            "achievement": {
                "id": "https://example.org/achievements/cps",
                "type": ["Achievement"],
                "name": "Certified Peer Specialist",
                "description": "Completed the training, the exam and the supervised practice hours.",
                "criteria": {"narrative": "All courses passed and 500 supervised hours signed off."},
            },
        },
        **extra,
    }


def status_list_credential(issuer: Issuer, bits: bytearray) -> dict:
    """A signed BitstringStatusListCredential for revocation, as the site publishes at STATUS_LIST_URL."""
    return issuer.sign(
        {
            "@context": [CREDENTIALS_V2],
            "id": STATUS_LIST_URL,
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": issuer.did,
            "validFrom": "2026-05-01T00:00:00Z",
            "credentialSubject": {
                "id": f"{STATUS_LIST_URL}#list",
                "type": "BitstringStatusList",
                "statusPurpose": "revocation",
                "encodedList": encode_list(bits),
            },
        }
    )


def status_entry(index: int) -> dict:
    """The credentialStatus pointing at one entry of the revocation list."""
    return {
        "id": f"{STATUS_LIST_URL}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(index),
        "statusListCredential": STATUS_LIST_URL,
    }


def test_js_verifies_the_published_vector():
    """The W3C signed vector verifies in JS; its issuer is not the key's controller, so only without that check."""
    documents = {EXAMPLES_CONTEXT_URL: EXAMPLES_CONTEXT}
    result = js_verify(vector_json("signedDataInt.json"), documents, check_issuer=False)
    assert result == {"verified": True, "errors": [], "statusResults": []}
    strict = js_verify(vector_json("signedDataInt.json"), documents)
    assert not strict["verified"]
    assert strict["errors"] == ["Credential issuer must match the verification method controller."]


def test_js_rejects_the_vector_with_one_changed_character():
    """One changed character of alumniOf fails in JS too."""
    signed = vector_json("signedDataInt.json")
    signed["credentialSubject"]["alumniOf"] = "The School of Examplez"
    result = js_verify(signed, {EXAMPLES_CONTEXT_URL: EXAMPLES_CONTEXT}, check_issuer=False)
    assert not result["verified"]
    assert "Invalid signature." in result["errors"]


@pytest.mark.parametrize("web", [False, True], ids=["did:key", "did:web"])
def test_js_verifies_our_open_badge(web):
    """An OpenBadgeCredential signed by our add_proof verifies in JS, with the issuer check on."""
    issuer = Issuer(web=web)
    signed = issuer.sign(open_badge(issuer))
    assert js_verify(signed, issuer.documents(), now=NOW) == {"verified": True, "errors": [], "statusResults": []}
    assert verify_proof(signed, resolve_key=issuer.resolve_key, loader=document_loader()).verified


def test_one_flipped_character_fails_in_both_implementations():
    """Flipping one character of the achievement name fails in JS and in our verify_proof alike."""
    issuer = Issuer()
    signed = issuer.sign(open_badge(issuer))
    signed["credentialSubject"]["achievement"]["name"] = "Certified Peer Specialisu"
    result = js_verify(signed, now=NOW)
    assert not result["verified"]
    assert "Invalid signature." in result["errors"]
    check = verify_proof(signed, resolve_key=issuer.resolve_key, loader=document_loader())
    assert (check.verified, check.code) == (False, "bad_signature")


def test_tricky_content_canonicalizes_the_same_in_both():
    """Control characters, a text direction and look-alike blank nodes canonicalize identically in JS and here."""
    issuer = Issuer()
    twin = {"type": "IdentityObject", "identityHash": "x", "identityType": "emailAddress", "hashed": False}
    badge = open_badge(
        issuer, description={"@value": "\u0634\u0647\u0627\u062f\u0629", "@language": "ar", "@direction": "rtl"}
    )
    badge["credentialSubject"]["identifier"] = [twin, copy.deepcopy(twin), {**twin, "identityHash": "y"}]
    badge["credentialSubject"]["achievement"]["criteria"]["narrative"] = 'tab\tbell\x07 form\f back\b "q" \\ del\x7f'
    assert js_verify(issuer.sign(badge), now=NOW)["verified"]


def test_js_reports_expired_and_not_yet_valid_credentials():
    """The JS library checks validFrom and validUntil against `now` (with five minutes of clock skew)."""
    issuer = Issuer()
    signed = issuer.sign(open_badge(issuer, validUntil="2026-05-31T00:00:00Z"))
    expired = js_verify(signed, now=NOW)
    assert not expired["verified"]
    assert any("validUntil" in message for message in expired["errors"])
    early = js_verify(signed, now="2026-04-01T00:00:00Z")
    assert any("validFrom" in message for message in early["errors"])


def test_js_refuses_an_issuer_that_does_not_control_the_key():
    """A credential naming one DID as issuer but signed with another's key is refused in JS."""
    signer, named = Issuer(), Issuer()
    badge = open_badge(named)
    result = js_verify(signer.sign(badge), now=NOW)
    assert not result["verified"]
    assert "Credential issuer must match the verification method controller." in result["errors"]


def test_js_needs_the_did_web_document():
    """For did:web the verifier must be handed the DID document; without it the key cannot be found."""
    issuer = Issuer(web=True)
    result = js_verify(issuer.sign(open_badge(issuer)), now=NOW)
    assert not result["verified"]
    assert any(WEB_METHOD in message for message in result["errors"])


def test_js_checks_revocation_status_end_to_end():
    """With the entry clear the credential verifies with its status; once the bit is set JS reports it revoked."""
    issuer = Issuer(web=True)
    index = 4242
    credential = issuer.sign(open_badge(issuer, credentialStatus=status_entry(index)))
    bits = new_bitstring()
    documents = {**issuer.documents(), STATUS_LIST_URL: status_list_credential(issuer, bits)}

    clear = js_verify(credential, documents, check_status=True, now=NOW)
    assert clear["verified"], clear["errors"]
    assert clear["statusResults"] == [
        {
            "verified": True,
            "status": False,
            "statusPurpose": "revocation",
            "statusListIndex": str(index),
            "statusListCredential": STATUS_LIST_URL,
        }
    ]

    set_bit(bits, index)
    documents[STATUS_LIST_URL] = status_list_credential(issuer, bits)
    revoked = js_verify(credential, documents, check_status=True, now=NOW)
    assert not revoked["verified"]
    assert revoked["statusResults"][0]["status"] is True
    assert any("revoked" in message for message in revoked["errors"])


def test_js_status_check_requires_the_same_issuer_and_a_valid_list():
    """A status list signed by someone else, or tampered with, makes the status check fail."""
    issuer, stranger = Issuer(), Issuer()
    credential = issuer.sign(open_badge(issuer, credentialStatus=status_entry(7)))

    foreign = js_verify(credential, {STATUS_LIST_URL: status_list_credential(stranger, new_bitstring())}, True, now=NOW)
    assert not foreign["verified"]
    assert "Issuers of the status list credential and verifiable credential do not match." in foreign["errors"]

    tampered = status_list_credential(issuer, new_bitstring())
    revoked_bits = new_bitstring()
    set_bit(revoked_bits, 7)
    tampered["credentialSubject"]["encodedList"] = encode_list(revoked_bits)
    broken = js_verify(credential, {STATUS_LIST_URL: tampered}, True, now=NOW)
    assert not broken["verified"]
    assert any("not verified" in message for message in broken["errors"])


def test_js_needs_check_status_for_a_credential_with_status():
    """Without a status checker the JS library refuses any credential carrying credentialStatus."""
    issuer = Issuer()
    credential = issuer.sign(open_badge(issuer, credentialStatus=status_entry(1)))
    result = js_verify(credential, now=NOW)
    assert not result["verified"]
    assert any("checkStatus" in message for message in result["errors"])
