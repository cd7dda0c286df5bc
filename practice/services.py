"""Writes for the practice log: entries, submitting them in batches, review by supervisors, and reopening."""

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from lms.errors import ServiceError
from lms.kept_home import home_changed
from lms.mail import email_on_commit
from lms.names import display_name
from lms.roles import PROGRAMME_ADMIN, SUPERVISOR, has_role
from lms.signals import progress_recorded_on_commit
from practice import rules
from practice.entry_data import ENTRY_FIELDS, EntryData
from practice.models import (
    Attestation,
    Batch,
    PracticeEntry,
    SupervisorProfile,
)
from practice.privacy_screen import privacy_confirmation, privacy_problem
from practice.selectors import privacy_known_words
from practice.skills import SKILLS

Status = PracticeEntry.Status
Kind = PracticeEntry.Kind
ActivityType = PracticeEntry.ActivityType


class PracticeError(ServiceError):
    """A practice-log rule stopped the action.

    Codes: 'not_found', 'not_editable', 'submitted', 'nothing_to_submit', 'already_reviewed',
    'attestation_required', 'comment_required', 'own_entries', 'not_your_trainee', 'no_profile',
    'not_allowed', 'reason_required', 'not_approved', 'inactive_organisation', 'privacy', 'rubric_required',
    'signed_off', 'invalid' (see EntryInvalid).
    """


class EntryInvalid(PracticeError):
    """The entry breaks one or more rules; `problems` pairs each with the form field it belongs to."""

    def __init__(self, problems: list[tuple[str | None, rules.Problem]]):
        super().__init__("invalid", " ".join(problem.message for _, problem in problems))
        self.problems = problems

    @property
    def codes(self) -> list[str]:
        """The machine codes of every problem, in order."""
        return [problem.code for _, problem in self.problems]


def entry_problems(
    *, trainee: AbstractBaseUser, data: EntryData, entry: PracticeEntry | None = None, today: date | None = None
) -> list[tuple[str | None, rules.Problem]]:
    """Every rule a new or changed entry breaks, each with its form field; empty when it may be saved.

    Checks the assignment belongs to the trainee and covers the date, the date is not in the future,
    the duration (quarter hours, above 0, at most 24 h, confirmation above 12 h in the entry or the day),
    the day's total (at most 24 h), overlaps with the trainee's other timed entries, and the privacy screen.
    """
    today = today or timezone.localdate()
    problems: list[tuple[str | None, rules.Problem]] = []
    if data.assignment.trainee_id != trainee.pk:
        return [("assignment", rules.Problem("not_your_assignment", "Choose one of your own placements."))]
    date_problem = rules.date_problem(data.performed_on, today=today) or rules.assignment_problem(
        data.performed_on, starts=data.assignment.starts_on, ends=data.assignment.ends_on
    )
    if date_problem:
        problems.append(("performed_on", date_problem))
    if problem := rules.duration_problem(data.minutes, confirmed=data.long_day_confirmed):
        problems.append(("long_day_confirmed" if problem.code == "needs_confirmation" else "minutes", problem))
    elif date_problem is None:  # the neighbouring days exist, so the day's other entries can be read
        nearby = PracticeEntry.objects.filter(
            trainee=trainee,
            performed_on__range=(data.performed_on - timedelta(days=1), data.performed_on + timedelta(days=1)),
        ).exclude(status=Status.DECLINED)  # a group session the trainee said they weren't at takes no time
        if entry is not None and entry.pk:
            nearby = nearby.exclude(pk=entry.pk)
        others = list(nearby.values_list("performed_on", "start_time", "minutes", "pk"))
        minutes_already = sum(minutes for day, _, minutes, _ in others if day == data.performed_on)
        if problem := rules.day_total_problem(minutes_already=minutes_already, minutes=data.minutes):
            problems.append(("minutes", problem))
        elif problem := rules.long_day_problem(
            minutes_already=minutes_already, minutes=data.minutes, confirmed=data.long_day_confirmed
        ):
            problems.append(("long_day_confirmed", problem))
        if problem := rules.overlap_problem(
            day=data.performed_on, start=data.start_time, minutes=data.minutes, others=others
        ):
            problems.append(("start_time", problem))
    if data.kind == Kind.PRACTICE and data.activity_type == ActivityType.SKILLS_CHECK and data.skill not in SKILLS:
        problems.append(("skill", rules.Problem("skill_required", "Choose the skill the role-play practised.")))
    text_field = "topics" if data.kind == Kind.SUPERVISION else "reflection"
    known = privacy_known_words(trainee=trainee)
    if problem := privacy_problem(getattr(data, text_field), known=known, confirmed_reason=data.privacy_reason):
        problems.append(("privacy_reason" if problem.code == "privacy_reason" else text_field, problem))
    return problems


