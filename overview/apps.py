"""The programme overview: what needs a programme admin's attention, in the Wagtail admin."""

from django.apps import AppConfig


class OverviewConfig(AppConfig):
    """A dashboard panel and reports for programme admins: waiting hours, unsupervised trainees, expiries, progress."""

    name = "overview"
