"""Reads for the audit trails: what changed about a trainee or a certificate, when, by whom and why."""

# A trail merges django-simple-history tables (one row per change) with a few write-once tables that keep no
# history of their own (there a row is one event: an attestation or a credential signed, an extra quiz attempt
# granted). One UNION query orders and pages them; each page then costs a fixed number of queries per kind of
# record on it, whatever the number of history rows.

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import CharField, F, OuterRef, Q, QuerySet, Subquery, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.text import Truncator, capfirst

from accounts.models import NameChange
from certificates.codes import normalise_code
from certificates.models import Certificate, CertificateCredential, EthicsAttestation
from courses.models import Enrolment, QuizAttempt, QuizAttemptGrant
from lms.names import display_name
from lms.roles import ALL_ROLES, PROGRAMME_ADMIN
from practice.models import Attestation, Batch, PracticeEntry, SupervisorAssignment, SupervisorProfile
from verification.models import ApiToken, VerifierProfile

PAGE_SIZE = 50
SEARCH_PAGE_SIZE = 25
CERTIFICATES_FOUND = 20
LONGEST_VALUE = 200

# Fields the trail never prints, only says changed. Free text people wrote (reflections, topics, supervisors' comments):
FREE_TEXT_FIELDS = {
    PracticeEntry: frozenset({"reflection", "topics", "return_comment"}),
}
# Secrets and hashes:
SECRET_FIELDS = {
    ApiToken: frozenset({"digest"}),
}
# Bookkeeping that moves with every change and says nothing the time of the change doesn't.
QUIET_FIELDS = {
    Certificate: frozenset({"state_changed_at"}),
}

ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}
# Reasons that carry a supervisor's comment after the colon ("Returned: ..."): only the word before it is shown,
# as the comment itself is free text (FREE_TEXT_FIELDS).
REASONS_WITH_COMMENTS = {PracticeEntry: ("Returned:", "Reopened:")}
NOT_SET = "nothing"
# Related rows whose names need other rows: joined when names are looked up.
NAME_JOINS = {SupervisorAssignment: ("supervisor", "organisation"), Batch: ("trainee",)}


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


@dataclass
class TrailPage:
    """A page of a trail: Django's page for the links, and its events in order."""

    page: Page
    events: list[Event]


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


def _day(value: date) -> str:
    return format_date(value, "j M Y")


def _moment(value: datetime) -> str:
    return format_date(timezone.localtime(value), "j M Y, H:i")


def _related(record, name: str) -> tuple[type[models.Model], Any]:
    field = record._meta.get_field(name)
    return field.related_model, getattr(record, field.attname)


# Where the records come from -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistorySource:
    """A model's django-simple-history table: each row one change to one record."""

    key: str
    model: type[models.Model]
    describe: Callable[[Any, Names], str]
    names: tuple[str, ...] = ()  # foreign keys the description names
    link: Callable[[Any], str] | None = None

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

    def load(self, ids: list[int], names: Names) -> dict[int, tuple]:
        """The page's changes by history id: (who made it, a maker of the event)."""
        return _load_history(self, ids, names)


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

    def rows(self, where: Q) -> QuerySet:
        """The (source, row, time) of every row matching `where`, for the UNION."""
        return (
            self.model.objects.filter(where)
            .order_by()
            .values(src=Value(self.key, output_field=CharField()), row=F("pk"), at=F(self.at))
        )

    def load(self, ids: list[int], names: Names) -> dict[int, tuple]:
        """The page's rows by id: (who made it, a maker of the event)."""
        return _load_records(self, ids)


def _entry(record, names: Names) -> str:
    noun = "Supervision session" if record.kind == PracticeEntry.Kind.SUPERVISION else "Practice entry"
    return f"{noun} of {_day(record.performed_on)}, {record.minutes / 60:g} h"


def _certificate_link(certificate_id: int) -> str:
    return reverse("audit_certificate", args=[certificate_id])


