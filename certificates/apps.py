"""Certification programmes, certificates and verification."""

from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    """Certification programmes, certificates and verification."""

    name = "certificates"

    def ready(self):
        """Register the system checks, and check for certificates whenever progress is recorded."""
        from certificates import checks  # noqa: F401
        from certificates.services import certificates_check_on_progress
        from lms.signals import progress_recorded

        progress_recorded.connect(certificates_check_on_progress, dispatch_uid="certificates-check-on-progress")
