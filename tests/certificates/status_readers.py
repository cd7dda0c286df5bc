"""Three ways of reading a certificate's status from our published list, as three kinds of verifier read it.

Each takes the signed BitstringStatusListCredential and the credential's status entry, as a verifier has them.
"""

from dataintegrity.bitstring import MIN_ENTRIES, bit_is_set, decode_list


class StatusReadError(ValueError):
    """The reader refuses the list or the entry (what the reader's own error would say)."""


def spec_value(status_list: dict, entry: dict) -> int:
    """The W3C Bitstring Status List v1.0 validation algorithm: the statusSize bits at statusListIndex * statusSize.

    Bit 0 is the most significant bit of the first byte; the first of an entry's bits is its value's high bit.
    """
    subject = status_list["credentialSubject"]
    if subject["statusPurpose"] != entry["statusPurpose"]:
        raise StatusReadError("STATUS_VERIFICATION_ERROR: the status purposes differ.")
    size = entry.get("statusSize", 1)
    bits = decode_list(subject["encodedList"])
    if len(bits) * 8 // size < MIN_ENTRIES:
        raise StatusReadError("STATUS_LIST_LENGTH_ERROR: fewer entries than the spec's minimum.")
    start = int(entry["statusListIndex"]) * size
    if start + size > len(bits) * 8:
        raise StatusReadError("RANGE_ERROR: the index is outside the list.")
    value = 0
    for position in range(start, start + size):
        value = value << 1 | bit_is_set(bits, position)
    return value


def spec_message(status_list: dict, entry: dict) -> str:
    """The statusMessage the entry gives for the value the W3C algorithm reads."""
    value = spec_value(status_list, entry)
    return next(message["message"] for message in entry["statusMessage"] if int(message["status"], 16) == value)


def digital_bazaar_bit(status_list: dict, entry: dict) -> bool:
    """@digitalbazaar/vc-bitstring-status-list 2.0.1: ignores statusSize and returns the one bit at statusListIndex.

    It requires the list's statusPurpose to equal the entry's.
    """
    if status_list["credentialSubject"]["statusPurpose"] != entry["statusPurpose"]:
        raise StatusReadError("The status purpose of the status list credential does not match.")
    return bit_is_set(decode_list(status_list["credentialSubject"]["encodedList"]), int(entry["statusListIndex"]))


def onedtech_probe(status_list: dict, entry: dict) -> str:
    """1EdTech's inspector-vc BitstringStatusListProbe: 'revoked' when the bit at statusListIndex * statusSize is set.

    Emulates its bug too: it errors unless that position is smaller than the list's length in bytes.
    """
    subject = status_list["credentialSubject"]
    if subject["statusPurpose"].strip() != entry["statusPurpose"].strip():
        raise StatusReadError("statusPurpose mismatch")
    size = entry.get("statusSize", 1)
    bits = decode_list(subject["encodedList"])
    if len(bits) * 8 // size < MIN_ENTRIES:
        raise StatusReadError("revocation bitstring length is less than minimumNumberOfEntries")
    position = int(entry["statusListIndex"]) * size
    if position >= len(bits):
        raise StatusReadError("credentialIndex multiplied by the size is a value outside of the range of the bitstring")
    return "revoked" if bit_is_set(bits, position) else "not revoked"
