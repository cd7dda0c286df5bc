"""Bitstring Status Lists: each certificate's random place, and the signed lists that publish its status.

One list credential per list (`/credentials/status/<n>.json`, statusPurpose "message") holds every certificate's
two-bit status; docs/credentials.md explains the layout and why three kinds of reader all read it right. The
per-purpose lists of credentials signed before it (`/credentials/status/<n>/revocation.json`, `…/suspension.json`)
stay published as legacy lists.
"""

import hashlib
import json
import math
import secrets
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache

from certificates.models import Certificate
from certificates.signing import current_signing_key, issuer_did, sign_document, timestamp
from dataintegrity.bitstring import MIN_ENTRIES, encode_list, new_bitstring, set_bit, set_status_value

STATUS_PURPOSE = "message"
STATUS_SIZE = 2  # bits per entry
ENTRIES_PER_LIST = 1_048_576  # two-bit entries: 2,097,152 bits, 256 KiB before GZIP (a few hundred bytes after)
FIRST_PLACE = 65_536  # certificates sit only at entries [65,536, 131,072) of a list…
PLACES_PER_LIST = 65_536  # …65,536 random places per list, so a place tells nothing about its certificate

VALID, UNUSED, REVOKED, SUSPENDED = 0b00, 0b01, 0b10, 0b11
DO_NOT_ACCEPT = 0b10  # the first (most significant) bit of a value
REVERSIBLE = 0b01  # the second bit
STATUS_MESSAGES = (("0x0", "valid"), ("0x1", "unused"), ("0x2", "revoked"), ("0x3", "suspended"))

LEGACY_LIST_SIZE = MIN_ENTRIES  # 131,072 one-bit places per legacy list
LEGACY_PURPOSES = {"revocation": Certificate.State.REVOKED, "suspension": Certificate.State.SUSPENDED}
CACHE_SECONDS = 300  # how long verifiers and our cache may keep a list before asking again


class StatusListFull(RuntimeError):
    """No free place was found in the status lists (they grow long before this can happen)."""


def new_status_index() -> int:
    """A random free status_index across the lists; a new list of 65,536 places opens when the lists are half full."""
    used = Certificate.objects.exclude(status_index=None).count()
    capacity = PLACES_PER_LIST * max(1, math.ceil((used + 1) * 2 / PLACES_PER_LIST))
    for _ in range(64):
        index = secrets.randbelow(capacity)
        if not Certificate.objects.filter(status_index=index).exists():
            return index
    raise StatusListFull("No free place found in the status lists.")


def status_place(status_index: int) -> tuple[int, int]:
    """The list (numbered from 1) and entry index of a certificate's status_index.

    One injective mapping: status_index n goes to list n // 65,536 + 1, entry 65,536 + n % 65,536. Entries below
    65,536 are never handed out, so bit i of a list (which a reader ignoring statusSize looks at for the certificate
    at entry i) belongs to an entry nobody holds.
    """
    list_offset, place = divmod(status_index, PLACES_PER_LIST)
    return list_offset + 1, FIRST_PLACE + place


def list_count() -> int:
    """How many status lists there are (at least one)."""
    highest = _highest_status_index()
    return 1 if highest is None else highest // PLACES_PER_LIST + 1


def legacy_list_count() -> int:
    """How many legacy per-purpose lists there are (at least one)."""
    highest = _highest_status_index()
    return 1 if highest is None else highest // LEGACY_LIST_SIZE + 1


def _highest_status_index() -> int | None:
    highest = Certificate.objects.exclude(status_index=None).order_by("-status_index").first()
    return None if highest is None else highest.status_index


def status_list_url(list_number: int) -> str:
    """Where the signed status list credential of one list (numbered from 1) is published."""
    return f"{settings.SITE_URL}/credentials/status/{list_number}.json"


def legacy_status_list_url(list_number: int, purpose: str) -> str:
    """Where a legacy per-purpose list (revocation or suspension) is published: credentials with two entries name it."""
    return f"{settings.SITE_URL}/credentials/status/{list_number}/{purpose}.json"


def status_messages() -> list[dict]:
    """The statusMessage of an entry: what each two-bit value means."""
    return [{"status": status, "message": message} for status, message in STATUS_MESSAGES]


def status_entry(certificate: Certificate) -> dict:
    """The credentialStatus of a certificate's credential: one two-bit entry in its list, with what each value means."""
    list_number, index = status_place(certificate.status_index)
    url = status_list_url(list_number)
    return {
        "id": f"{url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": STATUS_PURPOSE,
        "statusListIndex": str(index),
        "statusSize": STATUS_SIZE,
        "statusMessage": status_messages(),
        "statusListCredential": url,
    }


