"""eddsa-rdfc-2022 against the W3C test vectors, plus the refusals that keep unsigned data out of a proof."""

import copy
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from dataintegrity.contexts import ContextsMissing, document_loader
from dataintegrity.eddsa_rdfc_2022 import (
    CanonicalizationError,
    ProofCheck,
    add_proof,
    canonize,
    canonize_dataset,
    verify_proof,
)
from dataintegrity.multikey import base58btc_decode, private_key_from_multibase, public_key_multibase
from tests.dataintegrity.conftest import resolve_did_key, vector_json, vector_text

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"


def _published_private_key():
    """The private key of the W3C vectors' key pair."""
    return private_key_from_multibase(vector_json("keyPair.json")["privateKeyMultibase"])


def _sign_vector(loader) -> dict:
    """The unsigned vector signed with the published key and the vector's proof configuration."""
    config = vector_json("proofConfigDataInt.json")
    return add_proof(
        vector_json("unsigned.json"),
        private_key=_published_private_key(),
        verification_method=config["verificationMethod"],
        created=config["created"],
        loader=loader,
    )


def test_canonical_document_matches_vector(examples_loader):
    """The unsigned credential canonicalizes to exactly the published RDFC-1.0 N-Quads and hash."""
    canonical = canonize(vector_json("unsigned.json"), loader=examples_loader)
    assert canonical == vector_text("canonDocDataInt.txt")
    assert hashlib.sha256(canonical.encode()).hexdigest() == vector_text("docHashDataInt.txt").strip()


def test_canonical_proof_config_matches_vector(examples_loader):
    """The proof configuration canonicalizes to exactly the published N-Quads and hash."""
    canonical = canonize(vector_json("proofConfigDataInt.json"), loader=examples_loader)
    assert canonical == vector_text("proofCanonDataInt.txt")
    assert hashlib.sha256(canonical.encode()).hexdigest() == vector_text("proofHashDataInt.txt").strip()


def test_combined_hash_matches_vector():
    """The published combined hash is the proof configuration hash followed by the document hash."""
    combined = vector_text("proofHashDataInt.txt").strip() + vector_text("docHashDataInt.txt").strip()
    assert combined == vector_text("combinedHashDataInt.txt").strip()


def test_add_proof_reproduces_published_signature(examples_loader):
    """Signing with the published key reproduces the published proofValue and signed credential exactly."""
    signed = _sign_vector(examples_loader)
    assert signed["proof"]["proofValue"] == vector_text("sigBTC58DataInt.txt").strip()
    assert base58btc_decode(signed["proof"]["proofValue"][1:]).hex() == vector_text("sigHexDataInt.txt").strip()
    assert signed == vector_json("signedDataInt.json")
    assert list(signed["proof"]) == list(vector_json("signedDataInt.json")["proof"])


def test_add_proof_leaves_the_input_alone(examples_loader):
    """add_proof returns a new document and does not change the one it was given."""
    unsigned = vector_json("unsigned.json")
    before = copy.deepcopy(unsigned)
    add_proof(
        unsigned, private_key=_published_private_key(), verification_method="did:example:1#k", loader=examples_loader
    )
    assert unsigned == before


def test_verify_accepts_published_credential(examples_loader):
    """The published signed credential verifies against the did:key in its verification method."""
    check = verify_proof(vector_json("signedDataInt.json"), resolve_key=resolve_did_key, loader=examples_loader)
    assert check == ProofCheck(
        True, "verified", check.message, vector_json("signedDataInt.json")["proof"]["verificationMethod"]
    )


def test_verify_rejects_one_changed_character(examples_loader):
    """Changing one character of alumniOf breaks the signature."""
    signed = vector_json("signedDataInt.json")
    signed["credentialSubject"]["alumniOf"] = "The School of Examplez"
    check = verify_proof(signed, resolve_key=resolve_did_key, loader=examples_loader)
    assert (check.verified, check.code) == (False, "bad_signature")
    assert "changed" in check.message


def test_verify_reports_missing_proof(examples_loader):
    """A credential without a proof is reported as unsigned."""
    signed = vector_json("signedDataInt.json")
    del signed["proof"]
    check = verify_proof(signed, resolve_key=resolve_did_key, loader=examples_loader)
    assert (check.verified, check.code, check.verification_method) == (False, "no_proof", None)


def test_verify_reports_unknown_key(examples_loader):
    """A key the resolver does not know (None or ValueError) gives unknown_key."""
    signed = vector_json("signedDataInt.json")
    assert verify_proof(signed, resolve_key=lambda url: None, loader=examples_loader).code == "unknown_key"

    def refuse(url):
        """A resolver that rejects every URL."""
        raise ValueError("no such key")

    assert verify_proof(signed, resolve_key=refuse, loader=examples_loader).code == "unknown_key"


