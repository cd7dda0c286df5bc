"""Made-up data for the overview's tests: waiting hours, certificates with chosen expiry dates, trainees' progress."""

from datetime import timedelta

from django.utils import timezone

from certificates.models import Certificate
from certificates.services import certificates_check
from practice.services import entries_submit, entry_create
from tests.factories import approve_hours, approve_programme_hours, build_assignment, entry_data, supervision_data


def days_from_today(days: int):
    """The date `days` from today (negative for the past)."""
    return timezone.localdate() + timedelta(days=days)


def submit_hours(assignment, minutes: list[int]) -> None:
    """Log one practice entry per figure, on successive days before today, and send them all for review."""
    entries = [
        entry_create(
            trainee=assignment.trainee,
            data=entry_data(assignment, minutes=value, performed_on=days_from_today(-(number + 1))),
        )
        for number, value in enumerate(minutes)
    ]
    entries_submit(trainee=assignment.trainee, entry_ids=[entry.pk for entry in entries])


def certify(trainee=None, *, expires_in: int | None = None, **assignment_kwargs) -> Certificate:
    """A trainee who met build_programme()'s hours and was certified; the certificate's expiry moved when asked."""
    assignment = build_assignment(trainee=trainee, **assignment_kwargs)
    approve_programme_hours(assignment)
    (certificate,) = certificates_check(holder=assignment.trainee)
    if expires_in is not None:
        expires_on = days_from_today(expires_in)
        issued_on = min(certificate.issued_on, expires_on)
        Certificate.objects.filter(pk=certificate.pk).update(expires_on=expires_on, issued_on=issued_on)
        certificate.refresh_from_db()
    return certificate


def log_approved_supervision(assignment, minutes: int) -> None:
    """Approved supervision hours for the assignment's trainee."""
    approve_hours(assignment, [supervision_data(assignment, minutes=minutes, performed_on=days_from_today(-20))])


def certificate_row(*, holder, programme, expires_in: int) -> Certificate:
    """A valid certificate written straight to the table (no eligibility check), expiring `expires_in` days on."""
    serial = Certificate.objects.filter(programme=programme).count() + 900000
    today = timezone.localdate()
    return Certificate.objects.create(
        programme=programme,
        holder=holder,
        holder_name=holder.get_full_name(),
        number=f"{programme.abbreviation}-{today.year}-{serial}",
        year=today.year,
        serial=serial,
        code=f"T{serial:015d}",
        issued_on=min(today, days_from_today(expires_in)),
        period_starts_on=min(today, days_from_today(expires_in)),
        expires_on=days_from_today(expires_in),
    )
