"""The verification API: the contract's keys and statuses, batches, tokens, and the OpenAPI description."""

import json
import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from certificates.codes import new_code
from certificates.models import Certificate
from certificates.status_changes import certificate_reissue, certificate_revoke, certificate_suspend
from lms.access import WAGTAIL_PAGES_ROUTE
from lms.roles import PROGRAMME_ADMIN, TRAINEE
from tests.factories import UserFactory
from tests.lms.access_world import all_routes
from tests.verification.conftest import make_verifier
from verification.models import ApiToken, Lookup
from verification.services import api_token_create, api_token_revoke

pytestmark = pytest.mark.django_db

CONTRACT_KEYS = {
    "code",
    "status",
    "holder_name",
    "credential",
    "certificate_number",
    "issued_on",
    "expires_on",
    "issuer",
    "reason",
}


def get(client, code, **headers):
    return client.get(f"/api/v1/verify/{code}", headers=headers)


def post(client, codes, **headers):
    return client.post("/api/v1/verify", json.dumps({"codes": codes}), content_type="application/json", headers=headers)


def bearer(raw: str) -> dict:
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def admin(db):
    return UserFactory(roles=[PROGRAMME_ADMIN])


def test_a_valid_certificate_has_exactly_the_contract_s_keys(client, certificate):
    response = get(client, certificate.display_code)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert set(body) == CONTRACT_KEYS
    assert body == {
        "code": certificate.display_code,
        "status": "valid",
        "holder_name": "Robin Asante",
        "credential": "Certified Peer Specialist",
        "certificate_number": certificate.number,
        "issued_on": certificate.issued_on.isoformat(),
        "expires_on": certificate.expires_on.isoformat(),
        "issuer": "Peer Support Certification Board",
        "reason": None,
    }
    assert "robin@example.org" not in response.content.decode()


def test_an_expired_certificate(client, certificate):
    with time_machine.travel(certificate.expires_on + timedelta(days=1), tick=False):
        body = get(client, certificate.display_code).json()
    assert body["status"] == "expired" and body["reason"] is None
    assert body["expires_on"] == certificate.expires_on.isoformat()


def test_suspended_and_revoked_give_the_reason(client, certificate, admin):
    certificate_suspend(by=admin, certificate=certificate, reason="Under review by the board.")
    body = get(client, certificate.display_code).json()
    assert (body["status"], body["reason"]) == ("suspended", "Under review by the board.")
    certificate.refresh_from_db()
    certificate_revoke(by=admin, certificate=certificate, reason="Hours not supervised.")
    body = get(client, certificate.display_code).json()
    assert (body["status"], body["reason"]) == ("revoked", "Hours not supervised.")
    assert set(body) == CONTRACT_KEYS


def test_a_superseded_certificate_names_the_newer_one(client, certificate, admin):
    new = certificate_reissue(by=admin, certificate=certificate, holder_name="Robin Asante-Mensah", reason="Name")
    body = get(client, certificate.display_code).json()
    assert body["status"] == "superseded"
    assert body["reason"] == f"Replaced by {new.number}."
    assert new.number.endswith("-000002")
    newer = get(client, new.display_code).json()
    assert (newer["status"], newer["holder_name"], newer["reason"]) == ("valid", "Robin Asante-Mensah", None)


def test_codes_are_normalised(client, certificate):
    Certificate.objects.filter(pk=certificate.pk).update(code="0123456789ABCDEFGHJKMNPQRSTV")
    for typed in (
        "0123456789abcdefghjkmnpqrstv",
        "0123456789ABCDEFGHJKMNPQRSTV",
        "0123 4567 89AB CDEF GHJK MNPQ RSTV",
        "OI23-4567-89ab-cdef-ghjk-mnpq-rstv",
        "ol23456789ABCDEFGHJKMNPQRSTV",
    ):
        response = get(client, typed)
        assert response.status_code == 200, typed
        assert response.json()["code"] == "0123-4567-89AB-CDEF-GHJK-MNPQ-RSTV"


def test_unknown_and_malformed_codes_get_the_same_404(client, certificate):
    unknown, malformed = get(client, new_code()), get(client, "not-a-code")
    assert unknown.status_code == malformed.status_code == 404
    assert unknown.content == malformed.content == b'{"status": "not_found"}'


