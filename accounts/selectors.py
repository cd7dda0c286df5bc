"""Reads for accounts: invitations, whether someone still has to turn on two-factor authentication, name corrections."""

from datetime import datetime

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Q, QuerySet

from accounts.models import Invitation, NameChange
from accounts.services import MAX_TOKEN_LENGTH, invitation_digest
from lms.ids import MAX_ID
from lms.roles import PROGRAMME_ADMIN, SUPERVISOR, has_role

MFA_REQUIRED_ROLES = (SUPERVISOR, PROGRAMME_ADMIN)


def invitations_list() -> QuerySet[Invitation]:
    """Every invitation, newest first, with who sent it and who accepted it."""
    return Invitation.objects.select_related("invited_by", "accepted_user")


def invitation_by_id(pk: int) -> Invitation | None:
    """One invitation, or None."""
    if pk > MAX_ID:
        return None
    return Invitation.objects.filter(pk=pk).first()


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation a link's token belongs to, whatever its status; None for an unknown or malformed token."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return Invitation.objects.filter(token_digest=invitation_digest(token)).first()


def mfa_required(user: AbstractBaseUser) -> bool:
    """Whether the user's roles call for two-factor authentication: supervisors and programme admins (superusers)."""
    return user.is_authenticated and any(has_role(user, role) for role in MFA_REQUIRED_ROLES)


def has_totp(user: AbstractBaseUser) -> bool:
    """Whether the user has an authenticator app set up (one query, remembered on the user for the request)."""
    if not hasattr(user, "_has_totp"):
        user._has_totp = Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()
    return user._has_totp


def mfa_missing(user: AbstractBaseUser) -> bool:
    """Whether the user must turn on two-factor authentication before approving, revoking or editing anything."""
    return mfa_required(user) and not has_totp(user)


def name_corrected_since(user: AbstractBaseUser, moment: datetime) -> bool:
    """Whether the person corrected their own name (a NameChange) after the moment."""
    return NameChange.objects.filter(user=user, changed_at__gt=moment).exists()


def email_addresses_of(user: AbstractBaseUser) -> set[str]:
    """Every email address the user has given us, lower-cased."""
    addresses = {email.lower() for email in EmailAddress.objects.filter(user=user).values_list("email", flat=True)}
    return {address for address in {*addresses, user.email.lower()} if address}


def invitations_to(user: AbstractBaseUser):
    """Invitations the user accepted, or that were sent to one of their email addresses."""
    to_them = Q(accepted_user=user)
    for address in email_addresses_of(user):
        to_them |= Q(email__iexact=address)
    return Invitation.objects.filter(to_them)
