"""The four roles, kept as Django groups, and helpers to ask who someone is."""

TRAINEE = "Trainee"
SUPERVISOR = "Supervisor"
VERIFIER = "Verifier"
PROGRAMME_ADMIN = "Programme admin"

ALL_ROLES = (TRAINEE, SUPERVISOR, VERIFIER, PROGRAMME_ADMIN)


def user_roles(user) -> set[str]:
    """Return the role names a user holds, cached on the user object for the request."""
    if not user.is_authenticated:
        return set()
    if not hasattr(user, "_role_names"):
        user._role_names = set(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            user._role_names.add(PROGRAMME_ADMIN)
    return user._role_names


def has_role(user, role: str) -> bool:
    """Whether the user holds the role (superusers count as programme admins)."""
    return role in user_roles(user)
