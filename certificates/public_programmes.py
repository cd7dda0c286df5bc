"""Reads for the public certification pages: what each live programme asks for, in words anyone can follow."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch

from certificates.eligibility import figure_text
from certificates.models import Programme, ProgrammeActivityHours, ProgrammeDomainHours
from courses.models import CoursePage, QuizPage


@dataclass(frozen=True)
class HoursLine:
    """A minimum of approved hours in one competency domain or one kind of activity."""

    label: str
    hours: str


@dataclass(frozen=True)
class ProgrammeOverview:
    """One live programme as the public certification page shows it."""

    programme: Programme
    courses: list[CoursePage]
    quizzes: list[QuizPage]
    domain_hours: list[HoursLine]
    activity_hours: list[HoursLine]

    @property
    def slug(self) -> str:
        """The programme's address on the site: its letters in lower case (cps)."""
        return self.programme.abbreviation.lower()

    @property
    def practice_hours(self) -> str:
        """Minimum approved practice hours, for people (500, 12.5)."""
        return figure_text(self.programme.practice_hours)

    @property
    def supervision_hours(self) -> str:
        """Minimum supervision hours, for people."""
        return figure_text(self.programme.supervision_hours)

    @property
    def supervision_ratio(self) -> str:
        """'1 hour of supervision for every 20 hours of practice', or '' when the programme sets no ratio."""
        per, hours = self.programme.supervision_ratio_per, self.programme.supervision_ratio_hours
        if not per or not hours:
            return ""
        return f"{_hours_words(hours)} of supervision for every {_hours_words(per)} of practice"

    @property
    def renewal_hours(self) -> str:
        """Continuing-education hours that renew a certificate ('' when it doesn't renew on its own)."""
        return figure_text(self.programme.renewal_ce_hours) if self.programme.renewal_ce_hours else ""

    @property
    def validity_years(self) -> str:
        """The validity period in the words people use: '2 years', '18 months', '1 year'."""
        months = self.programme.validity_months
        if months % 12:
            return f"{months} month{'s' if months != 1 else ''}"
        years = months // 12
        return f"{years} year{'s' if years != 1 else ''}"


def _hours_words(hours: Decimal) -> str:
    text = figure_text(hours)
    return f"{text} hour{'' if text == '1' else 's'}"


def _live_programmes():
    return Programme.objects.filter(is_active=True).order_by("name")


def live_programmes() -> list[Programme]:
    """Every programme that issues certificates now, by name (one query)."""
    return list(_live_programmes())


def programme_overview(*, abbreviation: str) -> ProgrammeOverview | None:
    """A live programme's requirements by its letters (any case), or None; five queries however long its lists."""
    programme = (
        _live_programmes()
        .select_related("ethics_code_page")
        .prefetch_related(
            Prefetch("required_courses", queryset=CoursePage.objects.live().order_by("path")),
            Prefetch("required_quizzes", queryset=QuizPage.objects.live().order_by("path")),
            Prefetch("domain_hours", queryset=ProgrammeDomainHours.objects.select_related("domain")),
            Prefetch("activity_hours", queryset=ProgrammeActivityHours.objects.all()),
        )
        .filter(abbreviation=abbreviation.upper())
        .first()
    )
    if programme is None:
        return None
    return ProgrammeOverview(
        programme=programme,
        courses=list(programme.required_courses.all()),
        quizzes=list(programme.required_quizzes.all()),
        domain_hours=[HoursLine(line.domain.name, figure_text(line.hours)) for line in programme.domain_hours.all()],
        activity_hours=[
            HoursLine(line.get_activity_type_display(), figure_text(line.hours))
            for line in programme.activity_hours.all()
        ],
    )
