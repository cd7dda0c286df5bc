"""Demo skills checks: role-plays a supervisor watched, logged by the trainee and signed off with the full rubric."""

from datetime import date, time

from content.models import CompetencyDomain
from practice.models import Batch, PracticeEntry, SkillsCheckSignOff, SupervisorAssignment
from practice.review import APPROVE, Decision, batch_review
from practice.services import EntryData, entries_submit, entry_create
from practice.skills import BOUNDARIES, CRISIS_HANDOFF, LISTENING, RUBRIC_VERSION, VALIDATION, criteria_for

SKILLS_CHECK_MINUTES = 30
# skill: (competency domain slug, what the trainee wrote afterwards)
SKILL_ROLE_PLAYS = {
    LISTENING: (
        "mentoring-education",
        "A role-play of a first conversation at the drop-in. I let the pauses happen and summarised before I asked "
        "anything new.",
    ),
    VALIDATION: (
        "recovery-wellness",
        "A role-play of someone frustrated after a benefits appointment. I named the frustration and said it made "
        "sense, instead of jumping to solutions.",
    ),
    BOUNDARIES: (
        "ethical-responsibility",
        "A role-play of being asked for my personal phone number. I said no warmly and explained how to reach the "
        "service out of hours.",
    ),
    CRISIS_HANDOFF: (
        "recovery-wellness",
        "A role-play of a warm-line call that turned into a crisis. I stayed on the line, asked about safety "
        "directly and followed the protocol to bring in the on-call clinician.",
    ),
}


def skills_check_data(*, assignment: SupervisorAssignment, skill: str, performed_on: date) -> EntryData:
    """A half-hour skills check of one skill, untimed (a role-play fits around the day's other work)."""
    slug, reflection = SKILL_ROLE_PLAYS[skill]
    return EntryData(
        assignment=assignment,
        performed_on=performed_on,
        minutes=SKILLS_CHECK_MINUTES,
        activity_type=PracticeEntry.ActivityType.SKILLS_CHECK,
        skill=skill,
        domains=list(CompetencyDomain.objects.filter(slug=slug)),
        setting=PracticeEntry.Setting.PEER_RUN,
        delivery=PracticeEntry.Delivery.IN_PERSON,
        reflection=reflection,
    )


def approve_with_rubric(*, supervisor, batch: Batch) -> None:
    """Approve every entry of the batch, ticking each point of every skills check's rubric, as the supervisor."""
    waiting = batch.entries.filter(status=PracticeEntry.Status.SUBMITTED)
    decisions = [
        Decision(entry.pk, APPROVE, shown=frozenset(range(len(criteria_for(entry.skill))) if entry.skill else ()))
        for entry in waiting
    ]
    batch_review(supervisor=supervisor, batch_id=batch.pk, decisions=decisions, attested=True)


def log_skills_checks(
    *, trainee, supervisor, assignment: SupervisorAssignment, days: dict[str, date], approve: bool
) -> list[Batch]:
    """Log a skills check of each skill on its day and submit them; approved with the full rubric if `approve`."""
    ids = [
        entry_create(trainee=trainee, data=skills_check_data(assignment=assignment, skill=skill, performed_on=day)).pk
        for skill, day in days.items()
    ]
    batches = entries_submit(trainee=trainee, entry_ids=ids)
    if approve:
        for batch in batches:
            approve_with_rubric(supervisor=supervisor, batch=batch)
    return batches


def add_skills_check_rows(ctx, values: dict, *, skill: str, supervisor_id: int) -> None:
    """For demo/load.py: a graduate's approved half-hour skills check of one skill, with its full-rubric sign-off."""
    slug, reflection = SKILL_ROLE_PLAYS[skill]
    entry_id = ctx.table(PracticeEntry).add(
        **values,
        kind=PracticeEntry.Kind.PRACTICE,
        start_time=time(9),
        minutes=SKILLS_CHECK_MINUTES,
        activity_type=PracticeEntry.ActivityType.SKILLS_CHECK,
        skill=skill,
        contact=PracticeEntry.Contact.INDIRECT,
        setting=PracticeEntry.Setting.PEER_RUN,
        delivery=PracticeEntry.Delivery.IN_PERSON,
        reflection=reflection,
    )
    ctx.table(PracticeEntry.domains.through).add(practiceentry_id=entry_id, competencydomain_id=ctx.domains[slug])
    ctx.table(SkillsCheckSignOff).add(
        entry_id=entry_id,
        attestation_id=values["attestation_id"],
        supervisor_id=supervisor_id,
        skill=skill,
        rubric_version=RUBRIC_VERSION,
        criteria_shown=list(criteria_for(skill)),
        signed_at=values["updated_at"],
    )
