"""Wagtail admin: which organisation each verifier account checks certificates for.

The lookup log is deliberately not here: who checked a certificate is for its holder's eyes only.
"""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from lms.admin_people import person_column
from verification.models import VerifierProfile


class VerifierProfileViewSet(SnippetViewSet):
    """Verifier accounts' organisations: employers and boards."""

    model = VerifierProfile
    icon = "site"
    menu_label = "Verifier organisations"
    menu_order = 330
    add_to_admin_menu = True
    list_display = ["organisation_name", "kind", person_column("user", VerifierProfile)]
    list_filter = ["kind"]
    search_fields = ["organisation_name"]

    def get_queryset(self, request):
        """Join the account."""
        return VerifierProfile.objects.select_related("user")


register_snippet(VerifierProfileViewSet)