def test_unknown_and_malformed_codes_run_the_same_queries(client, certificate):
    with time_machine.travel(timezone.now().replace(second=1), tick=False):  # one window for every lookup
        get(client, new_code())  # the first lookup of a window also prunes ended windows: start it first
        shapes = []
        for code in (new_code(), "not-a-code", "x" * 90):
            with CaptureQueriesContext(connection) as queries:
                assert get(client, code).status_code == 404
            lookups = [query["sql"] for query in queries if '"certificates_certificate"' in query["sql"]]
            assert len(lookups) == 1  # malformed codes still run the one-row query, with a code nothing has
            shapes.append([re.sub(r"'[^']*'", "?", query["sql"]) for query in queries])
        assert shapes[0] == shapes[1] == shapes[2]


def test_a_valid_code_is_one_query_and_counting_it_adds_the_counter_s_read_and_upsert(client, certificate):
    with override_settings(VERIFY_RATE_LIMIT="off"):
        get(client, certificate.display_code)
        with CaptureQueriesContext(connection) as queries:
            assert get(client, certificate.display_code).json()["status"] == "valid"
    (looked_up,) = (query["sql"] for query in queries)
    assert '"certificates_certificate"' in looked_up
    with time_machine.travel(timezone.now().replace(second=1), tick=False):  # one window for both lookups
        get(client, certificate.display_code)  # the first lookup of a window also prunes ended windows
        with CaptureQueriesContext(connection) as queries:
            assert get(client, certificate.display_code).json()["status"] == "valid"
    read, counted, looked_up = (query["sql"] for query in queries)
    assert "lms_rate_counter" in read and "ON CONFLICT" in counted and '"certificates_certificate"' in looked_up


def test_a_batch_answers_each_code_in_order_from_one_query(client, certificate, admin):
    certificate_suspend(by=admin, certificate=certificate, reason="Under review.")
    unknown = new_code()
    codes = [certificate.code.lower(), unknown, "not-a-code", certificate.display_code]
    with time_machine.travel(timezone.now().replace(second=1), tick=False):  # both in one minute's window
        post(client, [unknown])  # the address's window has started: later counts are one statement each
        with CaptureQueriesContext(connection) as queries:
            response = post(client, codes)
    read, counted, looked_up = (query["sql"] for query in queries)
    assert "lms_rate_counter" in read and "ON CONFLICT" in counted  # the four lookups counted in one upsert
    assert '"certificates_certificate"' in looked_up
    assert response.status_code == 200
    results = response.json()["results"]
    assert [result["status"] for result in results] == ["suspended", "not_found", "not_found", "suspended"]
    assert set(results[0]) == CONTRACT_KEYS and results[0]["reason"] == "Under review."
    assert results[1] == {"code": unknown, "status": "not_found"}
    assert results[2] == {"code": "not-a-code", "status": "not_found"}
    assert results[3] == results[0]


def test_a_batch_of_none_or_more_than_100_codes_is_refused_clearly(client, certificate):
    response = post(client, [new_code() for _ in range(101)])
    assert response.status_code == 422
    body = response.json()
    assert body["status"] == "invalid_request"
    assert body["message"] == "codes: Send between 1 and 100 codes in one request; this one had 101."
    assert post(client, []).status_code == 422
    with override_settings(VERIFY_RATE_LIMIT="off"):
        assert post(client, [certificate.code] * 100).status_code == 200
    bad = client.post("/api/v1/verify", "not json", content_type="application/json")
    assert bad.status_code == 400 and bad.json()["status"] == "invalid_request"


