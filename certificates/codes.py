"""Verification codes: 140 random bits in Crockford's base32, printed in groups of four."""

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # no I, L, O or U: nothing to confuse when typing
LENGTH = 28  # 28 characters × 5 bits = 140 bits
GROUP = 4
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-_.]+")
_CODE = re.compile(f"[{ALPHABET}]{{{LENGTH}}}")


def new_code() -> str:
    """A fresh random code, without separators."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def format_code(code: str) -> str:
    """The code in groups of four joined by hyphens, as printed on a certificate."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def normalise_code(typed: str) -> str | None:
    """The code as stored, from what a person typed (any case, spaces or hyphens, O for 0, I or L for 1).

    Returns None when it can't be a code.
    """
    code = _SEPARATORS.sub("", typed or "").upper().translate(_LOOKALIKES)
    return code if _CODE.fullmatch(code) else None
