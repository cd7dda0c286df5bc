"""Checking certificates: the public pages and API, verifier organisations, tokens, bulk checks and the lookup log."""

from django.apps import AppConfig


class VerificationConfig(AppConfig):
    """Checking certificates: the public pages and API, verifier organisations, tokens, bulk checks and the log."""

    name = "verification"

    def ready(self):
        """Register the check of the rate-limit settings."""
        from verification import checks  # noqa: F401
