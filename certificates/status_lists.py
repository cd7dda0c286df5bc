"""Bitstring Status Lists: each certificate's random place, and the signed lists of revoked and suspended ones."""

import hashlib
import json
import math
import secrets
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache

from certificates.models import Certificate
from dataintegrity.bitstring import MIN_ENTRIES, encode_list, new_bitstring, set_bit

LIST_SIZE = MIN_ENTRIES  # 131,072 places per list: a certificate's place tells nothing about it
PURPOSES = {"revocation": Certificate.State.REVOKED, "suspension": Certificate.State.SUSPENDED}
CACHE_SECONDS = 300  # how long verifiers and our cache may keep a list before asking again


class StatusListFull(RuntimeError):
    """No free place was found in the status lists (they grow long before this can happen)."""


def new_status_index() -> int:
    """A random free place across the status lists; a new list of 131,072 opens when the lists are half full."""
    used = Certificate.objects.exclude(status_index=None).count()
    capacity = LIST_SIZE * max(1, math.ceil((used + 1) * 2 / LIST_SIZE))
    for _ in range(64):
        index = secrets.randbelow(capacity)
        if not Certificate.objects.filter(status_index=index).exists():
            return index
    raise StatusListFull("No free place found in the status lists.")


def list_count() -> int:
    """How many status lists there are (at least one)."""
    highest = Certificate.objects.exclude(status_index=None).order_by("-status_index").first()
    return 1 if highest is None else highest.status_index // LIST_SIZE + 1


def status_list_url(list_number: int, purpose: str) -> str:
    """Where the signed status list credential for one list (numbered from 1) and purpose is published."""
    return f"{settings.SITE_URL}/credentials/status/{list_number}/{purpose}.json"


def status_entries(certificate: Certificate) -> list[dict]:
    """The credentialStatus entries of a certificate's credential: its place in the revocation and suspension lists."""
    list_index, position = divmod(certificate.status_index, LIST_SIZE)
    entries = []
    for purpose in PURPOSES:
        url = status_list_url(list_index + 1, purpose)
        entries.append(
            {
                "id": f"{url}#{position}",
                "type": "BitstringStatusListEntry",
                "statusPurpose": purpose,
                "statusListIndex": str(position),
                "statusListCredential": url,
            }
        )
    return entries


def status_bits(list_number: int, purpose: str) -> bytearray:
    """One list's bits from the database: set for each certificate revoked (or suspended) at that place."""
    start = (list_number - 1) * LIST_SIZE
    indexes = Certificate.objects.filter(
        pk__in=_withdrawn(purpose), status_index__gte=start, status_index__lt=start + LIST_SIZE
    ).values_list("status_index", flat=True)
    bits = new_bitstring(LIST_SIZE)
    for index in indexes:
        set_bit(bits, index - start)
    return bits


def _withdrawn(purpose: str) -> set[int]:
    """Ids of the certificates whose credentials this list marks.

    Revoked (or suspended) certificates, and every older certificate they replaced, whose credentials would
    otherwise still verify elsewhere. A reissue corrects a wrong name, so the credential it replaced is
    revoked too; a renewal's predecessor stays good until its own expiry.
    """
    marked = set(Certificate.objects.filter(state=PURPOSES[purpose]).values_list("pk", flat=True))
    if purpose == "revocation":
        marked |= set(
            Certificate.objects.filter(
                state=Certificate.State.SUPERSEDED, replaced_by__origin=Certificate.Origin.REISSUE
            ).values_list("pk", flat=True)
        )
    frontier = marked
    while frontier:
        older = set(
            Certificate.objects.filter(state=Certificate.State.SUPERSEDED, replaced_by__in=frontier).values_list(
                "pk", flat=True
            )
        )
        frontier = older - marked
        marked |= frontier
    return marked


def status_list_credential(list_number: int, purpose: str) -> tuple[str, str]:
    """The signed BitstringStatusListCredential as JSON text and its ETag; signed again only when bits change."""
    from certificates.credentials import sign_document
    from certificates.signing import current_signing_key

    bits = status_bits(list_number, purpose)
    digest = hashlib.sha256(bits).hexdigest()
    signer = current_signing_key()[1].public_key_multibase  # a rotation signs the lists again with the new key
    key = f"status-list:{settings.SITE_URL}:{list_number}:{purpose}:{digest}:{signer}"
    text = cache.get(key)
    if text is None:
        url = status_list_url(list_number, purpose)
        now = datetime.now(UTC).replace(microsecond=0)
        document = {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": url,
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": _issuer(),
            "validFrom": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "credentialSubject": {
                "id": f"{url}#list",
                "type": "BitstringStatusList",
                "statusPurpose": purpose,
                "encodedList": encode_list(bytes(bits)),
            },
        }
        text = json.dumps(sign_document(document), indent=2)
        cache.set(key, text, timeout=24 * 3600)
    return text, f'W/"{digest[:32]}"'


def _issuer() -> str:
    from certificates.signing import issuer_did

    return issuer_did()
