"""The shared kernel as a Django app, so it can own the tables every app shares: rate counters and the cache."""

from django.apps import AppConfig


class LmsConfig(AppConfig):
    """The kernel's app: its models are infrastructure (counters, cache entries), never business records."""

    name = "lms"
    verbose_name = "Site kernel"
    default_auto_field = "django.db.models.BigAutoField"
