"""Two-factor authentication: required of supervisors and programme admins before they change anything."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from accounts.middleware import MFA_REQUIRED_MESSAGE, MfaRequiredMiddleware
from demo.accounts import totp_code_now
from lms.roles import PROGRAMME_ADMIN, SUPERVISOR, TRAINEE, VERIFIER
from practice.models import Organisation, PracticeEntry
from practice.services import entries_submit, entry_create
from tests.accounts.conftest import log_in, signed_in_user_id, verified
from tests.factories import PASSWORD, UserFactory, build_assignment, entry_data, superuser, totp_code

pytestmark = pytest.mark.django_db

SETUP_URL = "/accounts/2fa/totp/activate/"
NOTICE = "Turn on two-factor authentication."
Status = PracticeEntry.Status


def _batch_for(supervisor):
    """A trainee's entry submitted to the supervisor; returns (entry, batch)."""
    assignment = build_assignment(supervisor=supervisor)
    entry = entry_create(trainee=assignment.trainee, data=entry_data(assignment))
    (batch,) = entries_submit(trainee=assignment.trainee, entry_ids=[entry.pk])
    return entry, batch


def _approve(client, batch, entry, **extra):
    return client.post(
        reverse("practice_review_batch", args=[batch.pk]),
        {f"decision_{entry.pk}": "approve", "attested": "on"},
        **extra,
    )


