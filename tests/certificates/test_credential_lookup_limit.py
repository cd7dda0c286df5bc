"""A published credential names its holder: fetching one is a lookup, counted against the address's limit."""

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from certificates.codes import new_code
from tests.factories import issued_certificate

pytestmark = pytest.mark.django_db


def test_fetching_credentials_counts_against_the_address_s_lookup_limit(client):
    certificate = issued_certificate(first_name="Robin", last_name="Asante")
    with override_settings(VERIFY_RATE_LIMIT="3/h"), time_machine.travel(timezone.now().replace(minute=1), tick=False):
        codes = (certificate.code, new_code(), certificate.code)
        assert [client.get(f"/credentials/{code}.json").status_code for code in codes] == [200, 404, 200]
        refused = client.get(f"/credentials/{certificate.code}.json")
        assert client.get(f"/api/v1/verify/{certificate.code}").status_code == 429  # one limit for every lookup
        assert client.get("/credentials/status/1.json").status_code == 200  # status lists are shared: not counted
    assert refused.status_code == 429 and refused.json()["status"] == "rate_limited"
    assert refused["Retry-After"] and refused["Cache-Control"] == "no-store"
