"""Walk the whole URLconf as seven people and check what each one gets from every URL.

The rule for each view is stated beside it (lms/access.py decorators, MOUNT_RULES for mounted packages); this table
is what those rules must add up to. Each row reads: anonymous, trainee, another trainee, the trainee's supervisor,
another placement's supervisor, an organisation verifier, a programme admin. `302L` is a redirect to a login page,
`302` any other redirect. Ids in the URLs are the trainee's own records, so "another trainee" and "another
placement's supervisor" are guessing someone else's ids: they must get 404 (or 403 from a role rule), never 200.
"""

import re

import pytest
from django.test import Client
from django.urls import path

from lms.access import public
from tests.lms.access_world import ROLES, World, all_routes, build_world

pytestmark = pytest.mark.django_db

EXPECTED = {
    "healthz": "200 200 200 200 200 200 200",
    # Wagtail documents: the ids asked for don't exist, so everyone gets the same 404.
    r"documents/^(\d+)/(.*)$": "404 404 404 404 404 404 404",
    "documents/authenticate_with_password/<int:restriction_id>/": "404 404 404 404 404 404 404",
    # Learning: anyone signed in may enrol and learn; an attempt is its owner's alone. POST-only views answer 405.
    "dashboard/": "302L 200 200 200 200 200 200",
    "learn/courses/<id:course_id>/enrol/": "302L 405 405 405 405 405 405",
    "learn/lessons/<id:lesson_id>/complete/": "302L 405 405 405 405 405 405",
    "learn/quizzes/<id:quiz_id>/start/": "302L 405 405 405 405 405 405",
    "learn/attempts/<id:attempt_id>/": "302L 200 404 404 404 404 404",
    "learn/attempts/<id:attempt_id>/result/": "302L 302 404 404 404 404 404",
    # A trainee's practice log: trainees only, and each entry and batch its owner's alone.
    "practice/": "302L 200 200 403 403 403 403",
    "practice/entries/new/": "302L 200 200 403 403 403 403",
    "practice/supervision/new/": "302L 200 200 403 403 403 403",
    "practice/entries/<id:entry_id>/": "302L 200 404 403 403 403 403",
    "practice/entries/<id:entry_id>/edit/": "302L 200 404 403 403 403 403",
    "practice/entries/<id:entry_id>/duplicate/": "302L 200 404 403 403 403 403",
    "practice/entries/<id:entry_id>/delete/": "302L 200 404 403 403 403 403",
    "practice/submit/": "302L 200 200 403 403 403 403",
    "practice/supervisor-request/": "302L 302 302 403 403 403 403",  # both trainees have supervisors: sent back
    # A supervisor's invitation to link up: only the person at the address it went to (confirmed) may open it.
    "practice/invitations/<id:invitation_id>/": "302L 200 404 404 404 404 404",
    "practice/batches/<id:batch_id>/withdraw/": "302L 200 404 403 403 403 403",
    "practice/hours.csv": "302L 200 200 403 403 403 403",
    "practice/hours.pdf": "302L 200 200 403 403 403 403",
    # Review: supervisors only, and only the trainees assigned to them.
    "practice/review/": "302L 403 403 200 200 403 403",
    "practice/review/batches/<id:batch_id>/": "302L 403 403 200 404 403 403",
    "practice/review/trainees/<id:trainee_id>/progress/": "302L 403 403 200 404 403 403",
    "practice/review/trainees/<id:trainee_id>/hours.csv": "302L 403 403 200 404 403 403",
    "practice/review/trainees/<id:trainee_id>/hours.pdf": "302L 403 403 200 404 403 403",
    "practice/review/profile/": "302L 403 403 200 200 403 403",
    "practice/review/invitations/": "302L 403 403 200 200 403 403",
    "practice/review/invitations/<id:invitation_id>/withdraw/": "302L 403 403 405 405 403 403",
    # Group supervision: supervisors log sessions and see their own; each trainee answers for their own entry.
    "practice/group-sessions/<id:session_id>/": "302L 200 404 403 403 403 403",
    "practice/review/group-sessions/": "302L 403 403 200 200 403 403",
    "practice/review/group-sessions/new/": "302L 403 403 200 200 403 403",
    "practice/review/group-sessions/<id:session_id>/": "302L 403 403 200 404 403 403",
    # Certificates: the holder's, and programme admins'; the PDF download redirects to the file once rendered.
    "certificates/programmes/<id:programme_id>/ethics/": "302L 405 405 403 403 403 403",
    "certificates/<id:pk>/": "302L 200 404 404 404 404 200",
    "certificates/<id:pk>/certificate-<paper:paper>.pdf": "302L 302 404 404 404 404 302",
    "certificates/<id:pk>/checks/": "302L 200 404 404 404 404 404",
    "certificates/<id:pk>/credential.json": "302L 200 404 404 404 404 404",  # the holder's alone, admins too
    # Verification: public checks; bulk checks and tokens for verifier accounts, each job and token its owner's.
    "verify/": "200 200 200 200 200 200 200",
    # The public certification pages: what each live programme asks for, for anyone.
    "certification/": "200 200 200 200 200 200 200",
    "certification/<slug:abbreviation>/": "200 200 200 200 200 200 200",
    "verify/bulk/": "302L 403 403 403 403 200 403",
    "verify/bulk/<uuid:job_id>/": "302L 403 403 403 403 200 403",
    "verify/bulk/<uuid:job_id>/status": "302L 403 403 403 403 200 403",
    "verify/bulk/<uuid:job_id>/results.csv": "302L 403 403 403 403 302 403",
    "verify/bulk/<uuid:job_id>/retry/": "302L 403 403 403 403 405 403",
    "verify/bulk/<uuid:job_id>/delete/": "302L 403 403 403 403 200 403",
    "verify/tokens/": "302L 403 403 403 403 200 403",
    "verify/tokens/<id:pk>/revoke/": "302L 403 403 403 403 200 403",
    "verify/<str:code>/": "200 200 200 200 200 200 200",
    "api/v1/openapi.json": "200 200 200 200 200 200 200",
    "api/v1/docs": "200 200 200 200 200 200 200",
    "api/v1/verify/<code>": "200 200 200 200 200 200 200",
    "api/v1/verify": "405 405 405 405 405 405 405",
    "api/v1/": "404 404 404 404 404 404 404",
    r"^api/(?P<rest>.*)$": "404 404 404 404 404 404 404",
    r"^media/(?P<path>.*)$": "404 404 404 404 404 404 404",  # uploaded media are served here only under DEBUG
    "credentials/<str:code>.json": "200 200 200 200 200 200 200",
    "credentials/status/<listnumber:list_number>.json": "200 200 200 200 200 200 200",
    "credentials/status/<int:list_number>/<slug:purpose>.json": "200 200 200 200 200 200 200",
    ".well-known/did.json": "200 200 200 200 200 200 200",
    # A programme's badge is public (it shows only the programme); "x" names no programme, so everyone gets 404.
    "credentials/badges/<slug:abbreviation>.svg": "404 404 404 404 404 404 404",
    "credentials/badges/<slug:abbreviation>.png": "404 404 404 404 404 404 404",
    # The audit trails: programme admins only.
    "audit/": "302L 403 403 403 403 403 200",
    "audit/trainees/<id:user_id>/": "302L 403 403 403 403 403 200",
    "audit/certificates/<id:pk>/": "302L 403 403 403 403 403 200",
    # The programme overview's reports in the Wagtail admin: programme admins only (and ?export=csv likewise).
    "admin/overview/hours-waiting/": "302L 302L 302L 302L 302L 302L 200",
    "admin/overview/without-supervisor/": "302L 302L 302L 302L 302L 302L 200",
    "admin/overview/expiring-certificates/": "302L 302L 302L 302L 302L 302L 200",
    "admin/overview/near-eligibility/": "302L 302L 302L 302L 302L 302L 200",
    # Wagtail's page-privacy forms and the page tree.
    "_util/authenticate_with_password/<int:page_view_restriction_id>/<int:page_id>/": "404 404 404 404 404 404 404",
    "_util/login/": "302L 403 403 403 403 403 403",  # one way to sign in: the site login; signed in, no loop back
    r"^((?:[\w\-]+/)*)$": "200 200 200 200 200 200 200",
    # Invitations: programme admins send and revoke them; the emailed link is for whoever holds it.
    "invitations/": "302L 403 403 403 403 403 200",
    "invitations/<id:pk>/revoke/": "302L 403 403 403 403 403 200",
    "invitations/accept/<str:token>/": "200 200 200 200 200 200 200",
    # One's own data: anyone signed in downloads theirs, corrects their own name and may ask to close their account.
    "my-data/": "302L 200 200 200 200 200 200",
    "my-data/name/": "302L 200 200 200 200 200 200",
    "my-data/export.zip": "302L 200 200 200 200 200 200",
    "my-data/close/": "302L 200 200 200 200 200 200",
    "my-data/closed/": "200 200 200 200 200 200 200",
    # allauth: the public forms, and account pages for the signed-in (signed-in people are sent on from login).
    # Two-factor pages ask the account's password again first (302), and are 404 for those with nothing to manage.
    "accounts/login/": "200 302 302 302 302 302 302",
    "accounts/logout/": "302 200 200 200 200 200 200",
    "accounts/inactive/": "200 200 200 200 200 200 200",
    "accounts/signup/": "200 302 302 302 302 302 302",
    "accounts/reauthenticate/": "302L 200 200 200 200 200 200",
    "accounts/email/": "302L 200 200 200 200 200 200",
    "accounts/confirm-email/": "200 200 200 200 200 200 200",
    "accounts/password/change/": "302L 200 200 200 200 200 200",
    "accounts/password/set/": "302L 302 302 302 302 302 302",
    "accounts/password/reset/": "200 200 200 200 200 200 200",
    "accounts/login/code/confirm/": "302L 302 302 302 302 302 302",
    r"accounts/^confirm-email/(?P<key>[-:\w]+)/$": "200 200 200 200 200 200 200",
    "accounts/password/reset/key/done/": "200 200 200 200 200 200 200",
    r"accounts/^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$": "200 200 200 200 200 200 200",
    "accounts/password/reset/done/": "200 200 200 200 200 200 200",
    "accounts/2fa/": "302L 200 200 200 200 200 200",
    "accounts/2fa/authenticate/": "302L 302 302 302 302 302 302",
    "accounts/2fa/reauthenticate/": "302L 302 302 200 200 302 200",
    "accounts/2fa/totp/activate/": "302L 302 302 302 302 302 302",
    "accounts/2fa/totp/deactivate/": "302L 404 404 302 302 404 302",
    "accounts/2fa/recovery-codes/": "302L 404 404 302 302 404 302",
    "accounts/2fa/recovery-codes/generate/": "302L 302 302 302 302 302 302",
    "accounts/2fa/recovery-codes/download/": "302L 404 404 302 302 404 302",
}

