"""People's accounts beyond allauth: invitations to staff roles and the two-factor rule for sign-offs."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Invitations to staff roles, and two-factor authentication required before approving, revoking or editing."""

    name = "accounts"

    def ready(self):
        """Give certificates the name corrections; register the app's records with the export, trails and closing."""
        from accounts.closing import closers_register
        from accounts.personal_data import personal_data_register
        from accounts.selectors import name_corrected_since
        from accounts.trail_sources import trail_sources_register
        from certificates.holder_names import name_corrections_source_register

        name_corrections_source_register(name_corrected_since)
        personal_data_register()
        closers_register()
        trail_sources_register()
