"""Project-level views: the health check, one way to sign in, signing out of the admin, JSON 404s under the API,
the 500 page, media under DEBUG."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect, HttpResponseServerError, JsonResponse
from django.template import loader
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST
from django.views.static import serve
from wagtail.admin.views.account import LogoutView as WagtailLogoutView

from lms.access import public


@public
@never_cache
def healthz(request):
    """Answer 200 "ok" without touching the database, for load balancers."""
    return HttpResponse("ok", content_type="text/plain")


@public
def server_error(request):
    """The 500 page: the site's words and where to write, rendered without the database, sessions or context."""
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render({"contact_email": settings.CONTACT_EMAIL}))


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


@public
def sign_in_through_the_site(request, **kwargs):
    """The Wagtail, Django admin and page-privacy login forms: sent to the site's login, which asks for two-factor.

    Those forms sign people in with a password alone, so left open they would skip the two-factor step that
    supervisors and programme admins must pass. Someone already signed in is sent here by the admin (or a private
    page) because their account may not open it: they get the 403 page, not the site's login, which would send
    them straight back (a redirect loop).
    """
    if request.user.is_authenticated:
        raise PermissionDenied
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        target = ""
    login = reverse("account_login")
    return HttpResponseRedirect(f"{login}?{urlencode({'next': target})}" if target else login)


wagtail_sign_out = WagtailLogoutView.as_view()


@public
@require_POST
@csrf_protect
def admin_sign_out(request):
    """The Wagtail admin's "Log out": only a POST with a valid CSRF token reaches Wagtail's view, which signs out.

    Wagtail's view deletes the session cookie on every answer, its 405 to a GET and its 403 to a forged POST
    included, so a link or another site's form could otherwise sign an admin out.
    """
    return wagtail_sign_out(request)
