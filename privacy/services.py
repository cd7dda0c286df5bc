"""Writes for closing an account: anonymise the person, keep their certificates verifiable, and later let them go.

Closing touches records that belong to other apps (practice, courses, certificates, verification, allauth and
Wagtail) directly, because none of them has a service for forgetting a person yet.
"""

import logging
import math
from datetime import date, datetime

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.sessions.models import Session
from django.db import models, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from wagtail.admin.models import EditingSession, FormState
from wagtail.models import APIToken as WagtailAPIToken
from wagtail.models import PageSubscription
from wagtail.users.models import UserProfile

from accounts.models import Invitation, NameChange
from accounts.selectors import invitations_to
from certificates.models import Certificate, CertificateFile, EthicsAttestation
from courses.models import QuizAttemptGrant
from lms.errors import ServiceError
from lms.mail import email_on_commit
from lms.names import display_name
from lms.ratelimit import consume
from practice.models import (
    Attestation,
    Batch,
    PracticeEntry,
    SkillsCheckSignOff,
    SupervisorAssignment,
    SupervisorProfile,
)
from privacy.closure_preview import account_closure
from privacy.models import ClosedAccount
from verification.models import ApiToken, BulkJob, Lookup, VerifierProfile
from verification.services import api_token_revoke

logger = logging.getLogger(__name__)

CONFIRM_WORD = "CLOSE"
MAX_WRONG_PASSWORDS = 5
WRONG_PASSWORD_WINDOW = 15 * 60  # seconds
FREE_TEXT = {"reflection": "", "topics": "", "return_comment": "", "decline_reason": ""}
"""The words people wrote on a practice entry (the trainee's reflection, topics or reason for declining a group
session, the supervisor's comment)."""
REASONS_WITH_WORDS = ("Returned", "Reopened", "Declined")
"""History reasons that carry a comment after a colon ('Returned: …'): closing keeps the word and drops the rest."""


class PrivacyError(ServiceError):
    """A rule stopped closing the account.

    Codes: 'wrong_password', 'too_many_attempts', 'programme_admin', 'supervising', 'closed'.
    """


# Deleting records together with their history ----------------------------------------------------------------


def _delete_history(records: models.QuerySet) -> None:
    """Delete history rows, and first the many-to-many history rows that point at them (those don't cascade)."""
    for relation in records.model._meta.related_objects:
        relation.related_model.objects.filter(**{f"{relation.field.name}__in": records.values("pk")}).delete()
    records.delete()


def _delete_with_history(queryset: models.QuerySet) -> None:
    """Delete the rows and every history row of theirs, including the one their deletion just wrote."""
    ids = list(queryset.values_list("pk", flat=True))
    if not ids:
        return
    queryset.model.objects.filter(pk__in=ids).delete()
    history = getattr(queryset.model, "history", None)
    if history is not None:
        _delete_history(history.model.objects.filter(id__in=ids))


# Closing -----------------------------------------------------------------------------------------------------


def _count_password_try(user: AbstractBaseUser) -> None:
    """Count one password try; refuse it after 5 in 15 minutes. Counted before the password is checked, so tries
    sent at once can't slip past the count, and outside any transaction, so a refusal can't undo it."""
    wait = consume(
        key=f"privacy:close-password:{user.pk}", cost=1, limit=MAX_WRONG_PASSWORDS, seconds=WRONG_PASSWORD_WINDOW
    )
    if wait is not None:
        minutes = math.ceil(wait / 60)
        raise PrivacyError(
            "too_many_attempts",
            f"That's too many tries at your password for now. Please wait {minutes} minute{'s' if minutes > 1 else ''} "
            "and try again.",
        )


def _check_password(user: AbstractBaseUser, password: str) -> None:
    """Refuse a wrong password."""
    if not user.has_usable_password() or not user.check_password(password):
        raise PrivacyError("wrong_password", "That isn't your current password. Nothing has been changed.")


def _sessions_delete(user: AbstractBaseUser) -> None:
    """Sign the person out everywhere: delete every stored session that belongs to them."""
    mine = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get("_auth_user_id") == str(user.pk)
    ]
    Session.objects.filter(pk__in=mine).delete()


