"""Demo and load data: the demo site, its accounts and certificates, and made-up people for measuring at scale."""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo and load data: the demo site, its accounts and certificates, and made-up people for measuring at scale."""

    name = "demo"
    verbose_name = "Demo and load data"
