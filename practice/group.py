"""Writes for group supervision: a supervisor logs one session for several trainees, and each trainee confirms it
(it then counts, as approved) or declines it with a reason.

Logging signs the supervisor's attestation at once (they ran the session), one per trainee, each in a batch of its
own, so every approved entry is attested and closing or exporting a trainee's account finds their sign-offs as for
any other entry. The trainee's "Confirm" is what makes their entry approved.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from lms.mail import email_on_commit
from lms.names import display_name
from lms.roles import SUPERVISOR, has_role
from lms.signals import progress_recorded_on_commit
from practice import rules
from practice.group_selectors import current_assignments
from practice.models import Attestation, Batch, GroupSession, PracticeEntry, SupervisorAssignment
from practice.privacy_screen import privacy_confirmation, privacy_problem
from practice.selectors import privacy_known_words
from practice.services import EntryInvalid, PracticeError, _lock_user, _supervisor_profile

Status = PracticeEntry.Status
Kind = PracticeEntry.Kind
DECLINE_REASON_LENGTH = 300


@dataclass
class GroupSessionData:
    """What a supervisor types into the group session form."""

    trainee_ids: list[int]
    performed_on: date
    minutes: int
    delivery: str
    topics: str
    start_time: time | None = None
    long_day_confirmed: bool = False
    privacy_reason: str = ""


def _assignments_by_trainee(*, supervisor, trainee_ids: list[int], today: date) -> dict[int, list]:
    found: dict[int, list] = {}
    rows = current_assignments(supervisor=supervisor, today=today).filter(trainee_id__in=trainee_ids)
    for assignment in rows.select_related("trainee", "organisation").order_by("-starts_on", "-pk"):
        found.setdefault(assignment.trainee_id, []).append(assignment)
    return found


def _overlap_message(name: str, problem: rules.Problem, others: list[tuple]) -> str:
    other = next((row for row in others if row[3] == problem.entry_id), None)
    if other is None:  # pragma: no cover - the problem always names one of `others`
        return f"For {name}: {problem.message}"
    begin = datetime.combine(other[0], other[1])
    end = begin + timedelta(minutes=other[2])
    return (
        f"{name} already has an entry from {begin:%H:%M} to {end:%H:%M} on {begin:%-d %b %Y}, which overlaps this "
        f"session. Check the time, or leave {name} out and ask them to log it themselves."
    )


def _trainee_problems(supervisor, data: GroupSessionData, chosen: dict[int, SupervisorAssignment]) -> list:
    """Each chosen trainee's day, as far as this supervisor may see it (their entries sent to them, and the sessions
    they logged): the session must not take it past 24 hours, overlap a timed entry or repeat a session already
    logged for them that day. The trainee's confirmation checks the rest of their day (drafts, other supervisors).
    """
    problems = []
    nearby: dict[int, list[tuple]] = {trainee_id: [] for trainee_id in chosen}
    rows = (
        PracticeEntry.objects.filter(
            trainee_id__in=list(chosen),
            assignment__supervisor=supervisor,  # what the supervisor has seen: the trainee's confirmation checks all
            performed_on__range=(data.performed_on - timedelta(days=1), data.performed_on + timedelta(days=1)),
        )
        .exclude(status__in=[Status.DECLINED, Status.DRAFT])
        .values_list("trainee_id", "performed_on", "start_time", "minutes", "pk")
    )
    for trainee_id, *row in rows:
        nearby[trainee_id].append(tuple(row))
    repeated = set(
        PracticeEntry.objects.filter(
            trainee_id__in=list(chosen),
            group_session__supervisor=supervisor,
            group_session__performed_on=data.performed_on,
            group_session__start_time=data.start_time,
        )
        .exclude(status=Status.DECLINED)
        .values_list("trainee_id", flat=True)
    )
    for trainee_id, assignment in chosen.items():
        name = display_name(assignment.trainee)
        others = nearby[trainee_id]
        already = sum(minutes for day, _, minutes, _ in others if day == data.performed_on)
        if rules.day_total_problem(minutes_already=already, minutes=data.minutes):
            message = (
                f"{name} has already logged {already / 60:g} hours on this day, so this session would take it "
                "past 24 hours."
            )
            problems.append(("minutes", rules.Problem("day_over_24h", message)))
        if problem := rules.overlap_problem(
            day=data.performed_on, start=data.start_time, minutes=data.minutes, others=others
        ):
            problems.append(("start_time", rules.Problem("overlap", _overlap_message(name, problem, others))))
        elif trainee_id in repeated:
            message = (
                f"You've already logged a group session for {name} on {data.performed_on:%-d %b %Y}"
                f"{'' if data.start_time is None else f' at {data.start_time:%H:%M}'}. Open it from your list of "
                "sessions rather than logging it again."
            )
            problems.append(("performed_on", rules.Problem("repeated", message)))
    return problems


def _known_words(supervisor: AbstractBaseUser, chosen: dict[int, SupervisorAssignment]) -> frozenset[str]:
    """Names the supervisor may write freely: their own, their trainees' in the session, and their placements."""
    people = [supervisor.first_name, supervisor.last_name]
    for assignment in chosen.values():
        people += [assignment.trainee.first_name, assignment.trainee.last_name]
    places = [assignment.organisation.name for assignment in chosen.values()]
    return rules.known_words([name for name in people if name], places=places)


