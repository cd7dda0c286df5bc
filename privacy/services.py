"""Writes for closing an account: anonymise the person, keep their certificates verifiable, and later let them go.

Each app does its own part through the closer it registered (lms/closing.py), and privacy/closers.py the part of
Wagtail, allauth and Django, all in CLOSING_ORDER; this module checks the person may close, sends the confirmation,
and records the closed account.
"""

import logging
import math
from datetime import date, datetime

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from lms.errors import ServiceError
from lms.kept_home import home_changed
from lms.mail import email_on_commit
from lms.names import display_name
from lms.ratelimit import consume
from privacy.closers import closers
from privacy.closure_preview import account_closure
from privacy.models import ClosedAccount

logger = logging.getLogger(__name__)

CONFIRM_WORD = "CLOSE"
MAX_WRONG_PASSWORDS = 5
WRONG_PASSWORD_WINDOW = 15 * 60  # seconds


class PrivacyError(ServiceError):
    """A rule stopped closing the account.

    Codes: 'wrong_password', 'too_many_attempts', 'programme_admin', 'closed', or the code of what an app's closer
    says stops it ('supervising', from practice).
    """


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
    if closure.stops:
        stop = closure.stops[0]
        raise PrivacyError(stop.code, stop.message)
    email_on_commit(
        template="privacy/emails/account_closed",
        to=[_email_address(user)],
        context={
            "name": display_name(user),
            "certificates": [
                {"number": c.number, "credential": c.credential, "verify_url": c.verify_url}
                for c in closure.certificates
            ],
            "keep_until": closure.keep_until,
        },
    )
    context = closure.context(user=user, today=today)
    for closer in closers():
        closer.close(context)
    home_changed(user.pk)  # closers anonymise with update(), which sends no signal
    closed = ClosedAccount.objects.create(user=user, closed_at=timezone.now(), keep_until=closure.keep_until)
    logger.info("Account %s closed; certificate records kept until %s", user.pk, closure.keep_until or "-")
    if closed.keep_until is not None and closed.keep_until < today:
        closed = closed_account_purge(closed=closed)
    return closed


# When the retention period ends ------------------------------------------------------------------------------


@transaction.atomic
def closed_account_purge(*, closed: ClosedAccount, now: datetime | None = None) -> ClosedAccount:
    """Delete what a closed account kept: its certificates (with their PDFs, credentials and checks), the hours,
    sign-offs, review batches, placements and ethics attestations behind them, and all their history.

    Harmless to repeat. Each app's closer purges its part, in CLOSING_ORDER backwards, so the certificates go
    before the evidence they rest on (newest first, their stored PDFs once the change commits). Sign-offs this
    person gave as a supervisor belong to other trainees' records and stay.
    """
    closed = ClosedAccount.objects.select_for_update().get(pk=closed.pk)
    user = closed.user
    for closer in reversed(closers()):
        if closer.purge:
            closer.purge(user)
    closed.purged_at = now or timezone.now()
    closed.save(update_fields=["purged_at"])
    logger.info("Closed account %s: kept certificate records deleted", user.pk)
    return closed


def closed_accounts_purge(*, today: date | None = None) -> list[ClosedAccount]:
    """Purge every closed account whose retention period ended before today; returns those purged."""
    today = today or timezone.localdate()
    due = ClosedAccount.objects.filter(keep_until__lt=today, purged_at__isnull=True)
    return [closed_account_purge(closed=closed) for closed in due.iterator()]
