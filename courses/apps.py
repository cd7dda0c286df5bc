"""Courses, modules and lessons; enrolment and progress."""

from django.apps import AppConfig


def home_page_courses(request) -> dict:
    """The published courses, which the home page lists."""
    from courses.selectors import live_courses

    return {"courses": live_courses()}


class CoursesConfig(AppConfig):
    """Courses, modules and lessons; enrolment and progress."""

    name = "courses"

    def ready(self):
        """Give the home page the published courses; register the app's records with the export and trails."""
        from content.models import HomePage
        from courses.personal_data import personal_data_register
        from courses.trail_sources import trail_sources_register

        if home_page_courses not in HomePage.context_providers:
            HomePage.context_providers.append(home_page_courses)
        personal_data_register()
        trail_sources_register()
