"""Writes for accounts: a person's name (set at sign-up, corrected later), and invitations to staff roles."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from allauth.account.adapter import get_adapter
from allauth.account.internal.userkit import filter_users_by_username
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import INVITATION_LIFETIME, Invitation, NameChange
from certificates.holder_names import FULL_NAME_MAX_LENGTH, certificates_to_reissue_for, holder_name_tidy
from certificates.models import Certificate
from lms.errors import ServiceError
from lms.mail import email_on_commit
from lms.names import HIDDEN_CHARACTERS, display_name
from lms.roles import PROGRAMME_ADMIN, VERIFIER, has_role, role_holders
from verification.models import VerifierProfile
from verification.services import verifier_profile_save

MAX_TOKEN_LENGTH = 100
NAME_MAX_LENGTH = 150  # Django's User.first_name and User.last_name
NAME_CHANGES_PER_DAY = 5  # a person's own corrections in any 24 hours, counted from their NameChange records
NAME_CHANGE_WINDOW = timedelta(hours=24)
Status = Invitation.Status


class AccountError(ServiceError):
    """An account rule stopped the action.

    Codes: 'first_name_required', 'last_name_required', 'name_too_long', 'name_invalid', 'too_many_changes'.
    """


class InvitationError(ServiceError):
    """An invitation rule stopped the action.

    Codes: 'not_allowed', 'email_invalid', 'email_in_use', 'email_inactive', 'already_invited', 'role_invalid',
    'organisation_required', 'not_found', 'expired', 'revoked', 'used', 'username_taken', 'username_invalid',
    'password_invalid', 'name_required', 'name_too_long', 'name_invalid'.
    """


def person_name_tidy(value: str, *, part: str) -> str:
    """One part of a person's name ('first' or 'last') as it will be printed: trimmed, inner spaces made single.

    Raises AccountError '<part>_name_required' when nothing is left, 'name_too_long' past 150 characters, and
    'name_invalid' when it holds control characters or hidden text-direction marks.
    """
    value = holder_name_tidy(value)
    if not value:
        raise AccountError(
            f"{part}_name_required", f"Tell us your {part} name, as it should appear on your certificate."
        )
    if len(value) > NAME_MAX_LENGTH:
        raise AccountError("name_too_long", f"Keep your {part} name to {NAME_MAX_LENGTH} characters or fewer.")
    if HIDDEN_CHARACTERS.search(value):
        raise AccountError(
            "name_invalid",
            f"Your {part} name has a hidden control character in it, perhaps pasted in by accident. "
            "Please type it again.",
        )
    return value


def full_name_check(first_name: str, last_name: str) -> None:
    """Raise AccountError 'name_too_long' unless first name, space and last name fit a certificate (300)."""
    if len(first_name) + 1 + len(last_name) > FULL_NAME_MAX_LENGTH:
        raise AccountError(
            "name_too_long",
            f"Keep your first and last names to {FULL_NAME_MAX_LENGTH - 1} characters together, so the whole name "
            "fits on your certificate.",
        )


@transaction.atomic
def user_name_set(*, user: AbstractBaseUser, first_name: str, last_name: str) -> AbstractBaseUser:
    """Set the name a person is greeted by and certified under, each part tidied by person_name_tidy().

    Certificates already issued keep the name they were issued with. Raises AccountError 'first_name_required',
    'last_name_required', 'name_too_long', 'name_invalid'.
    """
    first_name, last_name = person_name_tidy(first_name, part="first"), person_name_tidy(last_name, part="last")
    full_name_check(first_name, last_name)
    user.first_name, user.last_name = first_name, last_name
    user.save(update_fields=["first_name", "last_name"])
    return user


@dataclass(frozen=True)
class NameChangeResult:
    """What correcting a name did: whether anything changed, the names, and the reissues the team was asked for."""

    changed: bool
    old_name: str
    new_name: str
    to_reissue: tuple[Certificate, ...] = ()
    team_asked: bool = False


def programme_admin_emails() -> list[str]:
    """The addresses of every active programme admin (superusers count), each once."""
    return sorted(set(role_holders(PROGRAMME_ADMIN).exclude(email="").values_list("email", flat=True)))


def _admin_url(name: str, certificate: Certificate) -> str:
    """An absolute link to a certificate's page in the Wagtail admin (certificates/wagtail_hooks.py)."""
    return settings.SITE_URL + reverse(name, args=[certificate.pk])


