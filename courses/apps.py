"""Courses, modules and lessons; enrolment and progress."""

from django.apps import AppConfig


class CoursesConfig(AppConfig):
    """Courses, modules and lessons; enrolment and progress."""

    name = "courses"