def group_session_problems(
    *, supervisor: AbstractBaseUser, data: GroupSessionData, today: date | None = None
) -> tuple[list, dict[int, SupervisorAssignment]]:
    """Every rule a group session breaks, each with its form field, and the assignment chosen for each trainee.

    Raises PracticeError 'not_allowed' (not a supervisor), 'nobody_chosen', 'own_entries' (the supervisor among
    the trainees) or 'not_your_trainee' (someone they don't supervise now).
    """
    today = today or timezone.localdate()
    if not has_role(supervisor, SUPERVISOR):
        raise PracticeError("not_allowed", "Only supervisors can log group supervision sessions.")
    trainee_ids = list(dict.fromkeys(data.trainee_ids))
    if not trainee_ids:
        raise PracticeError("nobody_chosen", "Choose the trainees who were at the session.")
    if supervisor.pk in trainee_ids:
        raise PracticeError("own_entries", "You can't include yourself: the session is logged for your trainees.")
    assignments = _assignments_by_trainee(supervisor=supervisor, trainee_ids=trainee_ids, today=today)
    if set(trainee_ids) - set(assignments):
        raise PracticeError(
            "not_your_trainee", "You can only include trainees you supervise now. Check the list and try again."
        )
    problems: list[tuple[str | None, rules.Problem]] = []
    chosen: dict[int, SupervisorAssignment] = {}
    date_problem = rules.date_problem(data.performed_on, today=today)
    if date_problem:
        problems.append(("performed_on", date_problem))
    for trainee_id in trainee_ids:
        covering = [
            assignment
            for assignment in assignments[trainee_id]
            if rules.assignment_problem(data.performed_on, starts=assignment.starts_on, ends=assignment.ends_on) is None
        ]
        if covering:
            chosen[trainee_id] = covering[0]
        elif date_problem is None:
            first = assignments[trainee_id][-1]
            name = display_name(first.trainee)
            message = f"You supervise {name} from {first.starts_on:%-d %b %Y}, and this date falls before that."
            problems.append(("performed_on", rules.Problem("outside_assignment", message)))
    if problem := rules.duration_problem(data.minutes, confirmed=data.long_day_confirmed):
        problems.append(("long_day_confirmed" if problem.code == "needs_confirmation" else "minutes", problem))
    elif not problems:
        problems += _trainee_problems(supervisor, data, chosen)
    known = _known_words(supervisor, chosen)
    if problem := privacy_problem(data.topics, known=known, confirmed_reason=data.privacy_reason):
        problems.append(("privacy_reason" if problem.code == "privacy_reason" else "topics", problem))
    return problems, chosen


