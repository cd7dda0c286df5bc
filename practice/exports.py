"""A trainee's approved hours as CSV, and a printable PDF summary with the supervisors' attestations."""

from collections import OrderedDict
from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import QuerySet
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from lms.csvfiles import to_csv
from lms.names import display_name
from practice.models import PracticeEntry
from practice.selectors import approved_entries
from practice.totals import hours_totals

CSV_HEADER = [
    "Date",
    "Start",
    "Hours",
    "Type",
    "Activity",
    "Direct or indirect",
    "Competency domains",
    "Setting",
    "Delivery",
    "Organisation",
    "Supervisor",
    "Approved by",
    "Approved at",
]


def _filename(trainee: AbstractBaseUser, extension: str) -> str:
    return f"approved-hours-{slugify(display_name(trainee)) or trainee.pk}-{timezone.localdate():%Y-%m-%d}.{extension}"


def hours_csv(entries: list[PracticeEntry]) -> str:
    """Approved entries as CSV rows, without reflections or topics."""
    rows = [
        [
            entry.performed_on.isoformat(),
            entry.start_time.strftime("%H:%M") if entry.start_time else "",
            Decimal(f"{entry.hours:g}"),  # a number, as a spreadsheet should sum it: 1.5, 2
            entry.get_kind_display(),
            entry.get_activity_type_display() if entry.activity_type else entry.get_session_format_display(),
            entry.get_contact_display(),
            "; ".join(domain.name for domain in entry.domains.all()),
            entry.get_setting_display(),
            entry.get_delivery_display(),
            entry.assignment.organisation.name,
            display_name(entry.assignment.supervisor),
            entry.attestation.signed_name,
            timezone.localtime(entry.attestation.signed_at).strftime("%Y-%m-%d %H:%M"),
        ]
        for entry in entries
    ]
    return to_csv(CSV_HEADER, rows)


def csv_response(*, trainee: AbstractBaseUser, assignments: QuerySet | None = None) -> HttpResponse:
    """Download the trainee's approved hours (those under `assignments` only, when given) as CSV."""
    entries = list(approved_entries(trainee=trainee, assignments=assignments))
    response = HttpResponse(hours_csv(entries), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(trainee, "csv")}"'
    return response


def summary_context(*, trainee: AbstractBaseUser, assignments: QuerySet | None = None) -> dict:
    """What the printable summary shows: totals, approved entries, and each attestation with its hours."""
    entries = list(approved_entries(trainee=trainee, assignments=assignments))
    attestations: OrderedDict = OrderedDict()
    for entry in entries:
        line = attestations.setdefault(
            entry.attestation_id, {"attestation": entry.attestation, "minutes": 0, "count": 0}
        )
        line["minutes"] += entry.minutes
        line["count"] += 1
    return {
        "trainee_name": display_name(trainee),
        "generated_at": timezone.localtime(),
        "totals": hours_totals(trainee=trainee, assignments=assignments),
        "entries": entries,
        "attestations": sorted(attestations.values(), key=lambda line: line["attestation"].signed_at),
    }


def hours_pdf(context: dict) -> bytes:
    """Render the summary as a tagged (PDF/UA) PDF with WeasyPrint."""
    from weasyprint import HTML

    html = render_to_string("practice/hours_summary_pdf.html", context)
    return HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")


def pdf_response(*, trainee: AbstractBaseUser, assignments: QuerySet | None = None) -> HttpResponse:
    """Download the trainee's printable hours summary as PDF."""
    pdf = hours_pdf(summary_context(trainee=trainee, assignments=assignments))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{_filename(trainee, "pdf")}"'
    return response
