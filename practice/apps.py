"""Supervised practice hours and supervisor sign-off."""

from django.apps import AppConfig


class PracticeConfig(AppConfig):
    """Supervised practice hours and supervisor sign-off."""

    name = "practice"
