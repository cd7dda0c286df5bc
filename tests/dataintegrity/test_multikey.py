"""Multikey encoding of Ed25519 keys and the base58btc codec."""

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from dataintegrity.multikey import (
    base58btc_decode,
    base58btc_encode,
    private_key_from_multibase,
    private_key_multibase,
    public_key_from_multibase,
    public_key_multibase,
)
from tests.dataintegrity.conftest import vector_json


def _raw(public_key) -> bytes:
    """The 32 raw bytes of an Ed25519 public key."""
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (b"", ""),
        (b"\0", "1"),
        (b"\0\0\x01", "112"),
        (b"hello world", "StV1DL6CwTryKyV"),
        (bytes.fromhex("00eb15231dfceb60925886b67d065299925915aeb172c06647"), "1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L"),
    ],
)
def test_base58btc_known_values(data, text):
    """base58btc matches known encodings, including leading zero bytes."""
    assert base58btc_encode(data) == text
    assert base58btc_decode(text) == data


def test_base58btc_rejects_characters_outside_alphabet():
    """0, O, I and l are not base58 digits."""
    for bad in ("0", "O", "I", "l", "z+"):
        with pytest.raises(ValueError, match="base58btc"):
            base58btc_decode(bad)


def test_published_private_key_derives_published_public_key():
    """The W3C vectors' private key yields their public key, and both re-encode to the published strings."""
    pair = vector_json("keyPair.json")
    private_key = private_key_from_multibase(pair["privateKeyMultibase"])
    assert public_key_multibase(private_key.public_key()) == pair["publicKeyMultibase"]
    assert private_key_multibase(private_key) == pair["privateKeyMultibase"]
    assert _raw(public_key_from_multibase(pair["publicKeyMultibase"])) == _raw(private_key.public_key())


def test_fresh_keys_round_trip():
    """A fresh key pair survives encoding and decoding, and the strings have the usual Multikey prefixes."""
    private_key = Ed25519PrivateKey.generate()
    public_text = public_key_multibase(private_key.public_key())
    private_text = private_key_multibase(private_key)
    assert public_text.startswith("z6Mk")
    assert private_text.startswith("z3u2")
    assert _raw(public_key_from_multibase(public_text)) == _raw(private_key.public_key())
    message = b"signed"
    public_key_from_multibase(public_text).verify(private_key_from_multibase(private_text).sign(message), message)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "z",
        "6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
        "uZm9v",
        "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ",
        "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ22",
        "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ0",
        "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq",
        "z" + "2" * 1_000_000,
        None,
        42,
    ],
)
def test_malformed_public_keys_raise_value_error(value):
    """Anything but a 'z' + base58btc(0xed01 + 32 bytes) string is a ValueError (a private key included)."""
    with pytest.raises(ValueError):
        public_key_from_multibase(value)


def test_public_key_is_not_accepted_as_private_key():
    """A public key string is refused where a private key is expected."""
    with pytest.raises(ValueError, match="private"):
        private_key_from_multibase(vector_json("keyPair.json")["publicKeyMultibase"])
