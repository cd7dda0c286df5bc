"""The overview's four reports: what each lists, its table for the admin and its CSV file."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from certificates.eligibility import hours_text
from lms.csvfiles import to_csv
from lms.names import display_name
from overview import selectors


@dataclass(frozen=True)
class Cell:
    """One table cell: its text, and a link when there is somewhere useful to go."""

    text: str
    url: str = ""


@dataclass(frozen=True)
class Report:
    """A report's title and wording, how to find its rows, and how each row reads in the table and in the CSV."""

    slug: str
    title: str
    menu_label: str
    icon: str
    intro: str
    empty: str
    rows: Callable[[date], object]
    columns: list[str]
    cells: Callable[[object, date], list[Cell]]
    csv_header: list[str]
    csv_cells: Callable[[object, date], list]

    @property
    def url_name(self) -> str:
        """The URL name of the report's page."""
        return f"overview_{self.slug.replace('-', '_')}"

    @property
    def url(self) -> str:
        """The report's address in the admin."""
        return reverse(self.url_name)

    def csv(self, *, on: date) -> str:
        """The whole list as CSV text, every cell made formula-safe."""
        return to_csv(self.csv_header, [self.csv_cells(row, on) for row in self.rows(on)])

    def csv_filename(self, *, on: date) -> str:
        """The downloaded file's name, dated."""
        return f"{self.slug}-{on:%Y-%m-%d}.csv"


def day(value: date | datetime | None) -> str:
    """A date for people, e.g. '3 Mar 2026'; empty when there is none."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localdate(value)
    return f"{value:%-d %b %Y}"


def iso_day(value: date | datetime | None) -> str:
    """A date for spreadsheets, e.g. '2026-03-03'; empty when there is none."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localdate(value)
    return value.isoformat()


def hours(minutes: int | None) -> Decimal:
    """Minutes as hours with two decimals, a number in the CSV."""
    return (Decimal(minutes or 0) / 60).quantize(Decimal("0.01"))


def trainee_cell(user) -> Cell:
    """A trainee's name, linking to their audit trail."""
    return Cell(display_name(user), reverse("audit_trainee", args=[user.pk]))


HOURS_WAITING = Report(
    slug="hours-waiting",
    title="Hours waiting for review",
    menu_label="Hours waiting",
    icon="time",
    intro="Submitted practice and supervision hours that a supervisor has not yet approved or returned, "
    "by supervisor, most hours first.",
    empty="No hours are waiting for review. Every supervisor is up to date.",
    rows=lambda on: selectors.hours_waiting_by_supervisor(),
    columns=["Supervisor", "Hours waiting", "Entries", "Trainees", "Waiting since"],
    cells=lambda user, on: [
        Cell(display_name(user)),
        Cell(hours_text(user.waiting_minutes)),
        Cell(str(user.waiting_entries)),
        Cell(str(user.waiting_trainees)),
        Cell(day(user.waiting_since)),
    ],
    csv_header=["Supervisor", "Email", "Hours waiting", "Entries waiting", "Trainees", "Waiting since"],
    csv_cells=lambda user, on: [
        display_name(user),
        user.email,
        hours(user.waiting_minutes),
        user.waiting_entries,
        user.waiting_trainees,
        iso_day(user.waiting_since),
    ],
)

WITHOUT_SUPERVISOR = Report(
    slug="without-supervisor",
    title="Trainees without a supervisor",
    menu_label="Without a supervisor",
    icon="user",
    intro="Active trainees with no supervisor assignment running today, so nobody can approve their hours yet "
    "(people holding a valid certificate are left out). Add an assignment under Practice › Assignments.",
    empty="Every trainee has a supervisor today.",
    rows=lambda on: selectors.trainees_without_supervisor(on=on),
    columns=["Trainee", "Joined", "Last assignment ended", "Next assignment starts"],
    cells=lambda user, on: [
        trainee_cell(user),
        Cell(day(user.date_joined)),
        Cell(day(user.last_assignment_ended) or "Never assigned"),
        Cell(day(user.next_assignment_starts) or "None planned"),
    ],
    csv_header=["Trainee", "Email", "Joined", "Last assignment ended", "Next assignment starts"],
    csv_cells=lambda user, on: [
        display_name(user),
        user.email,
        iso_day(user.date_joined),
        iso_day(user.last_assignment_ended),
        iso_day(user.next_assignment_starts),
    ],
)

EXPIRING = Report(
    slug="expiring-certificates",
    title=f"Certificates expiring in the next {selectors.EXPIRY_DAYS} days",
    menu_label="Expiring certificates",
    icon="doc-full",
    intro=f"Valid certificates whose last day falls within the next {selectors.EXPIRY_DAYS} days, soonest first. "
    "Holders who have logged their continuing-education hours are renewed automatically.",
    empty=f"No certificates expire in the next {selectors.EXPIRY_DAYS} days.",
    rows=lambda on: selectors.certificates_expiring(on=on),
    columns=["Holder", "Certificate", "Programme", "Expires on", "Days left"],
    cells=lambda certificate, on: [
        trainee_cell(certificate.holder),
        Cell(certificate.number, reverse("wagtailsnippets_certificates_certificate:inspect", args=[certificate.pk])),
        Cell(certificate.programme.abbreviation),
        Cell(day(certificate.expires_on)),
        Cell(str((certificate.expires_on - on).days)),
    ],
    csv_header=["Holder", "Email", "Certificate", "Programme", "Expires on", "Days left"],
    csv_cells=lambda certificate, on: [
        display_name(certificate.holder),
        certificate.holder.email,
        certificate.number,
        certificate.programme.name,
        iso_day(certificate.expires_on),
        (certificate.expires_on - on).days,
    ],
)


def _practice(row: selectors.NearRow) -> str:
    if row.practice_percent is None:
        return "–"
    return f"{hours_text(row.practice_minutes)} h (needs {hours_text(row.practice_needed_minutes)} h)"


NEAR_ELIGIBILITY = Report(
    slug="near-eligibility",
    title="Trainees near eligibility",
    menu_label="Near eligibility",
    icon="success",
    intro=f"Trainees without a certificate who meet all but one requirement of an active programme, or have "
    f"{selectors.NEAR_SHARE_PERCENT}% or more of its approved practice hours. Closest first.",
    empty="Nobody is close to a certificate just now.",
    rows=lambda on: selectors.trainees_near_eligibility(on=on),
    columns=["Trainee", "Programme", "Requirements met", "Still to do", "Approved practice"],
    cells=lambda row, on: [
        trainee_cell(row.trainee),
        Cell(row.programme.abbreviation),
        Cell(f"{row.met} of {row.total}"),
        Cell(", ".join(row.unmet)),
        Cell(_practice(row)),
    ],
    csv_header=[
        "Trainee",
        "Email",
        "Programme",
        "Requirements met",
        "Requirements",
        "Still to do",
        "Approved practice hours",
        "Practice hours needed",
    ],
    csv_cells=lambda row, on: [
        display_name(row.trainee),
        row.trainee.email,
        row.programme.name,
        row.met,
        row.total,
        "; ".join(row.unmet),
        hours(row.practice_minutes),
        hours(row.practice_needed_minutes),
    ],
)

REPORTS = [HOURS_WAITING, WITHOUT_SUPERVISOR, EXPIRING, NEAR_ELIGIBILITY]
