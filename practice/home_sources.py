"""The practice records a trainee's kept home shows (lms/kept_home.py): their entries (returned, waiting, drafts,
group sessions to confirm, approved hours and skills checks) and the supervisors' invitations to link up."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db.models.functions import Lower

from lms.kept_home import SIGN_IN_STAMP, home_shows, home_shows_relation
from practice.models import Organisation, PracticeEntry, SupervisorInvitation

Status = SupervisorInvitation.Status


def entry_trainee(entry: PracticeEntry) -> list[int]:
    """The trainee whose entry it is."""
    return [entry.trainee_id]


def _holders_of(addresses) -> list[int]:
    """The people who hold one of these (lower-cased) addresses verified: whom invitations to them reach."""
    verified = EmailAddress.objects.filter(verified=True).annotate(address=Lower("email"))
    return list(verified.filter(address__in=addresses).values_list("user_id", flat=True).distinct())


def invited(invitation: SupervisorInvitation) -> list[int]:
    """Whoever holds the invited address verified, and whoever answered it."""
    return [*_holders_of([invitation.email]), invitation.invitee_id]


def address_holder(address: EmailAddress) -> list[int]:
    """The person whose address it is (a newly verified address brings the invitations sent to it)."""
    return [address.user_id]


def invited_to_placement(organisation: Organisation) -> list[int]:
    """The people invited to link up at the placement, whose invitations name it."""
    invitations = SupervisorInvitation.objects.filter(organisation=organisation, status=Status.OPEN)
    return _holders_of(invitations.values("email"))


def invited_by(user) -> list[int]:
    """The people a supervisor has invited, whose invitations carry the supervisor's name."""
    invitations = SupervisorInvitation.objects.filter(supervisor=user, status=Status.OPEN)
    return _holders_of(invitations.values("email"))


def home_sources_register() -> None:
    """Tell the kept homes which practice records they show, and whose."""
    home_shows(PracticeEntry, people=entry_trainee, owners=("trainee",))  # its proxy, supervision sessions, too
    home_shows_relation(PracticeEntry.domains, people=entry_trainee)  # hours per competency domain
    home_shows(SupervisorInvitation, people=invited, owners=("email", "invitee"))
    home_shows(EmailAddress, people=address_holder, owners=("user",))  # an admin can move an address to another
    home_shows(Organisation, people=invited_to_placement)
    home_shows(get_user_model(), people=invited_by, not_shown=SIGN_IN_STAMP)
