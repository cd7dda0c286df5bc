"""A person's own data: downloading everything the site holds about them, and closing their account."""

from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """Downloading one's data and closing one's account, keeping issued certificates verifiable."""

    name = "privacy"
