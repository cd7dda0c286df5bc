"""People's accounts beyond allauth: invitations to staff roles and the two-factor rule for sign-offs."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Invitations to staff roles, and two-factor authentication required before approving, revoking or editing."""

    name = "accounts"

    def ready(self):
        """Tell the certificates' printed-name policy where a person's own name corrections are recorded."""
        from accounts.selectors import name_corrected_since
        from certificates.holder_names import name_corrections_source_register

        name_corrections_source_register(name_corrected_since)
