"""How the site names a person: their full name, or their username when they gave none."""


def display_name(user) -> str:
    """The user's full name, falling back to the username."""
    return user.get_full_name() or user.get_username()
