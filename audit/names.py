"""The roles of the people who made the changes in a trail, in words."""

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser

from lms.roles import ALL_ROLES, PROGRAMME_ADMIN


def roles_of(users: list[AbstractBaseUser]) -> dict[int, str]:
    """Each user's roles in words, in one query (superusers count as programme admins)."""
    users = {user.pk: user for user in users}
    held = defaultdict(set)
    through = get_user_model().groups.through
    for user_id, role in through.objects.filter(user_id__in=users).values_list("user_id", "group__name"):
        held[user_id].add(role)
    for pk, user in users.items():
        if user.is_superuser:
            held[pk].add(PROGRAMME_ADMIN)
    return {pk: ", ".join(role for role in ALL_ROLES if role in held[pk]) for pk in users}
