"""The trainee's own section of the home (next actions, certification, courses), kept rendered per person.

Working it out and rendering it is most of what the dashboard costs, and it changes only when something it shows
does, so each trainee's copy is kept in the shared cache (lms/kept_home.py says when a copy is used, and which
writes end it). The ethics form in it carries a CSRF token, which belongs to one session: a copy is rendered with a
placeholder, and each request puts its own token in. A section showing a refused attestation is this request's
alone: it is rendered fresh and not kept.
"""

from django.conf import settings
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from dashboard.selectors import trainee_section_for
from lms.kept_home import home_keep, kept_home

SECTION_TEMPLATE = "dashboard/includes/trainee.html"
CSRF_PLACEHOLDER = mark_safe("<!--kept-home-csrf-token-->")  # noqa: S308 - markup of ours, never anyone's words
"""Where each request's CSRF token goes: escaped text can't hold "<!--", so only the form's own field matches."""


def trainee_section_html(request, *, ethics_error: dict | None = None) -> SafeString:
    """The trainee's section for this request: the kept copy while it holds, else rendered now and kept (unless it
    shows a refused attestation, `ethics_error`, or the request isn't a plain read)."""
    on = timezone.localdate()
    if ethics_error is not None or request.method not in {"GET", "HEAD"}:
        html, _ = _render(request, on=on, ethics_error=ethics_error)
        return _with_csrf_token(request, html)
    versions, html = kept_home(request, on=on, made_with=settings.CONTACT_EMAIL)
    if html is None:
        html, good_until = _render(request, on=on)
        home_keep(versions, html, good_until=good_until)
    return _with_csrf_token(request, html)


def _render(request, *, on, ethics_error: dict | None = None):
    """The section's HTML with the CSRF placeholder, and the moment the clock alone would change it."""
    section = trainee_section_for(user=request.user, request=request, on=on)
    html = render_to_string(
        SECTION_TEMPLATE,
        {
            "section": section,
            "certification": section.certification,
            "ethics_error": ethics_error,
            "user": request.user,
            "request": request,  # for page URLs relative to this site
            "contact_email": settings.CONTACT_EMAIL,
            "csrf_token": CSRF_PLACEHOLDER,
        },
    )
    return html, section.good_until


def _with_csrf_token(request, html: str) -> SafeString:
    """The section with this request's CSRF token in each form (asked for only when there is a form)."""
    if CSRF_PLACEHOLDER in html:
        html = html.replace(CSRF_PLACEHOLDER, get_token(request))
    return mark_safe(html)  # noqa: S308 - rendered by our templates, so already escaped
