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
        """Give the home page its courses; keep minutes and finishers' progress; register export, trails, closing and
        what the kept homes show."""
        from wagtail.signals import page_published, page_unpublished

        from content.models import HomePage
        from courses import publishing
        from courses.closing import closers_register
        from courses.home_sources import home_sources_register
        from courses.models import LessonPage, ModulePage
        from courses.personal_data import personal_data_register
        from courses.trail_sources import trail_sources_register

        if home_page_courses not in HomePage.context_providers:
            HomePage.context_providers.append(home_page_courses)
        page_published.connect(publishing.lesson_published, sender=LessonPage, dispatch_uid="courses_lesson_published")
        page_unpublished.connect(
            publishing.lesson_unpublished, sender=LessonPage, dispatch_uid="courses_lesson_unpublished"
        )
        page_published.connect(publishing.module_published, sender=ModulePage, dispatch_uid="courses_module_published")
        personal_data_register()
        closers_register()
        trail_sources_register()
        home_sources_register()