REVISIONS_COMPARE = (
    r"admin/pages/^(?P<pk>\d+)/revisions/compare/(?P<revision_id_a>live|earliest|\d+)\.\.\."
    r"(?P<revision_id_b>live|latest|\d+)/$"
)
# Routes written as regular expressions, with a sample address for each.
SAMPLE_PATHS = {
    r"documents/^(\d+)/(.*)$": "/documents/999999/missing.pdf",
    r"^api/(?P<rest>.*)$": "/api/v2/anything",
    r"^media/(?P<path>.*)$": "/media/original_images/signature.png",
    r"^((?:[\w\-]+/)*)$": "/",
    r"accounts/^confirm-email/(?P<key>[-:\w]+)/$": "/accounts/confirm-email/not-a-real-key/",
    r"accounts/^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$": "/accounts/password/reset/key/1-set/",
    REVISIONS_COMPARE: "/admin/pages/999999/revisions/compare/earliest...latest/",
    "admin/^.*/$": "/admin/no-such-screen/",
    "django-admin/(?P<url>.*)$": "/django-admin/no-such-screen/",
}

# Which record a route's <pk> names, by a part of the route.
PK_OF = {"certificates/<id:pk>": "certificate_pk", "verify/tokens/": "token_pk", "invitations/": "invitation_pk"}

