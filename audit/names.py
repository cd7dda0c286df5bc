"""Names in the trails: of related rows, of dates and times, and of people's roles."""

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models
from django.utils import timezone
from django.utils.dateformat import format as format_date

from lms.names import display_name
from lms.roles import ALL_ROLES, PROGRAMME_ADMIN
from practice.models import Batch, SupervisorAssignment

NOT_SET = "nothing"
# Related rows whose names need other rows: joined when names are looked up.
NAME_JOINS = {SupervisorAssignment: ("supervisor", "organisation"), Batch: ("trainee",)}


class Names:
    """Readable names of related rows, gathered first and then looked up in one query per model."""

    def __init__(self):
        self.wanted: dict[type[models.Model], set] = defaultdict(set)
        self.found: dict[tuple[type[models.Model], Any], str] = {}

    def want(self, model: type[models.Model], pk) -> None:
        """Ask for a row's name (None asks for nothing)."""
        if pk is not None:
            self.wanted[model].add(pk)

    def load(self) -> None:
        """Look up every name asked for."""
        user_model = get_user_model()
        for model, pks in self.wanted.items():
            rows = model._default_manager.filter(pk__in=pks).select_related(*NAME_JOINS.get(model, ()))
            for row in rows:
                self.found[(model, row.pk)] = display_name(row) if isinstance(row, user_model) else str(row)

    def of(self, model: type[models.Model], pk) -> str:
        """The row's name, once loaded."""
        if pk is None:
            return NOT_SET
        return self.found.get((model, pk), f"a record since deleted (#{pk})")


def day(value: date) -> str:
    """A date as the trail prints it: 6 Dec 2026."""
    return format_date(value, "j M Y")


def moment(value: datetime) -> str:
    """A time as the trail prints it, in local time: 6 Dec 2026, 14:05."""
    return format_date(timezone.localtime(value), "j M Y, H:i")


def related_row(record, name: str) -> tuple[type[models.Model], Any]:
    """The model and id a record's foreign key points at, for Names."""
    field = record._meta.get_field(name)
    return field.related_model, getattr(record, field.attname)


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
