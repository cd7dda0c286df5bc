"""Writes for certificates: ethics attestations, issuing, rendering, renewal, reminders and status changes."""

import hashlib
import json
import logging
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django_tasks import task

from certificates import rendering
from certificates.codes import new_code
from certificates.credentials import credential_document
from certificates.eligibility import add_months, evidence_snapshot, programme_eligibility, renewal_progress
from certificates.holder_names import first_issue_holder_name, holder_name_tidy, renewal_holder_name
from certificates.models import (
    Certificate,
    CertificateCredential,
    CertificateFile,
    EthicsAttestation,
    ExpiryReminder,
    Programme,
    SigningKey,
)
from certificates.signing import sign_document
from certificates.status_lists import new_status_index
from lms.errors import ServiceError
from lms.mail import email_on_commit
from lms.names import HIDDEN_CHARACTERS, display_name
from lms.roles import PROGRAMME_ADMIN, TRAINEE, has_role, role_holders
from lms.signals import progress_recorded_on_commit

logger = logging.getLogger(__name__)

State = Certificate.State
REMINDER_DAYS = (90, 30, 7)
EXPIRED_NOTICE_DAYS = 14  # an expiry notice still goes out if the daily timer missed up to two weeks


class CertificateError(ServiceError):
    """A certificate rule stopped the action.

    Codes: 'not_allowed', 'agreement_required', 'not_required', 'inactive', 'reason_required',
    'name_required', 'name_invalid', 'not_valid', 'not_suspended', 'already_revoked', 'superseded', 'not_failed'.
    Locks are taken programme, then holder, then certificate; a certificate's own lock takes only its row (of=self),
    not the programme and holder rows its query joins, so no two actions wait on each other in opposite orders.
    """


def _require_programme_admin(user: AbstractBaseUser) -> None:
    if not (user.is_authenticated and has_role(user, PROGRAMME_ADMIN)):
        raise CertificateError("not_allowed", "Only programme admins can change certificates.")


def _save(certificate: Certificate, *, by: AbstractBaseUser | None, reason: str) -> None:
    certificate._history_user = by
    certificate._change_reason = reason
    certificate.save()


def _email_holder(certificate: Certificate, template: str, **context) -> None:
    email_on_commit(
        template=f"certificates/emails/{template}",
        to=[certificate.holder.email],
        context={
            "holder_name": certificate.holder_name,
            "certificate": certificate,
            "programme_name": certificate.programme.name,
            **context,
        },
    )


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


@transaction.atomic
def ethics_attestation_sign(*, user: AbstractBaseUser, programme: Programme, agreed: bool) -> EthicsAttestation:
    """Record the user's agreement to the programme's code of ethics, with their name and the time.

    Signing again returns the first attestation. Raises CertificateError 'agreement_required' when the box
    wasn't ticked, 'not_required' when the programme asks for none, 'inactive' for an inactive programme.
    May complete the programme, so the certificate check runs once this commits.
    """
    if not programme.is_active:
        raise CertificateError("inactive", "This programme isn't taking new candidates.")
    if not programme.ethics_attestation_required:
        raise CertificateError("not_required", "This programme doesn't ask for an ethics attestation.")
    if not agreed:
        raise CertificateError("agreement_required", "Tick the box to show you agree to the code of ethics.")
    attestation, created = EthicsAttestation.objects.get_or_create(
        user=user,
        programme=programme,
        defaults={"statement": programme.ethics_statement, "signed_name": display_name(user)},
    )
    if created:
        progress_recorded_on_commit(user=user)
    return attestation


# Rendering ---------------------------------------------------------------------------------------------------


@task()
def certificate_render_task(*, certificate_id: int) -> str:
    """Render a certificate's PDFs in the background; returns the rendering state."""
    return certificate_render(certificate_id=certificate_id).rendering