def _set_entries(entries: list[PracticeEntry], *, by: AbstractBaseUser, reason: str, when, **changes) -> None:
    """Give every entry the same changes in one update, with one history record each naming who, when and why."""
    for entry in entries:
        for name, value in changes.items():
            setattr(entry, name, value)
    bulk_update_with_history(
        entries, PracticeEntry, list(changes), default_user=by, default_change_reason=reason, default_date=when
    )
    home_changed(*{entry.trainee_id for entry in entries})  # a bulk update sends no signal


def _lock_user(user: AbstractBaseUser) -> None:
    """Serialise one trainee's writes, so two saves can't both fit into the same 24 hours."""
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()


def _kind_fields(data: EntryData, *, trainee: AbstractBaseUser) -> dict:
    values = {name: getattr(data, name) for name in ENTRY_FIELDS}
    text = data.topics if data.kind == Kind.SUPERVISION else data.reflection
    values["privacy_confirmation"] = privacy_confirmation(
        text, known=privacy_known_words(trainee=trainee), reason=data.privacy_reason
    )
    if data.kind == Kind.SUPERVISION:
        values.update(activity_type="", contact="", skill="", setting="", reflection="")
    else:
        values.update(session_format="", topics="")
        if data.activity_type == ActivityType.SKILLS_CHECK:
            values["contact"] = PracticeEntry.Contact.INDIRECT  # a role-play is practice around the work
        else:
            values["skill"] = ""
    return values


def _with_confirmation(reason: str, entry: PracticeEntry) -> str:
    if not entry.privacy_confirmation:
        return reason
    return f"{reason}. Privacy check confirmed by the trainee: {entry.privacy_confirmation}"


@transaction.atomic
def entry_create(*, trainee: AbstractBaseUser, data: EntryData, today: date | None = None) -> PracticeEntry:
    """Save a new draft entry for the trainee.

    Raises EntryInvalid (code 'invalid') listing every rule it breaks; nothing is saved then.
    """
    _lock_user(trainee)
    if problems := entry_problems(trainee=trainee, data=data, today=today):
        raise EntryInvalid(problems)
    entry = PracticeEntry(trainee=trainee, status=Status.DRAFT, **_kind_fields(data, trainee=trainee))
    entry._history_user = trainee
    entry._change_reason = _with_confirmation("Created", entry)
    entry.save()
    if data.kind == Kind.PRACTICE:
        entry.domains.set(data.domains)
    return entry


NOT_EDITABLE = {
    Status.SUBMITTED: "This entry is waiting for your supervisor. Withdraw its batch first if you need to change it.",
    Status.APPROVED: "This entry has been approved, so it can no longer be changed.",
    Status.TO_CONFIRM: "Your supervisor logged this group session: confirm it, or say you weren't there.",
    Status.DECLINED: "You said you weren't at this group session, so it stays as it is, for the record.",
}
"""Why an entry that is neither a draft nor returned can't be changed or deleted, by its status."""


def _own_entry_for_update(*, trainee: AbstractBaseUser, entry_id: int) -> PracticeEntry:
    entry = PracticeEntry.objects.select_for_update().filter(pk=entry_id, trainee=trainee).first()
    if entry is None:
        raise PracticeError("not_found", "That entry doesn't exist.")
    if entry.status == Status.SUBMITTED:
        raise PracticeError("submitted", NOT_EDITABLE[Status.SUBMITTED])
    if not entry.is_editable:
        raise PracticeError("not_editable", NOT_EDITABLE[entry.status])
    return entry


