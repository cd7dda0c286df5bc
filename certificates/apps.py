"""Certification programmes, certificates and verification."""

from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    """Certification programmes, certificates and verification."""

    name = "certificates"

    def ready(self):
        """Register the system checks."""
        from certificates import checks  # noqa: F401
