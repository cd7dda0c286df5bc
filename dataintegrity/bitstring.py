"""Bitstring Status List v1.0: the bit array, its bit order, and the GZIP + base64url multibase `encodedList`."""

import base64
import binascii
import gzip
import re
import zlib

MIN_ENTRIES = 131_072  # the spec's minimum list length, in entries (16 KiB), for group privacy
MAX_DECODED_BYTES = 16 * 1024 * 1024  # refuse status lists that inflate past this (decompression bombs)
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")


def new_bitstring(size: int = MIN_ENTRIES) -> bytearray:
    """An all-zero bitstring holding `size` entries (rounded up to whole bytes)."""
    if size <= 0:
        raise ValueError("A bitstring needs at least one entry.")
    return bytearray((size + 7) // 8)


def _locate(bits: bytes, index: int) -> tuple[int, int]:
    """The byte offset and bit mask of an entry; index 0 is the most significant bit of byte 0."""
    if not 0 <= index < len(bits) * 8:
        raise IndexError(f"Status list index {index} is outside 0..{len(bits) * 8 - 1}.")
    return index // 8, 0x80 >> (index % 8)


def set_bit(bits: bytearray, index: int, value: bool = True) -> None:
    """Set (or with value=False, clear) the entry at `index`."""
    offset, mask = _locate(bits, index)
    if value:
        bits[offset] |= mask
    else:
        bits[offset] &= ~mask & 0xFF


def bit_is_set(bits: bytes, index: int) -> bool:
    """Whether the entry at `index` is set."""
    offset, mask = _locate(bits, index)
    return bool(bits[offset] & mask)


def status_value(bits: bytes, index: int, size: int = 1) -> int:
    """The status of entry `index` in a list of `size`-bit entries (the spec's validation algorithm).

    The entry is the `size` bits starting at bit `index * size`, read most significant bit first, so with two-bit
    entries bit `2 * index` is the value's high bit and bit `2 * index + 1` its low bit.
    """
    if size < 1:
        raise ValueError("A status entry has at least one bit.")
    value = 0
    for position in range(index * size, index * size + size):
        value = (value << 1) | bit_is_set(bits, position)
    return value


def set_status_value(bits: bytearray, index: int, value: int, size: int = 1) -> None:
    """Write `value` into entry `index` of a list of `size`-bit entries, most significant bit first."""
    if size < 1:
        raise ValueError("A status entry has at least one bit.")
    if not 0 <= value < 1 << size:
        raise ValueError(f"A {size}-bit status can't hold {value}.")
    for offset in range(size):
        set_bit(bits, index * size + offset, bool(value >> (size - 1 - offset) & 1))


def encode_list(bits: bytes) -> str:
    """The spec's encodedList: GZIP-compressed, base64url without padding, with the multibase prefix 'u'."""
    compressed = gzip.compress(bytes(bits), compresslevel=9, mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")


def decode_list(encoded: str) -> bytes:
    """The bitstring inside an encodedList (with or without the 'u' prefix); ValueError when malformed."""
    if not isinstance(encoded, str) or not encoded:
        raise ValueError("An encodedList must be a non-empty string.")
    body = encoded[1:] if encoded.startswith("u") else encoded
    if not _BASE64URL.fullmatch(body):
        raise ValueError("The encodedList is not base64url without padding.")
    try:
        compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError) as error:
        raise ValueError("The encodedList is not base64url.") from error
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # GZIP container only
    try:
        bits = inflater.decompress(compressed, MAX_DECODED_BYTES)
    except zlib.error as error:
        raise ValueError("The encodedList is not GZIP-compressed data.") from error
    if inflater.unconsumed_tail:
        raise ValueError(f"The encodedList inflates to more than {MAX_DECODED_BYTES} bytes.")
    if not inflater.eof:
        raise ValueError("The encodedList's GZIP data is truncated.")
    if not bits:
        raise ValueError("The encodedList holds an empty bitstring.")
    return bits