@transaction.atomic
def entry_update(
    *, trainee: AbstractBaseUser, entry_id: int, data: EntryData, today: date | None = None
) -> PracticeEntry:
    """Change a draft or returned entry of the trainee's; returned entries stay returned until resubmitted.

    Raises PracticeError 'not_found' (not theirs), 'submitted' (waiting for review), 'not_editable'
    (approved), or EntryInvalid.
    """
    _lock_user(trainee)
    entry = _own_entry_for_update(trainee=trainee, entry_id=entry_id)
    if data.kind != entry.kind:
        raise PracticeError("not_found", "That entry doesn't exist.")
    if problems := entry_problems(trainee=trainee, data=data, entry=entry, today=today):
        raise EntryInvalid(problems)
    for name, value in _kind_fields(data, trainee=trainee).items():
        setattr(entry, name, value)
    entry.batch = None  # a returned entry leaves its old batch; resubmitting puts it in a new one
    entry._history_user = trainee
    entry._change_reason = _with_confirmation("Edited", entry)
    entry.save()
    if data.kind == Kind.PRACTICE:
        entry.domains.set(data.domains)
    return entry


SIGNED_OFF = (
    "A supervisor signed off this skills check before it was reopened, so it stays in your log for the record. "
    "Change it and send it again instead."
)


@transaction.atomic
def entry_delete(*, trainee: AbstractBaseUser, entry_id: int) -> None:
    """Delete a draft or returned entry of the trainee's; PracticeError as entry_update, or 'signed_off' (kept)."""
    entry = _own_entry_for_update(trainee=trainee, entry_id=entry_id)
    if entry.skills_sign_offs.exists():
        raise PracticeError("signed_off", SIGNED_OFF)
    entry._history_user = trainee
    entry._change_reason = "Deleted by the trainee"
    entry.delete()


@transaction.atomic
def entries_submit(*, trainee: AbstractBaseUser, entry_ids: list[int]) -> list[Batch]:
    """Send the trainee's chosen draft and returned entries for review: one batch per supervisor assignment.

    Each supervisor gets an email. Raises PracticeError('nothing_to_submit') when none of the ids is a draft
    or returned entry of the trainee's.
    """
    _lock_user(trainee)
    entries = list(
        PracticeEntry.objects.filter(trainee=trainee, pk__in=entry_ids, status__in=PracticeEntry.EDITABLE)
        .select_related("assignment__supervisor")
        .select_for_update(of=("self",))
        .order_by("performed_on", "pk")
    )
    if not entries:
        raise PracticeError("nothing_to_submit", "Choose at least one draft or returned entry to submit.")
    now = timezone.now()
    batches = []
    by_assignment: dict[int, list[PracticeEntry]] = {}
    for entry in entries:
        by_assignment.setdefault(entry.assignment_id, []).append(entry)
    for group in by_assignment.values():
        assignment = group[0].assignment
        batch = Batch(trainee=trainee, assignment=assignment, submitted_at=now)
        batch._history_user = trainee
        batch.save()
        _set_entries(group, by=trainee, reason="Submitted for review", when=now, status=Status.SUBMITTED, batch=batch)
        batches.append(batch)
        email_on_commit(
            template="practice/emails/batch_submitted",
            to=[assignment.supervisor.email],
            context={
                "supervisor_name": display_name(assignment.supervisor),
                "trainee_name": display_name(trainee),
                "count": len(group),
                "minutes": sum(entry.minutes for entry in group),
                "batch": batch,
            },
        )
    return batches


@transaction.atomic
def batch_withdraw(*, trainee: AbstractBaseUser, batch_id: int) -> Batch:
    """Take back a batch before the supervisor has reviewed any of it; its entries become drafts again.

    Raises PracticeError 'not_found' (not theirs) or 'already_reviewed'.
    """
    batch = Batch.objects.select_for_update().filter(pk=batch_id, trainee=trainee).first()
    if batch is None:
        raise PracticeError("not_found", "That batch doesn't exist.")
    entries = list(batch.entries.select_for_update())
    if batch.status != Batch.Status.SUBMITTED or any(entry.status != Status.SUBMITTED for entry in entries):
        raise PracticeError(
            "already_reviewed", "Your supervisor has already reviewed this batch, so it can't be withdrawn."
        )
    _set_entries(entries, by=trainee, reason="Withdrawn", when=timezone.now(), status=Status.DRAFT, batch=None)
    batch.status = Batch.Status.WITHDRAWN
    batch._history_user = trainee
    batch._change_reason = "Withdrawn by the trainee"
    batch.save()
    return batch


