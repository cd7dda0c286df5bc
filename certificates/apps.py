"""Certification programmes, certificates and verification."""

from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    """Certification programmes, certificates and verification."""

    name = "certificates"

    def ready(self):
        """Register checks, hour targets, the check on progress, the records for the export, trails, closing and the
        kept homes, and tell the kept page tree when a programme's requirements change (their outlines are kept with
        it)."""
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from certificates import checks  # noqa: F401
        from certificates.closing import closers_register
        from certificates.home_sources import home_sources_register
        from certificates.hour_targets import hour_targets
        from certificates.models import Programme, ProgrammeActivityHours, ProgrammeDomainHours
        from certificates.personal_data import personal_data_register
        from certificates.services import certificates_check_on_progress
        from certificates.trail_sources import trail_sources_register
        from lms.page_tree import page_tree_changed
        from lms.signals import progress_recorded
        from practice.targets import hour_targets_source_register

        progress_recorded.connect(certificates_check_on_progress, dispatch_uid="certificates-check-on-progress")
        hour_targets_source_register(hour_targets)
        personal_data_register()
        closers_register()
        trail_sources_register()
        home_sources_register()
        for model in (Programme, ProgrammeDomainHours, ProgrammeActivityHours):
            for signal in (post_save, post_delete):
                signal.connect(page_tree_changed, sender=model, dispatch_uid=f"certificates-tree-{model.__name__}")
        for relation in (Programme.required_courses.through, Programme.required_quizzes.through):
            m2m_changed.connect(
                page_tree_changed, sender=relation, dispatch_uid=f"certificates-tree-{relation.__name__}"
            )