def test_verify_rejects_another_key(examples_loader):
    """A valid signature made by a different key than the one resolved is a bad signature."""
    other = Ed25519PrivateKey.generate().public_key()
    check = verify_proof(vector_json("signedDataInt.json"), resolve_key=lambda url: other, loader=examples_loader)
    assert check.code == "bad_signature"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda proof: proof.update(cryptosuite="ecdsa-rdfc-2019"), "unsupported_proof"),
        (lambda proof: proof.update(type="Ed25519Signature2020"), "unsupported_proof"),
        (lambda proof: proof.update(proofPurpose="authentication"), "unsupported_proof"),
        (lambda proof: proof.update(proofValue="z" + "1" * 20), "malformed"),
        (lambda proof: proof.update(proofValue="u" + proof["proofValue"][1:]), "malformed"),
        (lambda proof: proof.update(proofValue="z0OIl"), "malformed"),
        (lambda proof: proof.update(proofValue="z" + "2" * 1_000_000), "malformed"),
        (lambda proof: proof.update(created="yesterday"), "malformed"),
        (lambda proof: proof.pop("verificationMethod"), "malformed"),
        (lambda proof: proof.update({"@context": ["https://www.w3.org/ns/did/v1"]}), "malformed"),
        (lambda proof: proof.update(created="2023-02-24T23:36:39Z"), "bad_signature"),
    ],
)
def test_verify_classifies_damaged_proofs(examples_loader, change, code):
    """Each kind of damage to a proof gets its own code, never an exception."""
    signed = vector_json("signedDataInt.json")
    change(signed["proof"])
    check = verify_proof(signed, resolve_key=resolve_did_key, loader=examples_loader)
    assert (check.verified, check.code) == (False, code)
    assert check.message


def test_verify_accepts_proof_with_matching_context(examples_loader):
    """A proof that carries the document's own @context (allowed by the spec) still verifies."""
    signed = vector_json("signedDataInt.json")
    signed["proof"]["@context"] = signed["@context"]
    assert verify_proof(signed, resolve_key=resolve_did_key, loader=examples_loader).verified


def test_verify_picks_the_good_proof_of_a_set(examples_loader):
    """In a list of proofs, an unsupported one is skipped and the eddsa-rdfc-2022 one decides."""
    signed = vector_json("signedDataInt.json")
    signed["proof"] = [{"type": "Ed25519Signature2020", "proofValue": "z1"}, signed["proof"]]
    assert verify_proof(signed, resolve_key=resolve_did_key, loader=examples_loader).code == "verified"


def test_a_proof_set_of_one_verifies_and_carries_the_rdf_it_signed(examples_loader):
    """A proof set of one (as Open Badges 3.0 writes it) verifies, and carries the very dataset it signed."""
    signed = vector_json("signedDataInt.json")
    signed["proof"] = [signed["proof"]]
    check = verify_proof(signed, resolve_key=resolve_did_key, loader=examples_loader)
    assert (check.verified, check.verification_method) == (True, signed["proof"][0]["verificationMethod"])
    assert canonize_dataset(check.dataset) == vector_text("canonDocDataInt.txt")
    assert canonize_dataset(check.dataset) == vector_text("canonDocDataInt.txt")  # canonizing leaves it unchanged
    signed["credentialSubject"]["alumniOf"] = "The School of Examplez"
    assert verify_proof(signed, resolve_key=resolve_did_key, loader=examples_loader).dataset is None


@pytest.mark.parametrize(
    "document",
    [
        None,
        [],
        "a string",
        {"proof": "not an object"},
        {"proof": []},
        {"proof": [1, 2]},
        {"@context": 5},
        {"@context": "https://unknown.example/context"},
        {"@context": [CREDENTIALS_V2, {"@version": 2}]},
        {"@context": [CREDENTIALS_V2], "id": "not an absolute IRI"},
        {"@context": [CREDENTIALS_V2], "@id": {"nested": True}},
        {"@context": [CREDENTIALS_V2], "credentialSubject": {"@value": [1, 2]}},
        {"@context": [CREDENTIALS_V2], "type": "VerifiableCredential", "name": "a lone surrogate: \ud800"},
    ],
)
def test_verify_never_raises_on_bad_input(examples_loader, document):
    """Garbage in gives a ProofCheck that is not verified, with a message, never an exception."""
    if isinstance(document, dict) and "proof" not in document:
        document = {**document, "proof": vector_json("signedDataInt.json")["proof"]}
    check = verify_proof(document, resolve_key=resolve_did_key, loader=examples_loader)
    assert not check.verified
    assert check.code in {"malformed", "no_proof", "unsupported_proof", "bad_signature"}
    assert check.message


def test_deep_nesting_is_malformed_not_a_crash(examples_loader):
    """A credential nested thousands of levels deep is refused cleanly."""
    subject: dict = {"name": "leaf"}
    for _ in range(5000):
        subject = {"knows": subject}
    signed = vector_json("signedDataInt.json")
    signed["credentialSubject"] = subject
    assert verify_proof(signed, resolve_key=resolve_did_key, loader=examples_loader).code == "malformed"


