"""Project-level views: the health check, and JSON 404s under the API."""

from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

from lms.access import public


@public
@never_cache
def healthz(request):
    """Answer 200 "ok" without touching the database, for load balancers."""
    return HttpResponse("ok", content_type="text/plain")


@public
@never_cache
def api_not_found(request, rest: str = ""):
    """Any address under /api/ that no endpoint answers: a JSON 404, as API clients expect, not an HTML page."""
    return JsonResponse({"detail": "Not Found"}, status=404)
