"""A supervisor invites someone they already supervise to link up on the site; the person accepts or declines.

Invitations match people by a verified email address only (allauth's EmailAddress), so nobody can take up an
invitation by adding someone else's address to their account without confirming it.
"""

from datetime import date, timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from lms.mail import email_on_commit
from lms.names import display_name
from lms.roles import SUPERVISOR, TRAINEE, has_role
from practice.models import Organisation, SupervisorAssignment, SupervisorInvitation
from practice.selectors import active_assignments
from practice.services import PracticeError
from practice.supervision import assignment_create

INVITATION_LIFETIME = timedelta(days=14)
OPEN_LIMIT = 20  # open invitations a supervisor may have at once
DAILY_LIMIT = 30  # invitations a supervisor may send in any 24 hours, withdrawn ones included
STARTS_BACK_DAYS = 366  # how far back an invited link may start: older supervision is set up by a programme admin
STARTS_AHEAD_DAYS = 90
Status = SupervisorInvitation.Status


def verified_emails(user: AbstractBaseUser) -> QuerySet:
    """The person's verified addresses, lower-cased, as a subquery."""
    return EmailAddress.objects.filter(user=user, verified=True).annotate(address=Lower("email")).values("address")


def invitations_for(user: AbstractBaseUser) -> QuerySet:
    """Open, unexpired invitations to one of the person's verified addresses, oldest first (one query)."""
    return (
        SupervisorInvitation.objects.filter(
            status=Status.OPEN, expires_at__gt=timezone.now(), email__in=verified_emails(user)
        )
        .select_related("supervisor", "organisation")
        .order_by("created_at", "pk")
    )


def invitations_sent(supervisor: AbstractBaseUser) -> QuerySet:
    """Every invitation the supervisor sent, newest first, with the placement and who answered."""
    return SupervisorInvitation.objects.filter(supervisor=supervisor).select_related("organisation", "invitee")


def _own_addresses(user: AbstractBaseUser) -> set[str]:
    addresses = (
        EmailAddress.objects.filter(user=user).annotate(address=Lower("email")).values_list("address", flat=True)
    )
    return {*addresses, user.email.lower()} - {""}


def _lock_person(user: AbstractBaseUser) -> None:
    """Lock the person's row, so their counts and checks can't be raced (the person comes before the record)."""
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()


def _refuse_linked(*, supervisor: AbstractBaseUser, email: str) -> None:
    owners = EmailAddress.objects.filter(email__iexact=email, verified=True).values("user")
    today = timezone.localdate()
    assignment = (
        SupervisorAssignment.objects.filter(supervisor=supervisor, trainee__in=owners)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .select_related("trainee")
        .first()
    )
    if assignment is not None:
        raise PracticeError(
            "already_linked", f"{display_name(assignment.trainee)} ({email}) is already linked to you on the site."
        )


def _refuse_flooding(*, supervisor: AbstractBaseUser, now) -> None:
    sent = SupervisorInvitation.objects.filter(supervisor=supervisor)
    if sent.filter(status=Status.OPEN, expires_at__gt=now).count() >= OPEN_LIMIT:
        raise PracticeError(
            "too_many_open",
            f"You have {OPEN_LIMIT} invitations waiting for an answer, the most at once. Withdraw one you no longer "
            "need, or wait for people to answer.",
        )
    if sent.filter(created_at__gt=now - timedelta(hours=24)).count() >= DAILY_LIMIT:
        raise PracticeError(
            "too_many_today", f"You've sent {DAILY_LIMIT} invitations today, the most in a day. Please try tomorrow."
        )


@transaction.atomic
def supervisor_invitation_create(
    *, supervisor: AbstractBaseUser, email: str, organisation: Organisation, starts_on: date
) -> SupervisorInvitation:
    """Invite the person at `email`, whom the supervisor supervises at the placement from `starts_on`, and email them.

    Raises PracticeError 'not_allowed' (not a supervisor), 'email_invalid', 'own_email' (one of the supervisor's
    own addresses), 'inactive_organisation', 'start_out_of_range' (more than a year back or 90 days ahead),
    'already_linked' (someone with that verified address is supervised by
    them now), 'already_invited' (an open invitation to that address), 'too_many_open' or 'too_many_today'.
    """
    if not has_role(supervisor, SUPERVISOR):
        raise PracticeError("not_allowed", "Only supervisors can invite trainees to link up.")
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise PracticeError(
            "email_invalid", "Enter the email address the person uses, like name@example.org."
        ) from None
    if email in _own_addresses(supervisor):
        raise PracticeError("own_email", "That's your own address: nobody can supervise themselves.")
    if not organisation.is_active:
        raise PracticeError("inactive_organisation", f"{organisation} is inactive, so it can't take new assignments.")
    today = timezone.localdate()
    earliest, latest = today - timedelta(days=STARTS_BACK_DAYS), today + timedelta(days=STARTS_AHEAD_DAYS)
    if not earliest <= starts_on <= latest:
        raise PracticeError(
            "start_out_of_range",
            f"Choose a start date between {earliest:%-d %B %Y} and {latest:%-d %B %Y}. For supervision that began "
            "earlier, ask a programme admin to set up the link.",
        )
    _lock_person(supervisor)
    now = timezone.now()
    _refuse_linked(supervisor=supervisor, email=email)
    existing = SupervisorInvitation.objects.select_for_update().filter(
        supervisor=supervisor, email=email, status=Status.OPEN
    )
    for invitation in existing:
        if invitation.expires_at > now:
            raise PracticeError(
                "already_invited",
                f"You invited {email} on {timezone.localtime(invitation.created_at):%-d %B %Y}, and it's still "
                "waiting for an answer. Withdraw it first if you need to change it.",
            )
        _set_status(invitation, Status.EXPIRED, reason="Expired", by=None, at=now, respond=False)
    _refuse_flooding(supervisor=supervisor, now=now)
    invitation = SupervisorInvitation(
        supervisor=supervisor,
        email=email,
        organisation=organisation,
        starts_on=starts_on,
        created_at=now,
        expires_at=now + INVITATION_LIFETIME,
    )
    invitation._history_user = supervisor
    invitation._change_reason = "Sent by the supervisor"
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError:  # a second click that raced this one past the check (the database keeps one open)
        raise PracticeError("already_invited", f"You've just invited {email}; it's waiting for an answer.") from None
    email_on_commit(
        template="practice/emails/supervisor_invitation",
        to=[email],
        context={
            "supervisor_name": display_name(supervisor),
            "organisation": organisation.name,
            "starts_on": starts_on,
            "expires_on": timezone.localtime(invitation.expires_at).date(),
            "path": reverse("practice_invitation", args=[invitation.pk]),
        },
    )
    return invitation


