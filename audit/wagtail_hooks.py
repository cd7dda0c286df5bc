"""Wagtail admin: an 'Audit trail' menu item for programme admins."""

from django.urls import reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from lms.roles import PROGRAMME_ADMIN, has_role


class AuditMenuItem(MenuItem):
    """The Audit trail menu entry, shown to programme admins only."""

    def is_shown(self, request):
        """Show it to programme admins (superusers count)."""
        return has_role(request.user, PROGRAMME_ADMIN)


@hooks.register("register_admin_menu_item")
def audit_menu_item():
    """Add 'Audit trail' to the admin menu, opening the search page."""
    return AuditMenuItem("Audit trail", reverse("audit_search"), name="audit-trail", icon_name="history", order=900)
