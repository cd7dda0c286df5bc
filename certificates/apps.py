"""Certification programmes, certificates and verification."""

from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    """Certification programmes, certificates and verification."""

    name = "certificates"

    def ready(self):
        """Register the system checks, check for certificates whenever progress is recorded, give hour targets."""
        from certificates import checks  # noqa: F401
        from certificates.eligibility import hour_targets
        from certificates.services import certificates_check_on_progress
        from lms.signals import progress_recorded
        from practice.targets import hour_targets_source_register

        progress_recorded.connect(certificates_check_on_progress, dispatch_uid="certificates-check-on-progress")
        hour_targets_source_register(hour_targets)
