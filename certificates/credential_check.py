"""Checking a credential file (JSON, or a certificate PDF with the credential inside): form, proof, key, status, dates.

docs/credentials.md says what the check guarantees and how.
"""

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.conf import settings
from django.db import DatabaseError

from certificates.credential_facts import CredentialFacts, StatusEntryFacts, UnreadableFacts, credential_facts
from certificates.credential_files import credential_from_bytes
from certificates.credential_form import MalformedCredential, check_form, same_json
from certificates.models import Certificate, CertificateCredential, CertificateFile, SigningKey
from certificates.selectors import certificate_by_code
from certificates.signing import issuer_did, loader, resolve_public_key
from certificates.status_lists import (
    FIRST_PLACE,
    LEGACY_LIST_SIZE,
    LEGACY_PURPOSES,
    PLACES_PER_LIST,
    REVOKED,
    STATUS_PURPOSE,
    STATUS_SIZE,
    SUSPENDED,
    VALID,
    legacy_list_count,
    legacy_status_bits,
    legacy_status_list_url,
    list_count,
    status_bits,
    status_list_url,
    status_place,
)
from dataintegrity.bitstring import bit_is_set, status_value
from dataintegrity.contexts import ContextsMissing
from dataintegrity.eddsa_rdfc_2022 import verify_proof

logger = logging.getLogger(__name__)

MAX_PROOFS = 4  # ours have one
END_OF_PLACES = FIRST_PLACE + PLACES_PER_LIST
OPEN_BADGE = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential"
UNVOUCHED = frozenset({"tampered", "malformed", "not_ours"})  # outcomes that say nothing about a certificate


@dataclass
class Finding:
    """One thing the check looked at: what, whether it passed, and what we found."""

    label: str
    passed: bool
    detail: str


@dataclass
class CredentialCheck:
    """The result of checking one credential: an outcome machines can branch on and findings people can read.

    outcome is one of: valid, expired, suspended, revoked, superseded, not_yet_valid, status_unknown, tampered,
    malformed (not in the exact form this site issues), not_ours, and for a PDF pdf_changed (a valid credential in a
    PDF that isn't byte for byte one issued for its certificate).
    """

    outcome: str
    headline: str
    findings: list[Finding] = field(default_factory=list)
    certificate: Certificate | None = None
    holder_name: str = ""
    credential_name: str = ""

    @property
    def trusted(self) -> bool:
        """Whether the credential is genuine and valid today."""
        return self.outcome == "valid"

    def as_dict(self) -> dict:
        """The result as plain JSON data, for the command line and API clients."""
        return {
            "outcome": self.outcome,
            "trusted": self.trusted,
            "headline": self.headline,
            "holder_name": self.holder_name,
            "credential": self.credential_name,
            "certificate_number": self.certificate.number if self.certificate else None,
            "findings": [{"label": f.label, "passed": f.passed, "detail": f.detail} for f in self.findings],
        }


def malformed(reason: str) -> CredentialCheck:
    """The verdict on a document not in the exact form this site issues: never vouched for, whatever it says."""
    return CredentialCheck(
        "malformed",
        "This file isn't a credential in the form this site issues, so we can't vouch for it.",
        [Finding("Form", False, reason)],
    )


def credential_check(document: dict, *, now: datetime | None = None) -> CredentialCheck:
    """Check a credential's form, proof, signing key, status in our lists and dates.

    The verdict rests only on what the signature covers: a signed document must be in the exact form we issue
    (else 'malformed'), its proof must verify (else 'tampered', or 'not_ours' for another's key), and every fact
    used (its id, issuer, dates, status entry and holder's name) is read from the RDF the proof signed. Where we
    keep the signed copy of that certificate's credential, any difference from it is 'tampered'. Never raises for
    hostile input: whatever can't be checked ends as 'malformed' or 'tampered', never 'valid'.
    """
    try:
        return _checked(document, now or datetime.now(UTC))
    except (ContextsMissing, DatabaseError):  # faults of this deployment, not of the document
        raise
    except Exception:  # a document nobody foresaw: refuse it, and keep the trace for whoever maintains this
        logger.exception("A credential check failed on unexpected input")
        return malformed("Something in it couldn't be read as a credential at all.")


