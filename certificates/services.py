"""Issuing and renewing certificates, and the two background tasks (their paths are kept in the task queue).

The other certificate writes live by job: ethics (the attestation), pdf_storage (rendering and the signed
credential), status_changes (suspend, reinstate, revoke, reissue) and sweeps (reminders and the daily sweep).
"""

import logging
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django_tasks import task

from certificates.codes import new_code
from certificates.eligibility import add_months, evidence_snapshot, programme_eligibility, renewal_progress
from certificates.holder_names import first_issue_holder_name, renewal_holder_name
from certificates.models import Certificate, Programme
from certificates.pdf_storage import certificate_render
from certificates.service_base import CertificateError, _require_programme_admin, _save
from certificates.status_lists import new_status_index

logger = logging.getLogger(__name__)

State = Certificate.State


# Checking and issuing ----------------------------------------------------------------------------------------


@task()
def certificates_check_task(*, user_id: int) -> list[int]:
    """Issue or renew the user's certificates that are now due (run after anything that may complete them)."""
    holder = get_user_model().objects.filter(pk=user_id).first()
    if holder is None:
        return []
    return [certificate.pk for certificate in certificates_check(holder=holder)]


def certificates_check_on_progress(sender, *, user: AbstractBaseUser, **kwargs) -> None:
    """Queue the check of whether the user has just met a programme's requirements (lms.signals.progress_recorded).

    Announced, once their transaction commits, by the services whose changes can complete a requirement: hour
    approval, quiz pass, lesson completion and the ethics attestation. Connected in CertificatesConfig.ready.
    """
    certificates_check_task.enqueue(user_id=user.pk)


def certificates_check(*, holder: AbstractBaseUser, today: date | None = None) -> list[Certificate]:
    """Issue every certificate the holder has just become eligible for, and renew those now due."""
    today = today or timezone.localdate()
    issued = []
    for programme in Programme.objects.filter(is_active=True):
        current = current_certificate(holder=holder, programme=programme)
        if current is None:
            certificate = certificate_issue_if_eligible(holder=holder, programme=programme, today=today)
        else:
            certificate = certificate_renew_if_due(certificate=current, today=today)
        if certificate is not None:
            issued.append(certificate)
    return issued


def current_certificate(*, holder: AbstractBaseUser, programme: Programme) -> Certificate | None:
    """The holder's latest certificate of the programme: the one not replaced by another (None if never issued)."""
    return (
        Certificate.objects.filter(holder=holder, programme=programme, replaced_by__isnull=True)
        .select_related("programme", "holder")
        .first()
    )


def certificate_number(programme: Programme, *, year: int, serial: int) -> str:
    """A certificate's number: programme abbreviation, year of issue and serial, e.g. CPS-2026-000001."""
    return f"{programme.abbreviation}-{year}-{serial:06d}"


def _next_serial(programme: Programme, year: int) -> int:
    latest = Certificate.objects.filter(programme=programme, year=year).aggregate(latest=Max("serial"))["latest"]
    return (latest or 0) + 1


def _create(
    *,
    programme: Programme,
    holder: AbstractBaseUser,
    holder_name: str,
    issued_on: date,
    period_starts_on: date,
    expires_on: date,
    origin: str,
    evidence: dict,
    replaces: Certificate | None,
    by: AbstractBaseUser | None,
    reason: str,
) -> Certificate:
    """Create a certificate under the caller's lock on the programme row, and render it once committed."""
    serial = _next_serial(programme, issued_on.year)
    certificate = Certificate(
        programme=programme,
        holder=holder,
        holder_name=holder_name,
        number=certificate_number(programme, year=issued_on.year, serial=serial),
        year=issued_on.year,
        serial=serial,
        code=new_code(),
        status_index=new_status_index(),
        issued_on=issued_on,
        period_starts_on=period_starts_on,
        expires_on=expires_on,
        origin=origin,
        replaces=replaces,
        evidence=evidence,
    )
    _save(certificate, by=by, reason=reason)
    certificate_id = certificate.pk
    transaction.on_commit(lambda: certificate_render_task.enqueue(certificate_id=certificate_id))
    return certificate


def certificate_expiry(programme: Programme, starts_on: date) -> date:
    """The last day a certificate whose validity period starts on `starts_on` is valid."""
    return add_months(starts_on, programme.validity_months) - timedelta(days=1)


