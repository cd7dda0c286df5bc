"""The file check judges only what the signature covers, however the JSON-LD is spelled (issue 17, Critical 2).

Every spelling comes from tests/certificates/spellings.py; each is applied to revoked, suspended and expired
credentials (and to a revoked one in the form signed before one status entry), checked by our check and by
Digital Bazaar's verifier.
"""

import contextlib
import io
import json
import math
import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from pypdf import PdfWriter

from certificates.credential_check import credential_check, credential_file_check
from certificates.credential_files import CredentialFileError
from certificates.models import CertificateCredential
from certificates.pdf_storage import certificate_render
from certificates.signing import loader, resolve_public_key
from certificates.status_changes import certificate_revoke, certificate_suspend
from dataintegrity.eddsa_rdfc_2022 import verify_proof
from lms.roles import PROGRAMME_ADMIN
from tests.certificates.credential_kinds import certificate_issued, legacy_credential, signed
from tests.certificates.spellings import SAME_MEANING, TRANSFORMATIONS, spelled, the_issue_s_example
from tests.certificates.test_credentials_js import published
from tests.dataintegrity.jsverifier import js_verify_many
from tests.factories import UserFactory, build_programme

pytestmark = pytest.mark.django_db

TRUE_STATUS = {"revoked": "revoked", "suspended": "suspended", "expired": "expired", "revoked, legacy form": "revoked"}
# Our verdict on each spelling: not in our form, so refused before anything is read from it; the relative id is in
# our form but no signature can cover it (canonicalization refuses a relative IRI).
OUTCOME = dict.fromkeys(TRANSFORMATIONS, "malformed") | {"relative_id_without_a_base": "tampered"}
# What Digital Bazaar's verifier (@digitalbazaar/vc 7.3.0 with vc-bitstring-status-list 2.0.1) says, recorded: it
# reads status and dates from JSON keys too, so a status moved into @included or @reverse is never checked (the
# revoked and suspended ones pass), and an expiry renamed by an inline context or moved into @nest is never seen.
DIGITAL_BAZAAR_ACCEPTS = {
    "revoked": {"status_moved_into_included", "status_moved_into_reverse"},
    "suspended": {"status_moved_into_included", "status_moved_into_reverse"},
    "expired": {"inline_context_with_an_alias", "nested_properties"},
    "revoked, legacy form": {"status_moved_into_included", "status_moved_into_reverse"},
}


@pytest.fixture
def admin():
    return UserFactory(roles=[PROGRAMME_ADMIN])


@pytest.fixture
def withdrawn(admin) -> dict:
    """A signed credential of each kind a forger would like to pass off as valid."""
    build_programme()
    revoked, suspended, legacy = certificate_issued(), certificate_issued(), certificate_issued()
    credentials = {
        "revoked": signed(revoked),
        "suspended": signed(suspended),
        "expired": signed(certificate_issued(days_ago=800)),
        "revoked, legacy form": legacy_credential(legacy),
    }
    certificate_revoke(by=admin, certificate=revoked, reason="Not supervised.")
    certificate_suspend(by=admin, certificate=suspended, reason="Under review.")
    certificate_revoke(by=admin, certificate=legacy, reason="Not supervised.")
    return credentials


def test_the_generator_spells_the_same_signed_meaning_in_many_ways(withdrawn):
    assert len(SAME_MEANING) >= 10
    for kind, credential in withdrawn.items():
        for name in TRANSFORMATIONS:
            variant = spelled(credential, name)
            assert variant != credential, (kind, name)
            verified = verify_proof(variant, resolve_key=resolve_public_key, loader=loader()).verified
            assert verified is (name in SAME_MEANING), (kind, name)  # same meaning: the signature still holds


def test_every_spelling_of_a_withdrawn_credential_is_malformed_or_tampered_never_valid(withdrawn):
    for kind, credential in withdrawn.items():
        assert credential_check(credential).outcome == TRUE_STATUS[kind]
        outcomes = {name: credential_check(spelled(credential, name)).outcome for name in TRANSFORMATIONS}
        assert outcomes == OUTCOME, kind


def test_without_the_form_check_the_kept_signed_copy_still_catches_every_spelling(withdrawn, monkeypatch):
    monkeypatch.setattr("certificates.credential_check.check_form", lambda document: None)
    for kind, credential in withdrawn.items():
        outcomes = {name: credential_check(spelled(credential, name)).outcome for name in TRANSFORMATIONS}
        assert set(outcomes.values()) == {"tampered"}, (kind, outcomes)


def test_reading_the_signed_rdf_alone_finds_each_spelling_s_true_status(withdrawn, monkeypatch):
    monkeypatch.setattr("certificates.credential_check.check_form", lambda document: None)
    CertificateCredential.objects.all().delete()  # no kept copy to compare with: only the signed RDF is read
    for kind, credential in withdrawn.items():
        outcomes = {name: credential_check(spelled(credential, name)).outcome for name in TRANSFORMATIONS}
        expected = {name: TRUE_STATUS[kind] if name in SAME_MEANING else "tampered" for name in TRANSFORMATIONS}
        assert outcomes == expected, kind


