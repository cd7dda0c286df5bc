"""Headers shared by the pages about the signed-in person."""

from django.http import HttpResponse


def personal_page(response: HttpResponse) -> HttpResponse:
    """Keep a page about the signed-in person out of shared caches and search engines."""
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
