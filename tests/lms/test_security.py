"""Production security settings: `check --deploy` is clean, and the headers and cookies they promise are sent."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.templatetags.static import static
from django.test import Client
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from content.models import StandardPage
from lms.roles import PROGRAMME_ADMIN
from lms.security import admin_csp_script, inline_scripts_allowed
from tests.factories import PASSWORD, UserFactory, build_course, site_home

ROOT = Path(__file__).resolve().parents[2]
HSTS = "max-age=31536000; includeSubDomains; preload"
# Settings read from the environment that a developer's shell might carry into the subprocesses.
INHERITED = ("DEBUG", "SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "SITE_URL", "SIGNING_KEY", "SIGNING_KEY_FILE")
INHERITED_PREFIXES = ("DJANGO_", "SECURE_", "SESSION_COOKIE_", "CSRF_COOKIE_", "CSP_")


def _production_environment(tmp_path, **overrides) -> dict:
    """A production environment as a deployment would set it: DEBUG off, a strong key, https, a signing key."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from dataintegrity.multikey import private_key_multibase

    environment = {k: v for k, v in os.environ.items() if k not in INHERITED and not k.startswith(INHERITED_PREFIXES)}
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "LMS_READ_DOTENV": "0",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(60),
            "ALLOWED_HOSTS": "lms.example.org",
            "SITE_URL": "https://lms.example.org",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
            "SIGNING_KEY": private_key_multibase(Ed25519PrivateKey.generate()),
            "SIGNING_KEY_FILE": "",
            "MEDIA_ROOT": str(tmp_path / "media"),
            "CERTIFICATE_ROOT": str(tmp_path / "certificates"),
            **overrides,
        }
    )
    return environment