def test_what_digital_bazaar_s_verifier_says_of_each_spelling(client, withdrawn):
    for kind, credential in withdrawn.items():
        names = list(TRANSFORMATIONS)
        results = js_verify_many([spelled(credential, name) for name in names], published(client, credential), True)
        accepted = {name for name, result in zip(names, results, strict=True) if result["verified"]}
        assert accepted == DIGITAL_BAZAAR_ACCEPTS[kind], kind


def the_issue_s_file(withdrawn) -> bytes:
    return json.dumps(the_issue_s_example(withdrawn["revoked"]), indent=2).encode()


def pdf_with(credential_json: bytes) -> bytes:
    """A PDF carrying the given bytes as its credential.json attachment."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_attachment("credential.json", credential_json)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def test_the_issue_s_file_is_refused_as_json_and_inside_a_pdf(withdrawn):
    assert credential_file_check(json.dumps(withdrawn["revoked"]).encode()).outcome == "revoked"
    for data in (the_issue_s_file(withdrawn), pdf_with(the_issue_s_file(withdrawn))):
        result = credential_file_check(data)
        assert (result.outcome, result.trusted, result.certificate) == ("malformed", False, None)
        assert result.headline == "This file isn't a credential in the form this site issues, so we can't vouch for it."
        assert [(f.label, f.passed, f.detail) for f in result.findings] == [
            ("Form", False, "It uses the JSON-LD keyword @id, which this site's credentials never use.")
        ]


def test_the_issue_s_file_uploaded_to_verify_is_malformed(client, withdrawn):
    for name, data in (
        ("credential.json", the_issue_s_file(withdrawn)),
        ("c.pdf", pdf_with(the_issue_s_file(withdrawn))),
    ):
        response = client.post("/verify/", {"file": SimpleUploadedFile(name, data)}, HTTP_ACCEPT="application/json")
        assert response.status_code == 200
        assert json.loads(response.content)["outcome"] == "malformed"


def test_the_issue_s_file_uploaded_to_verify_gets_a_plain_words_page(client, withdrawn):
    response = client.post("/verify/", {"file": SimpleUploadedFile("credential.json", the_issue_s_file(withdrawn))})
    page = response.content.decode()
    assert response.status_code == 200
    assert "in the form this site issues" in page and "Not in our form" in page
    assert "genuine and valid" not in page


def test_verify_credential_exits_non_zero_for_the_issue_s_file(withdrawn, tmp_path):
    path = tmp_path / "credential.json"
    path.write_bytes(the_issue_s_file(withdrawn))
    output = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("verify_credential", str(path), stdout=output)
    assert exited.value.code == 1
    assert output.getvalue().startswith("MALFORMED: This file isn't a credential in the form this site issues")
    output = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("verify_credential", str(path), "--json", stdout=output)
    assert json.loads(output.getvalue())["outcome"] == "malformed"


def test_a_file_that_repeats_a_key_or_holds_nan_is_malformed(withdrawn):
    text = json.dumps(withdrawn["revoked"], indent=2)
    repeated = text.replace('"validFrom":', '"validUntil": "2099-01-01T00:00:00Z",\n  "validFrom":', 1)
    result = credential_file_check(repeated.encode())
    assert (result.outcome, result.findings[0].detail) == (
        "malformed",
        "It gives the key 'validUntil' twice in one object, so readers may disagree on its value.",
    )
    not_a_number = text.replace('"hashed": false', '"hashed": NaN', 1)
    result = credential_file_check(not_a_number.encode())
    assert (result.outcome, result.findings[0].detail) == (
        "malformed",
        "It has the number NaN, which JSON doesn't allow.",
    )


def test_a_rendered_pdf_with_a_respelled_credential_is_refused(withdrawn, admin):
    certificate = certificate_issued()
    certificate_render(certificate_id=certificate.pk)
    with certificate.files.get(paper="a4").file.open("rb") as handle:
        genuine = handle.read()
    assert credential_file_check(genuine).outcome == "valid"
    certificate_revoke(by=admin, certificate=certificate, reason="Not supervised.")
    assert credential_file_check(genuine).outcome == "revoked"
    respelled = json.dumps(the_issue_s_example(signed(certificate))).encode()
    assert credential_file_check(pdf_with(respelled)).outcome == "malformed"


# Hostile JSON-LD: a seeded fuzz, a fixed number of cases, never valid and never an exception ---------------------

REMOTE = "https://evil.example/context.jsonld"


def _deep(levels: int) -> dict:
    nested: dict = {"narrative": "bottom"}
    for _ in range(levels):
        nested = {"criteria": nested}
    return nested


def _did(credential: dict) -> str:
    """The issuer's DID, as the credential names it."""
    return credential["proof"][0]["verificationMethod"].partition("#")[0]


