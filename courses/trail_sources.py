"""The course records whose changes belong in the audit trails: enrolments, quiz attempts and extra attempts."""

from courses.models import Enrolment, QuizAttempt, QuizAttemptGrant
from lms.trail import HistorySource, RecordSource, related_row, trail_source_register


def trail_sources_register() -> None:
    """Tell the audit trails how to read and describe the course records."""
    for source in (
        HistorySource(
            "enrolment",
            Enrolment,
            lambda r, n: f"Enrolment in {n.of(*related_row(r, 'course'))}",
            names=("course",),
            person="user_id",
        ),
        HistorySource(
            "quiz_attempt",
            QuizAttempt,
            lambda r, n: f"Attempt {r.number} at {n.of(*related_row(r, 'quiz'))}",
            names=("quiz",),
            person="user_id",
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
            person="user_id",
        ),
    ):
        trail_source_register(source)
