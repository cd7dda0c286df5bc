"""Reads for the practice log: a trainee's entries and totals, a supervisor's queue, and hours summaries."""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum

from content.models import CompetencyDomain
from lms.names import display_name
from lms.roles import SUPERVISOR
from practice.models import Batch, PracticeEntry, SupervisorAssignment, SupervisorRequest
from practice.rules import known_words
from practice.targets import HourTargets
from practice.totals import APPROVED, PENDING, HoursTotals, sum_columns, totals_from

Status = PracticeEntry.Status
Kind = PracticeEntry.Kind


@dataclass(frozen=True)
class EntryFilters:
    """What the trainee narrowed the list to; empty values mean 'any'."""

    status: str = ""
    kind: str = ""
    activity_type: str = ""
    contact: str = ""
    domain: str = ""
    date_from: date | None = None
    date_to: date | None = None


def entries_for_list(queryset: QuerySet) -> QuerySet:
    """Join what a list of entries shows, so a page costs the same whatever its length."""
    return queryset.select_related(
        "assignment__organisation", "assignment__supervisor", "attestation"
    ).prefetch_related(Prefetch("domains", queryset=CompetencyDomain.objects.order_by("sort_order", "name")))


def _filters_q(filters: EntryFilters) -> Q:
    """The filters as one condition on entries (a domain through Exists, so it joins nothing)."""
    condition = Q()
    for name in ("status", "kind", "activity_type", "contact"):
        if value := getattr(filters, name):
            condition &= Q(**{name: value})
    if filters.domain:
        tagged = PracticeEntry.domains.through.objects.filter(
            practiceentry_id=OuterRef("pk"), competencydomain__slug=filters.domain
        )
        condition &= Q(Exists(tagged))
    if filters.date_from:
        condition &= Q(performed_on__gte=filters.date_from)
    if filters.date_to:
        condition &= Q(performed_on__lte=filters.date_to)
    return condition


def trainee_entries(*, trainee: AbstractBaseUser, filters: EntryFilters | None = None) -> QuerySet:
    """The trainee's own entries, newest first, narrowed by the filters."""
    queryset = PracticeEntry.objects.filter(_filters_q(filters or EntryFilters()), trainee=trainee)
    return entries_for_list(queryset).order_by("-performed_on", "-start_time", "-pk")


@dataclass(frozen=True)
class PracticeLogSummary:
    """What the practice log counts: the totals, the entries the filters keep, and those ready to send."""

    totals: HoursTotals
    filtered_count: int
    ready_count: int
    entry_count: int = 0
    to_confirm_count: int = 0


def practice_log_summary(
    *, trainee: AbstractBaseUser, filters: EntryFilters, targets: HourTargets, domains: list[CompetencyDomain]
) -> PracticeLogSummary:
    """The trainee's totals, how many entries there are, how many the filters keep, how many are ready to send and
    how many group sessions wait for them to confirm, in one aggregate."""
    condition = _filters_q(filters)
    sums = PracticeEntry.objects.filter(trainee=trainee).aggregate(
        **sum_columns(domains),
        entry_count=Count("pk"),
        filtered_count=Count("pk", filter=condition) if condition else Count("pk"),
        ready_count=Count("pk", filter=Q(status__in=PracticeEntry.EDITABLE)),
        to_confirm_count=Count("pk", filter=Q(status=PracticeEntry.Status.TO_CONFIRM)),
    )
    return PracticeLogSummary(
        totals=totals_from(sums, domains, targets),
        filtered_count=sums["filtered_count"],
        ready_count=sums["ready_count"],
        entry_count=sums["entry_count"],
        to_confirm_count=sums["to_confirm_count"],
    )


def ready_to_submit(*, trainee: AbstractBaseUser) -> QuerySet:
    """The trainee's draft and returned entries, oldest first, which they can send for review."""
    return entries_for_list(PracticeEntry.objects.filter(trainee=trainee, status__in=PracticeEntry.EDITABLE)).order_by(
        "assignment_id", "performed_on", "start_time", "pk"
    )


def open_batches(*, trainee: AbstractBaseUser) -> QuerySet:
    """The trainee's batches still waiting for review, with what they hold."""
    return (
        Batch.objects.filter(trainee=trainee, status=Batch.Status.SUBMITTED)
        .select_related("assignment__supervisor", "assignment__organisation")
        .annotate(
            entry_count=Count("entries"),
            minutes=Sum("entries__minutes", default=0),
            reviewed=Count("entries", filter=~Q(entries__status=Status.SUBMITTED)),
        )
        .order_by("submitted_at")
    )


