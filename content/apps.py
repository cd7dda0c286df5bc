"""Site-wide pages, shared blocks and competency domains."""

from django.apps import AppConfig


class ContentConfig(AppConfig):
    """Site-wide pages, shared blocks and competency domains."""

    name = "content"
    verbose_name = "Site content"

    def ready(self):
        """Tell the kept page tree when a competency domain changes: pages and outlines list the domains with it."""
        from django.db.models.signals import post_delete, post_save

        from content.models import CompetencyDomain
        from lms.page_tree import page_tree_changed

        for signal in (post_save, post_delete):
            signal.connect(page_tree_changed, sender=CompetencyDomain, dispatch_uid=f"content-tree-{signal}")