SOURCES: dict[str, HistorySource | RecordSource] = {
    source.key: source
    for source in (
        HistorySource("entry", PracticeEntry, _entry),
        HistorySource(
            "batch",
            Batch,
            lambda r, n: f"Review batch sent {_day(r.submitted_at)} to {n.of(*_related(r, 'assignment'))}",
            names=("assignment",),
        ),
        HistorySource(
            "assignment",
            SupervisorAssignment,
            lambda r, n: f"Supervision by {n.of(*_related(r, 'supervisor'))} at {n.of(*_related(r, 'organisation'))}",
            names=("supervisor", "organisation"),
        ),
        HistorySource(
            "enrolment", Enrolment, lambda r, n: f"Enrolment in {n.of(*_related(r, 'course'))}", names=("course",)
        ),
        HistorySource(
            "quiz_attempt",
            QuizAttempt,
            lambda r, n: f"Attempt {r.number} at {n.of(*_related(r, 'quiz'))}",
            names=("quiz",),
        ),
        HistorySource(
            "certificate", Certificate, lambda r, n: f"Certificate {r.number}", link=lambda r: _certificate_link(r.id)
        ),
        HistorySource("supervisor_profile", SupervisorProfile, lambda r, n: "Supervisor profile"),
        HistorySource("verifier_profile", VerifierProfile, lambda r, n: f"Verifier organisation {r.organisation_name}"),
        HistorySource("api_token", ApiToken, lambda r, n: f"API token “{r.name}”"),
        RecordSource(
            "attestation",
            Attestation,
            at="signed_at",
            actor="supervisor",
            action="Signed",
            joins=("supervisor", "batch"),
            describe=lambda a: (
                f"Supervisor's attestation for the review batch sent {_day(a.batch.submitted_at)}, "
                f"signed as {a.signed_name}" + (f" ({a.credentials})" if a.credentials else "")
            ),
        ),
        RecordSource(
            "ethics",
            EthicsAttestation,
            at="signed_at",
            actor="user",
            action="Signed",
            joins=("user", "programme"),
            describe=lambda e: f"Agreement to the {e.programme.abbreviation} code of ethics, signed as {e.signed_name}",
        ),
        RecordSource(
            "grant",
            QuizAttemptGrant,
            at="granted_at",
            actor="granted_by",
            action="Granted",
            joins=("granted_by", "quiz"),
            describe=lambda g: f"An extra attempt at {g.quiz.title}",
            reason=lambda g: g.reason,
        ),
        RecordSource(
            "name_change",
            NameChange,
            at="changed_at",
            actor="user",
            action="Corrected",
            joins=("user",),
            describe=lambda c: f"Their name, from {c.old_name or NOT_SET} to {c.new_name}",
            reason=lambda c: (
                f"Asked the programme team to reissue {', '.join(c.reissue_asked_for)}" if c.reissue_asked_for else ""
            ),
        ),
        RecordSource(
            "credential",
            CertificateCredential,
            at="signed_at",
            actor=None,
            action="Signed",
            joins=("certificate",),
            describe=lambda c: f"The signed credential inside certificate {c.certificate.number}",
            link=lambda c: _certificate_link(c.certificate_id),
        ),
    )
}


def _union(parts: list[tuple[str, Q]]) -> QuerySet:
    first, *rest = [SOURCES[key].rows(where) for key, where in parts]
    return first.union(*rest, all=True).order_by("-at", "src", "-row")


def trainee_trail(*, person: AbstractBaseUser) -> QuerySet:
    """Every change to a record about the person, newest first, as (src, row, at) rows to page through."""
    pk = person.pk
    return _union(
        [
            ("entry", Q(trainee_id=pk)),
            ("batch", Q(trainee_id=pk)),
            ("attestation", Q(batch__trainee_id=pk)),
            ("assignment", Q(trainee_id=pk)),
            ("enrolment", Q(user_id=pk)),
            ("quiz_attempt", Q(user_id=pk)),
            ("grant", Q(user_id=pk)),
            ("ethics", Q(user_id=pk)),
            ("name_change", Q(user_id=pk)),
            ("certificate", Q(holder_id=pk)),
            ("credential", Q(certificate__holder_id=pk)),
            ("supervisor_profile", Q(user_id=pk)),
            ("verifier_profile", Q(user_id=pk)),
            ("api_token", Q(user_id=pk)),
        ]
    )


