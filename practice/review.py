"""A supervisor's review of a batch in one pass: a decision on each entry, applied together or not at all."""

from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from practice.models import Attestation, PracticeEntry, SkillsCheckSignOff
from practice.services import (
    PracticeError,
    _approve,
    _batch_for_review,
    _close_if_done,
    _return,
    _supervisor_profile,
    checked_comment,
)
from practice.skills import RUBRIC_VERSION, criteria_for, missing_criteria, unknown_criteria

APPROVE = "approve"
RETURN = "return"
LATER = "later"


@dataclass(frozen=True)
class Decision:
    """What the supervisor chose for one entry: approve, return (with a comment) or decide later."""

    entry_id: int
    action: str
    comment: str = ""
    shown: frozenset[int] = frozenset()  # for a skills check: the rubric criteria, by number, seen in the role-play


@dataclass(frozen=True)
class DecisionProblem:
    """Why one decision can't be applied; `entry_id` is None for a problem with the whole review."""

    entry_id: int | None
    code: str
    message: str


class ReviewInvalid(PracticeError):
    """Some decisions can't be applied as they stand; `problems` names the entry each belongs to."""

    def __init__(self, problems: list[DecisionProblem]):
        super().__init__("invalid", " ".join(problem.message for problem in problems))
        self.problems = problems


@dataclass(frozen=True)
class ReviewOutcome:
    """What one review did: the entries approved (and the attestation signed), returned, and still waiting."""

    approved: list[PracticeEntry]
    returned: list[PracticeEntry]
    attestation: Attestation | None
    still_waiting: int


def _problems(decisions: list[Decision], *, attested: bool) -> tuple[list[DecisionProblem], dict[int, str]]:
    problems, comments = [], {}
    for decision in decisions:
        if decision.action == RETURN:
            try:
                comments[decision.entry_id] = checked_comment(decision.comment)
            except PracticeError as error:
                problems.append(DecisionProblem(decision.entry_id, error.code, error.message))
        elif decision.action not in (APPROVE, LATER):
            problems.append(DecisionProblem(decision.entry_id, "invalid", "Choose approve, return or decide later."))
    if any(decision.action == APPROVE for decision in decisions) and not attested:
        problems.append(
            DecisionProblem(None, "attestation_required", "Tick “I supervised these hours” to approve entries.")
        )
    return problems, comments


@transaction.atomic
def batch_review(
    *, supervisor: AbstractBaseUser, batch_id: int, decisions: list[Decision], attested: bool
) -> ReviewOutcome:
    """Apply a decision on each chosen entry of a batch in one transaction: all of them, or none.

    Approvals share one attestation (the supervisor's name, qualification and time); each return keeps its own
    comment. The trainee gets one email for the approvals and one for the returns. Raises PracticeError
    'not_found', 'own_entries', 'not_your_trainee' (the same rules as approving or returning alone),
    'nothing_decided', 'no_profile', 'already_reviewed' (an entry was reviewed meanwhile), or ReviewInvalid
    (code 'invalid') listing every return without a comment, every comment that identifies a person supported,
    a missing attestation, and every skills check approved without each point of its rubric ticked (or with a point
    its rubric doesn't have).
    """
    batch = _batch_for_review(supervisor=supervisor, batch_id=batch_id)
    problems, comments = _problems(decisions, attested=attested)
    if problems:
        raise ReviewInvalid(problems)
    approve_ids = [decision.entry_id for decision in decisions if decision.action == APPROVE]
    if not approve_ids and not comments:
        raise PracticeError("nothing_decided", "Choose approve or return for at least one entry.")
    profile = _supervisor_profile(supervisor) if approve_ids else None
    entries = {
        entry.pk: entry
        for entry in batch.entries.select_for_update().filter(pk__in=[*approve_ids, *comments]).order_by("pk")
    }
    if len(entries) < len(approve_ids) + len(comments) or any(
        entry.status != PracticeEntry.Status.SUBMITTED for entry in entries.values()
    ):
        raise PracticeError(
            "already_reviewed",
            "Some of these entries were reviewed or changed since you opened the page, so nothing was saved. "
            "Please look at the batch again.",
        )
    approved = [entries[pk] for pk in approve_ids]
    returned = [entries[pk] for pk in comments]
    shown = {decision.entry_id: decision.shown for decision in decisions if decision.action == APPROVE}
    if problems := _rubric_problems(approved, shown):
        raise ReviewInvalid(problems)
    attestation = _approve(batch, approved, supervisor=supervisor, profile=profile) if approved else None
    if attestation is not None:
        _sign_off_skills_checks(approved, shown, attestation=attestation)
    if returned:
        _return(batch, {entries[pk]: comment for pk, comment in comments.items()}, supervisor=supervisor)
    _close_if_done(batch, by=supervisor)
    still_waiting = batch.entries.filter(status=PracticeEntry.Status.SUBMITTED).count()
    return ReviewOutcome(approved=approved, returned=returned, attestation=attestation, still_waiting=still_waiting)


RUBRIC_INCOMPLETE = (
    "To approve this skills check, tick every point the role-play showed. Not ticked: {missing}. If the role-play "
    "didn't show it yet, choose “Return to the trainee” and say what to practise before the next one."
)


RUBRIC_UNKNOWN = "Tick only points from this skill's rubric."


def _rubric_problems(approved: list[PracticeEntry], shown: dict[int, frozenset[int]]) -> list[DecisionProblem]:
    """A problem for every skills check to approve whose rubric isn't fully ticked, or is ticked with other points."""
    problems = []
    for entry in approved:
        if not entry.is_skills_check:
            continue
        ticked = shown.get(entry.pk, frozenset())
        if unknown_criteria(entry.skill, ticked):
            problems.append(DecisionProblem(entry.pk, "rubric_unknown", RUBRIC_UNKNOWN))
        elif missing := missing_criteria(entry.skill, ticked):
            missing_text = "; ".join(text[0].lower() + text[1:] for text in missing)
            problems.append(
                DecisionProblem(entry.pk, "rubric_incomplete", RUBRIC_INCOMPLETE.format(missing=missing_text))
            )
    return problems


def _sign_off_skills_checks(
    approved: list[PracticeEntry], shown: dict[int, frozenset[int]], *, attestation: Attestation
) -> None:
    """Keep the rubric of each approved skills check: the criteria ticked, the rubric's version, who and when."""
    for entry in approved:
        if entry.is_skills_check:
            criteria = criteria_for(entry.skill)
            sign_off = SkillsCheckSignOff(
                entry=entry,
                attestation=attestation,
                supervisor=attestation.supervisor,
                skill=entry.skill,
                rubric_version=RUBRIC_VERSION,
                criteria_shown=[criteria[number] for number in sorted(shown[entry.pk])],
                signed_at=attestation.signed_at,
            )
            sign_off._history_user = attestation.supervisor
            sign_off.save()