@transaction.atomic
def group_session_create(*, supervisor: AbstractBaseUser, data: GroupSessionData, today: date | None = None):
    """Log a group supervision session: one entry per trainee, each waiting for that trainee to confirm it.

    The supervisor's attestation is signed now, in a batch of its own per trainee (already reviewed: nothing goes
    to the review queue). Each trainee is emailed. Raises PracticeError as group_session_problems does,
    'no_profile' (no qualification on record), or EntryInvalid (code 'invalid') listing every rule it breaks.
    """
    if not has_role(supervisor, SUPERVISOR):
        raise PracticeError("not_allowed", "Only supervisors can log group supervision sessions.")
    profile = _supervisor_profile(supervisor)
    # Serialise each trainee's writes, as their own saves do, so nothing else fits into the same hours meanwhile.
    list(get_user_model().objects.select_for_update().filter(pk__in=data.trainee_ids).order_by("pk").values("pk"))
    problems, chosen = group_session_problems(supervisor=supervisor, data=data, today=today)
    if problems:
        raise EntryInvalid(problems)
    now = timezone.now()
    signed_name = display_name(supervisor)
    known = _known_words(supervisor, chosen)
    session = GroupSession(
        supervisor=supervisor,
        performed_on=data.performed_on,
        start_time=data.start_time,
        minutes=data.minutes,
        delivery=data.delivery,
        topics=rules.visible_text(data.topics),
        privacy_confirmation=privacy_confirmation(data.topics, known=known, reason=data.privacy_reason),
    )
    session._history_user = supervisor
    session._change_reason = f"Logged for {len(chosen)} trainee{'s' if len(chosen) != 1 else ''}"
    session.save()
    for assignment in chosen.values():
        trainee = assignment.trainee
        batch = Batch(trainee=trainee, assignment=assignment, status=Batch.Status.REVIEWED, submitted_at=now)
        batch._history_user = supervisor
        batch._change_reason = "Group session logged by the supervisor, attested at logging"
        batch.save()
        attestation = Attestation.objects.create(
            supervisor=supervisor,
            batch=batch,
            group_session=session,
            statement=Attestation.STATEMENT,
            signed_name=signed_name,
            credentials=f"{profile.qualification}, {profile.jurisdiction} {profile.credential_number}",
            signed_at=now,
        )
        entry = PracticeEntry(
            trainee=trainee,
            assignment=assignment,
            kind=Kind.SUPERVISION,
            session_format=PracticeEntry.SessionFormat.GROUP,
            performed_on=session.performed_on,
            start_time=session.start_time,
            minutes=session.minutes,
            long_day_confirmed=data.long_day_confirmed,
            delivery=session.delivery,
            topics=session.topics,
            privacy_confirmation=session.privacy_confirmation,
            status=Status.TO_CONFIRM,
            batch=batch,
            attestation=attestation,
            group_session=session,
        )
        entry._history_user = supervisor
        entry._change_reason = f"Group session logged by {signed_name}, waiting for the trainee to confirm it"
        entry.save()
        email_on_commit(
            template="practice/emails/group_session_logged",
            to=[trainee.email],
            context={
                "trainee_name": display_name(trainee),
                "supervisor_name": signed_name,
                "session": session,
                "url": reverse("practice_group_entry", args=[session.pk]),
            },
        )
    return session


def _entry_to_answer(*, trainee: AbstractBaseUser, entry_id: int) -> PracticeEntry:
    entry = (
        PracticeEntry.objects.select_for_update(of=("self",))
        .select_related("group_session__supervisor")
        .filter(pk=entry_id, trainee=trainee, group_session__isnull=False)
        .first()
    )
    if entry is None:
        raise PracticeError("not_found", "That group session doesn't exist.")
    if entry.status == Status.DECLINED:
        raise PracticeError("already_answered", "You've already said you weren't at this session.")
    if entry.status != Status.TO_CONFIRM:
        raise PracticeError("already_answered", "You've already confirmed this session.")
    return entry


