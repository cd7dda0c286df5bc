"""The four roles, kept as Django groups, and helpers to ask who someone is."""

from django.contrib.auth import get_user_model
from django.db.models import Q

TRAINEE = "Trainee"
SUPERVISOR = "Supervisor"
VERIFIER = "Verifier"
PROGRAMME_ADMIN = "Programme admin"

ALL_ROLES = (TRAINEE, SUPERVISOR, VERIFIER, PROGRAMME_ADMIN)


def role_holders(role: str):
    """The active users who hold the role, counted as has_role() counts them (superusers are programme admins)."""
    holds = Q(groups__name=role) | Q(is_superuser=True) if role == PROGRAMME_ADMIN else Q(groups__name=role)
    return get_user_model().objects.filter(holds, is_active=True).distinct()


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
