"""The trainee dashboard: certification progress and courses on one page, composed from the apps below it."""

from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The trainee dashboard: certification progress and courses on one page, composed from the apps below it."""

    name = "dashboard"