def _practice_anonymise(user: AbstractBaseUser, *, evidence_until: date | None, today: date) -> None:
    """Keep the approved hours and sign-offs behind issued certificates without their words; delete the rest."""
    entries = PracticeEntry.objects.filter(trainee=user)
    backing = entries.none()
    if evidence_until is not None:
        backing = entries.filter(status=PracticeEntry.Status.APPROVED, performed_on__lte=evidence_until)
    let_go = entries.exclude(pk__in=backing.values("pk"))
    _delete_with_history(SkillsCheckSignOff.objects.filter(entry__in=let_go))  # they protect their entries
    _delete_with_history(let_go)
    backing.update(**FREE_TEXT)
    history = PracticeEntry.history.filter(trainee_id=user.pk)
    history.update(**FREE_TEXT)
    for word in REASONS_WITH_WORDS:
        history.filter(history_change_reason__startswith=f"{word}:").update(history_change_reason=word)

    has_entries = Exists(PracticeEntry.objects.filter(batch=OuterRef("pk")))
    Attestation.objects.filter(batch__trainee=user).exclude(
        Exists(PracticeEntry.objects.filter(attestation=OuterRef("pk")))
    ).exclude(Exists(SkillsCheckSignOff.objects.filter(attestation=OuterRef("pk")))).delete()
    empty_batches = (
        Batch.objects.filter(trainee=user)
        .exclude(has_entries)
        .exclude(Exists(Attestation.objects.filter(batch=OuterRef("pk"))))
    )
    _delete_with_history(empty_batches)
    # A batch left with only approved entries (its waiting ones were deleted) has nothing more to review.
    Batch.objects.filter(trainee=user, status=Batch.Status.SUBMITTED).update(status=Batch.Status.REVIEWED)

    assignments = SupervisorAssignment.objects.filter(trainee=user)
    unused = assignments.exclude(Exists(PracticeEntry.objects.filter(assignment=OuterRef("pk")))).exclude(
        Exists(Batch.objects.filter(assignment=OuterRef("pk")))
    )
    _delete_with_history(unused)
    for assignment in assignments.filter(models.Q(ends_on__isnull=True) | models.Q(ends_on__gt=today)):
        assignment.ends_on = max(today, assignment.starts_on)
        assignment._change_reason = "Ended: the trainee closed their account"
        assignment.save()


def _certificates_anonymise(user: AbstractBaseUser, *, kept_programmes: set[int]) -> None:
    """Keep ethics attestations behind issued certificates without the signed name; delete the others."""
    attestations = EthicsAttestation.objects.filter(user=user)
    attestations.exclude(programme_id__in=kept_programmes).delete()
    attestations.update(signed_name="")


def _roles_forget(user: AbstractBaseUser) -> None:
    """Remove what the person set up as a supervisor, a verifier or an editor; others' records keep their place."""
    _delete_with_history(SupervisorProfile.objects.filter(user=user))
    _delete_with_history(VerifierProfile.objects.filter(user=user))
    for token_id in ApiToken.objects.filter(user=user, revoked_at__isnull=True).values_list("pk", flat=True):
        api_token_revoke(user=user, token_id=token_id)
    WagtailAPIToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    Lookup.objects.filter(verifier=user).update(verifier=None)  # the holders keep the organisation's name
    BulkJob.objects.filter(verifier=user).delete()
    QuizAttemptGrant.objects.filter(user=user).update(reason="")
    for model in (UserProfile, EditingSession, FormState, PageSubscription):
        model.objects.filter(user=user).delete()


