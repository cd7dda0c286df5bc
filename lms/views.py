"""Project-level views: the health check, JSON 404s under the API, and uploaded media under DEBUG."""

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.static import serve

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


@public
def media_in_development(request, path: str):
    """Uploaded media under DEBUG (in production the web server or the storage serves them); 404 otherwise."""
    if not settings.DEBUG:
        raise Http404
    return serve(request, path, document_root=settings.MEDIA_ROOT)
