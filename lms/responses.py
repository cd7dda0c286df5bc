"""Headers shared by the pages about the signed-in person, and the middleware that keeps any page made for one
visitor out of shared caches."""

from django.http import HttpResponse
from django.utils.cache import patch_cache_control


def personal_page(response: HttpResponse) -> HttpResponse:
    """Keep a page about the signed-in person out of shared caches and search engines."""
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


class PrivateWhenPersonalMiddleware:
    """A response made for one visitor (from their session, or setting a cookie: their CSRF token, a message for them)
    that says nothing about caching is marked Cache-Control: private, so no shared cache (a proxy, a CDN) hands it to
    anyone else.

    Vary: Cookie alone isn't enough: some caches ignore it. A page an anonymous visitor without a session or a cookie
    to set gets (the home page) stays shareable as before.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control") and self._made_for_one_visitor(request, response):
            patch_cache_control(response, private=True)
        return response

    @staticmethod
    def _made_for_one_visitor(request, response) -> bool:
        """Whether the response sets a cookie (the visitor's CSRF token sent again, a message for them, a sign-out's
        deletions) or used their session (only a session already read counts)."""
        if response.cookies:
            return True
        session = getattr(request, "session", None)
        return session is not None and session.accessed and not session.is_empty()
