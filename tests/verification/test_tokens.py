"""API tokens: verifiers make one (shown once, only its hash kept), see them listed, revoke them after confirming."""

import hashlib

import pytest

from lms.roles import PROGRAMME_ADMIN, SUPERVISOR, TRAINEE
from tests.factories import PASSWORD, UserFactory
from tests.verification.conftest import make_verifier
from verification.models import ApiToken
from verification.services import MAX_ACTIVE_TOKENS, api_token_create

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [TRAINEE, SUPERVISOR, PROGRAMME_ADMIN])
def test_only_verifiers_reach_tokens_and_bulk_checks(client, role):
    client.login(username=UserFactory(roles=[role]).username, password=PASSWORD)
    for url in ("/verify/tokens/", "/verify/bulk/"):
        assert client.get(url).status_code == 403
        assert client.post(url, {"name": "x"}).status_code == 403


def test_anonymous_people_are_asked_to_log_in(client):
    for url in ("/verify/tokens/", "/verify/bulk/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_empty_list_explains_what_tokens_are_for(verifier_client):
    response = verifier_client.get("/verify/tokens/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "You haven't made any tokens yet." in html
    assert "Northfield Health Board" in html


def test_a_new_token_is_shown_once_and_only_its_hash_is_kept(verifier_client, verifier):
    response = verifier_client.post("/verify/tokens/", {"name": "HR system"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get()
    html = response.content.decode()
    start = html.index('id="new-token-value"')
    secret = html[start:].split('value="', 1)[1].split('"', 1)[0]
    assert secret.startswith("psv_") and len(secret) > 40
    assert "won't be shown again" in html and "Authorization: Bearer" in html
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:12] and token.user == verifier and token.name == "HR system"
    stored = [str(value) for value in ApiToken.objects.values().get().values()]
    stored += [str(value) for row in ApiToken.history.values() for value in row.values()]
    assert not any(secret in value for value in stored)
    again = verifier_client.get("/verify/tokens/").content.decode()
    assert secret not in again and f"{token.prefix}…" in again and "HR system" in again


def test_a_token_needs_a_name(verifier_client):
    response = verifier_client.post("/verify/tokens/", {"name": "   "})
    assert response.status_code == 200
    assert (
        "This field is required." in response.content.decode() or "Give the token a name" in response.content.decode()
    )
    assert not ApiToken.objects.exists()


def test_there_is_a_limit_on_working_tokens(verifier_client, verifier):
    for number in range(MAX_ACTIVE_TOKENS):
        api_token_create(user=verifier, name=f"System {number}")
    response = verifier_client.post("/verify/tokens/", {"name": "One more"})
    assert "Revoke one you no longer use" in response.content.decode()
    assert ApiToken.objects.count() == MAX_ACTIVE_TOKENS


def test_revoking_asks_first_then_the_token_stops_working(verifier_client, verifier, certificate):
    token, raw = api_token_create(user=verifier, name="HR system")
    confirm = verifier_client.get(f"/verify/tokens/{token.pk}/revoke/")
    assert confirm.status_code == 200 and "Revoke “HR system”?" in confirm.content.decode()
    token.refresh_from_db()
    assert token.is_active
    response = verifier_client.post(f"/verify/tokens/{token.pk}/revoke/", follow=True)
    assert "Revoked “HR system”" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    answer = verifier_client.get(f"/api/v1/verify/{certificate.code}", headers={"Authorization": f"Bearer {raw}"})
    assert answer.status_code == 401 and answer.json() == {"status": "unauthorized"}
    again = verifier_client.get(f"/verify/tokens/{token.pk}/revoke/", follow=True)
    assert "was already revoked" in again.content.decode()
    assert verifier_client.post(f"/verify/tokens/{token.pk}/revoke/").status_code == 302  # harmless to repeat


def test_another_verifier_s_token_is_not_found(verifier_client):
    other, _ = api_token_create(user=make_verifier("Eastbrook Clinic"), name="Theirs")
    assert verifier_client.get(f"/verify/tokens/{other.pk}/revoke/").status_code == 404
    assert verifier_client.post(f"/verify/tokens/{other.pk}/revoke/").status_code == 404
    assert verifier_client.get(f"/verify/tokens/{2**70}/revoke/").status_code == 404
    other.refresh_from_db()
    assert other.is_active


def test_a_verifier_without_an_organisation_is_told(client):
    user = make_verifier(organisation=None)
    client.login(username=user.username, password=PASSWORD)
    assert "isn't linked to an organisation yet" in client.get("/verify/tokens/").content.decode()