def _ask_for_reissue(
    *, recipients: list[str], user: AbstractBaseUser, old_name: str, new_name: str, certificates: list
) -> None:
    """Email the programme admins, once the change commits, the certificates to reissue under the new name."""
    email_on_commit(
        template="accounts/emails/name_change_reissue",
        to=recipients,
        context={
            "old_name": old_name,
            "new_name": new_name,
            "username": user.get_username(),
            "audit_url": settings.SITE_URL + reverse("audit_trainee", args=[user.pk]),
            "certificates": [
                {
                    "number": certificate.number,
                    "programme": certificate.programme.name,
                    "name_on_it": certificate.holder_name,
                    "status": certificate.status_label.lower(),
                    "suspended": certificate.state == Certificate.State.SUSPENDED,
                    "admin_url": _admin_url("wagtailsnippets_certificates_certificate:inspect", certificate),
                    "reissue_url": _admin_url("certificates_admin_reissue", certificate),
                }
                for certificate in certificates
            ],
        },
    )


def _refuse_too_many_changes(user: AbstractBaseUser) -> None:
    """Raise AccountError 'too_many_changes' once the person has saved NAME_CHANGES_PER_DAY in the last 24 hours."""
    since = timezone.now() - NAME_CHANGE_WINDOW
    if NameChange.objects.filter(user=user, changed_at__gt=since).count() >= NAME_CHANGES_PER_DAY:
        raise AccountError(
            "too_many_changes",
            f"You've changed your name {NAME_CHANGES_PER_DAY} times today. Please try again tomorrow, or ask the "
            "programme team if something's wrong.",
        )


@transaction.atomic
def user_name_change(*, user: AbstractBaseUser, first_name: str, last_name: str) -> NameChangeResult:
    """A person corrects their own first and last name, tidied and checked by user_name_set().

    When the tidied name is the one already held nothing happens, and the result says changed=False. Otherwise the
    name is saved and a NameChange records the old and new names for the audit trail. At most 5 changes are saved
    in any 24 hours. Certificates are never changed here: a reissue is the programme team's decision. Live
    certificates (valid and unexpired, or suspended) printed with another name are listed in one email to every
    programme admin with an address (sent once the change commits), asking them to reissue each; the result lists
    them, and team_asked (like the NameChange's reissue_asked_for) says whether anyone was asked. The person is
    emailed too, so a change they didn't make doesn't go unnoticed.

    Raises AccountError 'first_name_required', 'last_name_required', 'name_too_long' (a part over 150 characters,
    or the whole name over 300), 'name_invalid' (control characters or hidden text-direction marks) or
    'too_many_changes' (5 saved in the last 24 hours); nothing is saved or emailed then.
    """
    user = get_user_model().objects.select_for_update().get(pk=user.pk)  # a second save waits, then sees this name
    old_first, old_last, old_name = user.first_name, user.last_name, display_name(user)
    tidied = (person_name_tidy(first_name, part="first"), person_name_tidy(last_name, part="last"))
    full_name_check(*tidied)
    if tidied == (old_first, old_last):
        return NameChangeResult(changed=False, old_name=old_name, new_name=old_name)
    _refuse_too_many_changes(user)  # counted under the lock on the person's row, so parallel saves can't slip past
    user_name_set(user=user, first_name=first_name, last_name=last_name)
    new_name = display_name(user)
    to_reissue = certificates_to_reissue_for(holder=user, name=new_name)
    recipients = programme_admin_emails() if to_reissue else []
    team_asked = bool(recipients)
    NameChange.objects.create(
        user=user,
        old_first_name=old_first,
        old_last_name=old_last,
        new_first_name=user.first_name,
        new_last_name=user.last_name,
        reissue_asked_for=[certificate.number for certificate in to_reissue] if team_asked else [],
    )
    if team_asked:
        _ask_for_reissue(
            recipients=recipients, user=user, old_name=old_name, new_name=new_name, certificates=to_reissue
        )
    suspended = [c for c in to_reissue if c.state == Certificate.State.SUSPENDED]
    email_on_commit(
        template="accounts/emails/name_changed",
        to=[user.email],
        context={
            "old_name": old_name,
            "new_name": new_name,
            "to_reissue": to_reissue,
            "ready": [c for c in to_reissue if c not in suspended],
            "suspended": suspended,
            "team_asked": team_asked,
        },
    )
    return NameChangeResult(
        changed=True, old_name=old_name, new_name=new_name, to_reissue=tuple(to_reissue), team_asked=team_asked
    )


def invitation_digest(token: str) -> str:
    """The SHA-256 of an invitation token, in hex: all that is stored of it."""
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_url(token: str) -> str:
    """The absolute link an invitee follows to accept."""
    return settings.SITE_URL + reverse("invitation_accept", kwargs={"token": token})


