"""The four roles, kept as Django groups, and helpers to ask who someone is."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db.models import CharField, Q, Value

from lms.compiled import CompiledRead

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
        _load_roles_and_permissions(user)
        if user.is_superuser:
            user._role_names.add(PROGRAMME_ADMIN)
    return user._role_names


def _load_roles_and_permissions(user) -> None:
    """Read the user's groups and, for an active non-superuser, their permissions too, in one query.

    The permissions fill the per-user caches Django's ModelBackend (the site's backend inherits it) reads before
    querying, so a later has_perm() (Wagtail's user bar asks on every page) costs nothing. A superuser holds
    every permission, which the backend reads itself when asked.
    """
    with_permissions = user.is_active and not user.is_superuser
    found = (ROLES_AND_PERMISSIONS if with_permissions else ROLES).rows(user_id=user.pk)
    user._role_names = {name for kind, _, name in found if kind == "role"}
    if user.is_active and not user.is_superuser:
        user._user_perm_cache = {f"{app}.{name}" for kind, app, name in found if kind == "own"}
        user._group_perm_cache = {f"{app}.{name}" for kind, app, name in found if kind == "group"}
        user._perm_cache = user._user_perm_cache | user._group_perm_cache


def _roles(*, user_id: int):
    return Group.objects.filter(user=user_id).values_list(
        Value("role", output_field=CharField()), Value("", output_field=CharField()), "name"
    )


def _roles_and_permissions(*, user_id: int):
    text = CharField()
    own = Permission.objects.filter(user=user_id).values_list(
        Value("own", output_field=text), "content_type__app_label", "codename"
    )
    grouped = Permission.objects.filter(group__user=user_id).values_list(
        Value("group", output_field=text), "content_type__app_label", "codename"
    )
    return _roles(user_id=user_id).order_by().union(own.order_by(), grouped.order_by(), all=True)


ROLES = CompiledRead(_roles)  # the SQL built once per process (lms/compiled.py): these run on every page
ROLES_AND_PERMISSIONS = CompiledRead(_roles_and_permissions)


def has_role(user, role: str) -> bool:
    """Whether the user holds the role (superusers count as programme admins)."""
    return role in user_roles(user)
