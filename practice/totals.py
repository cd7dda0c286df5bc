"""Hour totals of a trainee: approved and waiting minutes by kind, activity, contact and domain, in one aggregate."""

from dataclasses import dataclass, field

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Exists, OuterRef, Q, QuerySet, Sum

from content.models import CompetencyDomain
from lms.page_tree import page_tree
from practice.models import PracticeEntry
from practice.targets import HourTargets

Status = PracticeEntry.Status
Kind = PracticeEntry.Kind


@dataclass
class TotalLine:
    """Hours on one line of a summary: approved, waiting for review, and a target when a programme sets one."""

    label: str
    approved_minutes: int = 0
    pending_minutes: int = 0
    target_minutes: int | None = None

    @property
    def approved_hours(self) -> float:
        """Approved hours."""
        return self.approved_minutes / 60

    @property
    def pending_hours(self) -> float:
        """Hours submitted and waiting for review."""
        return self.pending_minutes / 60

    @property
    def target_hours(self) -> float | None:
        """The programme's target in hours, if any."""
        return None if self.target_minutes is None else self.target_minutes / 60


@dataclass
class HoursTotals:
    """A trainee's hours by activity type, direct or indirect, competency domain and supervision."""

    practice: TotalLine
    supervision: TotalLine
    by_activity: list[TotalLine] = field(default_factory=list)
    by_contact: list[TotalLine] = field(default_factory=list)
    by_domain: list[TotalLine] = field(default_factory=list)

    @property
    def practice_and_supervision(self) -> list[TotalLine]:
        """The two headline lines."""
        return [self.practice, self.supervision]

    @property
    def has_targets(self) -> bool:
        """Whether any line has a programme target to show."""
        lines = [self.practice, self.supervision] + [line for _, group in self.chart_groups for line in group]
        return any(line.target_minutes is not None for line in lines)

    @property
    def chart_groups(self) -> list[tuple[str, list[TotalLine]]]:
        """The groups of lines the chart draws, each with a heading."""
        return [
            ("Activity type", self.by_activity),
            ("Direct or indirect", self.by_contact),
            ("Competency domain", self.by_domain),
        ]

    @property
    def chart_scale_minutes(self) -> int:
        """The longest bar (approved + pending, or the target) in minutes, so bars share one scale."""
        lines = [line for _, group in self.chart_groups for line in group]
        return max(
            [line.approved_minutes + line.pending_minutes for line in lines]
            + [line.target_minutes or 0 for line in lines]
            + [1]
        )


APPROVED = Q(status=Status.APPROVED)
PENDING = Q(status=Status.SUBMITTED)


def _line_conditions(domains: list[CompetencyDomain]) -> dict[str, Q]:
    """Which entries count on each line of the totals, by a column name for the aggregate."""
    practice = Q(kind=Kind.PRACTICE)
    tagged = PracticeEntry.domains.through.objects.filter(practiceentry_id=OuterRef("pk"))
    return {
        **{f"kind_{n}": Q(kind=value) for n, value in enumerate(Kind.values)},
        **{f"activity_{n}": practice & Q(activity_type=value) for n, value in enumerate(PracticeEntry.ActivityType)},
        **{f"contact_{n}": practice & Q(contact=value) for n, value in enumerate(PracticeEntry.Contact)},
        **{
            f"domain_{domain.pk}": practice & Q(Exists(tagged.filter(competencydomain_id=domain.pk)))
            for domain in domains
        },
    }


def sum_columns(domains: list[CompetencyDomain]) -> dict:
    """The aggregate's columns: approved and waiting minutes for every line of the totals."""
    columns = {}
    for name, condition in _line_conditions(domains).items():
        columns[f"approved_{name}"] = Sum("minutes", filter=APPROVED & condition, default=0)
        columns[f"pending_{name}"] = Sum("minutes", filter=PENDING & condition, default=0)
    return columns


def totals_from(sums: dict, domains: list[CompetencyDomain], targets: HourTargets) -> HoursTotals:
    """The totals from the aggregate's row (see sum_columns), each line with its target."""

    def line(label: str, name: str, target: int | None = None) -> TotalLine:
        return TotalLine(label, sums[f"approved_{name}"], sums[f"pending_{name}"], target)

    kind_column = {value: f"kind_{n}" for n, value in enumerate(Kind.values)}
    return HoursTotals(
        practice=line("Practice", kind_column[Kind.PRACTICE], targets.practice),
        supervision=line("Supervision", kind_column[Kind.SUPERVISION], targets.supervision),
        by_activity=[
            line(label, f"activity_{n}", targets.by_activity.get(value))
            for n, (value, label) in enumerate(PracticeEntry.ActivityType.choices)
        ],
        by_contact=[line(label, f"contact_{n}") for n, (_, label) in enumerate(PracticeEntry.Contact.choices)],
        by_domain=[line(domain.name, f"domain_{domain.pk}", targets.by_domain.get(domain.slug)) for domain in domains],
    )


def competency_domains(request=None) -> list[CompetencyDomain]:
    """Every competency domain in the order pages list them, kept with the page tree (a domain's change renews it)."""
    return page_tree(request).remembered(
        "competency_domains", lambda: list(CompetencyDomain.objects.order_by("sort_order", "name"))
    )


def hours_totals(
    *,
    trainee: AbstractBaseUser,
    assignments: QuerySet | None = None,
    targets: HourTargets | None = None,
    domains: list[CompetencyDomain] | None = None,
) -> HoursTotals:
    """Approved and pending hours of a trainee, every line from one database aggregate.

    An entry tagged with two competency domains counts in full towards each. With `assignments`, only the
    entries logged under them count (a supervisor sees the hours they supervised). `targets` gives each line's
    minimum in minutes, when a programme sets one; `domains` saves reading them again when the caller has them.
    """
    domains = competency_domains() if domains is None else domains
    entries = PracticeEntry.objects.filter(trainee=trainee)
    if assignments is not None:
        entries = entries.filter(assignment__in=assignments)
    return totals_from(entries.aggregate(**sum_columns(domains)), domains, targets or HourTargets())