@transaction.atomic
def certificate_render(*, certificate_id: int) -> Certificate:
    """Render and store each paper size not stored yet, with its SHA-256; never touches a stored file.

    On any failure the certificate is marked 'rendering failed' with the error for admins; nothing stored
    is lost and a retry renders only what is missing. Emails the holder when the PDF is first ready.
    """
    certificate = (
        Certificate.objects.select_for_update(of=("self",)).select_related("programme", "holder").get(pk=certificate_id)
    )
    if certificate.rendering == Certificate.Rendering.READY:
        return certificate
    stored = set(certificate.files.values_list("paper", flat=True))
    try:
        credential = certificate_credential_sign(certificate=certificate)
        for paper in CertificateFile.Paper.values:
            if paper in stored:
                continue
            pdf = rendering.certificate_pdf(certificate, paper, credential=credential.document)
            with transaction.atomic():
                stored_file = CertificateFile(
                    certificate=certificate, paper=paper, sha256=hashlib.sha256(pdf).hexdigest(), size=len(pdf)
                )
                stored_file.file.save(f"{certificate.number}-{paper}.pdf", ContentFile(pdf), save=False)
                stored_file.save()
    except Exception as error:  # any failure must leave a visible state rather than a lost certificate
        logger.exception("Rendering certificate %s failed", certificate.number)
        certificate.rendering = Certificate.Rendering.FAILED
        certificate.render_error = (
            f"{type(error).__name__}: {error}" if not isinstance(error, rendering.RenderError) else str(error)
        )
        _save(certificate, by=None, reason="Rendering failed")
        return certificate
    certificate.rendering = Certificate.Rendering.READY
    certificate.render_error = ""
    _save(certificate, by=None, reason="PDF rendered and stored")
    _email_holder(certificate, "certificate_ready", origin=certificate.origin)
    return certificate


@transaction.atomic
def certificate_credential_sign(*, certificate: Certificate) -> CertificateCredential:
    """The certificate's signed Open Badges credential: signed once by the current key, then kept as it is.

    Harmless to repeat (the certificate row is locked, so two callers never both sign). A certificate issued
    before status lists gets its random place first. Raises SigningKeyMissing when no key is configured.
    """
    existing = CertificateCredential.objects.filter(certificate_id=certificate.pk).first()
    if existing is not None:  # the common case (every public GET of a credential): no lock taken
        return existing
    certificate = Certificate.objects.select_for_update(of=("self",)).select_related("programme").get(pk=certificate.pk)
    existing = CertificateCredential.objects.filter(certificate=certificate).first()
    if existing is not None:
        return existing
    if certificate.status_index is None:
        certificate.status_index = new_status_index()
        Certificate.objects.filter(pk=certificate.pk).update(status_index=certificate.status_index)
    signed = sign_document(credential_document(certificate))
    key = signed["proof"][0]["verificationMethod"].partition("#")[2]
    try:
        with transaction.atomic():
            return CertificateCredential.objects.create(
                certificate=certificate,
                document=json.dumps(signed, ensure_ascii=False, indent=2) + "\n",
                signing_key=SigningKey.objects.get(public_key_multibase=key),
            )
    except IntegrityError:  # SQLite has no row locks: another process signed it first, so theirs stands
        return CertificateCredential.objects.get(certificate=certificate)


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


# Status changes by programme admins --------------------------------------------------------------------------


def _locked_for_change(by: AbstractBaseUser, certificate: Certificate) -> Certificate:
    _require_programme_admin(by)
    return (
        Certificate.objects.select_for_update(of=("self",)).select_related("programme", "holder").get(pk=certificate.pk)
    )


