"""allauth adapter: new sign-ups become trainees."""

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth.models import Group

from lms.roles import TRAINEE


class AccountAdapter(DefaultAccountAdapter):
    """Put every self-registered account in the Trainee group."""

    def save_user(self, request, user, form, commit=True):
        """Save the new user and give them the trainee role."""
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            user.groups.add(Group.objects.get(name=TRAINEE))
        return user
