"""Wagtail admin registration for enrolments."""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from courses.models import Enrolment


class EnrolmentViewSet(SnippetViewSet):
    """Enrolments, read in the admin by programme admins."""

    model = Enrolment
    icon = "user"
    menu_label = "Enrolments"
    list_display = ["user", "course", "enrolled_at"]
    list_filter = ["course"]
    add_to_admin_menu = True
    menu_order = 310
    inspect_view_enabled = True


register_snippet(EnrolmentViewSet)