def _checked(document, now: datetime) -> CredentialCheck:
    if not isinstance(document, dict):
        return malformed("A credential is a JSON object; this file holds something else.")
    if _names_only_other_keys(document):
        return _not_ours("The signing key it names isn't one of this site's.")
    if "proof" not in document:
        return _tampered("The credential has no proof (it is not signed).")
    try:
        check_form(document)
    except MalformedCredential as problem:
        return malformed(str(problem))
    findings = [Finding("Form", True, "Exactly as this site writes its credentials, with no other spelling.")]
    proof = verify_proof(document, resolve_key=resolve_public_key, loader=loader())
    if not proof.verified:
        if proof.code == "unknown_key":
            return _not_ours(proof.message)
        return _tampered(proof.message)
    try:
        facts = credential_facts(proof.dataset)
    except UnreadableFacts as problem:
        return malformed(str(problem))
    findings.append(Finding("Signature", True, "The eddsa-rdfc-2022 proof matches the credential, word for word."))
    if OPEN_BADGE not in facts.types or facts.issuer != issuer_did():
        return malformed("The signed data isn't an Open Badge issued by this site.")
    code = _code_of(facts.credential_id)
    certificate = certificate_by_code(code) if code else None
    issued = CertificateCredential.objects.filter(certificate=certificate).first() if certificate else None
    if issued is not None and not same_json(json.loads(issued.document), document):
        # Every credential is signed once and kept: one that differs from ours was changed after signing.
        return _tampered("It differs from the credential this site signed for that certificate.")
    public = (proof.verification_method or "").partition("#")[2]
    key = SigningKey.objects.filter(public_key_multibase=public).first()
    retired = f", retired on {key.retired_at:%-d %B %Y} and still listed" if key and key.retired_at else ""
    findings.append(Finding("Signing key", True, f"A key in this site's DID document{retired}."))
    status_findings, set_purposes = _status_findings(facts, certificate)
    findings.extend(status_findings)
    valid_from, valid_until = facts.valid_from, facts.valid_until
    result = CredentialCheck(
        "valid", "", findings, certificate=certificate, holder_name=facts.holder_name, credential_name=facts.name
    )
    current = _current_of(certificate) if certificate is not None else None
    if current is not None and current.pk != certificate.pk:
        if current.state == Certificate.State.REVOKED:
            result.outcome, result.headline = "revoked", "This credential has been revoked with its replacement."
        elif current.state == Certificate.State.SUSPENDED:
            result.outcome, result.headline = "suspended", "This credential's replacement is suspended for now."
        else:
            result.outcome, result.headline = "superseded", "This credential was replaced by a newer certificate."
    elif "revocation" in set_purposes:
        result.outcome, result.headline = "revoked", "This credential has been revoked."
    elif "unknown" in set_purposes:
        result.outcome, result.headline = "status_unknown", "We couldn't read this credential's status."
    elif "suspension" in set_purposes:
        result.outcome, result.headline = "suspended", "This credential is suspended for now."
    elif valid_until is not None and now > valid_until:
        result.outcome, result.headline = "expired", f"This credential expired on {valid_until:%-d %B %Y}."
    elif now < valid_from:
        result.outcome, result.headline = "not_yet_valid", "This credential isn't valid yet."
    else:
        result.headline = "This credential is genuine and valid."
    dates_ok = result.outcome not in {"expired", "not_yet_valid"}
    until = f"{valid_until:%-d %B %Y}" if valid_until else "no end date"
    findings.append(Finding("Dates", dates_ok, f"Valid from {valid_from:%-d %B %Y} to {until}."))
    return result


def _names_only_other_keys(document: dict) -> bool:
    """Whether the document's proofs name signing keys, none of them ours (read from JSON: it can only refuse)."""
    proofs = document.get("proof")
    proofs = (proofs if isinstance(proofs, list) else [proofs])[:MAX_PROOFS]
    methods = [proof.get("verificationMethod") for proof in proofs if isinstance(proof, dict)]
    methods = [method for method in methods if isinstance(method, str) and len(method) < 500]
    return bool(methods) and not any(resolve_public_key(method) for method in methods)


def _not_ours(detail: str) -> CredentialCheck:
    return CredentialCheck(
        "not_ours",
        "This credential wasn't signed by this site, so we can't vouch for it.",
        [Finding("Signature", False, detail)],
    )


def _tampered(detail: str) -> CredentialCheck:
    return CredentialCheck(
        "tampered",
        "This credential doesn't verify: it was changed after it was signed, or isn't complete.",
        [Finding("Signature", False, detail)],
    )


def _code_of(credential_id: str) -> str | None:
    """The certificate code in a credential id of ours ({SITE_URL}/credentials/<code>.json), or None."""
    prefix = f"{settings.SITE_URL}/credentials/"
    if not (credential_id.startswith(prefix) and credential_id.endswith(".json")):
        return None
    return credential_id.removeprefix(prefix).removesuffix(".json")


