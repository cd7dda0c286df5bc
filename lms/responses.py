"""Headers shared by the pages about the signed-in person, and the middleware that keeps any page made for one
visitor out of shared caches."""

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import patch_cache_control


def personal_page(response: HttpResponse) -> HttpResponse:
    """Keep a page about the signed-in person out of shared caches and search engines."""
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


class PrivateWhenPersonalMiddleware:
    """A response made for one visitor (from their session, or carrying their CSRF token) that says nothing about
    caching is marked Cache-Control: private, so no shared cache (a proxy, a CDN) hands it to anyone else.

    Vary: Cookie alone isn't enough: some caches ignore it. A page an anonymous visitor without a session gets (the
    home page, a verification page) stays shareable as before.
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
        """Whether the page used the visitor's CSRF token (its cookie is sent again) or their session (only a session
        already read counts)."""
        if settings.CSRF_COOKIE_NAME in response.cookies:
            return True
        session = getattr(request, "session", None)
        return session is not None and session.accessed and not session.is_empty()