def _activate_totp(client, user) -> None:
    """Set up an authenticator app through allauth's pages, as a person would with their phone.

    allauth first asks for the password again (reauthentication), then shows the secret and QR code.
    """
    response = client.get(SETUP_URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/reauthenticate/")
    reauthenticate = client.get(response["Location"])
    assert reauthenticate.status_code == 200 and 'class="skip-link"' in reauthenticate.content.decode()
    response = client.post(response["Location"], {"password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == SETUP_URL
    page = client.get(SETUP_URL)
    assert page.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    assert secret in page.content.decode()  # shown for typing into the app, beside the QR code
    wrong = client.post(SETUP_URL, {"code": "000000" if totp_code_now(secret) != "000000" else "111111"})
    assert "Incorrect code." in wrong.content.decode()
    response = client.post(SETUP_URL, {"code": totp_code_now(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def test_a_supervisor_without_two_factor_cannot_approve_until_they_turn_it_on(client, supervisor_without_2fa):
    supervisor = supervisor_without_2fa
    entry, batch = _batch_for(supervisor)
    assert log_in(client, supervisor.username)["Location"] == "/dashboard/"

    # Reading is fine, with a notice saying what's needed.
    review = client.get(reverse("practice_review_batch", args=[batch.pk]))
    assert review.status_code == 200
    assert NOTICE in review.content.decode() and f'href="{SETUP_URL}"' in review.content.decode()

    response = _approve(client, batch, entry)
    assert response.status_code == 303 and response["Location"] == SETUP_URL
    entry.refresh_from_db()
    assert entry.status == Status.SUBMITTED and entry.attestation_id is None
    page = client.get(SETUP_URL, follow=True)  # allauth asks for the password again first
    html = page.content.decode()
    assert MFA_REQUIRED_MESSAGE in html
    assert 'class="skip-link"' in html
    assert NOTICE not in html  # the notice isn't needed on allauth's own pages

    response = _approve(client, batch, entry, headers={"Accept": "application/json"})
    assert response.status_code == 403
    assert response.json() == {"error": "mfa_required", "message": MFA_REQUIRED_MESSAGE, "setup_url": SETUP_URL}
    entry.refresh_from_db()
    assert entry.status == Status.SUBMITTED

    _activate_totp(client, supervisor)
    assert NOTICE not in client.get(reverse("practice_review")).content.decode()
    response = _approve(client, batch, entry)
    assert response.status_code == 302 and response["Location"] == reverse("practice_review")
    entry.refresh_from_db()
    assert entry.status == Status.APPROVED and entry.attestation_id is not None


def test_logging_in_with_two_factor_asks_for_the_code(client):
    supervisor = verified(UserFactory(username="sam", roles=[SUPERVISOR]))
    assert Authenticator.objects.filter(user=supervisor, type=Authenticator.Type.TOTP).exists()
    response = log_in(client, "sam")
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/authenticate/"
    assert signed_in_user_id(client) is None
    page = client.get("/accounts/2fa/authenticate/")
    html = page.content.decode()
    assert page.status_code == 200 and 'class="skip-link"' in html
    assert "Type the code from your authenticator app" in html
    assert client.get("/practice/review/").status_code == 302  # still not signed in

    wrong = client.post("/accounts/2fa/authenticate/", {"code": "12345"})
    assert "Incorrect code." in wrong.content.decode()
    assert signed_in_user_id(client) is None
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(supervisor)})
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert signed_in_user_id(client) == supervisor.pk


def test_a_code_works_only_once(client):
    supervisor = verified(UserFactory(username="sam", roles=[SUPERVISOR]))
    code = totp_code(supervisor)
    log_in(client, "sam")
    client.post("/accounts/2fa/authenticate/", {"code": code})
    assert signed_in_user_id(client) == supervisor.pk
    client.logout()
    log_in(client, "sam")
    response = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert "Incorrect code." in response.content.decode()
    assert signed_in_user_id(client) is None


def test_an_admin_without_two_factor_cannot_change_anything_in_the_wagtail_admin(client):
    admin = UserFactory(roles=[PROGRAMME_ADMIN], mfa=False)
    client.force_login(admin)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/snippets/practice/organisation/add/").status_code == 200
    response = client.post("/admin/snippets/practice/organisation/add/", {"name": "Harbour House", "location": ""})
    assert response.status_code == 303 and response["Location"] == SETUP_URL
    assert not Organisation.objects.filter(name="Harbour House").exists()
    assert client.post("/invitations/", {"email": "a@example.org", "role": SUPERVISOR}).status_code == 303

    client.force_login(UserFactory(roles=[PROGRAMME_ADMIN]))  # the factory's admins have two-factor on
    response = client.post("/admin/snippets/practice/organisation/add/", {"name": "Harbour House", "location": ""})
    assert response.status_code == 302
    assert Organisation.objects.filter(name="Harbour House").exists()


def test_a_superuser_counts_as_a_programme_admin(client):
    root = UserFactory(roles=[], is_superuser=True, is_staff=True, mfa=False)
    client.force_login(root)
    assert client.post("/django-admin/auth/group/add/", {"name": "Anything"}).status_code == 303
    client.force_login(superuser())
    assert client.post("/django-admin/auth/group/add/", {"name": "Anything"}).status_code == 302


@pytest.mark.parametrize("role", [TRAINEE, VERIFIER])
def test_trainees_and_verifiers_need_no_two_factor_but_may_turn_it_on(client, role):
    user = verified(UserFactory(roles=[role]))
    assert not Authenticator.objects.filter(user=user).exists()
    assert log_in(client, user.username)["Location"] == "/dashboard/"
    dashboard = client.get("/dashboard/").content.decode()
    assert NOTICE not in dashboard
    if role == VERIFIER:
        response = client.post("/verify/tokens/", {"name": "HR system"})
        assert response.status_code == 200 and "Your new token" in response.content.decode()
    else:
        response = client.post("/practice/entries/new/", {})
        assert response.status_code != 303
    index = client.get("/accounts/2fa/")
    assert index.status_code == 200 and 'class="skip-link"' in index.content.decode()
    _activate_totp(client, user)


def test_account_pages_stay_open_without_two_factor(client, supervisor_without_2fa):
    log_in(client, supervisor_without_2fa.username)
    response = client.post(
        "/accounts/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": "a brand new phrase 7",
            "password2": "a brand new phrase 7",
        },
    )
    assert response.status_code == 302 and response["Location"] != SETUP_URL
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert signed_in_user_id(client) is None


def _middleware_response(request):
    return MfaRequiredMiddleware(lambda request: HttpResponse("passed"))(request)


def test_gets_and_anonymous_requests_cost_no_query(rf, django_assert_num_queries):
    def never():
        raise AssertionError("the user was looked up")

    for method in ("get", "head", "options"):
        request = getattr(rf, method)("/practice/review/")
        request.user = SimpleLazyObject(never)
        with django_assert_num_queries(0):
            assert _middleware_response(request).content == b"passed"
    request = rf.post("/practice/review/")
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert _middleware_response(request).content == b"passed"


def test_only_supervisors_and_admins_are_stopped(rf):
    for roles, stopped in (([TRAINEE], False), ([VERIFIER], False), ([SUPERVISOR], True), ([PROGRAMME_ADMIN], True)):
        for mfa in (False, True):
            for method in ("post", "put", "patch", "delete"):
                request = getattr(rf, method)("/anything/", data="{}", content_type="application/json")
                request.user = UserFactory(roles=roles, mfa=mfa)
                response = _middleware_response(request)
                expected = 403 if stopped and not mfa else 200
                assert response.status_code == expected, (roles, mfa, method)


def test_every_two_factor_page_uses_the_site_layout(client):
    user = verified(UserFactory(roles=[SUPERVISOR]))
    log_in(client, user.username)
    client.post("/accounts/2fa/authenticate/", {"code": totp_code(user)})
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    client.get("/accounts/2fa/recovery-codes/generate/")
    for path in (
        "/accounts/2fa/",
        "/accounts/2fa/totp/deactivate/",
        "/accounts/2fa/recovery-codes/generate/",
        "/accounts/reauthenticate/",
    ):
        response = client.get(path)
        html = response.content.decode()
        assert response.status_code == 200, path
        assert 'class="skip-link"' in html and 'class="site-header"' in html and "<h1>" in html, path


def test_checking_a_certificate_and_one_s_own_data_stay_open_without_two_factor(client, supervisor_without_2fa):
    log_in(client, supervisor_without_2fa.username)
    checked = client.post("/verify/", {}, HTTP_ACCEPT="application/json")
    assert checked.status_code == 400 and checked.json()["headline"].startswith("Choose a certificate PDF")
    api = client.post("/api/v1/verify", {"codes": ["ABCD"]}, content_type="application/json")
    assert api.status_code == 200 and api.json()["results"][0]["status"] == "not_found"
    closing = client.post("/my-data/close/", {"password": "not it", "confirm": "CLOSE"})
    assert closing.status_code == 400 and "password" in closing.content.decode().lower()  # the form answers
    assert client.post("/practice/review/profile/", {}).status_code == 303  # anything else still waits for it


@pytest.mark.parametrize("login_url", ["/admin/login/", "/django-admin/login/", "/_util/login/"])
def test_the_admin_and_page_privacy_logins_send_everyone_to_the_site_login_with_its_second_factor(client, login_url):
    admin = UserFactory(roles=[PROGRAMME_ADMIN])
    response = client.post(f"{login_url}?next=/admin/", {"username": admin.username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    assert signed_in_user_id(client) is None  # a password alone signed nobody in
    assert client.get("/admin/login/?next=https://elsewhere.example/")["Location"] == "/accounts/login/"