# Packages mounted whole, checked by rule rather than row by row.
WAGTAIL_ADMIN = "admin/"
DJANGO_ADMIN = "django-admin/"
# Wagtail admin addresses anyone may open: signing in and out, resetting a password, its icons and translations.
WAGTAIL_ADMIN_OPEN = {
    "admin/login/",
    "admin/logout/",
    "admin/password_reset/",
    "admin/password_reset/done/",
    "admin/password_reset/confirm/<uidb64>/<token>/",
    "admin/password_reset/complete/",
    "admin/jsi18n/",
    "admin/sprite/",
}
# Wagtail's own test of its error page raises on purpose for anyone allowed into the admin.
WAGTAIL_ADMIN_DELIBERATE_ERROR = "admin/failwhale/"
DJANGO_ADMIN_OPEN = {"django-admin/login/", "django-admin/logout/"}


def unexpected_routes(urlconf=None) -> list[str]:
    """Routes the walker has no expectation for: neither a row of EXPECTED nor under a mount checked by rule."""
    return [
        route
        for route, _ in all_routes(urlconf)
        if route not in EXPECTED and not route.startswith((WAGTAIL_ADMIN, DJANGO_ADMIN))
    ]


def address(route: str, world: World) -> str:
    """A concrete address for a route, naming the trainee's own records wherever the route takes an id."""
    if route in SAMPLE_PATHS:
        return SAMPLE_PATHS[route]
    if route.startswith(DJANGO_ADMIN + "^(?P<app_label>"):  # one index per installed app with admin screens
        return "/django-admin/auth/"
    if "(" not in route:  # a fixed regular expression such as "admin/api/main/^pages/": the text without anchors
        route = route.replace("^", "").replace("$", "")
    else:
        raise AssertionError(f"Add a sample address for the regular-expression route {route!r} to SAMPLE_PATHS.")
    ids = world.ids

    def value(match: re.Match) -> str:
        converter, name = match.group(1) or "str", match.group(2)
        if name == "pk":
            for part, key in PK_OF.items():
                if part in route and key in ids:
                    return str(ids[key])
        if name in ids and not route.startswith((WAGTAIL_ADMIN, DJANGO_ADMIN)):
            return str(ids[name])
        if converter in {"int", "id"} or name in {"pk", "id", "object_id"}:
            return "999999"  # nothing has this id
        return str(ids["uuid"]) if converter == "uuid" else "x"

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", value, route)


