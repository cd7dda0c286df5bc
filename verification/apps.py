"""Checking certificates: the public pages and API, verifier organisations, tokens, bulk checks and the lookup log."""

from django.apps import AppConfig


class VerificationConfig(AppConfig):
    """Checking certificates: the public pages and API, verifier organisations, tokens, bulk checks and the log."""

    name = "verification"

    def ready(self):
        """Register the rate-limit check, and the app's records with the export, trails and closing."""
        from verification import checks  # noqa: F401
        from verification.closing import closers_register
        from verification.personal_data import personal_data_register
        from verification.trail_sources import trail_sources_register

        personal_data_register()
        closers_register()
        trail_sources_register()