def test_canonize_refuses_undefined_terms():
    """A property no context defines would be dropped unsigned, so canonicalization refuses it (safe mode)."""
    document = {"@context": ["https://w3id.org/security/data-integrity/v2"], "id": "urn:uuid:1", "favourite": "x"}
    with pytest.raises(CanonicalizationError, match="favourite"):
        canonize(document, loader=document_loader())


@pytest.mark.parametrize(
    "document",
    [
        {"@context": [CREDENTIALS_V2], "id": "relative/path", "type": ["VerifiableCredential"]},
        {"@context": [CREDENTIALS_V2], "id": "urn:uuid:1", "type": ["VerifiableCredential"], "issuer": "has space"},
        {"@context": [CREDENTIALS_V2, {"@vocab": None}], "id": "urn:uuid:1", "type": ["NotDefined"]},
        {"@context": [CREDENTIALS_V2], "@unknownKeyword": "x", "id": "urn:uuid:1"},
    ],
)
def test_canonize_refuses_what_rdf_would_drop(document):
    """Relative IRIs and unknown keywords are refused rather than silently left out of the signed data."""
    with pytest.raises(CanonicalizationError):
        canonize(document, loader=document_loader())


def test_canonize_never_fetches_unknown_contexts():
    """An unknown context URL is an error, not a network request."""
    with pytest.raises(CanonicalizationError, match="never fetched from the network"):
        canonize({"@context": "https://example.org/unknown-context", "name": "x"}, loader=document_loader())


def test_canonize_escapes_like_rdfc_1_0(examples_loader):
    """Control characters are escaped as RDFC-1.0 specifies: ECHAR for \\b and \\f, \\uXXXX for the rest."""
    document = {
        "@context": [CREDENTIALS_V2, "https://www.w3.org/ns/credentials/examples/v2"],
        "id": "urn:uuid:1",
        "note": 'a\b\f\t\n\r"\\\x01\x7fé',
    }
    line = canonize(document, loader=examples_loader)
    assert '"a\\b\\f\\t\\n\\r\\"\\\\\\u0001\\u007Fé"' in line


def test_add_proof_refuses_bad_input(examples_loader):
    """add_proof refuses a signed document, a bad created time, and JSON-LD it cannot sign losslessly."""
    key = _published_private_key()
    signed = vector_json("signedDataInt.json")
    with pytest.raises(ValueError, match="already has a proof"):
        add_proof(signed, private_key=key, verification_method="did:example:1#k", loader=examples_loader)
    with pytest.raises(ValueError, match="dateTimeStamp"):
        add_proof(
            vector_json("unsigned.json"),
            private_key=key,
            verification_method="did:example:1#k",
            created="2023-02-24 23:36:38",
            loader=examples_loader,
        )
    with pytest.raises(CanonicalizationError):
        add_proof(
            {"@context": [CREDENTIALS_V2], "id": "relative"},
            private_key=key,
            verification_method="did:example:1#k",
            loader=examples_loader,
        )


def test_round_trip_with_fresh_key_and_blank_nodes():
    """A fresh key signs and verifies a credential whose blank nodes need the N-degree hashing step."""
    private_key = Ed25519PrivateKey.generate()
    multibase = public_key_multibase(private_key.public_key())
    method = f"did:key:{multibase}#{multibase}"
    twin = {"type": ["IdentityObject"], "identityHash": "same", "identityType": "emailAddress", "hashed": False}
    document = {
        "@context": [CREDENTIALS_V2, "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": method.split("#")[0], "type": ["Profile"], "name": "Issuer"},
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"type": ["AchievementSubject"], "identifier": [twin, copy.deepcopy(twin)]},
    }
    loader = document_loader()
    signed = add_proof(document, private_key=private_key, verification_method=method, loader=loader)
    assert verify_proof(signed, resolve_key=resolve_did_key, loader=loader).verified
    signed["credentialSubject"]["identifier"][1]["identityHash"] = "different"
    assert verify_proof(signed, resolve_key=resolve_did_key, loader=loader).code == "bad_signature"


def test_missing_contexts_raise_contexts_missing(tmp_path, monkeypatch):
    """Without the extracted contexts, signing fails loudly with advice rather than as a bad document."""
    monkeypatch.setattr("dataintegrity.contexts.CONTEXT_DIR", tmp_path)
    with pytest.raises(ContextsMissing, match="make install"):
        canonize({"@context": CREDENTIALS_V2, "name": "x"}, loader=document_loader())
    with pytest.raises(ContextsMissing):
        verify_proof(vector_json("signedDataInt.json"), resolve_key=resolve_did_key, loader=document_loader())


@pytest.mark.parametrize("size", [2, 10])
def test_poison_graph_is_refused_quickly(size):
    """Blank nodes all linked to each other are refused at the same work limit as rdf-canonize (work factor 1)."""
    nodes = [
        {"@id": f"_:n{i}", "https://example.org/knows": [{"@id": f"_:n{j}"} for j in range(size) if j != i]}
        for i in range(size)
    ]
    with pytest.raises(CanonicalizationError, match="poison graph"):
        canonize({"@graph": nodes}, loader=document_loader())
