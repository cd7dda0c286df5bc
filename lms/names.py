"""How the site names a person: their full name, or their username when they gave none."""

import re

# Control characters, zero-width characters and hidden text-direction marks: never part of a printed name.
HIDDEN_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")


def display_name(user) -> str:
    """The user's full name, falling back to the username."""
    return user.get_full_name() or user.get_username()