def status_bits(list_number: int) -> bytearray:
    """One list's bits from the database (list_bits of each withdrawn certificate's value at its place)."""
    start = (list_number - 1) * PLACES_PER_LIST
    values = _values_between(start, start + PLACES_PER_LIST)
    return list_bits({FIRST_PLACE + status_index - start: value for status_index, value in values.items()})


def list_bits(values: dict[int, int]) -> bytearray:
    """The bits of one list, given the value at each entry index that isn't valid (0x0).

    The layout: for the certificate at entry i, bits 2i and 2i+1 hold its value (revoked 0x2, suspended 0x3), as
    the W3C algorithm and 1EdTech's validator read them; bit i is set too whenever the first bit is (revoked or
    suspended), for readers that ignore statusSize and read bit i alone (Digital Bazaar's vc-bitstring-status-list).
    Entries are in [65,536, 131,072), so bit i lies in an entry below 65,536 that nobody holds, and 1EdTech's
    range check (position below the list's length in bytes, 262,144) passes.
    """
    bits = new_bitstring(ENTRIES_PER_LIST * STATUS_SIZE)
    for index, value in values.items():
        if not FIRST_PLACE <= index < FIRST_PLACE + PLACES_PER_LIST:
            raise ValueError(f"Entry {index} is outside the places certificates are given.")
        set_status_value(bits, index, value, STATUS_SIZE)
        if value & DO_NOT_ACCEPT:
            set_bit(bits, index)
    return bits


def legacy_status_bits(list_number: int, purpose: str) -> bytearray:
    """One legacy list's bits: set for each certificate whose value has that meaning, at its old place."""
    start = (list_number - 1) * LEGACY_LIST_SIZE
    wanted = REVOKED if purpose == "revocation" else SUSPENDED
    bits = new_bitstring(LEGACY_LIST_SIZE)
    for status_index, value in _values_between(start, start + LEGACY_LIST_SIZE).items():
        if value == wanted:
            set_bit(bits, status_index - start)
    return bits


def _values_between(start: int, end: int) -> dict[int, int]:
    """The status value of each withdrawn certificate whose status_index is in [start, end); valid ones are left out."""
    revoked, suspended = _withdrawn(Certificate.State.REVOKED), _withdrawn(Certificate.State.SUSPENDED)
    rows = Certificate.objects.filter(
        pk__in=revoked | suspended, status_index__gte=start, status_index__lt=end
    ).values_list("pk", "status_index")
    return {status_index: REVOKED if pk in revoked else SUSPENDED for pk, status_index in rows}


def _withdrawn(state: str) -> set[int]:
    """Ids of the certificates whose credentials are marked revoked (or suspended).

    Revoked (or suspended) certificates, and every older certificate they replaced, whose credentials would
    otherwise still verify elsewhere. A reissue corrects a wrong name, so the credential it replaced is
    revoked too; a renewal's predecessor stays good until its own expiry. Revoked outranks suspended: a credential
    marked both (an old name's, whose reissue is suspended) reads as revoked.
    """
    marked = set(Certificate.objects.filter(state=state).values_list("pk", flat=True))
    if state == Certificate.State.REVOKED:
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


def status_list_credential(list_number: int) -> tuple[str, str]:
    """One list's signed BitstringStatusListCredential as JSON text and its ETag; signed again only when bits change."""
    url = status_list_url(list_number)
    return _signed_list(url, STATUS_PURPOSE, status_bits(list_number))


def legacy_status_list_credential(list_number: int, purpose: str) -> tuple[str, str]:
    """A legacy per-purpose list (revocation or suspension) as signed JSON text and its ETag."""
    url = legacy_status_list_url(list_number, purpose)
    return _signed_list(url, purpose, legacy_status_bits(list_number, purpose))


def _signed_list(url: str, purpose: str, bits: bytearray) -> tuple[str, str]:
    digest = hashlib.sha256(bits).hexdigest()
    signer = current_signing_key()[1].public_key_multibase  # a rotation signs the lists again with the new key
    key = f"status-list:{url}:{purpose}:{digest}:{signer}"
    text = cache.get(key)
    if text is None:
        document = {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": url,
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": issuer_did(),
            "validFrom": timestamp(datetime.now(UTC)),
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
