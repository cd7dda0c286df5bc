"""What a trainee types into the practice or supervision form, as the services take it."""

from dataclasses import dataclass, field
from datetime import date, time

from content.models import CompetencyDomain
from practice.models import PracticeEntry, SupervisorAssignment

Kind = PracticeEntry.Kind


@dataclass
class EntryData:
    """What a trainee types into the practice or supervision form."""

    assignment: SupervisorAssignment
    performed_on: date
    minutes: int
    delivery: str
    kind: str = Kind.PRACTICE
    start_time: time | None = None
    long_day_confirmed: bool = False
    activity_type: str = ""
    contact: str = ""
    skill: str = ""
    domains: list[CompetencyDomain] = field(default_factory=list)
    setting: str = ""
    session_format: str = ""
    reflection: str = ""
    topics: str = ""
    privacy_reason: str = ""


ENTRY_FIELDS = (
    "assignment",
    "performed_on",
    "minutes",
    "delivery",
    "kind",
    "start_time",
    "long_day_confirmed",
    "activity_type",
    "contact",
    "skill",
    "setting",
    "session_format",
    "reflection",
    "topics",
)
