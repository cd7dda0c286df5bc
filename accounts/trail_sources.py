"""The account records whose changes belong in the audit trails: a person's own name corrections."""

from accounts.models import NameChange
from lms.trail import NOT_SET, RecordSource, trail_source_register


def trail_sources_register() -> None:
    """Tell the audit trails how to read and describe name corrections."""
    trail_source_register(
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
            person="user_id",
        )
    )