def _normalise_email(email: str) -> str:
    email = (email or "").strip().lower()  # as allauth keeps addresses, so logging in by email finds it
    try:
        validate_email(email)
    except ValidationError:
        raise InvitationError("email_invalid", "Enter a valid email address, like name@example.org.") from None
    return email


def _email_owner(email: str) -> AbstractBaseUser | None:
    """The account an address belongs to, if any: one that has confirmed it, or was given it by an admin.

    An address someone merely added (or signed up with) and never confirmed belongs to nobody: anyone can type
    anyone's address, so it must not block an invitation or make the admin hand a role to the wrong account.
    Accounts made by an admin (createsuperuser, the Django admin) have the address as their email and no allauth
    record of it; those count as owners.
    """
    address = EmailAddress.objects.select_related("user").filter(email__iexact=email, verified=True).first()
    if address is not None:
        return address.user
    unconfirmed = EmailAddress.objects.filter(user=OuterRef("pk"), email__iexact=email, verified=False)
    holders = get_user_model().objects.filter(email__iexact=email).exclude(Exists(unconfirmed))
    return holders.order_by("-is_active").first()


def _release_unconfirmed(email: str, *, to: AbstractBaseUser) -> None:
    """Take an address off every other account that holds it unconfirmed, now that `to` has it verified."""
    unconfirmed = EmailAddress.objects.select_related("user").filter(email__iexact=email, verified=False)
    for address in unconfirmed.exclude(user=to):
        address.remove()  # clears the account's own email field too when it was this address


def _refuse_used_email(email: str) -> None:
    owner = _email_owner(email)
    if owner is not None and owner.is_active:
        raise InvitationError(
            "email_in_use",
            f"{email} already belongs to an account. To give that person a new role, add it to their account "
            "in the admin instead of inviting them.",
        )
    if owner is not None:
        raise InvitationError(
            "email_inactive",
            f"{email} belongs to an account that has been deactivated. Reactivate it in the admin instead of "
            "inviting them again.",
        )