def review_queue(*, supervisor: AbstractBaseUser) -> QuerySet:
    """Batches sent to this supervisor and still waiting, oldest first, with their entry counts and hours.

    Found through the supervisor's assignments (index on assignment and status), so the cost follows this
    supervisor's batches, not everyone's: joined the other way, SQLite reads every waiting batch on the site.
    """
    waiting = Q(entries__status=Status.SUBMITTED)
    assignments = SupervisorAssignment.objects.filter(supervisor=supervisor).values("pk")
    return (
        Batch.objects.filter(status=Batch.Status.SUBMITTED, assignment__in=assignments)
        .select_related("trainee", "assignment__organisation")
        .annotate(
            entry_count=Count("entries", filter=waiting),
            minutes=Sum("entries__minutes", filter=waiting, default=0),
        )
        .order_by("submitted_at", "pk")
    )


def supervisee_totals(*, supervisor: AbstractBaseUser, on: date) -> list[dict]:
    """Each trainee this supervisor supervises, with the hours logged under them: approved, waiting, supervision.

    `current` says whether they supervise them on the day (or have a batch of theirs waiting): only then may they
    open the trainee's progress and downloads.
    """
    current = SupervisorAssignment.objects.filter(supervisor=supervisor, trainee=OuterRef("trainee")).filter(
        _not_ended(on) | Exists(Batch.objects.filter(assignment=OuterRef("pk"), status=Batch.Status.SUBMITTED))
    )
    rows = (
        PracticeEntry.objects.filter(assignment__supervisor=supervisor)
        .values("trainee", "trainee__first_name", "trainee__last_name", "trainee__username")
        .annotate(
            current=Exists(current),
            practice_approved=Sum("minutes", filter=APPROVED & Q(kind=Kind.PRACTICE), default=0),
            supervision_approved=Sum("minutes", filter=APPROVED & Q(kind=Kind.SUPERVISION), default=0),
            waiting=Sum("minutes", filter=PENDING, default=0),
        )
        .order_by("trainee__last_name", "trainee__first_name", "trainee__username")
    )
    return [
        {
            "trainee_id": row["trainee"],
            "name": f"{row['trainee__first_name']} {row['trainee__last_name']}".strip() or row["trainee__username"],
            "practice_minutes": row["practice_approved"],
            "supervision_minutes": row["supervision_approved"],
            "waiting_minutes": row["waiting"],
            "current": row["current"],
        }
        for row in rows
    ]


def _not_ended(on: date) -> Q:
    """Assignments that haven't ended by the day (those starting later included)."""
    return Q(ends_on__isnull=True) | Q(ends_on__gte=on)


def supervised_trainee(*, supervisor: AbstractBaseUser, trainee_id: int, on: date):
    """(trainee, this supervisor's assignments with them) if they supervise them now or a batch of theirs waits.

    None otherwise: once an assignment has ended and its last batch is reviewed, the former supervisor no longer
    sees the trainee's progress or hours.
    """
    assignments = SupervisorAssignment.objects.filter(supervisor=supervisor, trainee_id=trainee_id)
    waiting = Batch.objects.filter(assignment__in=assignments, status=Batch.Status.SUBMITTED)
    first = (
        assignments.filter(Q(_not_ended(on)) | Q(Exists(waiting)))
        .select_related("trainee")
        .order_by("-starts_on", "-pk")
        .first()
    )
    return None if first is None else (first.trainee, assignments)


def batch_for_supervisor(*, supervisor: AbstractBaseUser, batch_id: int) -> Batch | None:
    """A batch sent to this supervisor, or None for anyone else's."""
    return (
        Batch.objects.filter(pk=batch_id, assignment__supervisor=supervisor)
        .select_related("trainee", "assignment__organisation")
        .first()
    )


def approved_entries(*, trainee: AbstractBaseUser, assignments: QuerySet | None = None) -> QuerySet:
    """The trainee's approved entries, oldest first, with their attestations (for CSV and PDF)."""
    queryset = PracticeEntry.objects.filter(trainee=trainee, status=Status.APPROVED)
    if assignments is not None:
        queryset = queryset.filter(assignment__in=assignments)
    return entries_for_list(queryset).order_by("performed_on", "start_time", "pk")


def assignments_for_trainee(*, trainee: AbstractBaseUser) -> QuerySet:
    """The trainee's supervisor assignments, newest first, for the entry form."""
    return SupervisorAssignment.objects.filter(trainee=trainee).select_related("supervisor", "organisation")


def active_assignments(*, trainee: AbstractBaseUser, on: date) -> QuerySet:
    """The trainee's assignments not ended by the day (open-ended, ending on it or later, or yet to start)."""
    return SupervisorAssignment.objects.filter(trainee=trainee).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))