def _required_reason(reason: str, action: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError("reason_required", f"Give a reason for {action}. It's kept with the certificate.")
    return reason


@transaction.atomic
def certificate_suspend(*, by: AbstractBaseUser, certificate: Certificate, reason: str) -> Certificate:
    """Suspend a valid certificate (reversible) with a reason; the holder is emailed.

    Raises CertificateError 'not_allowed', 'reason_required' or 'not_valid' (only valid or expired
    certificates can be suspended).
    """
    reason = _required_reason(reason, "suspending it")
    certificate = _locked_for_change(by, certificate)
    if certificate.state != State.VALID:
        raise CertificateError(
            "not_valid", f"Only a valid certificate can be suspended; this one is {certificate.status_label.lower()}."
        )
    certificate.state, certificate.state_reason, certificate.state_changed_at = State.SUSPENDED, reason, timezone.now()
    _save(certificate, by=by, reason=f"Suspended: {reason}")
    _email_holder(certificate, "certificate_suspended", reason=reason)
    return certificate


@transaction.atomic
def certificate_reinstate(*, by: AbstractBaseUser, certificate: Certificate, reason: str = "") -> Certificate:
    """Lift a suspension; the holder is emailed. Raises CertificateError 'not_allowed' or 'not_suspended'."""
    certificate = _locked_for_change(by, certificate)
    if certificate.state != State.SUSPENDED:
        raise CertificateError("not_suspended", "Only a suspended certificate can be reinstated.")
    certificate.state, certificate.state_reason, certificate.state_changed_at = State.VALID, "", timezone.now()
    _save(certificate, by=by, reason=f"Reinstated: {reason.strip()}" if reason.strip() else "Reinstated")
    _email_holder(certificate, "certificate_reinstated")
    return certificate


@transaction.atomic
def certificate_revoke(*, by: AbstractBaseUser, certificate: Certificate, reason: str) -> Certificate:
    """Revoke a certificate for good, with a reason that stays visible on verification; the holder is emailed.

    Raises CertificateError 'not_allowed', 'reason_required', 'already_revoked' or 'superseded'
    (revoke the newer certificate instead).
    """
    reason = _required_reason(reason, "revoking it")
    certificate = _locked_for_change(by, certificate)
    if certificate.state == State.REVOKED:
        raise CertificateError("already_revoked", "This certificate is already revoked.")
    if certificate.state == State.SUPERSEDED:
        raise CertificateError("superseded", "This certificate was replaced by a newer one; revoke that one instead.")
    certificate.state, certificate.state_reason, certificate.state_changed_at = State.REVOKED, reason, timezone.now()
    _save(certificate, by=by, reason=f"Revoked: {reason}")
    _email_holder(certificate, "certificate_revoked", reason=reason)
    return certificate


@transaction.atomic
def certificate_reissue(
    *, by: AbstractBaseUser, certificate: Certificate, holder_name: str, reason: str
) -> Certificate:
    """Reissue a valid certificate under a corrected name: a new number and code, the same expiry; the old
    one is marked superseded and points to the new one. The holder is emailed when the new PDF is ready.

    Raises CertificateError 'not_allowed', 'name_required', 'name_invalid' (hidden control or direction characters),
    'reason_required', 'not_valid' or 'superseded'.
    """
    holder_name = holder_name_tidy(holder_name)
    if not holder_name:
        raise CertificateError("name_required", "Enter the name as it should appear on the certificate.")
    if HIDDEN_CHARACTERS.search(holder_name):
        raise CertificateError(
            "name_invalid",
            "The name has a hidden control character in it, perhaps pasted in by accident. Please type it again.",
        )
    reason = _required_reason(reason, "reissuing it")
    _require_programme_admin(by)
    programme = Programme.objects.select_for_update().get(pk=certificate.programme_id)  # programme, then certificate
    old = _locked_for_change(by, certificate)
    if old.state == State.SUPERSEDED or Certificate.objects.filter(replaces=old).exists():
        raise CertificateError("superseded", "This certificate was already replaced; reissue the newer one.")
    today = timezone.localdate()
    if old.status_on(today) != State.VALID:
        raise CertificateError(
            "not_valid", f"Only a valid certificate can be reissued; this one is {old.status_label.lower()}."
        )
    new = _create(
        programme=programme,
        holder=old.holder,
        holder_name=holder_name,
        issued_on=today,
        period_starts_on=old.period_starts_on,
        expires_on=old.expires_on,
        origin=Certificate.Origin.REISSUE,
        evidence={**old.evidence, "reissues": old.number, "reissue_reason": reason},
        replaces=old,
        by=by,
        reason=f"Reissued from {old.number}: {reason}",
    )
    ExpiryReminder.objects.bulk_create(  # reminders already sent for these dates aren't sent again
        [
            ExpiryReminder(certificate=new, days_before=sent.days_before, sent_on=sent.sent_on)
            for sent in old.reminders.all()
        ]
    )
    _supersede(old, new, by=by, reason=f"Reissued as {new.number}: {reason}")
    return new


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
