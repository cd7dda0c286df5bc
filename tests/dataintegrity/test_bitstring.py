"""Bitstring Status List: bit order, encodedList encoding, and refusal of malformed lists."""

import base64
import gzip

import pytest

from dataintegrity.bitstring import (
    MIN_ENTRIES,
    bit_is_set,
    decode_list,
    encode_list,
    new_bitstring,
    set_bit,
    set_status_value,
    status_value,
)


def test_new_bitstring_is_empty_and_sized_in_entries():
    """The default list has the spec's minimum of 131,072 entries (16 KiB), all clear."""
    bits = new_bitstring()
    assert len(bits) == MIN_ENTRIES // 8 == 16_384
    assert not any(bits)
    assert len(new_bitstring(9)) == 2


@pytest.mark.parametrize("index", [0, 7, 8, MIN_ENTRIES - 1])
def test_set_and_clear(index):
    """Setting an entry sets only that entry; clearing it restores the empty list."""
    bits = new_bitstring()
    set_bit(bits, index)
    assert bit_is_set(bits, index)
    assert sum(bin(byte).count("1") for byte in bits) == 1
    set_bit(bits, index, False)
    assert not bit_is_set(bits, index)
    assert not any(bits)


def test_index_order_follows_the_spec():
    """Index 0 is the left-most (most significant) bit of the first byte; index 7 its least significant."""
    bits = new_bitstring(16)
    set_bit(bits, 0)
    assert bits == bytearray([0x80, 0x00])
    set_bit(bits, 7)
    set_bit(bits, 8)
    assert bits == bytearray([0x81, 0x80])


def test_out_of_range_index_is_refused():
    """Indexes outside the list raise IndexError instead of growing or wrapping."""
    bits = new_bitstring(8)
    for index in (-1, 8):
        with pytest.raises(IndexError):
            set_bit(bits, index)
        with pytest.raises(IndexError):
            bit_is_set(bits, index)


def test_encode_decode_round_trip():
    """A list with a few entries set comes back identical, with or without the multibase 'u'."""
    bits = new_bitstring()
    for index in (0, 7, 8, 4242, MIN_ENTRIES - 1):
        set_bit(bits, index)
    encoded = encode_list(bits)
    assert encoded.startswith("u")
    assert "=" not in encoded
    assert decode_list(encoded) == bits
    assert decode_list(encoded[1:]) == bits


def test_empty_minimum_list_encodes_short_and_deterministically():
    """131,072 clear entries compress to a short string, identical every time (no timestamp in the GZIP header)."""
    encoded = encode_list(new_bitstring())
    assert len(encoded) < 100
    assert encode_list(new_bitstring()) == encoded


def test_decodes_a_list_made_elsewhere():
    """A GZIP stream made by another encoder (with a timestamp and padding stripped) decodes."""
    bits = bytes([0x40]) + bytes(15)
    foreign = base64.urlsafe_b64encode(gzip.compress(bits, mtime=1_700_000_000)).decode().rstrip("=")
    assert decode_list("u" + foreign) == bits
    assert bit_is_set(decode_list("u" + foreign), 1)


@pytest.mark.parametrize(
    "encoded",
    ["", "u", "u!!!!", "u" + base64.urlsafe_b64encode(b"not gzip").decode().rstrip("="), "uH4sI", None, 5],
)
def test_malformed_lists_raise_value_error(encoded):
    """Non-base64url, non-GZIP, truncated or empty lists are a ValueError."""
    with pytest.raises(ValueError):
        decode_list(encoded)


def test_decompression_bomb_is_refused(monkeypatch):
    """A list inflating past the size limit is refused rather than filling memory."""
    monkeypatch.setattr("dataintegrity.bitstring.MAX_DECODED_BYTES", 1024)
    with pytest.raises(ValueError, match="more than"):
        decode_list(encode_list(bytes(4096)))


def test_multi_bit_entries_follow_the_spec_bit_order():
    """Entry i of size s is bits i*s to i*s+s-1, its first bit the most significant (0x2 sets the left bit)."""
    bits = new_bitstring(16)
    set_status_value(bits, 1, 0b10, 2)
    assert bits == bytearray([0b0010_0000, 0])
    set_status_value(bits, 2, 0b11, 2)
    set_status_value(bits, 7, 0b01, 2)
    assert bits == bytearray([0b0010_1100, 0b0000_0001])
    assert [status_value(bits, index, 2) for index in range(8)] == [0, 2, 3, 0, 0, 0, 0, 1]
    set_status_value(bits, 2, 0b00, 2)
    assert status_value(bits, 2, 2) == 0 and status_value(bits, 1, 2) == 2
    assert [status_value(bits, index) for index in range(4)] == [0, 0, 1, 0]  # size 1: the single bits


@pytest.mark.parametrize(("index", "value", "size"), [(0, 4, 2), (0, -1, 2), (8, 1, 2), (-1, 1, 2), (0, 1, 0)])
def test_multi_bit_entries_refuse_values_and_places_that_do_not_fit(index, value, size):
    """A value too wide for the entry, an entry outside the list or a size of 0 is an error, never a wrap."""
    bits = new_bitstring(16)
    with pytest.raises((ValueError, IndexError)):
        set_status_value(bits, index, value, size)
    assert bits == new_bitstring(16)
