"""Site-wide pages, shared blocks and competency domains."""

from django.apps import AppConfig


class ContentConfig(AppConfig):
    """Site-wide pages, shared blocks and competency domains."""

    name = "content"
    verbose_name = "Site content"