@transaction.atomic
def invitation_create(
    *,
    invited_by: AbstractBaseUser,
    email: str,
    role: str,
    organisation_name: str = "",
    organisation_kind: str = VerifierProfile.Kind.EMPLOYER,
) -> tuple[Invitation, str]:
    """Invite someone by email to make an account with a staff role; returns the invitation and its token.

    Only the token's SHA-256 is stored; the token itself goes out in the emailed link (once the transaction
    commits) and is returned for the caller's use, never kept. The link works for 7 days, once.
    Verifier invitations need the organisation's name. Raises InvitationError 'not_allowed' (only active programme
    admins invite), 'email_invalid', 'role_invalid', 'organisation_required', 'email_in_use' (an active account has
    confirmed the address; one merely added or signed up with doesn't count), 'email_inactive' (a deactivated one
    has it), 'already_invited' (a pending invitation has it).
    """
    if not (invited_by.is_authenticated and invited_by.is_active and has_role(invited_by, PROGRAMME_ADMIN)):
        raise InvitationError("not_allowed", "Only programme admins can invite people.")
    email = _normalise_email(email)
    if role not in Invitation.Role.values:
        raise InvitationError("role_invalid", "Choose the role: supervisor, verifier or programme admin.")
    organisation_name = " ".join(organisation_name.split()) if role == VERIFIER else ""
    if role == VERIFIER and not organisation_name:
        raise InvitationError(
            "organisation_required", "Give the name of the organisation this verifier checks certificates for."
        )
    if organisation_kind not in VerifierProfile.Kind.values:
        organisation_kind = VerifierProfile.Kind.EMPLOYER
    _refuse_used_email(email)
    now = timezone.now()
    pending = (
        Invitation.objects.select_for_update()
        .filter(email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if pending is not None:
        sent_on = date_format(timezone.localtime(pending.created_at), "j F Y")
        raise InvitationError(
            "already_invited",
            f"{email} already has an invitation waiting, sent on {sent_on}. "
            "Revoke it first if you want to send a new one.",
        )
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        email=email,
        role=role,
        organisation_name=organisation_name,
        organisation_kind=organisation_kind if role == VERIFIER else "",
        invited_by=invited_by,
        created_at=now,
        expires_at=now + INVITATION_LIFETIME,
        token_digest=invitation_digest(token),
    )
    invitation._history_user = invited_by
    invitation.save()
    email_on_commit(
        template="accounts/email/invitation",
        to=[email],
        context={
            "inviter_name": display_name(invited_by),
            "role": invitation.get_role_display().lower(),
            "organisation_name": organisation_name,
            "accept_url": invitation_url(token),
            "expires_at": invitation.expires_at,
        },
    )
    return invitation, token


def invitation_problem(invitation: Invitation | None, *, now=None) -> InvitationError | None:
    """Why an invitation's link can't be used (None if it can): 'not_found', 'expired', 'revoked' or 'used'."""
    if invitation is None:
        return InvitationError(
            "not_found", "This invitation link isn't one we know. Check it was copied in full from the email."
        )
    status = invitation.status_at(now or timezone.now())
    if status == Status.ACCEPTED:
        return InvitationError(
            "used", "This invitation has already been used to make an account. You can log in with that account."
        )
    if status == Status.REVOKED:
        return InvitationError(
            "revoked", "This invitation was withdrawn. If you think that's a mistake, ask whoever invited you."
        )
    if status == Status.EXPIRED:
        return InvitationError(
            "expired",
            "This invitation has expired: links work for 7 days. Ask whoever invited you to send a new one.",
        )
    return None


def _validate_username(username: str) -> str:
    username = username.strip()
    if not username:
        raise InvitationError("username_invalid", "Choose a username.")
    if filter_users_by_username(username).exists():
        raise InvitationError("username_taken", "That username is taken. Please choose another.")
    try:
        get_adapter().clean_username(username)
    except ValidationError as error:
        raise InvitationError("username_invalid", " ".join(error.messages)) from None
    return username


@transaction.atomic
def invitation_accept(
    *, token: str, username: str, password: str, first_name: str = "", last_name: str = ""
) -> AbstractBaseUser:
    """Make the invitee's account from a pending invitation; the link then stops working.

    The account gets the invitation's email as its verified primary address, the role's group, and (verifiers) the
    organisation; any other account holding that address unconfirmed loses it. The password must pass the site's
    password validators. Raises InvitationError 'not_found', 'expired', 'revoked', 'used', 'email_in_use',
    'email_inactive', 'name_required', 'name_too_long', 'name_invalid', 'username_taken', 'username_invalid',
    'password_invalid'.
    """
    invitation = None
    if token and len(token) <= MAX_TOKEN_LENGTH:
        invitation = Invitation.objects.select_for_update().filter(token_digest=invitation_digest(token)).first()
    problem = invitation_problem(invitation)
    if problem is not None:
        raise problem
    _refuse_used_email(invitation.email)
    if not first_name.strip():
        raise InvitationError("name_required", "Tell us your first name, as it should appear on your work here.")
    try:  # the same rules as sign-up: this name is signed on every approval and printed on certificates
        first_name = person_name_tidy(first_name, part="first")
        last_name = person_name_tidy(last_name, part="last") if last_name.strip() else ""  # one name is fine
        full_name_check(first_name, last_name)
    except AccountError as error:
        raise InvitationError(error.code, error.message) from None
    username = _validate_username(username)
    user_model = get_user_model()
    user = user_model(username=username, email=invitation.email, first_name=first_name, last_name=last_name)
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as error:
        raise InvitationError("password_invalid", " ".join(error.messages)) from None
    user.set_password(password)
    try:
        with transaction.atomic():  # a savepoint: someone may have taken the username a moment ago
            user.save()
    except IntegrityError:
        raise InvitationError("username_taken", "That username is taken. Please choose another.") from None
    user.groups.add(Group.objects.get(name=invitation.role))
    _release_unconfirmed(invitation.email, to=user)
    EmailAddress.objects.create(user=user, email=invitation.email, verified=True, primary=True)
    if invitation.role == VERIFIER:
        verifier_profile_save(
            user=user,
            organisation_name=invitation.organisation_name,
            kind=invitation.organisation_kind or VerifierProfile.Kind.EMPLOYER,
            by=invitation.invited_by,
        )
    invitation.accepted_at = timezone.now()
    invitation.accepted_user = user
    invitation._history_user = user
    invitation._change_reason = "Accepted"
    invitation.save()
    return user


@transaction.atomic
def invitation_revoke(*, invitation_id: int, by: AbstractBaseUser) -> Invitation:
    """Stop a pending invitation's link from working. Harmless to repeat.

    Raises InvitationError 'not_allowed' (programme admins only), 'not_found', 'used' (already accepted).
    """
    if not (by.is_authenticated and by.is_active and has_role(by, PROGRAMME_ADMIN)):
        raise InvitationError("not_allowed", "Only programme admins can revoke invitations.")
    invitation = Invitation.objects.select_for_update().filter(pk=invitation_id).first()
    if invitation is None:
        raise InvitationError("not_found", "That invitation doesn't exist.")
    if invitation.accepted_at is not None:
        raise InvitationError(
            "used",
            f"{invitation.email} has already accepted this invitation. To take their role away, change their "
            "account in the admin.",
        )
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation._history_user = by
        invitation._change_reason = "Revoked"
        invitation.save()
    return invitation
