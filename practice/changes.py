"""Reads for review: what a trainee changed in an entry since it was last returned to them, from its history."""

from dataclasses import dataclass, field
from datetime import datetime

from django.apps import apps

from content.models import CompetencyDomain
from lms.names import display_name
from practice.models import PracticeEntry, SupervisorAssignment

Status = PracticeEntry.Status

# The fields a trainee can change, in the order the form shows them, with the label the review page uses.
COMPARED_FIELDS = [
    ("assignment_id", "Placement"),
    ("performed_on", "Date"),
    ("start_time", "Start time"),
    ("minutes", "Duration"),
    ("long_day_confirmed", "Long day confirmed"),
    ("activity_type", "Activity"),
    ("contact", "Direct or indirect"),
    ("domains", "Competency domains"),
    ("setting", "Setting"),
    ("session_format", "Individual or group"),
    ("delivery", "Delivery"),
    ("reflection", "Reflection"),
    ("topics", "Topics discussed"),
]
LONG_TEXT = {"reflection", "topics"}


@dataclass(frozen=True)
class FieldChange:
    """One field's value when the entry was returned, and now."""

    label: str
    old: str
    new: str
    long_text: bool = False


@dataclass
class SinceReturn:
    """An entry's last return (when, by whom, the comment) and every field changed since, in form order."""

    returned_at: datetime
    returned_by: str
    comment: str
    changes: list[FieldChange] = field(default_factory=list)


def _shown(name: str, value, *, assignments: dict, domain_names: dict) -> str:
    if name == "assignment_id":
        assignment = assignments.get(value)
        return (
            f"{assignment.organisation}, {display_name(assignment.supervisor)}" if assignment else "Another placement"
        )
    if name == "domains":
        return ", ".join(sorted(domain_names.get(pk, "A removed domain") for pk in value)) or "None"
    if value in (None, ""):
        return "Not given"
    if name == "performed_on":
        return f"{value:%a %-d %b %Y}"
    if name == "start_time":
        return f"{value:%H:%M}"
    if name == "minutes":
        return f"{value / 60:g} h"
    if name == "long_day_confirmed":
        return "Yes" if value else "No"
    model_field = PracticeEntry._meta.get_field(name)
    return str(dict(model_field.choices).get(value, value)) if model_field.choices else str(value)


def _last_returns(records: list) -> dict[int, tuple]:
    """For each entry, its last move into 'returned' and the history record holding its domains at that moment."""
    found: dict[int, tuple] = {}
    previous_status: dict[int, str] = {}
    domains_record: dict[int, int] = {}
    for record, has_domains in records:
        if has_domains:
            domains_record[record.id] = record.history_id
        if record.status == Status.RETURNED and previous_status.get(record.id) != Status.RETURNED:
            found[record.id] = (record, domains_record.get(record.id))
        previous_status[record.id] = record.status
    return found


def changes_since_return(*, entries: list[PracticeEntry]) -> dict[int, SinceReturn]:
    """For each waiting entry that was returned before, its last return and what changed since, by entry id.

    Costs at most four queries however many entries there are (the history, the domains it recorded, and the
    placements and domain names those name); none when no entry was ever returned. The entries should come with
    their domains prefetched. Domains are recorded only when the trainee saves the entry, so the domains at the
    return are those of the last save before it.
    """
    waiting = {entry.pk: entry for entry in entries if entry.status == Status.SUBMITTED}
    if not waiting:
        return {}
    History = PracticeEntry.history.model
    DomainHistory = apps.get_model("practice", "HistoricalPracticeEntry_domains")
    returned_ids = History.objects.filter(id__in=waiting, status=Status.RETURNED).values("id")
    history = list(
        History.objects.filter(id__in=returned_ids)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    if not history:
        return {}
    domain_rows: dict[int, list[int]] = {}
    for history_id, domain_id in DomainHistory.objects.filter(
        history__in=[record.history_id for record in history]
    ).values_list("history_id", "competencydomain_id"):
        domain_rows.setdefault(history_id, []).append(domain_id)
    last_returns = _last_returns([(record, record.history_id in domain_rows) for record in history])
    old_domains = {
        entry_id: set(domain_rows.get(domains_record, [])) for entry_id, (_, domains_record) in last_returns.items()
    }
    domain_names = dict(
        CompetencyDomain.objects.filter(pk__in=set().union(*old_domains.values())).values_list("pk", "name")
    )
    assignment_ids = {record.assignment_id for record, _ in last_returns.values()}
    assignments = SupervisorAssignment.objects.select_related("organisation", "supervisor").in_bulk(assignment_ids)
    result = {}
    for entry_id, (record, _) in last_returns.items():
        entry = waiting[entry_id]
        current_domains = {domain.pk for domain in entry.domains.all()}
        domain_names.update({domain.pk: domain.name for domain in entry.domains.all()})
        since = SinceReturn(
            returned_at=record.history_date,
            returned_by=display_name(record.history_user) if record.history_user else "Someone",
            comment=record.return_comment,
        )
        for name, label in COMPARED_FIELDS:
            old = old_domains[entry_id] if name == "domains" else getattr(record, name)
            new = current_domains if name == "domains" else getattr(entry, name)
            if old != new:
                shown = {"assignments": assignments | {entry.assignment_id: entry.assignment}}
                since.changes.append(
                    FieldChange(
                        label,
                        _shown(name, old, **shown, domain_names=domain_names),
                        _shown(name, new, **shown, domain_names=domain_names),
                        long_text=name in LONG_TEXT,
                    )
                )
        result[entry_id] = since
    return result
