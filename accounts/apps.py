"""People's accounts beyond allauth: invitations to staff roles and the two-factor rule for sign-offs."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Invitations to staff roles, and two-factor authentication required before approving, revoking or editing."""

    name = "accounts"
