"""The daily sweep: expiry reminders (with renewals now due), missed issues and PDFs whose task was lost."""

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from certificates.eligibility import renewal_progress
from certificates.models import Certificate, ExpiryReminder, Programme
from certificates.service_base import _email_holder, _save
from certificates.services import certificate_issue_if_eligible, certificate_render_task, certificate_renew_if_due
from lms.roles import TRAINEE, role_holders

State = Certificate.State
REMINDER_DAYS = (90, 30, 7)
EXPIRED_NOTICE_DAYS = 14  # an expiry notice still goes out if the daily timer missed up to two weeks


# Expiry reminders --------------------------------------------------------------------------------------------


def certificates_send_expiry_reminders(*, today: date | None = None) -> dict[int, int]:
    """Email holders whose valid certificate expires within 90, 30 or 7 days, and those whose has just expired.

    Idempotent: each certificate gets each reminder once (a unique row per threshold), so running it twice a
    day, or after a missed day, sends nothing twice. When a run finds a certificate already past several
    thresholds it sends only the nearest. Also renews certificates whose renewal window has just opened.
    Returns how many emails went out per threshold (0 = expired).
    """
    today = today or timezone.localdate()
    sent = dict.fromkeys((*REMINDER_DAYS, 0), 0)
    latest = Certificate.objects.filter(
        state=State.VALID,
        replaced_by__isnull=True,
        holder__is_active=True,  # a closed account is neither reminded nor renewed
        expires_on__lte=today + timedelta(days=max(REMINDER_DAYS)),
        expires_on__gte=today - timedelta(days=EXPIRED_NOTICE_DAYS),
    ).select_related("programme", "holder")
    for certificate in latest.iterator():
        if certificate_renew_if_due(certificate=certificate, today=today):
            continue
        days_left = (certificate.expires_on - today).days
        due = [days for days in REMINDER_DAYS if days_left <= days] if days_left >= 0 else [*REMINDER_DAYS, 0]
        if not due:
            continue
        nearest = min(due)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    ExpiryReminder.objects.create(certificate=certificate, days_before=nearest, sent_on=today)
            except IntegrityError:
                continue  # sent already, by an earlier run or a concurrent one
            ExpiryReminder.objects.bulk_create(
                [
                    ExpiryReminder(certificate=certificate, days_before=days, sent_on=today)
                    for days in due
                    if days != nearest
                ],
                ignore_conflicts=True,
            )
            certificate = (
                Certificate.objects.select_for_update(of=("self",))
                .select_related("programme", "holder")
                .get(pk=certificate.pk)
            )
            if certificate.state != State.VALID or Certificate.objects.filter(replaces=certificate).exists():
                transaction.set_rollback(True)  # changed while we ran (revoked, suspended, renewed): nothing to send
                continue
            renewal = renewal_progress(certificate=certificate, on=today)
            if nearest == 0:
                _save(certificate, by=None, reason=f"Expired on {certificate.expires_on:%-d %B %Y}; holder emailed")
            _email_holder(
                certificate,
                "certificate_expired" if nearest == 0 else "certificate_expiring",
                days_left=days_left,
                renewal=renewal.hours.summary,
                renewal_opens_on=renewal.opens_on,
            )
        sent[nearest] += 1
    return sent


# The daily sweep -----------------------------------------------------------------------------------------------

STALE_RENDERING = timedelta(hours=1)


def certificates_issue_missed(*, today: date | None = None) -> list[Certificate]:
    """Issue the certificates of trainees who are eligible without a completing event having triggered a check.

    That happens when a programme is created, activated or its requirements lowered, or a check task was lost.
    Returns the certificates issued.
    """
    today = today or timezone.localdate()
    issued = []
    for programme in Programme.objects.filter(is_active=True):
        candidates = role_holders(TRAINEE).exclude(certificates__programme=programme)
        for holder in candidates.iterator():
            certificate = certificate_issue_if_eligible(holder=holder, programme=programme, today=today)
            if certificate is not None:
                issued.append(certificate)
    return issued


def certificates_requeue_stale_renderings(*, now=None) -> int:
    """Queue again the PDFs still 'being prepared' an hour after issue (a lost task); returns how many."""
    now = now or timezone.now()
    stale = list(
        Certificate.objects.filter(
            rendering=Certificate.Rendering.PENDING, issued_at__lt=now - STALE_RENDERING
        ).values_list("pk", flat=True)
    )
    for certificate_id in stale:
        certificate_render_task.enqueue(certificate_id=certificate_id)
    return len(stale)
