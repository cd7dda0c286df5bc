"""Wagtail admin: a menu item leading programme admins to the invitations page."""

from django.urls import reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from lms.roles import PROGRAMME_ADMIN, has_role


class InvitationsMenuItem(MenuItem):
    """The Invitations menu entry, shown to programme admins."""

    def is_shown(self, request):
        """Show it to programme admins (and superusers) only."""
        return has_role(request.user, PROGRAMME_ADMIN)


@hooks.register("register_admin_menu_item")
def invitations_menu_item():
    """Add Invitations to the admin menu, linking to the site's invitations page."""
    return InvitationsMenuItem("Invitations", reverse("invitations"), name="invitations", icon_name="mail", order=340)
