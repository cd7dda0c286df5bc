"""The site's issuer identity (did:web), its Ed25519 signing keys (current and retired) and the signing of documents."""

import os
import re
import tempfile
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from certificates.models import SigningKey
from dataintegrity.contexts import document_loader
from dataintegrity.eddsa_rdfc_2022 import add_proof
from dataintegrity.multikey import (
    private_key_from_multibase,
    private_key_multibase,
    public_key_from_multibase,
    public_key_multibase,
)

# An Ed25519 Multikey public key: 'z' and the base58btc of 0xed01 and 32 bytes (48 characters; a little slack).
PUBLIC_KEY_MULTIBASE = re.compile(r"z[1-9A-HJ-NP-Za-km-z]{40,60}")
DID_CONTEXTS = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]


class SigningKeyMissing(ImproperlyConfigured):
    """No usable signing key is configured; the message says how to set one."""


def issuer_did() -> str:
    """The site's DID: did:web and the host of SITE_URL (a port is written %3A, as did:web requires)."""
    host = urlsplit(settings.SITE_URL).netloc
    return "did:web:" + quote(host, safe="")


def verification_method_id(public_multibase: str) -> str:
    """The DID URL of one key: the issuer's DID with the key's multibase as its fragment."""
    return f"{issuer_did()}#{public_multibase}"


def configured_private_key() -> Ed25519PrivateKey:
    """The private key named by the settings (SIGNING_KEY, else the file in SIGNING_KEY_FILE)."""
    text = settings.SIGNING_KEY.strip()
    source = "SIGNING_KEY"
    if not text and settings.SIGNING_KEY_FILE:
        path = Path(settings.SIGNING_KEY_FILE)
        source = str(path)
        try:
            text = path.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            raise SigningKeyMissing(
                f"The signing key file {path} doesn't exist. Create it with `python manage.py rotate_signing_key`."
            ) from None
    if not text:
        raise SigningKeyMissing(
            "No signing key is configured: set SIGNING_KEY_FILE to a key file made by "
            "`python manage.py rotate_signing_key`, or SIGNING_KEY to the private key's multibase."
        )
    try:
        return private_key_from_multibase(text)
    except ValueError as error:
        raise SigningKeyMissing(f"The signing key in {source} can't be read: {error}") from error


def current_signing_key() -> tuple[Ed25519PrivateKey, SigningKey]:
    """The key that signs now, with its public record (created on first use so the DID document lists it)."""
    private_key = configured_private_key()
    public = public_key_multibase(private_key.public_key())
    record = SigningKey.objects.filter(public_key_multibase=public).first()
    if record is None:
        record, _ = SigningKey.objects.get_or_create(public_key_multibase=public)
    return private_key, record


@lru_cache(maxsize=1)
def loader():
    """The JSON-LD document loader: contexts from the local files installed from npm, never the network."""
    return document_loader()


def timestamp(moment: datetime) -> str:
    """A moment as the UTC date-time string credentials use, to the second."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def sign_document(document: dict) -> dict:
    """The document with a Data Integrity proof (eddsa-rdfc-2022) by the current signing key, as a proof set of one.

    Open Badges 3.0's schema wants `proof` as an array; a proof set of one means the same as the single proof.
    """
    private_key, key = current_signing_key()
    signed = add_proof(
        document,
        private_key=private_key,
        verification_method=verification_method_id(key.public_key_multibase),
        created=timestamp(datetime.now(UTC)),
        loader=loader(),
    )
    return {**signed, "proof": [signed["proof"]]}


def did_document() -> dict:
    """The issuer's DID document: every key that has signed, current and retired, as Multikey assertion keys."""
    did = issuer_did()
    keys = list(SigningKey.objects.values_list("public_key_multibase", flat=True))
    methods = [
        {"id": verification_method_id(key), "type": "Multikey", "controller": did, "publicKeyMultibase": key}
        for key in keys
    ]
    return {
        "@context": DID_CONTEXTS,
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }


def verification_method_document(method_id: str) -> dict | None:
    """One key of ours as a verification method document (what a verifier dereferences), or None."""
    key = resolve_public_key(method_id)
    if key is None:
        return None
    public = method_id.partition("#")[2]
    return {
        "@context": DID_CONTEXTS[1],
        "id": method_id,
        "type": "Multikey",
        "controller": issuer_did(),
        "publicKeyMultibase": public,
    }


def resolve_public_key(method_id: str) -> Ed25519PublicKey | None:
    """The public key a verification method of ours names, if it is one of the keys we have listed."""
    did, _, fragment = method_id.partition("#")
    if did != issuer_did() or not PUBLIC_KEY_MULTIBASE.fullmatch(fragment):  # nothing else reaches the database
        return None
    if not SigningKey.objects.filter(public_key_multibase=fragment).exists():
        return None
    try:
        return public_key_from_multibase(fragment)
    except ValueError:
        return None


def _write_private_key(path: Path, private_key: Ed25519PrivateKey) -> None:
    """Write the key file atomically, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".signing-key-", dir=path.parent)
    try:
        os.fchmod(handle, 0o600)
        os.write(handle, (private_key_multibase(private_key) + "\n").encode("ascii"))
        os.close(handle)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@transaction.atomic
def signing_key_rotate(*, path: Path | None = None) -> SigningKey:
    """Write a new signing key to the key file and retire the keys before it, which stay listed and verifiable.

    `path` defaults to SIGNING_KEY_FILE. Every key that has signed was recorded when it signed, so credentials
    signed by a retired key keep verifying. Raises SigningKeyMissing when there is no key file to write, or
    when SIGNING_KEY is set (that key lives in a secret store: replace it there; it is recorded on first use).
    """
    if settings.SIGNING_KEY.strip():
        raise SigningKeyMissing("SIGNING_KEY is set, so the key lives in your secret store: replace it there.")
    target = path or (Path(settings.SIGNING_KEY_FILE) if settings.SIGNING_KEY_FILE else None)
    if target is None:
        raise SigningKeyMissing("Set SIGNING_KEY_FILE to the key file to write.")
    now = timezone.now()
    SigningKey.objects.filter(retired_at=None).update(retired_at=now)
    new_key = Ed25519PrivateKey.generate()
    record = SigningKey.objects.create(public_key_multibase=public_key_multibase(new_key.public_key()), created_at=now)
    _write_private_key(Path(target), new_key)
    return record
