"""Certification programmes, certificates and verification."""

from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    """Certification programmes, certificates and verification."""

    name = "certificates"

    def ready(self):
        """Register checks, hour targets, the check on progress, and the records for the export, trails and closing."""
        from certificates import checks  # noqa: F401
        from certificates.closing import closers_register
        from certificates.hour_targets import hour_targets
        from certificates.personal_data import personal_data_register
        from certificates.services import certificates_check_on_progress
        from certificates.trail_sources import trail_sources_register
        from lms.signals import progress_recorded
        from practice.targets import hour_targets_source_register

        progress_recorded.connect(certificates_check_on_progress, dispatch_uid="certificates-check-on-progress")
        hour_targets_source_register(hour_targets)
        personal_data_register()
        closers_register()
        trail_sources_register()
