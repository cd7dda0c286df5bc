"""Template context shared by every page."""

from django.conf import settings

from lms.roles import user_roles


def site(request):
    """Expose the site name, the contact address and the current user's roles to templates."""
    return {
        "site_name": settings.WAGTAIL_SITE_NAME,
        "contact_email": settings.CONTACT_EMAIL,
        "user_roles": user_roles(request.user) if hasattr(request, "user") else set(),
    }
