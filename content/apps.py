"""Site-wide pages, shared blocks and the demo content."""

from django.apps import AppConfig


class ContentConfig(AppConfig):
    """Site-wide pages, shared blocks and the demo content."""

    name = "content"
    verbose_name = "Site content"