def _batch_for_review(*, supervisor: AbstractBaseUser, batch_id: int) -> Batch:
    batch = (
        Batch.objects.select_for_update(of=("self",))
        .select_related("assignment", "trainee")
        .filter(pk=batch_id)
        .first()
    )
    if batch is None:
        raise PracticeError("not_found", "That batch doesn't exist.")
    if batch.trainee_id == supervisor.pk:
        raise PracticeError("own_entries", "Nobody can approve or return their own entries.")
    if batch.assignment.supervisor_id != supervisor.pk or not has_role(supervisor, SUPERVISOR):
        raise PracticeError("not_your_trainee", "Only the supervisor this batch was sent to can review it.")
    return batch


def _entries_to_review(batch: Batch, entry_ids: list[int] | None) -> list[PracticeEntry]:
    entries = batch.entries.select_for_update().filter(status=Status.SUBMITTED).order_by("performed_on", "pk")
    if entry_ids is not None:
        entries = entries.filter(pk__in=entry_ids)
    found = list(entries)
    if not found:
        raise PracticeError("already_reviewed", "These entries have already been reviewed.")
    return found


def _close_if_done(batch: Batch, *, by: AbstractBaseUser) -> None:
    if not batch.entries.filter(status=Status.SUBMITTED).exists():
        batch.status = Batch.Status.REVIEWED
        batch._history_user = by
        batch._change_reason = "Reviewed"
        batch.save()


def _supervisor_profile(supervisor: AbstractBaseUser) -> SupervisorProfile:
    profile = SupervisorProfile.objects.filter(user=supervisor).first()
    if profile is None:
        raise PracticeError(
            "no_profile", "Add your qualification, credential number and jurisdiction before you sign off hours."
        )
    return profile


def _approve(
    batch: Batch, entries: list[PracticeEntry], *, supervisor: AbstractBaseUser, profile: SupervisorProfile
) -> Attestation:
    """Sign the attestation for these entries of the batch, mark them approved and email the trainee."""
    now = timezone.now()
    attestation = Attestation.objects.create(
        supervisor=supervisor,
        batch=batch,
        statement=Attestation.STATEMENT,
        signed_name=display_name(supervisor),
        credentials=f"{profile.qualification}, {profile.jurisdiction} {profile.credential_number}",
        signed_at=now,
    )
    _set_entries(
        entries,
        by=supervisor,
        reason=f"Approved: {Attestation.STATEMENT}",
        when=now,
        status=Status.APPROVED,
        attestation=attestation,
    )
    progress_recorded_on_commit(user=batch.trainee)
    email_on_commit(
        template="practice/emails/entries_approved",
        to=[batch.trainee.email],
        context={
            "trainee_name": display_name(batch.trainee),
            "supervisor_name": attestation.signed_name,
            "count": len(entries),
            "minutes": sum(entry.minutes for entry in entries),
        },
    )
    return attestation


def _return(batch: Batch, comments: dict[PracticeEntry, str], *, supervisor: AbstractBaseUser) -> None:
    """Send these entries back, each with its own comment kept on it and in its history; email the trainee once."""
    for entry, comment in comments.items():
        entry.status = Status.RETURNED
        entry.return_comment = comment
        entry._change_reason = f"Returned: {comment}"
    bulk_update_with_history(
        list(comments),
        PracticeEntry,
        ["status", "return_comment"],
        default_user=supervisor,
        default_date=timezone.now(),
    )
    home_changed(batch.trainee_id)  # a bulk update sends no signal
    email_on_commit(
        template="practice/emails/entries_returned",
        to=[batch.trainee.email],
        context={
            "trainee_name": display_name(batch.trainee),
            "supervisor_name": display_name(supervisor),
            "count": len(comments),
        },
    )


