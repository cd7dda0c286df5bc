"""Project-level views: the health check."""

from django.http import HttpResponse
from django.views.decorators.cache import never_cache

from lms.access import public


@public
@never_cache
def healthz(request):
    """Answer 200 "ok" without touching the database, for load balancers."""
    return HttpResponse("ok", content_type="text/plain")