def hostile_changes(credential: dict) -> list:
    """Changes a forger or a fuzzer might make: each a function from a copy of the credential to a document."""
    return [
        lambda c: {**c, "credentialSubject": _deep(60)},
        lambda c: {**c, "credentialSubject": _deep(5_000)},
        lambda c: {**c, "type": [*c["type"], *(f"T{n}" for n in range(50_000))]},
        lambda c: {**c, "credentialStatus": [c["credentialStatus"]] * 5_000},
        lambda c: {**c, "proof": c["proof"] * 1_000},
        lambda c: {**c, "@context": [*c["@context"], REMOTE]},
        lambda c: {**c, "@context": [c["@context"][0], REMOTE]},
        lambda c: {**c, "@context": [*c["@context"], {"@import": REMOTE}]},
        lambda c: {**c, "@context": None},
        lambda c: {**c, "@context": {"@vocab": "https://evil.example/"}},
        lambda c: {**c, "validUntil": None},
        lambda c: {**c, "validUntil": math.nan},
        lambda c: {**c, "validUntil": math.inf},
        lambda c: {**c, "validFrom": "2026-02-30T25:61:61Z"},
        lambda c: {**c, "id": 12},
        lambda c: {**c, "id": {"@id": {"nested": True}}},
        lambda c: {**c, "issuer": "did:web:evil.example"},
        lambda c: {**c, "credentialStatus": {**c["credentialStatus"], "statusListIndex": "9" * 5_000}},
        lambda c: {**c, "credentialStatus": {**c["credentialStatus"], "statusSize": 2.0}},
        lambda c: {**c, "credentialStatus": {**c["credentialStatus"], "statusListIndex": -1}},
        lambda c: {**c, "credentialSubject": {**c["credentialSubject"], "identifier": []}},
        lambda c: {**c, "name": "x" * 1_000_000},
        lambda c: {**c, "name": "\ud800 lone surrogate"},
        lambda c: {**c, "proof": [{**c["proof"][0], "verificationMethod": "did:web:evil.example#key"}]},
        lambda c: {**c, "proof": [{**c["proof"][0], "verificationMethod": "x" * 100_000}]},
        lambda c: {**c, "proof": [{**c["proof"][0], "verificationMethod": f"{_did(c)}#z6Mk\x00nul"}]},  # PostgreSQL
        lambda c: {**c, "proof": [{**c["proof"][0], "verificationMethod": f"{_did(c)}#{'z' * 5_000}"}]},
        lambda c: {**c, "id": c["id"].replace("/credentials/", "/credentials/\x00")},
        lambda c: {**c, "name": "NUL \x00 in the middle"},
        lambda c: {**c, "proof": "not a proof"},
        lambda c: {**c, "proof": [None]},
        lambda c: {key: value for key, value in c.items() if key != "credentialSubject"},
        lambda c: {**c, "@graph": [c] * 3},
        lambda c: [c],
        lambda c: {**c, 7: "a key that isn't text"},
        lambda c: {**c, "credentialSubject": {**c["credentialSubject"], "@reverse": {"credentialSubject": c}}},
    ]


def _mutate(value, rng: random.Random, depth: int = 0):
    """A random change somewhere inside a JSON value: a wrong type, null, NaN, a keyword or a remote context."""
    if isinstance(value, dict) and value and depth < 6 and rng.random() < 0.7:
        key = rng.choice(list(value))
        return {**value, key: _mutate(value[key], rng, depth + 1)}
    if isinstance(value, list) and value and depth < 6 and rng.random() < 0.7:
        position = rng.randrange(len(value))
        return [*value[:position], _mutate(value[position], rng, depth + 1), *value[position + 1 :]]
    return rng.choice(
        [
            None,
            math.nan,
            -math.inf,
            True,
            0,
            2**70,
            1.5,
            "",
            "@id",
            "@type",
            REMOTE,
            [],
            {},
            [None],
            {"@value": None},
            {"@id": REMOTE},
            {"@context": REMOTE},
            {"@type": "@json", "@value": {"a": 1}},
            {"@list": [1, 2]},
            "z" * 10_000,
        ]
    )


def test_hostile_json_ld_is_never_valid_and_never_an_exception(withdrawn):
    rng = random.Random(20_240_917)
    credentials = list(withdrawn.values())
    documents = [change(credential) for credential in credentials[:2] for change in hostile_changes(credential)]
    for _ in range(300):
        document = rng.choice(credentials)
        for _ in range(rng.randint(1, 3)):
            document = _mutate(document, rng)
        documents.append(document)
    for _ in range(40):  # several spellings at once
        document = rng.choice(credentials)
        for name in rng.sample(sorted(TRANSFORMATIONS), 2):
            try:
                document = spelled(document, name)
            except (KeyError, TypeError, AttributeError, IndexError):
                break  # these two don't compose; the next round draws others
        documents.append(document)
    outcomes = set()
    for number, document in enumerate(documents):
        outcome = credential_check(document).outcome
        assert outcome in {"malformed", "tampered", "not_ours"}, number
        outcomes.add(outcome)
        try:
            data = json.dumps(document).encode("utf-8", "surrogatepass")
        except (TypeError, ValueError, RecursionError):
            continue  # not expressible as a JSON file
        with contextlib.suppress(CredentialFileError):  # refused as no credential at all: a message, not a verdict
            assert credential_file_check(data).outcome != "valid", number
    assert outcomes == {"malformed", "tampered", "not_ours"}