def _set_status(invitation, status: str, *, reason: str, by, at, respond: bool = True) -> None:
    invitation.status = status
    if respond:
        invitation.responded_at = at
    invitation._history_user = by
    invitation._change_reason = reason
    invitation.save()


@transaction.atomic
def supervisor_invitation_withdraw(*, supervisor: AbstractBaseUser, invitation_id: int) -> SupervisorInvitation:
    """The supervisor takes back an invitation nobody has answered. Raises PracticeError 'not_found' or 'not_open'."""
    invitation = (
        SupervisorInvitation.objects.select_for_update().filter(pk=invitation_id, supervisor=supervisor).first()
    )
    if invitation is None:
        raise PracticeError("not_found", "That invitation doesn't exist.")
    if not invitation.is_open:
        raise PracticeError("not_open", f"This invitation can't be withdrawn: it's {invitation.current_status_label}.")
    _set_status(invitation, Status.WITHDRAWN, reason="Withdrawn by the supervisor", by=supervisor, at=timezone.now())
    return invitation


def _invitation_to(person: AbstractBaseUser, invitation_id: int) -> SupervisorInvitation:
    """The invitation, locked, if it went to one of the person's verified addresses; else 'not_found'."""
    invitation = (
        SupervisorInvitation.objects.select_for_update()
        .filter(pk=invitation_id, email__in=verified_emails(person))
        .first()
    )
    if invitation is None:
        raise PracticeError("not_found", "That invitation doesn't exist, or it was sent to another address.")
    if not invitation.is_open:
        messages = {
            Status.ACCEPTED: "You've already accepted this invitation.",
            Status.DECLINED: "You've already declined this invitation.",
            Status.WITHDRAWN: "Your supervisor withdrew this invitation. Ask them to send a new one if it's needed.",
            Status.EXPIRED: "This invitation has expired. Ask your supervisor to send a new one.",
        }
        raise PracticeError(f"not_open_{invitation.current_status}", messages[invitation.current_status])
    return invitation


def _tell_supervisor(invitation: SupervisorInvitation, *, person: AbstractBaseUser, accepted: bool) -> None:
    email_on_commit(
        template="practice/emails/supervisor_invitation_accepted"
        if accepted
        else "practice/emails/supervisor_invitation_declined",
        to=[invitation.supervisor.email],
        context={
            "supervisor_name": display_name(invitation.supervisor),
            "trainee_name": display_name(person),
            "email": invitation.email,
            "organisation": invitation.organisation.name,
            "starts_on": invitation.starts_on,
        },
    )


@transaction.atomic
def supervisor_invitation_accept(*, person: AbstractBaseUser, invitation_id: int):
    """The invited person accepts: the supervisor is assigned at the placement from the chosen day, and emailed.

    Raises PracticeError 'not_found' (no such invitation to a verified address of theirs), 'not_open_<status>'
    (accepted, declined, withdrawn or expired), 'not_allowed' (not a trainee), 'already_linked' (they're supervised
    by this supervisor now), and assignment_create's codes.
    """
    _lock_person(person)
    invitation = _invitation_to(person, invitation_id)
    supervisor = invitation.supervisor
    if not has_role(person, TRAINEE):
        raise PracticeError(
            "not_allowed", "Only trainee accounts can link up with a supervisor. Please sign in as the trainee."
        )
    if active_assignments(trainee=person, on=timezone.localdate()).filter(supervisor=supervisor).exists():
        raise PracticeError(
            "already_linked", f"You're already linked with {display_name(supervisor)}: there's nothing more to do."
        )
    assignment = assignment_create(
        supervisor=supervisor,
        trainee=person,
        organisation=invitation.organisation,
        starts_on=invitation.starts_on,
        reason="Invitation accepted by the trainee",
    )
    invitation.invitee = person
    invitation.assignment = assignment
    _set_status(invitation, Status.ACCEPTED, reason="Accepted", by=person, at=timezone.now())
    _tell_supervisor(invitation, person=person, accepted=True)
    return assignment


@transaction.atomic
def supervisor_invitation_decline(*, person: AbstractBaseUser, invitation_id: int) -> SupervisorInvitation:
    """The invited person says no; the supervisor is told. Raises PracticeError 'not_found' or 'not_open_<status>'."""
    invitation = _invitation_to(person, invitation_id)
    invitation.invitee = person
    _set_status(invitation, Status.DECLINED, reason="Declined", by=person, at=timezone.now())
    _tell_supervisor(invitation, person=person, accepted=False)
    return invitation
