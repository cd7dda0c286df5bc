"""Checking a credential file (JSON, or a certificate PDF with the credential inside): proof, key, status, dates."""

import hashlib
import io
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.conf import settings
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from certificates.credentials import loader
from certificates.models import Certificate, CertificateCredential, CertificateFile, SigningKey
from certificates.rendering import CREDENTIAL_FILENAME
from certificates.selectors import certificate_by_code
from certificates.signing import resolve_public_key
from certificates.status_lists import LIST_SIZE, PURPOSES, status_bits
from dataintegrity.bitstring import bit_is_set
from dataintegrity.eddsa_rdfc_2022 import verify_proof

MAX_CREDENTIAL_BYTES = 32 * 1024  # ours are about 3 KB; canonicalizing a huge forged one would tie up a worker


class CredentialFileError(ValueError):
    """The file can't be read as a credential; the message says why in plain words."""


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
    not_ours.
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
            "headline": self.headline,
            "holder_name": self.holder_name,
            "credential": self.credential_name,
            "certificate_number": self.certificate.number if self.certificate else None,
            "findings": [{"label": f.label, "passed": f.passed, "detail": f.detail} for f in self.findings],
        }


def credential_from_bytes(data: bytes) -> dict:
    """The credential in an uploaded file: a JSON document, or the credential.json inside a certificate PDF."""
    if not data:
        raise CredentialFileError("The file is empty.")
    if len(data) > settings.CREDENTIAL_UPLOAD_MAX_BYTES:
        limit = settings.CREDENTIAL_UPLOAD_MAX_BYTES // (1024 * 1024)
        raise CredentialFileError(f"The file is larger than {limit} MB; a certificate or credential is much smaller.")
    if data.startswith(b"%PDF-"):
        data = _attachment_of_pdf(data)
    if len(data) > MAX_CREDENTIAL_BYTES:
        raise CredentialFileError("This credential is far larger than any this site issues, so it isn't one of ours.")
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise CredentialFileError(
            "This file isn't a credential: upload the certificate PDF or its credential (.json) file."
        ) from None
    if not isinstance(document, dict) or "VerifiableCredential" not in _as_list(document.get("type")):
        raise CredentialFileError("This JSON file isn't a verifiable credential.")
    if "OpenBadgeCredential" not in _as_list(document.get("type")):
        raise CredentialFileError("This is a verifiable credential, but not a certificate's (an Open Badge).")
    return document


def _attachment_of_pdf(data: bytes) -> bytes:
    try:
        attachments = PdfReader(io.BytesIO(data)).attachments
        contents = attachments.get(CREDENTIAL_FILENAME) or []
        credential = contents[0] if contents else None
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError, AttributeError, IndexError):
        raise CredentialFileError("This PDF can't be read. Try the file exactly as it was downloaded.") from None
    if credential is None:
        raise CredentialFileError(
            "This PDF has no signed credential inside. Check the code printed on the certificate instead."
        )
    return credential


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _moment(value) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _holder_name(document: dict) -> str:
    subject = document.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    if not isinstance(subject, dict):
        return ""
    for identifier in _as_list(subject.get("identifier")):
        if isinstance(identifier, dict) and identifier.get("identityType") == "ext:name":
            return str(identifier.get("identityHash", ""))
    return ""


def _status_findings(document: dict) -> tuple[list[Finding], set[str]]:
    """Read each status entry against our own published lists: which purposes are set."""
    findings, set_purposes = [], set()
    prefix = f"{settings.SITE_URL}/credentials/status/"
    for entry in _as_list(document.get("credentialStatus")):
        if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
            continue
        purpose, url = entry.get("statusPurpose"), str(entry.get("statusListCredential", ""))
        list_part = url.removeprefix(prefix).split("/")[0] if url.startswith(prefix) else ""
        try:
            list_number, position = int(list_part), int(entry.get("statusListIndex"))
        except (TypeError, ValueError):
            list_number = position = -1
        if purpose not in PURPOSES or not 0 <= position < LIST_SIZE or list_number < 1:
            findings.append(Finding("Status", False, "A status entry points to a list this site doesn't publish."))
            set_purposes.add("unknown")
            continue
        if bit_is_set(status_bits(list_number, purpose), position):
            set_purposes.add(purpose)
    if not set_purposes:
        findings.append(Finding("Status", True, "Neither revoked nor suspended in the issuer's status lists."))
    elif "revocation" in set_purposes:
        findings.append(Finding("Status", False, "Revoked: listed in the issuer's revocation list."))
    elif "suspension" in set_purposes:
        findings.append(Finding("Status", False, "Suspended: listed in the issuer's suspension list."))
    return findings, set_purposes


