"""Rate limits on lookups: per client address on the pages and API, per token for organisations, 'off' to disable."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.core import checks
from django.test import override_settings
from django.utils import timezone

from certificates.codes import new_code
from lms.lookup_limits import Rate, describe_rate, parse_rate
from tests.verification.conftest import make_verifier
from verification.services import api_token_create

pytestmark = pytest.mark.django_db


def api_get(client, code, **headers):
    return client.get(f"/api/v1/verify/{code}", headers=headers)


def api_post(client, codes, **headers):
    return client.post("/api/v1/verify", json.dumps({"codes": codes}), content_type="application/json", headers=headers)


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("60/m", Rate(60, 60)),
        ("1000/h", Rate(1000, 3600)),
        ("10/s", Rate(10, 1)),
        ("5000/d", Rate(5000, 86400)),
        (" 100 / 5m ", Rate(100, 300)),
        ("30/MIN", Rate(30, 60)),
        ("off", None),
        ("OFF", None),
    ],
)
def test_rates_are_read_in_the_usual_forms(text, rate):
    assert parse_rate(text) == rate


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("600/m", "600 lookups a minute"),
        ("1/h", "1 lookup an hour"),
        ("10/s", "10 lookups a second"),
        ("5000/d", "5,000 lookups a day"),
        ("100/5m", "100 lookups every 5 minutes"),
        ("7/90s", "7 lookups every 90 seconds"),
        ("3/2d", "3 lookups every 2 days"),
        ("off", "no limit"),
    ],
)
def test_rates_are_described_in_plain_words(text, words):
    assert describe_rate(parse_rate(text)) == words


@pytest.mark.parametrize("text", ["", "60", "sixty/m", "60/fortnight", "0/m", "60/0m", "-1/m"])
def test_anything_else_is_refused(text):
    with pytest.raises(ValueError, match="isn't a rate limit"):
        parse_rate(text)


def test_a_mistyped_setting_fails_the_system_check():
    from verification.checks import rate_limit_settings

    with override_settings(VERIFY_RATE_LIMIT="60 a minute"):
        (error,) = rate_limit_settings(None)
    assert error.id == "verification.E001" and error.level == checks.ERROR
    assert rate_limit_settings(None) == []


@override_settings(VERIFY_RATE_LIMIT="3/m")
def test_the_page_says_to_wait_with_retry_after(client, certificate):
    for _ in range(3):
        assert client.get(f"/verify/{certificate.display_code}/").status_code == 200
    response = client.get(f"/verify/{certificate.display_code}/")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    html = response.content.decode()
    assert "Please wait a moment" in html and f"try again in {response['Retry-After']} second" in html
    assert certificate.holder_name not in html
    assert client.get("/verify/", {"code": new_code()}, follow=True).status_code == 429
    assert client.get("/verify/", {"code": "malformed"}).status_code == 429
    assert client.get("/verify/").status_code == 200  # the empty form is not a lookup


@override_settings(VERIFY_RATE_LIMIT="3/m")
def test_the_api_says_to_wait_with_retry_after(client, certificate):
    for code in (certificate.code, new_code(), "malformed"):
        assert api_get(client, code).status_code in (200, 404)
    response = api_get(client, certificate.code)
    assert response.status_code == 429
    seconds = int(response["Retry-After"])
    assert response.json() == {"status": "rate_limited", "retry_after": seconds}
    assert 1 <= seconds <= 60


@override_settings(VERIFY_RATE_LIMIT="3/m")
def test_pages_and_api_share_one_count_per_address_and_xff_is_not_trusted(client, certificate):
    client.get(f"/verify/{certificate.display_code}/")
    api_get(client, certificate.code)
    client.get(f"/verify/{certificate.display_code}/", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert api_get(client, certificate.code, **{"X-Forwarded-For": "198.51.100.7"}).status_code == 429
    assert client.get(f"/verify/{certificate.display_code}/", REMOTE_ADDR="192.0.2.44").status_code == 200


@override_settings(VERIFY_RATE_LIMIT="3/m")
def test_the_count_starts_again_in_the_next_window(client, certificate):
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(minutes=1)
    with time_machine.travel(start, tick=False):
        for _ in range(3):
            api_get(client, certificate.code)
        assert api_get(client, certificate.code).status_code == 429
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        assert api_get(client, certificate.code).status_code == 200


@override_settings(VERIFY_RATE_LIMIT="5/m")
def test_each_code_of_a_batch_counts_and_a_refused_batch_uses_nothing(client, certificate):
    assert api_post(client, [certificate.code] * 4).status_code == 200
    refused = api_post(client, [certificate.code] * 2)
    assert refused.status_code == 429 and refused.json()["status"] == "rate_limited"
    assert api_get(client, certificate.code).status_code == 200  # the refused batch left the fifth lookup
    assert api_get(client, certificate.code).status_code == 429


@override_settings(VERIFY_RATE_LIMIT="5/m")
def test_a_batch_bigger_than_the_whole_limit_is_told_so(client, certificate):
    response = api_post(client, [certificate.code] * 6)
    assert response.status_code == 422
    assert response.json()["message"] == (
        "This batch has 6 codes, more than the 5 lookups your rate limit allows at a time. "
        "Send at most 5 codes per request, or use an API token."
    )
    assert api_get(client, certificate.code).status_code == 200


@override_settings(VERIFY_RATE_LIMIT="off")
def test_off_turns_the_limit_off(client, certificate):
    for _ in range(70):
        assert api_get(client, certificate.code).status_code == 200
    assert client.get(f"/verify/{certificate.display_code}/").status_code == 200


@override_settings(VERIFY_RATE_LIMIT="2/m", VERIFY_TOKEN_RATE_LIMIT="5/m")
def test_each_verifier_account_has_its_own_higher_limit_shared_by_its_tokens(client, certificate, verifier):
    _, first = api_token_create(user=verifier, name="HR system")
    _, second = api_token_create(user=verifier, name="Rostering")
    _, other_organisations = api_token_create(user=make_verifier("Eastgate Trust"), name="HR")
    for _ in range(2):
        assert api_get(client, certificate.code).status_code == 200
    assert api_get(client, certificate.code).status_code == 429
    for token in (first, second, first, second, first):
        assert api_get(client, certificate.code, Authorization=f"Bearer {token}").status_code == 200
    for token in (first, second):  # more tokens don't buy a bigger limit
        limited = api_get(client, certificate.code, Authorization=f"Bearer {token}")
        assert limited.status_code == 429 and limited.json()["status"] == "rate_limited"
    assert api_get(client, certificate.code, Authorization=f"Bearer {other_organisations}").status_code == 200


@override_settings(VERIFY_RATE_LIMIT="3/m")
def test_a_check_through_the_form_or_a_typed_address_counts_once(client, certificate):
    client.get("/verify/", {"code": certificate.code.lower()}, follow=True)
    client.get(f"/verify/{certificate.code.lower()}/", follow=True)
    final = client.get("/verify/", {"code": certificate.display_code.replace("-", " ")}, follow=True)
    assert final.status_code == 200 and [hop[1] for hop in final.redirect_chain] == [302]
    assert client.get(f"/verify/{certificate.display_code}/").status_code == 429
