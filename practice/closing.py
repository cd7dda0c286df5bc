"""What closing an account does to practice records: the trainee's log, their placements, a supervisor's profile."""

from datetime import date

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Exists, OuterRef, Q
from django.template.defaultfilters import pluralize

from lms.closing import Closer, ClosingContext, ClosingStop, closer_register, delete_history, delete_with_history
from practice.models import (
    Attestation,
    Batch,
    PracticeEntry,
    SkillsCheckSignOff,
    SupervisorAssignment,
    SupervisorProfile,
)

FREE_TEXT = {"reflection": "", "topics": "", "return_comment": "", "decline_reason": ""}
"""The words people wrote on a practice entry (the trainee's reflection, topics or reason for declining a group
session, the supervisor's comment)."""
REASONS_WITH_WORDS = ("Returned", "Reopened", "Declined")
"""History reasons that carry a comment after a colon ('Returned: …'): closing keeps the word and drops the rest."""


def practice_anonymise(context: ClosingContext) -> None:
    """Keep the approved hours and sign-offs behind issued certificates without their words; delete the rest."""
    user, today = context.user, context.today
    entries = PracticeEntry.objects.filter(trainee=user)
    backing = entries.none()
    if context.evidence_until is not None:
        backing = entries.filter(status=PracticeEntry.Status.APPROVED, performed_on__lte=context.evidence_until)
    let_go = entries.exclude(pk__in=backing.values("pk"))
    delete_with_history(SkillsCheckSignOff.objects.filter(entry__in=let_go))  # they protect their entries
    delete_with_history(let_go)
    backing.update(**FREE_TEXT)
    history = PracticeEntry.history.filter(trainee_id=user.pk)
    history.update(**FREE_TEXT)
    for word in REASONS_WITH_WORDS:
        history.filter(history_change_reason__startswith=f"{word}:").update(history_change_reason=word)

    has_entries = Exists(PracticeEntry.objects.filter(batch=OuterRef("pk")))
    Attestation.objects.filter(batch__trainee=user).exclude(
        Exists(PracticeEntry.objects.filter(attestation=OuterRef("pk")))
    ).exclude(Exists(SkillsCheckSignOff.objects.filter(attestation=OuterRef("pk")))).delete()
    empty_batches = (
        Batch.objects.filter(trainee=user)
        .exclude(has_entries)
        .exclude(Exists(Attestation.objects.filter(batch=OuterRef("pk"))))
    )
    delete_with_history(empty_batches)
    # A batch left with only approved entries (its waiting ones were deleted) has nothing more to review.
    Batch.objects.filter(trainee=user, status=Batch.Status.SUBMITTED).update(status=Batch.Status.REVIEWED)

    assignments = SupervisorAssignment.objects.filter(trainee=user)
    unused = assignments.exclude(Exists(PracticeEntry.objects.filter(assignment=OuterRef("pk")))).exclude(
        Exists(Batch.objects.filter(assignment=OuterRef("pk")))
    )
    delete_with_history(unused)
    for assignment in assignments.filter(Q(ends_on__isnull=True) | Q(ends_on__gt=today)):
        assignment.ends_on = max(today, assignment.starts_on)
        assignment._change_reason = "Ended: the trainee closed their account"
        assignment.save()


def practice_purge(user: AbstractBaseUser) -> None:
    """Delete the hours, sign-offs, review batches and placements a closed account kept, with all their history."""
    delete_with_history(SkillsCheckSignOff.objects.filter(entry__trainee=user))  # they protect their entries
    delete_with_history(PracticeEntry.objects.filter(trainee=user))
    delete_history(PracticeEntry.history.filter(trainee_id=user.pk))
    Attestation.objects.filter(batch__trainee=user).delete()
    delete_with_history(Batch.objects.filter(trainee=user))
    delete_history(Batch.history.filter(trainee_id=user.pk))
    delete_with_history(SupervisorAssignment.objects.filter(trainee=user))
    delete_history(SupervisorAssignment.history.filter(trainee_id=user.pk))


def supervising_stops(user: AbstractBaseUser, today: date) -> list[ClosingStop]:
    """Trainees still assigned to the supervisor, or hours waiting for their review, stop their account closing."""
    current = SupervisorAssignment.objects.filter(supervisor=user).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today)
    )
    trainees = current.values("trainee").distinct().count()
    batches = Batch.objects.filter(assignment__supervisor=user, status=Batch.Status.SUBMITTED).count()
    if not trainees and not batches:
        return []
    waiting = [
        *([f"{trainees} trainee{pluralize(trainees)} assigned to you"] if trainees else []),
        *([f"{batches} batch{pluralize(batches, 'es')} of hours waiting for your review"] if batches else []),
    ]
    return [
        ClosingStop(
            code="supervising",
            title="Please ask a programme admin first",
            explanation=f"You still have {', and '.join(waiting)}. Your trainees need a supervisor, so please ask a "
            "programme admin to move them to someone else. Then come back here.",
            message="You still have trainees assigned to you, or hours waiting for your review. Please ask a "
            "programme admin to move your trainees to another supervisor first, then come back here.",
        )
    ]


def supervising_forget(context: ClosingContext) -> None:
    """Remove the person's qualification details as a supervisor; the sign-offs they gave stay with their trainees."""
    delete_with_history(SupervisorProfile.objects.filter(user=context.user))


def closers_register() -> None:
    """Register what closing an account does to the person's practice log and to their supervising."""
    closer_register(Closer("practice", close=practice_anonymise, purge=practice_purge))
    closer_register(Closer("supervising", close=supervising_forget, stops=supervising_stops))