def _status_findings(facts: CredentialFacts, certificate: Certificate | None) -> tuple[list[Finding], set[str]]:
    """Read each signed status entry against our own published lists: which purposes are set.

    A current entry is a two-bit value in /credentials/status/<n>.json; a legacy one a bit in the revocation or
    suspension list. An entry naming a list we don't publish, or another certificate's place, is 'unknown'.
    """
    findings, set_purposes = [], set()
    own_place = certificate.status_index if certificate is not None else None
    for entry in facts.status_entries or [None]:
        purpose = _entry_status(entry, own_place) if entry else "unknown"
        if purpose == "unknown":
            detail = "A status entry points to a place this site doesn't publish for it."
            findings.append(Finding("Status", False, detail))
        if purpose:
            set_purposes.add(purpose)
    if not set_purposes:
        findings.append(Finding("Status", True, "Neither revoked nor suspended in the issuer's status list."))
    elif "revocation" in set_purposes:
        findings.append(Finding("Status", False, "Revoked: the issuer's status list marks it revoked."))
    elif "suspension" in set_purposes:
        findings.append(Finding("Status", False, "Suspended: the issuer's status list marks it suspended."))
    return findings, set_purposes


def _entry_status(entry: StatusEntryFacts, own_place: int | None) -> str | None:
    """'revocation', 'suspension', None (neither) or 'unknown' for one signed entry, from our lists."""
    prefix = f"{settings.SITE_URL}/credentials/status/"
    if entry.purpose == STATUS_PURPOSE and entry.size == STATUS_SIZE:
        number = _list_number(entry.list_url.removeprefix(prefix).removesuffix(".json"), list_count())
        if number is None or entry.list_url != status_list_url(number):
            return "unknown"
        if not FIRST_PLACE <= entry.index < END_OF_PLACES:
            return "unknown"
        if own_place is not None and status_place(own_place) != (number, entry.index):
            return "unknown"
        value = status_value(status_bits(number), entry.index, STATUS_SIZE)
        return {VALID: None, REVOKED: "revocation", SUSPENDED: "suspension"}.get(value, "unknown")
    if entry.purpose in LEGACY_PURPOSES and entry.size is None:
        number = _list_number(
            entry.list_url.removeprefix(prefix).removesuffix(f"/{entry.purpose}.json"), legacy_list_count()
        )
        if number is None or entry.list_url != legacy_status_list_url(number, entry.purpose):
            return "unknown"
        if entry.index >= LEGACY_LIST_SIZE:
            return "unknown"
        if own_place is not None and divmod(own_place, LEGACY_LIST_SIZE) != (number - 1, entry.index):
            return "unknown"
        return entry.purpose if bit_is_set(legacy_status_bits(number, entry.purpose), entry.index) else None
    return "unknown"


def _list_number(text: str, count: int) -> int | None:
    """A list number we publish (1 to count), from the digits in a list's URL; None for anything else."""
    if not (text.isascii() and text.isdigit() and len(text) <= 6):
        return None
    number = int(text)
    return number if 1 <= number <= count else None


def _current_of(certificate: Certificate) -> Certificate:
    """The newest certificate in the chain of reissues and renewals that replaced this one."""
    seen = {certificate.pk}
    while certificate.state == Certificate.State.SUPERSEDED:
        newer = Certificate.objects.filter(replaces=certificate).first()
        if newer is None or newer.pk in seen:
            break
        seen.add(newer.pk)
        certificate = newer
    return certificate


def credential_file_check(data: bytes, *, now: datetime | None = None) -> CredentialCheck:
    """Read an uploaded file and check the credential in it (raises CredentialFileError if it holds none).

    For a PDF it also says whether the file is byte for byte one this site stored for the certificate its credential
    names: the credential inside proves the facts, but only an unchanged file proves the printed pages weren't
    edited or taken from another certificate. A valid credential in any other PDF is 'pdf_changed', never 'valid'.
    """
    try:
        document = credential_from_bytes(data)
    except MalformedCredential as problem:
        return malformed(str(problem))
    result = credential_check(document, now=now)
    if data.startswith(b"%PDF-") and result.outcome not in UNVOUCHED:
        digest = hashlib.sha256(data).hexdigest()
        if CertificateFile.objects.filter(sha256=digest, certificate=result.certificate).exists():
            result.findings.append(Finding("PDF", True, "Byte for byte the PDF this site issued."))
        else:
            result.findings.append(
                Finding(
                    "PDF",
                    False,
                    "Not byte for byte the PDF this site issued for this certificate: the credential inside is "
                    "genuine, but the printed pages may have been changed or come from another certificate.",
                )
            )
            if result.outcome == "valid":
                result.outcome = "pdf_changed"
                result.headline = (
                    "The credential inside is genuine and valid, but this isn't the PDF issued for it: its pages "
                    "may have been changed, so trust the details shown here rather than the printed ones."
                )
    return result
