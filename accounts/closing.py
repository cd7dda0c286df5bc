"""What closing an account does to accounts records: invitations sent to the person, and their name corrections."""

from django.utils import timezone

from accounts.models import Invitation, NameChange
from accounts.selectors import invitations_to
from lms.closing import Closer, ClosingContext, closer_register


def invitations_anonymise(context: ClosingContext) -> None:
    """Take the person's address off invitations sent to them (history too); stop any still waiting."""
    ids = list(invitations_to(context.user).values_list("pk", flat=True))
    Invitation.objects.filter(pk__in=ids, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    Invitation.objects.filter(pk__in=ids).update(email="")
    Invitation.history.filter(id__in=ids).update(email="")


def name_changes_delete(context: ClosingContext) -> None:
    """Delete the record of the earlier names the person corrected."""
    NameChange.objects.filter(user=context.user).delete()


def closers_register() -> None:
    """Register what closing an account does to invitations sent to the person and to their name corrections."""
    closer_register(Closer("invitations", close=invitations_anonymise))
    closer_register(Closer("name_changes", close=name_changes_delete))