def _manage(environment: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - fixed interpreter and arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def _settings(environment: dict, expression: str) -> str:
    result = subprocess.run(  # noqa: S603 - fixed interpreter and code
        [sys.executable, "-c", f"import config.settings as s; print({expression})"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def _csp(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    policy = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        policy[name] = sources
    return policy


# --- check --deploy --------------------------------------------------------------------------------------------------


def test_check_deploy_finds_no_issues_in_production(tmp_path):
    result = _manage(_production_environment(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output


def test_check_deploy_fails_when_the_https_redirect_is_turned_off(tmp_path):
    environment = _production_environment(tmp_path, SECURE_SSL_REDIRECT="0")
    result = _manage(environment, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W008" in result.stderr


def test_development_keeps_plain_http(tmp_path):
    environment = _production_environment(tmp_path, DEBUG="1")
    values = _settings(
        environment,
        "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE",
    )
    assert values == "False 0 False False"


def test_production_values_and_their_environment_overrides(tmp_path):
    expression = (
        "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER"
    )
    production = _settings(_production_environment(tmp_path), expression)
    assert production == "True 31536000 True True True True ('HTTP_X_FORWARDED_PROTO', 'https')"
    overridden = _settings(
        _production_environment(tmp_path, SECURE_SSL_REDIRECT="0", SECURE_HSTS_SECONDS="3600", SECURE_HSTS_PRELOAD="0"),
        expression,
    )
    assert overridden == "False 3600 True False True True ('HTTP_X_FORWARDED_PROTO', 'https')"


# --- HTTPS: redirect, HSTS, cookies ----------------------------------------------------------------------------------


@pytest.fixture
def production(settings):
    """The production values the suite's settings turn off (the test client speaks plain http)."""
    settings.SECURE_SSL_REDIRECT = True
    assert settings.SECURE_HSTS_SECONDS == 365 * 24 * 60 * 60
    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE
    return settings


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https(production):
    response = Client().get("/verify/?code=X")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/verify/?code=X"


@pytest.mark.django_db
def test_the_proxy_header_marks_a_request_as_https(production):
    response = Client().get("/verify/", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == HSTS
    # Only the proxy's header counts, not a scheme the client claims some other way.
    assert Client().get("/verify/", headers={"X-Forwarded-Proto": "http"}).status_code == 301


def test_healthz_is_not_redirected(production):
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


@pytest.mark.django_db
def test_https_responses_carry_hsts_and_the_other_security_headers(production):
    response = Client().get("/verify/", secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == HSTS
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_plain_http_responses_carry_no_hsts(settings):
    assert "Strict-Transport-Security" not in Client().get("/healthz")


@pytest.mark.django_db
def test_login_cookies_are_secure_http_only_and_same_site_lax(production):
    from allauth.account.models import EmailAddress

    user = UserFactory(username="cookie_tester")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client = Client()
    login_page = client.get("/accounts/login/", secure=True)
    csrf = login_page.cookies["csrftoken"]
    assert csrf["secure"] is True
    assert csrf["samesite"] == "Lax"
    response = client.post("/accounts/login/", {"login": "cookie_tester", "password": PASSWORD}, secure=True)
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] is True
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"


# --- Content Security Policy and framing -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_public_pages_get_a_strict_policy(client):
    _, lessons = build_course()
    for path in ["/", "/courses/", "/verify/", lessons[0].url]:
        response = client.get(path)
        assert response.status_code == 200, path
        policy = _csp(response)
        assert policy["default-src"] == ["'self'"]
        assert policy["script-src"] == ["'self'", "'report-sample'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["base-uri"] == ["'self'"]
        assert policy["form-action"] == ["'self'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["img-src"] == ["'self'", "data:"]
        assert policy["style-src"] == ["'self'"]
        assert "style-src-elem" not in policy  # <style> elements fall back to style-src 'self'
        assert "'unsafe-inline'" not in response["Content-Security-Policy"].split("style-src-attr")[0]
        assert response["X-Frame-Options"] == "DENY", path


@pytest.mark.django_db
def test_the_policy_header_is_django_csp_s_own_and_follows_the_setting(client, settings):
    from csp.utils import build_policy

    for path in ["/healthz", "/verify/", "/api/v1/verify/NOT-A-CODE", "/healthz"]:  # written once, then reused
        header = client.get(path)["Content-Security-Policy"]
        assert sorted(header.split("; ")) == sorted(build_policy().split("; ")), path
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    assert client.get("/healthz")["Content-Security-Policy"] == "default-src 'none'"


@pytest.fixture
def admin_client(db):
    """A programme admin (two-factor on, as the site requires) signed in to the Wagtail admin."""
    client = Client()
    client.force_login(UserFactory(roles=[PROGRAMME_ADMIN]))
    return client


def test_the_admin_allows_no_inline_script_but_style_elements_and_blob_images(admin_client):
    response = admin_client.get("/admin/")
    assert response.status_code == 200
    policy = _csp(response)
    assert policy["script-src"] == ["'self'", "'report-sample'"]
    assert policy["style-src-elem"] == ["'self'", "'unsafe-inline'"]
    assert policy["img-src"] == ["'self'", "data:", "blob:"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    # Wagtail's blocked start-up scripts are started by this file instead.
    assert static("js/wagtail_admin_csp.js") in response.content.decode()


def test_the_helper_script_is_left_out_if_inline_scripts_are_allowed(settings):
    assert inline_scripts_allowed() is False
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'self'"], "script-src": ["'unsafe-inline'"]}}
    assert inline_scripts_allowed() is True
    assert admin_csp_script() == ""


def _standard_page() -> StandardPage:
    page = site_home().add_child(instance=StandardPage(title="About", slug="about", intro="Who we are."))
    page.save_revision().publish()
    return page


def _preview_data(title: str) -> dict:
    return nested_form_data(
        {
            "title": title,
            "slug": "about",
            "intro": "Who we are.",
            "body": streamfield([]),
            "comments": inline_formset([]),
        }
    )


def test_the_editors_preview_may_be_framed_by_the_admin_only(admin_client):
    page = _standard_page()
    preview_url = f"/admin/pages/{page.id}/edit/preview/"
    stored = admin_client.post(preview_url, _preview_data("About us, previewed"))
    assert stored.json() == {"is_valid": True, "is_available": True}

    response = admin_client.get(preview_url + "?in_preview_panel=true")
    assert response.status_code == 200
    assert "About us, previewed" in response.content.decode()
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    policy = _csp(response)
    assert policy["frame-ancestors"] == ["'self'"]
    assert policy["script-src"] == ["'self'", "'report-sample'"]

    # The published page itself may not be framed at all.
    public = admin_client.get(page.url)
    assert public["X-Frame-Options"] == "DENY"
    assert _csp(public)["frame-ancestors"] == ["'none'"]


def test_a_preview_that_cannot_render_is_still_frameable_by_the_admin(admin_client):
    page = _standard_page()
    response = admin_client.get(f"/admin/pages/{page.id}/edit/preview/?in_preview_panel=true")
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert _csp(response)["frame-ancestors"] == ["'self'"]
