"""How a page of a trail's rows becomes events, whatever kind of record each row is."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.utils.dateformat import format as format_date
from django.utils.text import Truncator, capfirst

from lms.names import display_name
from lms.trail import NOT_SET, HistorySource, Names, RecordSource, day, moment, related_row

LONGEST_VALUE = 200

ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}


@dataclass(frozen=True)
class Change:
    """One field of a record changed: its label and the values before and after (blank when withheld)."""

    field: str
    old: str = ""
    new: str = ""
    withheld: bool = False


@dataclass(frozen=True)
class Event:
    """One line of a trail: when, who (None: the system) with their roles, what and why."""

    at: datetime
    actor: str | None
    roles: str
    record: str
    url: str
    action: str
    changes: tuple[Change, ...]
    reason: str


def _show(field: models.Field, value, names: Names) -> str:
    """A field's value in words."""
    if field.is_relation:
        return names.of(field.related_model, value)
    if value is None or value == "":
        return NOT_SET
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return moment(value)
    if isinstance(value, date):
        return day(value)
    if isinstance(value, time):
        return format_date(datetime.combine(date.min, value), "H:i")
    return Truncator(str(value)).chars(LONGEST_VALUE)


def _load_history(source: HistorySource, ids: list[int], names: Names) -> dict[int, tuple]:
    """Fetch the page's changes of one table and their previous records; two queries, three with many-to-many."""
    table = source.table
    earlier = table.objects.filter(id=OuterRef("id")).filter(
        Q(history_date__lt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
    )
    records = list(
        table.objects.filter(history_id__in=ids)
        .select_related("history_user")
        .annotate(prev_id=Subquery(earlier.order_by("-history_date", "-history_id").values("history_id")[:1]))
    )
    previous = {row.history_id: row for row in table.objects.filter(history_id__in=[r.prev_id for r in records])}
    m2m_fields = [field.name for field in table._history_m2m_fields]
    related = _many_to_many(table, [r.history_id for r in records] + list(previous), names)
    built = {}
    for record in records:
        prev = previous.get(record.prev_id)
        raw = []
        if prev is not None and record.history_type == "~":
            delta = record.diff_against(prev, excluded_fields=[*m2m_fields, *source.quiet])
            raw = [(change.field, change.old, change.new) for change in delta.changes]
            raw += _many_to_many_changes(table, record, prev, related)
        for name, old, new in raw:
            field = table._meta.get_field(name) if name not in m2m_fields else None
            if field is not None and field.is_relation:
                names.want(field.related_model, old)
                names.want(field.related_model, new)
        for name in source.names:
            names.want(*related_row(record, name))
        built[record.history_id] = (record.history_user, _history_event(source, record, raw, names))
    return built


def _many_to_many(table, history_ids: list[int], names: Names) -> dict[str, dict[int, frozenset]]:
    """For each many-to-many field, the related ids each historical record saved: one query per field."""
    related = {}
    for field in table._history_m2m_fields:
        through = getattr(table, field.name).model
        target = field.m2m_reverse_field_name()
        rows = through.objects.filter(history_id__in=history_ids).values_list("history_id", f"{target}_id")
        saved = defaultdict(set)
        for history_id, target_id in rows:
            saved[history_id].add(target_id)
            names.want(field.related_model, target_id)
        related[field.name] = {history_id: frozenset(ids) for history_id, ids in saved.items()}
    return related


def _many_to_many_changes(table, record, prev, related: dict) -> list[tuple[str, Any, Any]]:
    """Many-to-many changes between two records, said only where both records are known to hold the related rows."""
    # Records written in bulk (bulk_update_with_history) save no related rows, so a record without any counts as
    # known only when it is the record of creation (nothing related yet); otherwise the trail says nothing rather
    # than a false 'removed'.
    changes = []
    for field in table._history_m2m_fields:
        saved = related.get(field.name, {})
        new = saved.get(record.history_id)
        old = saved.get(prev.history_id, frozenset() if prev.history_type == "+" else None)
        if new is not None and old is not None and new != old:
            changes.append((field.name, old, new))
    return changes


def _change(source: HistorySource, name: str, old, new, names: Names) -> Change:
    """One change in words; free text and secrets say only that they changed."""
    m2m = {field.name for field in source.table._history_m2m_fields}
    field = (source.model if name in m2m else source.table)._meta.get_field(name)
    label = capfirst(str(field.verbose_name))
    if name in source.withheld:
        return Change(label, withheld=True)
    if field.many_to_many:
        old_names, new_names = (
            ", ".join(sorted(names.of(field.related_model, pk) for pk in ids)) or NOT_SET for ids in (old, new)
        )
        return Change(label, old_names, new_names)
    return Change(label, _show(field, old, names), _show(field, new, names))


def _history_event(source: HistorySource, record, raw: list, names: Names) -> Callable[[dict], Event]:
    """The event, made once the names it uses are loaded."""

    def make(roles: dict[int, str]) -> Event:
        user = record.history_user
        return Event(
            at=record.history_date,
            actor=display_name(user) if user else None,
            roles=roles.get(user.pk, "") if user else "",
            record=source.describe(record, names),
            url=source.link(record) if source.link else "",
            action=ACTIONS.get(record.history_type, "Changed"),
            changes=tuple(_change(source, name, old, new, names) for name, old, new in raw),
            reason=_shown_reason(source, record.history_change_reason or ""),
        )

    return make


def _shown_reason(source: HistorySource, reason: str) -> str:
    """A change's reason as the trail may show it: a free-text comment after 'Returned:' or 'Reopened:' withheld."""
    for prefix in source.comment_reasons:
        if reason.startswith(prefix):
            return f"{prefix[:-1]} (comment withheld)"
    return reason


def _load_records(source: RecordSource, ids: list[int]) -> dict[int, tuple]:
    """Fetch the page's rows of a write-once table, with what their descriptions name: one query."""
    built = {}
    for row in source.model.objects.filter(pk__in=ids).select_related(*source.joins):
        built[row.pk] = (getattr(row, source.actor) if source.actor else None, _record_event(source, row))
    return built


def _record_event(source: RecordSource, row) -> Callable[[dict], Event]:
    """The event, made once the actor's roles are loaded."""

    def make(roles: dict[int, str]) -> Event:
        user = getattr(row, source.actor) if source.actor else None
        return Event(
            at=getattr(row, source.at),
            actor=display_name(user) if user else None,
            roles=roles.get(user.pk, "") if user else "",
            record=source.describe(row),
            url=source.link(row) if source.link else "",
            action=source.action,
            changes=(),
            reason=source.reason(row),
        )

    return make


def load_events(source: HistorySource | RecordSource, ids: list[int], names: Names) -> dict[int, tuple]:
    """The page's rows of one kind by id: (who made the change, a maker of the event once names are loaded)."""
    if isinstance(source, HistorySource):
        return _load_history(source, ids, names)
    return _load_records(source, ids)