def credential_check(document: dict, *, now: datetime | None = None) -> CredentialCheck:
    """Check a credential's proof, the key that made it, its status in our lists and its dates.

    Never raises for a hostile or malformed document: anything that doesn't verify is 'tampered' or 'not_ours'.
    """
    now = now or datetime.now(UTC)
    name, holder = str(document.get("name", "")), _holder_name(document)
    code = str(document.get("id", "")).rstrip("/").rsplit("/", 1)[-1].removesuffix(".json")
    certificate = certificate_by_code(code)
    issued = CertificateCredential.objects.filter(certificate=certificate).first() if certificate else None
    if issued is not None and json.loads(issued.document) != document:
        # Every credential is signed once and kept: one that differs from ours was changed after signing.
        return CredentialCheck(
            "tampered",
            "This credential doesn't verify: it was changed after it was signed.",
            [Finding("Signature", False, "It differs from the credential this site signed for that certificate.")],
        )
    proof = verify_proof(document, resolve_key=resolve_public_key, loader=loader())
    if not proof.verified:
        if proof.code == "unknown_key":
            return CredentialCheck(
                "not_ours",
                "This credential wasn't signed by this site, so we can't vouch for it.",
                [Finding("Signature", False, proof.message)],
            )
        return CredentialCheck(
            "tampered",
            "This credential doesn't verify: it was changed after it was signed, or isn't complete.",
            [Finding("Signature", False, proof.message)],
        )
    findings = [Finding("Signature", True, "The eddsa-rdfc-2022 proof matches the credential, word for word.")]
    public = (proof.verification_method or "").partition("#")[2]
    key = SigningKey.objects.filter(public_key_multibase=public).first()
    retired = f", retired on {key.retired_at:%-d %B %Y} and still listed" if key and key.retired_at else ""
    findings.append(Finding("Signing key", True, f"A key in this site's DID document{retired}."))
    status_findings, set_purposes = _status_findings(document)
    findings.extend(status_findings)
    valid_from, valid_until = _moment(document.get("validFrom")), _moment(document.get("validUntil"))
    result = CredentialCheck("valid", "", findings, certificate=certificate, holder_name=holder, credential_name=name)
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
    elif valid_from is not None and now < valid_from:
        result.outcome, result.headline = "not_yet_valid", "This credential isn't valid yet."
    else:
        result.headline = "This credential is genuine and valid."
    dates_ok = result.outcome not in {"expired", "not_yet_valid"}
    until = f"{valid_until:%-d %B %Y}" if valid_until else "no end date"
    findings.append(
        Finding("Dates", dates_ok, f"Valid from {valid_from:%-d %B %Y} to {until}." if valid_from else "No start date.")
    )
    return result


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

    For a PDF it also says whether the file is byte for byte one this site stored: the credential inside proves
    the facts, but only an unchanged file proves the printed pages weren't edited.
    """
    result = credential_check(credential_from_bytes(data), now=now)
    if data.startswith(b"%PDF-") and result.outcome not in {"tampered", "not_ours"}:
        digest = hashlib.sha256(data).hexdigest()
        if CertificateFile.objects.filter(sha256=digest, certificate=result.certificate).exists():
            result.findings.append(Finding("PDF", True, "Byte for byte the PDF this site issued."))
        else:
            result.findings.append(
                Finding(
                    "PDF",
                    False,
                    "Not byte for byte the PDF this site issued: the credential inside is genuine, but trust the "
                    "details on this page rather than the printed ones.",
                )
            )
    return result