class Asker:
    """Requests an address as one of the seven people, each with their own signed-in client."""

    def __init__(self, world: World):
        self.world = world
        self.clients = {role: self._signed_in(role) for role in ROLES}

    def _signed_in(self, role: str) -> Client:
        client = Client(raise_request_exception=False)
        if self.world.users[role] is not None:
            client.force_login(self.world.users[role])
        return client

    def get(self, role: str, url: str):
        """GET the address as that person (signed in again afterwards if the address signs people out)."""
        response = self.clients[role].get(url)
        if "logout" in url:
            self.clients[role] = self._signed_in(role)
        return response


def observed(response) -> str:
    """The status as the table writes it: 302L for a redirect to a login page."""
    if response.status_code == 302 and "login" in response.get("Location", ""):
        return "302L"
    return str(response.status_code)


def test_every_route_has_an_expectation_or_a_mount_rule():
    routes = all_routes()
    assert len(routes) > 400  # the walk reached into the Wagtail admin and allauth
    missing = unexpected_routes()
    if missing:  # say what each new route answers today, to check and copy into EXPECTED
        world = build_world()
        asker = Asker(world)
        rows = [
            f'    "{route}": "{" ".join(observed(asker.get(role, address(route, world))) for role in ROLES)}",'
            for route in missing
        ]
        pytest.fail("Routes with no row in EXPECTED; today they answer:\n" + "\n".join(rows))
    assert set(EXPECTED) <= {route for route, _ in routes}, "EXPECTED lists routes that no longer exist"


def test_each_person_gets_what_the_table_says_from_every_route():
    world = build_world()
    asker = Asker(world)
    differences = []
    for route, _ in all_routes():
        if route not in EXPECTED:
            continue
        url = address(route, world)
        got = " ".join(observed(asker.get(role, url)) for role in ROLES)
        if got != EXPECTED[route]:
            differences.append(f"{route}  ({url})\n    expected {EXPECTED[route]}\n    got      {got}")
    assert differences == [], "\n".join(differences)


def test_the_wagtail_admin_is_for_programme_admins_only():
    world = build_world()
    asker = Asker(world)
    problems = []
    for route, _ in all_routes():
        if not route.startswith(WAGTAIL_ADMIN) or route in WAGTAIL_ADMIN_OPEN:
            continue
        url = address(route, world)
        for role in ROLES[:-1]:
            got = observed(asker.get(role, url))
            if got not in {"302L", "403"}:
                problems.append(f"{route} ({url}) as {role}: {got}")
        got = asker.get("admin", url).status_code
        allowed = {500} if route == WAGTAIL_ADMIN_DELIBERATE_ERROR else {200, 301, 302, 404, 405}
        if got not in allowed:
            problems.append(f"{route} ({url}) as admin: {got}")
    assert problems == [], "\n".join(problems)


def test_the_django_admin_is_for_staff_only():
    world = build_world()
    asker = Asker(world)
    problems = []
    for route, _ in all_routes():
        if not route.startswith(DJANGO_ADMIN) or route in DJANGO_ADMIN_OPEN:
            continue
        url = address(route, world)
        for role in ROLES:
            got = observed(asker.get(role, url))
            if got != "302L":
                problems.append(f"{route} ({url}) as {role}: {got}")
    assert problems == [], "\n".join(problems)


# The walker's own test: an address added without an expectation is caught --------------------------------------


def forgotten_view(request):
    """A view someone added without a row in the table."""


urlpatterns = [path("healthz", public(forgotten_view)), path("brand-new/<int:pk>/", public(forgotten_view))]


def test_the_walker_catches_a_route_nobody_wrote_an_expectation_for():
    assert unexpected_routes(__name__) == ["brand-new/<int:pk>/"]