def _invitations_anonymise(user: AbstractBaseUser) -> None:
    """Take the person's address off invitations sent to them (history too); stop any still waiting."""
    ids = list(invitations_to(user).values_list("pk", flat=True))
    Invitation.objects.filter(pk__in=ids, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    Invitation.objects.filter(pk__in=ids).update(email="")
    Invitation.history.filter(id__in=ids).update(email="")


def _user_anonymise(user: AbstractBaseUser) -> None:
    """Make the account an inactive, nameless shell nobody can sign in to, and sign it out everywhere."""
    EmailAddress.objects.filter(user=user).delete()
    NameChange.objects.filter(user=user).delete()  # the earlier names they corrected
    Authenticator.objects.filter(user=user).delete()
    _sessions_delete(user)
    user.username = f"closed-{user.pk}"
    user.first_name = user.last_name = user.email = ""
    user.is_active = user.is_staff = user.is_superuser = False
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()


def _email_address(user: AbstractBaseUser) -> str:
    """Where the closing confirmation goes: the account's address, else its primary one."""
    primary = EmailAddress.objects.filter(user=user, primary=True).values_list("email", flat=True).first()
    return user.email or primary or ""


def account_close(*, user: AbstractBaseUser, password: str, today: date | None = None) -> ClosedAccount:
    """Close the user's account for good, keeping their issued certificates verifiable under the printed name.

    The person becomes an inactive account named closed-<id> with no name, email, password, email addresses,
    sessions, two-factor authenticators or working API tokens. Their reflections, session topics and the comments
    on their entries are wiped, in the history tables too. Approved hours and sign-offs dated on or before their
    latest certificate's issue (the evidence behind it) are kept without those words, with the certificates, until
    RETENTION_YEARS after the latest expiry (privacy.retention); everything else of their practice log goes.
    Course progress and quiz results stay, no longer linked to a name; invitations sent to them lose the address.
    A confirmation email goes to their address first.

    Raises PrivacyError 'closed' (already closed), 'too_many_attempts' (after 5 password tries in 15 minutes),
    'wrong_password', 'programme_admin' (ask another admin) or 'supervising' (trainees still assigned, or hours
    waiting for their review); nothing changes then.
    """
    _count_password_try(user)
    return _account_close(user=user, password=password, today=today)


@transaction.atomic
def _account_close(*, user: AbstractBaseUser, password: str, today: date | None) -> ClosedAccount:
    """account_close once the try is counted: everything in one transaction."""
    today = today or timezone.localdate()
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    if not user.is_active or ClosedAccount.objects.filter(user=user).exists():
        raise PrivacyError("closed", "This account is already closed.")
    _check_password(user, password)
    closure = account_closure(user=user, today=today)
    if closure.is_admin:
        raise PrivacyError(
            "programme_admin",
            "Programme admin accounts can't be closed here. Please ask another programme admin to close it, so the "
            "programme is never left without one.",
        )
    if closure.supervising:
        raise PrivacyError(
            "supervising",
            "You still have trainees assigned to you, or hours waiting for your review. Please ask a programme admin "
            "to move your trainees to another supervisor first, then come back here.",
        )
    certificates = closure.certificates
    email_on_commit(
        template="privacy/emails/account_closed",
        to=[_email_address(user)],
        context={
            "name": display_name(user),
            "certificates": [
                {"number": c.number, "credential": c.programme.name, "verify_url": c.verify_url} for c in certificates
            ],
            "keep_until": closure.keep_until,
        },
    )
    _practice_anonymise(user, evidence_until=max((c.issued_on for c in certificates), default=None), today=today)
    _certificates_anonymise(user, kept_programmes={c.programme_id for c in certificates})
    _roles_forget(user)
    _invitations_anonymise(user)
    _user_anonymise(user)
    closed = ClosedAccount.objects.create(user=user, closed_at=timezone.now(), keep_until=closure.keep_until)
    logger.info("Account %s closed; certificate records kept until %s", user.pk, closure.keep_until or "-")
    if closed.keep_until is not None and closed.keep_until < today:
        closed = closed_account_purge(closed=closed)
    return closed


# When the retention period ends ------------------------------------------------------------------------------


def _files_delete_on_commit(names: list[str]) -> None:
    """Delete stored certificate PDFs once the deletion of their rows has committed."""
    storage = CertificateFile._meta.get_field("file").storage

    def delete():
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete)


@transaction.atomic
def closed_account_purge(*, closed: ClosedAccount, now: datetime | None = None) -> ClosedAccount:
    """Delete what a closed account kept: its certificates (with their PDFs, credentials and checks), the hours,
    sign-offs, review batches, placements and ethics attestations behind them, and all their history.

    Harmless to repeat. Certificates go newest first, so no certificate is left pointing at a deleted one it
    replaced; their stored PDFs are deleted once the change commits. Sign-offs this person gave as a supervisor
    belong to other trainees' records and stay.
    """
    closed = ClosedAccount.objects.select_for_update().get(pk=closed.pk)
    user = closed.user
    certificates = list(Certificate.objects.filter(holder=user).prefetch_related("files").order_by("-issued_at", "-pk"))
    _files_delete_on_commit([stored.file.name for c in certificates for stored in c.files.all()])
    for certificate in certificates:
        certificate.delete()
    _delete_history(Certificate.history.filter(holder_id=user.pk))
    _delete_with_history(SkillsCheckSignOff.objects.filter(entry__trainee=user))
    _delete_with_history(PracticeEntry.objects.filter(trainee=user))
    _delete_history(PracticeEntry.history.filter(trainee_id=user.pk))
    Attestation.objects.filter(batch__trainee=user).delete()
    _delete_with_history(Batch.objects.filter(trainee=user))
    _delete_history(Batch.history.filter(trainee_id=user.pk))
    _delete_with_history(SupervisorAssignment.objects.filter(trainee=user))
    _delete_history(SupervisorAssignment.history.filter(trainee_id=user.pk))
    EthicsAttestation.objects.filter(user=user).delete()
    closed.purged_at = now or timezone.now()
    closed.save(update_fields=["purged_at"])
    logger.info("Closed account %s: kept certificate records deleted", user.pk)
    return closed


def closed_accounts_purge(*, today: date | None = None) -> list[ClosedAccount]:
    """Purge every closed account whose retention period ended before today; returns those purged."""
    today = today or timezone.localdate()
    due = ClosedAccount.objects.filter(keep_until__lt=today, purged_at__isnull=True)
    return [closed_account_purge(closed=closed) for closed in due.iterator()]
