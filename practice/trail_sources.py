"""Practice records whose changes belong in the audit trails: entries, batches, placements, profiles, sign-offs."""

from lms.trail import HistorySource, RecordSource, day, name_joins_register, related_row, trail_source_register
from practice.models import (
    Attestation,
    Batch,
    GroupSession,
    PracticeEntry,
    SkillsCheckSignOff,
    SupervisorAssignment,
    SupervisorInvitation,
    SupervisorProfile,
)
from practice.skills import SKILLS


def _entry(record, names) -> str:
    noun = "Supervision session" if record.kind == PracticeEntry.Kind.SUPERVISION else "Practice entry"
    return f"{noun} of {day(record.performed_on)}, {record.minutes / 60:g} h"


def trail_sources_register() -> None:
    """Tell the audit trails how to read and describe the practice records."""
    name_joins_register(SupervisorAssignment, ("supervisor", "organisation"))
    name_joins_register(Batch, ("trainee",))
    for source in (
        HistorySource(
            "entry",
            PracticeEntry,
            _entry,
            person="trainee_id",
            # Free text people wrote is only said to have changed; so is a supervisor's comment after "Returned:".
            withheld=frozenset({"reflection", "topics", "return_comment", "decline_reason"}),
            comment_reasons=("Returned:", "Reopened:", "Declined:"),
        ),
        HistorySource(
            "batch",
            Batch,
            lambda r, n: f"Review batch sent {day(r.submitted_at)} to {n.of(*related_row(r, 'assignment'))}",
            names=("assignment",),
            person="trainee_id",
        ),
        HistorySource(
            "assignment",
            SupervisorAssignment,
            lambda r, n: (
                f"Supervision by {n.of(*related_row(r, 'supervisor'))} at {n.of(*related_row(r, 'organisation'))}"
            ),
            names=("supervisor", "organisation"),
            person="trainee_id",
        ),
        HistorySource(
            "supervisor_invitation",
            SupervisorInvitation,
            lambda r, n: (
                f"Invitation from {n.of(*related_row(r, 'supervisor'))} to link up at "
                f"{n.of(*related_row(r, 'organisation'))}, from {day(r.starts_on)}: {r.get_status_display()}"
            ),
            names=("supervisor", "organisation"),
            person="invitee_id",  # whoever answered it: until then it is about an address, not yet a person
        ),
        HistorySource(
            "group_session",
            GroupSession,
            lambda r, n: f"Group supervision session of {day(r.performed_on)}, {r.minutes / 60:g} h",
            person="supervisor_id",
            withheld=frozenset({"topics", "privacy_confirmation"}),
        ),
        HistorySource(
            "skills_sign_off",
            SkillsCheckSignOff,
            lambda r, n: (
                f"Skills check sign-off ({SKILLS[r.skill].label}, rubric {r.rubric_version}) by "
                f"{n.of(*related_row(r, 'supervisor'))}"
            ),
            names=("supervisor",),
            person="entry__trainee_id",
        ),
        HistorySource("supervisor_profile", SupervisorProfile, lambda r, n: "Supervisor profile", person="user_id"),
        RecordSource(
            "attestation",
            Attestation,
            at="signed_at",
            actor="supervisor",
            action="Signed",
            joins=("supervisor", "batch", "group_session"),
            describe=lambda a: (
                (
                    f"Supervisor's attestation for the group session of {day(a.group_session.performed_on)}, "
                    if a.group_session_id
                    else f"Supervisor's attestation for the review batch sent {day(a.batch.submitted_at)}, "
                )
                + f"signed as {a.signed_name}"
                + (f" ({a.credentials})" if a.credentials else "")
            ),
            person="batch__trainee_id",
        ),
    ):
        trail_source_register(source)