def test_a_batch_of_a_million_is_refused_before_any_code_is_read_with_one_detail(client):
    body = '{"codes": [' + ",".join(["0"] * 1_200_000) + "]}"  # 2.4 MB, just inside Django's 2.5 MB for a body
    response = client.post("/api/v1/verify", body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["message"] == "codes: Send between 1 and 100 codes in one request; this one had 1200000."
    assert len(response.json()["detail"]) == 1 and len(response.content) < 1_000  # was 1.2 million details, 133 MB
    bigger = '{"codes": [' + ",".join(["0"] * 1_400_000) + "]}"
    assert client.post("/api/v1/verify", bigger, content_type="application/json").status_code == 400


def test_bad_requests_count_against_the_limit_too(client):
    with override_settings(VERIFY_RATE_LIMIT="3/h"), time_machine.travel(timezone.now().replace(minute=1), tick=False):
        answers = [client.post("/api/v1/verify", "not json", content_type="application/json") for _ in range(3)]
        assert [answer.status_code for answer in answers] == [400, 400, 400]
        refused = post(client, [new_code()])
        refused_bad = client.post("/api/v1/verify", '{"codes": 7}', content_type="application/json")
    assert refused.status_code == 429 and refused_bad.status_code == 429
    assert refused_bad["Retry-After"] == refused["Retry-After"]


def test_an_unknown_or_revoked_token_gets_401_and_no_answer(client, certificate, verifier):
    token, raw = api_token_create(user=verifier, name="HR system")
    for headers in (bearer("psv_not-a-real-token"), bearer(""), {"Authorization": "Basic dXNlcjpwYXNz"}):
        response = get(client, certificate.display_code, **headers)
        assert response.status_code == 401
        assert response.json() == {"status": "unauthorized"}
    assert post(client, [certificate.code], **bearer("nope")).status_code == 401
    assert get(client, certificate.display_code, **bearer(raw)).status_code == 200
    api_token_revoke(user=verifier, token_id=token.pk)
    response = get(client, certificate.display_code, **bearer(raw))
    assert response.status_code == 401 and response.json() == {"status": "unauthorized"}


def test_a_token_stops_working_when_its_account_is_no_longer_a_verifier(client, certificate, verifier):
    _, raw = api_token_create(user=verifier, name="HR system")
    verifier.groups.clear()
    assert get(client, certificate.display_code, **bearer(raw)).status_code == 401
    other = make_verifier("Eastbrook Clinic")
    _, raw = api_token_create(user=other, name="HR")
    other.is_active = False
    other.save()
    assert get(client, certificate.display_code, **bearer(raw)).status_code == 401


def test_checks_with_a_token_are_logged_for_the_verifier_and_anonymous_ones_are_not(client, certificate, verifier):
    get(client, certificate.display_code)
    post(client, [certificate.code])
    assert not Lookup.objects.exists()
    token, raw = api_token_create(user=verifier, name="HR system")
    assert get(client, certificate.display_code, **bearer(raw)).status_code == 200
    assert get(client, new_code(), **bearer(raw)).status_code == 404
    assert post(client, [certificate.code, new_code()], **bearer(raw)).status_code == 200
    lookups = list(Lookup.objects.all())
    assert len(lookups) == 2
    assert {(lookup.verifier, lookup.organisation_name, lookup.channel) for lookup in lookups} == {
        (verifier, "Northfield Health Board", Lookup.Channel.API)
    }
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_session_sign_in_is_not_api_authentication(client, certificate, verifier):
    client.force_login(verifier)
    assert get(client, certificate.display_code).status_code == 200
    assert not Lookup.objects.exists()


def test_the_openapi_description_documents_endpoints_schemas_and_errors(client):
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200 and b"/api/v1/openapi.json" in docs.content
    schema = client.get("/api/v1/openapi.json").json()
    single = schema["paths"]["/api/v1/verify/{code}"]["get"]
    batch = schema["paths"]["/api/v1/verify"]["post"]
    assert set(single["responses"]) == {"200", "401", "404", "429"}
    assert set(batch["responses"]) == {"200", "400", "401", "422", "429"}
    assert single["security"] == [{}, {"VerifierToken": []}]  # the token is optional
    components = schema["components"]
    assert set(components["schemas"]["CertificateCheck"]["properties"]) == CONTRACT_KEYS
    assert components["schemas"]["RateLimited"]["properties"].keys() == {"status", "retry_after"}
    assert components["securitySchemes"]["VerifierToken"]["scheme"] == "bearer"


def test_tokens_are_only_for_verifiers(db):
    from verification.services import VerificationError

    with pytest.raises(VerificationError) as error:
        api_token_create(user=UserFactory(roles=[TRAINEE]), name="x")
    assert error.value.code == "not_allowed"
    assert not ApiToken.objects.exists()


def test_other_systems_can_post_without_a_csrf_token(certificate):
    from django.test import Client

    response = post(Client(enforce_csrf_checks=True), [certificate.code])
    assert response.status_code == 200


def test_the_api_is_resolved_right_after_healthz_and_nothing_else_lies_under_it():
    routes = [route for route, _ in all_routes()]
    under_api = [route for route in routes if route.startswith(("api/", "^api/"))]
    assert routes[: len(under_api) + 1] == ["healthz", *under_api]  # no lookup is matched against every app's URLs
    for route in routes[len(under_api) + 1 :]:  # each starts with a fixed word other than api, so none is shadowed
        first = route.removeprefix("^").split("/")[0]
        assert route == WAGTAIL_PAGES_ROUTE or (re.fullmatch(r"[\w.-]+", first) and first != "api"), route
