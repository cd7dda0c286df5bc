"""Ed25519 keys as Multikey multibase strings (base58btc with the ed25519-pub / ed25519-priv multicodec prefixes)."""

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BASE58_VALUES = {character: value for value, character in enumerate(BASE58_ALPHABET)}

ED25519_PUBLIC_PREFIX = b"\xed\x01"  # multicodec ed25519-pub (0xed) as an unsigned varint
ED25519_PRIVATE_PREFIX = b"\x80\x26"  # multicodec ed25519-priv (0x1300) as an unsigned varint
KEY_LENGTH = 32
MAX_MULTIBASE_LENGTH = 100  # a Multikey Ed25519 key is 48 or 49 characters; longer input is refused undecoded


def base58btc_encode(data: bytes) -> str:
    """Encode bytes in Bitcoin's base58 alphabet; each leading zero byte becomes a leading '1'."""
    zeros = len(data) - len(data.lstrip(b"\0"))
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, remainder = divmod(number, 58)
        digits.append(BASE58_ALPHABET[remainder])
    return "1" * zeros + "".join(reversed(digits))


def base58btc_decode(text: str) -> bytes:
    """Decode Bitcoin-alphabet base58 text; ValueError on any character outside the alphabet."""
    number = 0
    for position, character in enumerate(text):
        value = _BASE58_VALUES.get(character)
        if value is None:
            raise ValueError(f"Not base58btc: {character!r} at position {position} is outside the alphabet.")
        number = number * 58 + value
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def _raw_key_from_multibase(value: str, prefix: bytes, kind: str) -> bytes:
    """The 32 raw key bytes inside a 'z' multibase Multikey value with the given multicodec prefix."""
    if not isinstance(value, str) or not value.startswith("z"):
        raise ValueError(f"An Ed25519 {kind} key must be a base58btc multibase string starting with 'z'.")
    if len(value) > MAX_MULTIBASE_LENGTH:
        raise ValueError(f"An Ed25519 {kind} key is under {MAX_MULTIBASE_LENGTH} characters long; this one is not.")
    decoded = base58btc_decode(value[1:])
    if not decoded.startswith(prefix):
        raise ValueError(f"Not an Ed25519 {kind} key: the multicodec prefix is not 0x{prefix.hex()}.")
    raw = decoded[len(prefix) :]
    if len(raw) != KEY_LENGTH:
        raise ValueError(f"An Ed25519 {kind} key has {KEY_LENGTH} bytes, this one has {len(raw)}.")
    return raw


def public_key_multibase(key: Ed25519PublicKey) -> str:
    """The Multikey publicKeyMultibase of an Ed25519 public key ('z6Mk...')."""
    raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return "z" + base58btc_encode(ED25519_PUBLIC_PREFIX + raw)


def private_key_multibase(key: Ed25519PrivateKey) -> str:
    """The Multikey secretKeyMultibase of an Ed25519 private key ('z3u2...')."""
    raw = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return "z" + base58btc_encode(ED25519_PRIVATE_PREFIX + raw)


def public_key_from_multibase(value: str) -> Ed25519PublicKey:
    """Parse a Multikey publicKeyMultibase into an Ed25519 public key; ValueError when malformed."""
    return Ed25519PublicKey.from_public_bytes(_raw_key_from_multibase(value, ED25519_PUBLIC_PREFIX, "public"))


def private_key_from_multibase(value: str) -> Ed25519PrivateKey:
    """Parse a Multikey secretKeyMultibase into an Ed25519 private key; ValueError when malformed."""
    return Ed25519PrivateKey.from_private_bytes(_raw_key_from_multibase(value, ED25519_PRIVATE_PREFIX, "private"))