@transaction.atomic
def certificate_issue_if_eligible(
    *, holder: AbstractBaseUser, programme: Programme, today: date | None = None
) -> Certificate | None:
    """Issue the programme's certificate to the holder if every requirement is met and none was issued before.

    Exactly once: the programme row is locked while issuing, the existing certificate is looked for again
    under the lock, and a unique constraint backs it up. Returns the new certificate, or None when the holder
    isn't eligible yet or already has one. The holder's row is locked and read again after the programme's, so
    the name printed is the one committed (a correction in progress finishes first). The PDF is rendered by a
    background task after the commit, which emails the holder when it's ready.
    """
    today = today or timezone.localdate()
    if not programme.is_active or Certificate.objects.filter(holder=holder, programme=programme).exists():
        return None
    eligibility = programme_eligibility(user=holder, programme=programme, on=today)
    if not eligibility.met:
        return None
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    holder = _holder_locked(holder.pk)  # the name as committed: a correction under way finishes first
    if Certificate.objects.filter(holder=holder, programme=programme).exists():
        return None
    try:
        with transaction.atomic():
            return _create(
                programme=programme,
                holder=holder,
                holder_name=first_issue_holder_name(holder),
                issued_on=today,
                period_starts_on=today,
                expires_on=certificate_expiry(programme, today),
                origin=Certificate.Origin.FIRST,
                evidence=evidence_snapshot(user=holder, eligibility=eligibility),
                replaces=None,
                by=None,
                reason="Issued: every requirement met",
            )
    except IntegrityError:
        if not Certificate.objects.filter(holder=holder, programme=programme).exists():
            raise  # not a concurrent issue: a real conflict someone must see
        logger.info("Certificate for user %s in %s was issued by a concurrent check", holder.pk, programme)
        return None


def _holder_locked(holder_id: int) -> AbstractBaseUser:
    """The holder's row read afresh under a lock, taken after the programme's (never before it, so no deadlock)."""
    # accounts.services.user_name_change locks only this row: a name correction and an issue or renewal queue
    # behind each other, and the certificate carries the name as committed.
    return get_user_model().objects.select_for_update().get(pk=holder_id)


def _supersede(old: Certificate, new: Certificate, *, by: AbstractBaseUser | None, reason: str) -> None:
    old.state = State.SUPERSEDED
    old.state_reason = reason
    old.state_changed_at = timezone.now()
    _save(old, by=by, reason=f"Superseded: {reason}")


@transaction.atomic
def certificate_renew_if_due(*, certificate: Certificate, today: date | None = None) -> Certificate | None:
    """Renew a valid certificate once its renewal window is open and the continuing-education hours are met.

    The new certificate keeps the name on the old one (so a spelling chosen at a reissue stays), unless the holder
    corrected their own name (a NameChange) after the old one was issued: then it carries their name as it is now.
    It runs on from the old one's expiry (or from today, if it has lapsed) and supersedes it. Exactly once, under
    the programme lock, then the holder's, then the certificate's (always in that order), and the one-successor
    constraint. Returns the new certificate or None.
    """
    today = today or timezone.localdate()
    renewal = renewal_progress(certificate=certificate, on=today)
    if not renewal.due:
        return None
    programme = Programme.objects.select_for_update().get(pk=certificate.programme_id)
    holder = _holder_locked(certificate.holder_id)
    old = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if old.state != State.VALID or Certificate.objects.filter(replaces=old).exists():
        return None
    starts_on = max(old.expires_on + timedelta(days=1), today)
    evidence = {
        "checked_on": today.isoformat(),
        "renews": old.number,
        "continuing_education": renewal.hours.summary,
        "requirements": [{"key": "renewal", "summary": renewal.hours.summary, "met": True}],
    }
    new = _create(
        programme=programme,
        holder=holder,
        holder_name=renewal_holder_name(old=old, holder=holder),
        issued_on=today,
        period_starts_on=starts_on,
        expires_on=certificate_expiry(programme, starts_on),
        origin=Certificate.Origin.RENEWAL,
        evidence=evidence,
        replaces=old,
        by=None,
        reason=f"Renewed: {renewal.hours.summary}",
    )
    _supersede(old, new, by=None, reason=f"Renewed as {new.number}")
    return new


# Rendering ---------------------------------------------------------------------------------------------------


@task()
def certificate_render_task(*, certificate_id: int) -> str:
    """Render a certificate's PDFs in the background; returns the rendering state."""
    return certificate_render(certificate_id=certificate_id).rendering


@transaction.atomic
def certificate_render_retry(*, by: AbstractBaseUser, certificate: Certificate) -> Certificate:
    """Queue a certificate whose PDF failed or is still pending (e.g. a lost task) for rendering again.

    Harmless to repeat: rendering stores only the paper sizes still missing. Programme admins only. Raises
    CertificateError 'not_allowed', or 'not_failed' when the PDFs are ready.
    """
    _require_programme_admin(by)
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.rendering == Certificate.Rendering.READY:
        raise CertificateError("not_failed", "This certificate's PDFs are ready; there is nothing to retry.")
    certificate.rendering = Certificate.Rendering.PENDING
    _save(certificate, by=by, reason="Rendering retried")
    certificate_id = certificate.pk
    transaction.on_commit(lambda: certificate_render_task.enqueue(certificate_id=certificate_id))
    return certificate