def checked_comment(comment: str) -> str:
    """The comment trimmed; PracticeError 'comment_required' when empty, 'privacy' when it identifies someone."""
    comment = rules.visible_text(comment)
    if not comment:
        raise PracticeError("comment_required", "Write a comment so the trainee knows what to change.")
    if problem := privacy_problem(comment):
        raise PracticeError("privacy", problem.message)
    return comment


@transaction.atomic
def entries_approve(
    *, supervisor: AbstractBaseUser, batch_id: int, attested: bool, entry_ids: list[int] | None = None
) -> Attestation:
    """Approve a batch (or the chosen entries in it) with the supervisor's attestation, name and time.

    Runs under a lock on the batch, so approving twice at once records one approval. The trainee is
    emailed. Raises PracticeError 'attestation_required', 'not_found', 'own_entries', 'not_your_trainee',
    'no_profile' (no qualification on record), 'already_reviewed', or 'rubric_required' (a skills check is among
    them: those are approved on the batch page, with the rubric; see practice.review).
    """
    if not attested:
        raise PracticeError("attestation_required", "Tick “I supervised these hours” to approve them.")
    batch = _batch_for_review(supervisor=supervisor, batch_id=batch_id)
    profile = _supervisor_profile(supervisor)
    entries = _entries_to_review(batch, entry_ids)
    if any(entry.is_skills_check for entry in entries):
        raise PracticeError(
            "rubric_required",
            f"The batch {display_name(batch.trainee)} sent on {batch.submitted_at:%-d %b %Y} holds a skills check, "
            "so it wasn't approved here: open it to tick what the role-play showed.",
        )
    attestation = _approve(batch, entries, supervisor=supervisor, profile=profile)
    _close_if_done(batch, by=supervisor)
    return attestation


@transaction.atomic
def entries_return(
    *, supervisor: AbstractBaseUser, batch_id: int, entry_ids: list[int], comment: str
) -> list[PracticeEntry]:
    """Send chosen entries of a batch back to the trainee with a comment saying what to change.

    The trainee is emailed (without the comment, which they read on the site). Raises PracticeError
    'comment_required', 'not_found', 'own_entries', 'not_your_trainee', 'already_reviewed', or 'privacy'
    when the comment identifies a person supported.
    """
    comment = checked_comment(comment)
    batch = _batch_for_review(supervisor=supervisor, batch_id=batch_id)
    entries = _entries_to_review(batch, entry_ids)
    _return(batch, dict.fromkeys(entries, comment), supervisor=supervisor)
    _close_if_done(batch, by=supervisor)
    return entries


@transaction.atomic
def entry_reopen(*, admin: AbstractBaseUser, entry_id: int, reason: str) -> PracticeEntry:
    """Reopen an approved entry so the trainee can correct it; the reason is kept in its history.

    The entry becomes 'returned' with the reason as its comment, and the trainee is emailed. Raises
    PracticeError 'not_allowed' (not a programme admin), 'reason_required', 'privacy' (the reason identifies a
    person supported), 'not_found' or 'not_approved'.
    """
    if not has_role(admin, PROGRAMME_ADMIN):
        raise PracticeError("not_allowed", "Only programme admins can reopen approved entries.")
    reason = reason.strip()
    if not reason:
        raise PracticeError("reason_required", "Give a reason for reopening this entry.")
    if problem := privacy_problem(reason):
        raise PracticeError("privacy", problem.message)
    entry = PracticeEntry.objects.select_for_update(of=("self",)).select_related("trainee").filter(pk=entry_id).first()
    if entry is None:
        raise PracticeError("not_found", "That entry doesn't exist.")
    if entry.status != Status.APPROVED:
        raise PracticeError("not_approved", "Only approved entries can be reopened.")
    entry.status = Status.RETURNED
    entry.attestation = None
    entry.return_comment = f"Reopened by a programme admin: {reason}"
    entry._history_user = admin
    entry._change_reason = f"Reopened: {reason}"
    entry.save()
    email_on_commit(
        template="practice/emails/entry_reopened",
        to=[entry.trainee.email],
        context={"trainee_name": display_name(entry.trainee), "entry": entry},
    )
    return entry
