"""Reads for group supervision: whom a supervisor may include, the sessions they logged, what a trainee confirms."""

from datetime import date

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Count, Prefetch, Q, QuerySet

from lms.names import display_name
from lms.roles import TRAINEE
from practice.models import GroupSession, PracticeEntry, SupervisorAssignment

Status = PracticeEntry.Status


def current_assignments(*, supervisor: AbstractBaseUser, today: date) -> QuerySet:
    """The supervisor's assignments running today, with active trainees: whom they may include in a group session."""
    return SupervisorAssignment.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today),
        supervisor=supervisor,
        starts_on__lte=today,
        trainee__is_active=True,
        trainee__groups__name=TRAINEE,
    ).exclude(trainee=supervisor)


def trainee_choices(*, supervisor: AbstractBaseUser, today: date) -> tuple[list[tuple[int, str]], list[str]]:
    """(id, name) of each trainee the supervisor supervises today, by name, and their placements, in one query."""
    rows = list(current_assignments(supervisor=supervisor, today=today).select_related("trainee", "organisation"))
    names = {assignment.trainee_id: display_name(assignment.trainee) for assignment in rows}
    places = sorted({assignment.organisation.name for assignment in rows})
    return sorted(names.items(), key=lambda item: (item[1].lower(), item[0])), places


def _with_entries(sessions: QuerySet) -> QuerySet:
    entries = PracticeEntry.objects.select_related("trainee").order_by(
        "trainee__last_name", "trainee__first_name", "pk"
    )
    return sessions.prefetch_related(Prefetch("entries", queryset=entries)).annotate(
        confirmed=Count("entries", filter=Q(entries__status=Status.APPROVED)),
        to_confirm=Count("entries", filter=Q(entries__status=Status.TO_CONFIRM)),
        declined=Count("entries", filter=Q(entries__status=Status.DECLINED)),
    )


def group_sessions_logged(*, supervisor: AbstractBaseUser) -> QuerySet:
    """The group sessions this supervisor logged, newest first, each with its trainees' entries and answers."""
    return _with_entries(GroupSession.objects.filter(supervisor=supervisor)).order_by(
        "-performed_on", "-start_time", "-pk"
    )


def group_session_for_supervisor(*, supervisor: AbstractBaseUser, session_id: int) -> GroupSession | None:
    """One group session this supervisor logged, with its entries; None for anyone else's."""
    return _with_entries(GroupSession.objects.filter(pk=session_id, supervisor=supervisor)).first()


def group_entry_for_trainee(*, trainee: AbstractBaseUser, session_id: int) -> PracticeEntry | None:
    """The trainee's own entry for a group session; None when they weren't included."""
    return (
        PracticeEntry.objects.filter(group_session_id=session_id, trainee=trainee)
        .select_related("group_session__supervisor", "assignment__organisation", "attestation")
        .first()
    )


def group_entries_to_confirm(*, trainee: AbstractBaseUser) -> QuerySet:
    """The trainee's group sessions waiting for them to confirm, oldest first."""
    return (
        PracticeEntry.objects.filter(trainee=trainee, status=Status.TO_CONFIRM)
        .select_related("group_session__supervisor")
        .order_by("performed_on", "start_time", "pk")
    )