def confirm_problems(*, trainee: AbstractBaseUser, entry: PracticeEntry, long_day_confirmed: bool) -> list:
    """What stops the trainee confirming: their day past 24 hours, an overlap, or a long day not yet confirmed."""
    others = list(
        PracticeEntry.objects.filter(
            trainee=trainee,
            performed_on__range=(entry.performed_on - timedelta(days=1), entry.performed_on + timedelta(days=1)),
        )
        .exclude(pk=entry.pk)
        .exclude(status=Status.DECLINED)
        .values_list("performed_on", "start_time", "minutes", "pk")
    )
    already = sum(minutes for day, _, minutes, _ in others if day == entry.performed_on)
    problems = []
    if problem := rules.day_total_problem(minutes_already=already, minutes=entry.minutes):
        problems.append(("minutes", problem))
    elif problem := rules.long_day_problem(
        minutes_already=already, minutes=entry.minutes, confirmed=long_day_confirmed or entry.long_day_confirmed
    ):
        problems.append(("long_day_confirmed", problem))
    if problem := rules.overlap_problem(
        day=entry.performed_on, start=entry.start_time, minutes=entry.minutes, others=others
    ):
        problems.append(("start_time", problem))
    return problems


@transaction.atomic
def group_entry_confirm(*, trainee: AbstractBaseUser, entry_id: int, long_day_confirmed: bool = False) -> PracticeEntry:
    """The trainee confirms they were at a group session: their entry becomes approved and counts.

    Raises PracticeError 'not_found' (not their entry, or not a group session), 'already_answered', or EntryInvalid
    when it would take their day past 24 hours, overlaps another timed entry of theirs, or makes a day above 12
    hours that they haven't confirmed.
    """
    _lock_user(trainee)
    entry = _entry_to_answer(trainee=trainee, entry_id=entry_id)
    if problems := confirm_problems(trainee=trainee, entry=entry, long_day_confirmed=long_day_confirmed):
        raise EntryInvalid(problems)
    entry.status = Status.APPROVED
    entry.long_day_confirmed = entry.long_day_confirmed or long_day_confirmed
    entry._history_user = trainee
    entry._change_reason = f"Confirmed by the trainee: I was at this group session. {Attestation.STATEMENT}"
    entry.save()
    progress_recorded_on_commit(user=trainee)
    return entry


def checked_decline_reason(*, trainee: AbstractBaseUser, reason: str) -> str:
    """The reason trimmed; PracticeError 'reason_required', 'too_long' or 'privacy' (it identifies someone)."""
    reason = rules.visible_text(reason)
    if not reason:
        raise PracticeError("reason_required", "Say in a few words why, so your supervisor knows.")
    if len(reason) > DECLINE_REASON_LENGTH:
        raise PracticeError("too_long", f"Keep the reason to {DECLINE_REASON_LENGTH} characters.")
    if problem := privacy_problem(reason, known=privacy_known_words(trainee=trainee)):
        raise PracticeError("privacy", problem.message)
    return reason


@transaction.atomic
def group_entry_decline(*, trainee: AbstractBaseUser, entry_id: int, reason: str) -> PracticeEntry:
    """The trainee says they weren't at a group session: their entry is declined and never counts.

    The supervisor's signature no longer backs it (the attestation stays, with the session, for the record), and
    the supervisor is emailed (without the reason, which they read on the site). Raises PracticeError
    'reason_required', 'too_long', 'privacy', 'not_found' or 'already_answered'.
    """
    reason = checked_decline_reason(trainee=trainee, reason=reason)
    entry = _entry_to_answer(trainee=trainee, entry_id=entry_id)
    entry.status = Status.DECLINED
    entry.decline_reason = reason
    entry.attestation = None
    entry._history_user = trainee
    entry._change_reason = f"Declined: {reason}"
    entry.save()
    session = entry.group_session
    email_on_commit(
        template="practice/emails/group_session_declined",
        to=[session.supervisor.email],
        context={
            "supervisor_name": display_name(session.supervisor),
            "trainee_name": display_name(trainee),
            "session": session,
            "url": reverse("practice_review_group_session", args=[session.pk]),
        },
    )
    return entry
