"""Status changes by programme admins: suspend, reinstate, revoke, reissue under a corrected name."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from certificates.holder_names import holder_name_tidy
from certificates.models import Certificate, ExpiryReminder, Programme
from certificates.service_base import CertificateError, _email_holder, _require_programme_admin, _save
from certificates.services import _create, _supersede
from lms.names import HIDDEN_CHARACTERS

State = Certificate.State


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