def privacy_known_words(*, trainee: AbstractBaseUser) -> frozenset[str]:
    """Words of names the privacy screen lets the trainee write: their own, their placements' and supervisors'."""
    rows = SupervisorAssignment.objects.filter(trainee=trainee).values_list(
        "organisation__name", "supervisor__first_name", "supervisor__last_name"
    )
    people = [trainee.first_name, trainee.last_name, *(name for row in rows for name in row[1:])]
    return known_words([name for name in people if name], places=[row[0] for row in rows])


def entry_history(*, entry: PracticeEntry) -> list[dict]:
    """What happened to an entry, oldest first: each change with who made it, when and why."""
    records = entry.history.select_related("history_user").order_by("history_date", "history_id")
    return [
        {
            "when": record.history_date,
            "who": display_name(record.history_user) if record.history_user else "System",
            "status": record.get_status_display(),
            "reason": record.history_change_reason or "",
        }
        for record in records
    ]


# The signed-in home: what waits for a trainee or a supervisor ---------------------------------------------------


@dataclass(frozen=True)
class TraineeEntryCounts:
    """How many of a trainee's entries were returned to fix, wait for review, are drafts not sent yet, or are group
    sessions a supervisor logged for them to confirm."""

    returned: int
    waiting: int
    drafts: int
    to_confirm: int = 0


def trainee_entry_counts(*, trainee: AbstractBaseUser) -> TraineeEntryCounts:
    """The trainee's returned, waiting, draft and to-confirm entries, counted in one aggregate query."""
    counts = PracticeEntry.objects.filter(trainee=trainee).aggregate(
        returned=Count("pk", filter=Q(status=Status.RETURNED)),
        waiting=Count("pk", filter=Q(status=Status.SUBMITTED)),
        drafts=Count("pk", filter=Q(status=Status.DRAFT)),
        to_confirm=Count("pk", filter=Q(status=Status.TO_CONFIRM)),
    )
    return TraineeEntryCounts(**counts)


def review_waiting_count(*, supervisor: AbstractBaseUser) -> int:
    """How many batches wait for this supervisor's review (the review queue's length), in one query."""
    assignments = SupervisorAssignment.objects.filter(supervisor=supervisor).values("pk")
    return Batch.objects.filter(status=Batch.Status.SUBMITTED, assignment__in=assignments).count()


@dataclass(frozen=True)
class WaitingBatch:
    """A batch in a supervisor's queue, with its trainee's practice hours approved under this supervisor."""

    batch: Batch
    trainee_name: str
    approved_practice_minutes: int

    @property
    def approved_practice_hours(self) -> float:
        """The trainee's approved practice hours under this supervisor."""
        return self.approved_practice_minutes / 60


def review_queue_first(*, supervisor: AbstractBaseUser, limit: int) -> list[WaitingBatch]:
    """The oldest `limit` batches waiting for this supervisor, each with its trainee's approved practice hours.

    Two queries whatever the queue's length: the batches, then one sum per trainee shown, of the practice
    approved under this supervisor (a supervisor sees the hours they supervised, as on the review queue).
    """
    batches = list(review_queue(supervisor=supervisor)[:limit])
    if not batches:
        return []
    approved = dict(
        PracticeEntry.objects.filter(
            assignment__supervisor=supervisor,
            trainee__in={batch.trainee_id for batch in batches},
            kind=Kind.PRACTICE,
            status=Status.APPROVED,
        )
        .values("trainee")
        .annotate(total=Sum("minutes"))
        .values_list("trainee", "total")
        .order_by()
    )
    return [
        WaitingBatch(
            batch=batch,
            trainee_name=display_name(batch.trainee),
            approved_practice_minutes=approved.get(batch.trainee_id, 0),
        )
        for batch in batches
    ]


def open_supervisor_requests() -> QuerySet:
    """Trainees' requests for a supervisor still waiting for a programme admin, oldest first."""
    return (
        SupervisorRequest.objects.filter(status=SupervisorRequest.Status.OPEN)
        .select_related("trainee")
        .order_by("created_at", "pk")
    )


def supervisors_matching(*, search: str, limit: int = 20) -> list:
    """Active supervisors whose name, username or email contains every word of the search, by name."""
    people = get_user_model().objects.filter(groups__name=SUPERVISOR, is_active=True)
    for word in search.split():
        people = people.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(email__icontains=word)
            | Q(username__icontains=word)
        )
    return list(people.distinct().order_by("last_name", "first_name", "username")[:limit])
