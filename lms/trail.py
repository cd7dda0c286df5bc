"""The kinds of record the audit trails read, registered by the apps that own them.

Each domain app registers, in its AppConfig.ready(), a source for each of its models whose changes belong in a
trail: a django-simple-history table (HistorySource: each row one change) or a write-once table (RecordSource:
each row one event). A source says how to describe its records, which person or certificate a row is about, and
which fields the trail must never print. The audit app reads only this registry, never an app's models.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import CharField, F, Q, QuerySet, Value
from django.utils import timezone
from django.utils.dateformat import format as format_date

from lms.names import display_name

NOT_SET = "nothing"

_name_joins: dict[type[models.Model], tuple[str, ...]] = {}
_sources: dict[str, "HistorySource | RecordSource"] = {}


def name_joins_register(model: type[models.Model], joins: tuple[str, ...]) -> None:
    """Say which related rows a model's name needs (its __str__ reads them), so names load in one query."""
    _name_joins[model] = joins


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
            rows = model._default_manager.filter(pk__in=pks).select_related(*_name_joins.get(model, ()))
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


@dataclass(frozen=True)
class HistorySource:
    """A model's django-simple-history table: each row one change to one record.

    `person` and `certificate` are lookups (on the history table) to the id of the person or certificate a change
    is about; `withheld` fields (free text people wrote, secrets) are only said to have changed; `quiet` fields are
    bookkeeping the trail skips; a reason starting with one of `comment_reasons` ("Returned:") carries a comment
    the trail withholds.
    """

    key: str
    model: type[models.Model]
    describe: Callable[[Any, Names], str]
    names: tuple[str, ...] = ()  # foreign keys the description names
    link: Callable[[Any], str] | None = None
    person: str | None = None
    certificate: str | None = None
    withheld: frozenset = frozenset()
    quiet: frozenset = frozenset()
    comment_reasons: tuple[str, ...] = ()

    @property
    def table(self) -> type[models.Model]:
        """The historical model."""
        return self.model.history.model

    def rows(self, where: Q) -> QuerySet:
        """The (source, row, time) of every change matching `where`, for the UNION."""
        return (
            self.table.objects.filter(where)
            .order_by()
            .values(src=Value(self.key, output_field=CharField()), row=F("history_id"), at=F("history_date"))
        )


@dataclass(frozen=True)
class RecordSource:
    """A write-once model with no history: each row one event, made by `actor` at `at`."""

    key: str
    model: type[models.Model]
    at: str
    actor: str | None
    action: str
    describe: Callable[[Any], str]
    joins: tuple[str, ...] = ()
    reason: Callable[[Any], str] = lambda row: ""
    link: Callable[[Any], str] | None = None
    person: str | None = None
    certificate: str | None = None

    def rows(self, where: Q) -> QuerySet:
        """The (source, row, time) of every row matching `where`, for the UNION."""
        return (
            self.model.objects.filter(where)
            .order_by()
            .values(src=Value(self.key, output_field=CharField()), row=F("pk"), at=F(self.at))
        )


def trail_source_register(source: HistorySource | RecordSource) -> None:
    """Add a kind of record to the trails (the same key again replaces it, as a reloaded app would)."""
    _sources[source.key] = source


def trail_sources() -> dict[str, HistorySource | RecordSource]:
    """Every registered kind of record by key."""
    return dict(_sources)
