"""A person's email addresses, and the invitations sent to them."""

from allauth.account.models import EmailAddress
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Q

from accounts.models import Invitation


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
