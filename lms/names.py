"""How the site names a person: their full name, or their username when they gave none."""

import re

# Control characters, the invisible marks that set, override or isolate text direction, and zero-width spaces
# (U+200B, U+2060, U+FEFF): never part of a printed name. The zero-width non-joiner and joiner (U+200C, U+200D) are
# deliberately allowed: some scripts need them to spell a name.
HIDDEN_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")


def display_name(user) -> str:
    """The user's full name, falling back to the username."""
    return user.get_full_name() or user.get_username()


def name_of(field_name: str, label: str) -> property:
    """A model property naming the person in `field_name`; `label` heads its column in admin lists."""

    def getter(instance) -> str:
        return display_name(getattr(instance, field_name))

    getter.short_description = label
    return property(getter)
