"""Supervised practice hours and supervisor sign-off."""

from django.apps import AppConfig


class PracticeConfig(AppConfig):
    """Supervised practice hours and supervisor sign-off."""

    name = "practice"

    def ready(self):
        """Register what the app holds about people with the export and closing, and its records with the trails and
        the kept homes."""
        from practice.closing import closers_register
        from practice.home_sources import home_sources_register
        from practice.personal_data import personal_data_register
        from practice.trail_sources import trail_sources_register

        personal_data_register()
        closers_register()
        trail_sources_register()
        home_sources_register()
