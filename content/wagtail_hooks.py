"""Wagtail admin registration for site-wide models."""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from content.models import CompetencyDomain


class CompetencyDomainViewSet(SnippetViewSet):
    """Competency domains in the admin."""

    model = CompetencyDomain
    icon = "tag"
    menu_label = "Competency domains"
    list_display = ["name", "framework", "slug"]
    add_to_admin_menu = True
    menu_order = 300


register_snippet(CompetencyDomainViewSet)
