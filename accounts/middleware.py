"""Two-factor authentication required for supervisors and programme admins before they change anything."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse

from accounts.selectors import mfa_missing

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Open to everyone: allauth's pages (turning two-factor on, logging out, changing a password or email), one's own
# data (downloading it, closing the account) and checking certificates, which changes nothing.
ACCOUNT_PAGES = "/accounts/"
EXEMPT_PREFIXES = (ACCOUNT_PAGES, "/my-data/", "/verify/", "/api/")
MFA_REQUIRED_MESSAGE = (
    "Please turn on two-factor authentication first. Supervisors and programme admins need it before they can "
    "approve, revoke or change anything, so that nobody can do it with your password alone. Nothing was saved."
)


def wants_json(request: HttpRequest) -> bool:
    """Whether the request sent JSON, or asks for JSON rather than a page."""
    return request.content_type == "application/json" or (
        request.accepts("application/json") and not request.accepts("text/html")
    )


class MfaRequiredMiddleware:
    """Refuse changes from supervisors and programme admins who haven't set up an authenticator app.

    Safe methods (GET, HEAD, OPTIONS) pass untouched, costing no query; so do anonymous users and the paths in
    EXEMPT_PREFIXES. A refused page request is sent (303) to the page for setting up an authenticator app, with a
    message saying why; a refused JSON request gets 403 and `{"error": "mfa_required", ...}`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.method in UNSAFE_METHODS
            and not request.path_info.startswith(EXEMPT_PREFIXES)
            and mfa_missing(request.user)
        ):
            return self.refuse(request)
        return self.get_response(request)

    def refuse(self, request: HttpRequest) -> HttpResponse:
        """Explain that two-factor authentication comes first, and where to set it up."""
        setup_url = reverse("mfa_activate_totp")
        if wants_json(request):
            return JsonResponse(
                {"error": "mfa_required", "message": MFA_REQUIRED_MESSAGE, "setup_url": setup_url}, status=403
            )
        messages.warning(request, MFA_REQUIRED_MESSAGE, fail_silently=True)
        return HttpResponseRedirect(setup_url, status=303)
