"""Template tags for accounts: the notice asking supervisors and programme admins to turn on two-factor."""

from django import template

from accounts.middleware import ACCOUNT_PAGES
from accounts.selectors import mfa_missing

register = template.Library()


@register.inclusion_tag("accounts/includes/two_factor_notice.html", takes_context=True)
def two_factor_notice(context) -> dict:
    """Whether to show the notice: to supervisors and admins without an authenticator app, outside allauth's pages."""
    request = context.get("request")
    user = getattr(request, "user", None)
    show = bool(user is not None and not request.path_info.startswith(ACCOUNT_PAGES) and mfa_missing(user))
    return {"show": show}
