"""Who may use each view: every view declares one rule, and a test walks the URLconf to check.

A view gets its rule from one of the decorators below. Views that come from
installed packages (Wagtail, allauth, the Django admin) get theirs from
MOUNT_RULES, keyed by the URL prefix they are mounted under.

Each decorator also makes its view answer HEAD exactly as it answers GET (the
server then sends the headers without the body), as Django's class-based views
do, so HEAD works wherever GET does, whatever methods the view itself lists.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from lms.roles import has_role

PUBLIC = "public"
SIGNED_IN = "signed-in"

MOUNT_RULES = {
    "accounts/": "allauth: public forms (login, sign-up, reset); account pages need sign-in",
    "admin/": "Wagtail admin: wagtailadmin.access_admin permission (programme admins)",
    "django-admin/": "Django admin: staff only",
    "documents/": "Wagtail documents: collection view restrictions",
    "_util/": "Wagtail page-privacy forms (password, login): public",
    "api/v1/": "verification API: public, rate-limited per client address; a verifier account's bearer token "
    "(optional) gets its own higher limit, and a wrong or revoked one gets 401",
}
WAGTAIL_PAGES_ROUTE = r"^((?:[\w\-]+/)*)$"
WAGTAIL_PAGES_RULE = "Wagtail pages: public, subject to page view restrictions"


def head_as_get(view: Callable) -> Callable:
    """Run the view for a HEAD request as for GET; servers (and Django's test client) drop the body."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "HEAD":
            return view(request, *args, **kwargs)
        request.method = "GET"
        try:
            return view(request, *args, **kwargs)
        finally:
            request.method = "HEAD"

    return wrapper


def _mark(view: Callable, rule: str) -> Callable:
    view = head_as_get(view)
    view.access_rule = rule
    return view


def public(view: Callable) -> Callable:
    """Anyone may use this view, signed in or not."""
    return _mark(view, PUBLIC)


def signed_in(view: Callable) -> Callable:
    """Any signed-in user; others are sent to the login page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return _mark(wrapper, SIGNED_IN)


def role_required(*roles: str) -> Callable[[Callable], Callable]:
    """Signed-in users holding one of the roles; others get 403, anonymous users the login page."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not any(has_role(request.user, role) for role in roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return _mark(wrapper, "role: " + " or ".join(roles))

    return decorator


def rule_for(route: str, callback: Callable) -> str | None:
    """Return the access rule stated for a URL pattern, or None if it has none."""
    rule = getattr(callback, "access_rule", None)
    if rule is None and hasattr(callback, "view_class"):
        rule = getattr(callback.view_class, "access_rule", None)
    if rule is not None:
        return rule
    for prefix, mount_rule in MOUNT_RULES.items():
        if route.startswith(prefix):
            return mount_rule
    if route == WAGTAIL_PAGES_ROUTE:
        return WAGTAIL_PAGES_RULE
    return None
