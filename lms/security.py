"""What the Wagtail admin needs from the Content Security Policy, and nothing more.

The site-wide policy (CONTENT_SECURITY_POLICY in config/settings.py) allows no inline script anywhere and no framing.
Wagtail 8.0's admin needs four things on top:

- its preview (the editor's preview panel, StreamField block previews) is framed by the admin: those views mark
  their responses X-Frame-Options: SAMEORIGIN, and get frame-ancestors 'self' to match (as do the page renderings
  inside a preview, which carry the public pages' policy otherwise);
- the Draftail rich-text editor adds <style> elements (placeholder text, list numbering): admin responses allow
  inline <style> elements (style-src-elem);
- the multiple-image uploader shows a thumbnail of each chosen file from a blob: URL: admin responses allow blob:
  images (only the page's own scripts can make one);
- a few widgets start from inline scripts, which stay blocked: static/js/wagtail_admin_csp.js makes the same calls.
"""

from csp.constants import HEADER, SELF, UNSAFE_INLINE
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.http import HttpResponseBadRequest
from django.middleware.csrf import CsrfViewMiddleware
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html


class PreparedPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the site-wide policy's header written once rather than for every response.

    django-csp builds the header from the settings on every response (some 285 Python calls, a quarter of what
    /healthz costs). A response that changes nothing about the policy gets the text built when the setting was last
    replaced instead; one that does (the Wagtail admin's relaxations, a nonce, a report-only policy, excluded URL
    prefixes, DEBUG's error pages) goes through django-csp itself.
    """

    _built_from: dict | None = None
    _header: str = ""

    def process_response(self, request, response):
        """The prepared header where the policy is the site's own, else django-csp's answer."""
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", None)
        if not self._is_plain(request, response, policy):
            return super().process_response(request, response)
        if policy is not self._built_from:
            self._header, self._built_from = build_policy(), policy
        if self._header and HEADER not in response and getattr(response, "_csp_exempt", False) is False:
            response[HEADER] = self._header
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # as django-csp leaves it
        return response

    @staticmethod
    def _is_plain(request, response, policy) -> bool:
        """Whether django-csp would write exactly the site's policy from the settings, and nothing else."""
        changes = ("_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro")
        return (
            bool(policy)
            and not policy.get("EXCLUDE_URL_PREFIXES")
            and not getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
            and not (settings.DEBUG and response.status_code in (404, 500))
            and getattr(request, "_csp_nonce", None) is None
            and all(getattr(response, change, None) is None for change in changes)
        )


class WagtailAdminPolicyMiddleware:
    """Relax the policy for the Wagtail admin's own needs: framed previews, Draftail's <style>, upload thumbnails.

    Sits just inside PreparedPolicyMiddleware (django-csp's CSPMiddleware), so it sees the X-Frame-Options header that
    the views or XFrameOptionsMiddleware left, and the policy middleware reads what it sets when it writes the header.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = None

    def __call__(self, request):
        response = self.get_response(request)
        if self.admin_prefix is None:
            self.admin_prefix = reverse("wagtailadmin_home")
        replace, update = {}, {}
        # Browsers that read CSP ignore X-Frame-Options once frame-ancestors is set, so the two must agree. A preview
        # is rendered by a second pass through the middleware on a dummy request (Page.make_preview_request), whose
        # policy is the one sent: it says 'self' too, the admin view around it says SAMEORIGIN.
        if response.get("X-Frame-Options", "").upper() == "SAMEORIGIN" or getattr(request, "is_dummy", False):
            replace["frame-ancestors"] = [SELF]
        if request.path_info.startswith(self.admin_prefix):
            update["style-src-elem"] = [SELF, UNSAFE_INLINE]
            update["img-src"] = ["blob:"]
        if replace:
            response._csp_replace = {**(getattr(response, "_csp_replace", None) or {}), **replace}
        if update:
            response._csp_update = {**(getattr(response, "_csp_update", None) or {}), **update}
        return response


def inline_scripts_allowed() -> bool:
    """Whether the policy lets inline scripts run (then Wagtail's own start-up scripts need no help)."""
    directives = (getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}).get("DIRECTIVES", {})
    sources = directives.get("script-src-elem") or directives.get("script-src") or directives.get("default-src")
    return sources is None or UNSAFE_INLINE in sources


def admin_csp_script() -> str:
    """The insert_global_admin_js hook: load wagtail_admin_csp.js on every admin page while inline scripts are off."""
    if inline_scripts_allowed():
        return ""
    return format_html('<script src="{}"></script>', static("js/wagtail_admin_csp.js"))


def csrf_token_valid(request) -> bool:
    """Whether a POST carries a valid CSRF token, as CsrfViewMiddleware would check it, in a view exempt from it.

    For views that answer anyone (scripts included) but must only write on someone's behalf when the request
    came from our own form: another site can make a signed-in browser post, but not with a valid token.
    """
    checker = CsrfViewMiddleware(lambda request: None)
    return checker.process_view(request, lambda request: None, (), {}) is None


class OverflowAsBadRequestMiddleware:
    """A number too large for the database (an id past 2**63 in a query string the admin filters on, say) is a bad
    request, not a server error: SQLite raises OverflowError where PostgreSQL simply finds nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        """400 for OverflowError; anything else goes on to Django's handling."""
        if isinstance(exception, OverflowError):
            return HttpResponseBadRequest("A number in this request is too large.", content_type="text/plain")
        return None