def certificate_family(certificate: Certificate) -> list[int]:
    """The certificate's id with those of the certificate it replaces and the one that replaced it."""
    replaced_by = getattr(certificate, "replaced_by", None)
    return [pk for pk in (certificate.pk, certificate.replaces_id, replaced_by.pk if replaced_by else None) if pk]


def certificate_trail(*, certificate: Certificate) -> QuerySet:
    """The certificate's changes and credential signing, with those of its neighbours in a reissue or renewal."""
    family = certificate_family(certificate)
    return _union([("certificate", Q(id__in=family)), ("credential", Q(certificate_id__in=family))])


# Turning a page of rows into events ---------------------------------------------------------------------------


def _withheld(model: type[models.Model]) -> frozenset:
    return FREE_TEXT_FIELDS.get(model, frozenset()) | SECRET_FIELDS.get(model, frozenset())


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
        return _moment(value)
    if isinstance(value, date):
        return _day(value)
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
    quiet = QUIET_FIELDS.get(source.model, frozenset())
    related = _many_to_many(table, [r.history_id for r in records] + list(previous), names)
    built = {}
    for record in records:
        prev = previous.get(record.prev_id)
        raw = []
        if prev is not None and record.history_type == "~":
            delta = record.diff_against(prev, excluded_fields=[*m2m_fields, *quiet])
            raw = [(change.field, change.old, change.new) for change in delta.changes]
            raw += _many_to_many_changes(table, record, prev, related)
        for name, old, new in raw:
            field = table._meta.get_field(name) if name not in m2m_fields else None
            if field is not None and field.is_relation:
                names.want(field.related_model, old)
                names.want(field.related_model, new)
        for name in source.names:
            names.want(*_related(record, name))
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
    if name in _withheld(source.model):
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
    for prefix in REASONS_WITH_COMMENTS.get(source.model, ()):
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


def trail_page(rows: QuerySet, number) -> TrailPage:
    """One page of a trail (PAGE_SIZE events, newest first), in a number of queries that doesn't grow with it."""
    page = Paginator(rows, PAGE_SIZE).get_page(number)
    wanted = list(page.object_list)
    ids = defaultdict(list)
    for row in wanted:
        ids[row["src"]].append(row["row"])
    names = Names()
    makers = {}
    for key, pks in ids.items():
        found = SOURCES[key].load(pks, names)
        makers.update({(key, pk): maker for pk, maker in found.items()})
    names.load()
    roles = roles_of([actor for actor, _ in makers.values() if actor is not None])
    events = [makers[(row["src"], row["row"])][1](roles) for row in wanted if (row["src"], row["row"]) in makers]
    return TrailPage(page=page, events=events)


# Finding a trainee or a certificate ---------------------------------------------------------------------------


def find_people(query: str) -> QuerySet:
    """People whose name, username or email contains every word of the query, by name."""
    people = get_user_model().objects.all()
    for word in query.split():
        people = people.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(username__icontains=word)
            | Q(email__icontains=word)
        )
    return people.order_by("last_name", "first_name", "username", "pk")


def find_certificates(query: str) -> list[Certificate]:
    """Certificates whose number contains the query, or whose verification code it is (at most CERTIFICATES_FOUND)."""
    query = query.strip()
    if not query:
        return []
    matches = Q(number__icontains=query)
    if code := normalise_code(query):
        matches |= Q(code=code)
    return list(Certificate.objects.filter(matches).select_related("programme").order_by("number")[:CERTIFICATES_FOUND])


def people_with_roles(people: list[AbstractBaseUser]) -> list[tuple[AbstractBaseUser, str]]:
    """Each person with their roles in words, in one query."""
    roles = roles_of(people)
    return [(person, roles.get(person.pk, "")) for person in people]


def person_certificates(*, person: AbstractBaseUser) -> list[Certificate]:
    """The person's certificates, newest first."""
    return list(Certificate.objects.filter(holder=person).select_related("programme").order_by("-issued_at", "-pk"))
