"""The check page's status banner (colour and words), when it was checked, and its printed record."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from certificates.models import Certificate
from certificates.status_changes import certificate_reissue, certificate_revoke, certificate_suspend
from lms.roles import PROGRAMME_ADMIN
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

STYLESHEET = Path(__file__).resolve().parents[2] / "static" / "css" / "site.css"


def banner(client, certificate) -> str:
    response = client.get(f"/verify/{certificate.display_code}/")
    assert response.status_code == 200
    html = response.content.decode()
    found = re.search(r'<div class="status-banner (status-banner-\w+) [^"]*">(.*?)</div>', html, re.S)
    assert found, html
    return found.group(1) + " | " + re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(2))).strip()


def test_each_status_has_its_own_banner_in_colour_and_words(client, certificate):
    admin = UserFactory(roles=[PROGRAMME_ADMIN])
    text = banner(client, certificate)
    assert text.startswith("status-banner-valid | ✓ Valid This certificate is valid today. Checked on ")
    certificate_suspend(by=admin, certificate=certificate, reason="Under review.")
    assert banner(client, certificate).startswith(
        "status-banner-suspended | ✕ Suspended This certificate is suspended and does not count while it is."
    )
    certificate_revoke(by=admin, certificate=Certificate.objects.get(pk=certificate.pk), reason="Hours not supervised.")
    assert banner(client, certificate).startswith(
        "status-banner-revoked | ✕ Revoked This certificate has been revoked and no longer counts."
    )


def test_expired_and_superseded_banners(client, certificate):
    new = certificate_reissue(
        by=UserFactory(roles=[PROGRAMME_ADMIN]), certificate=certificate, holder_name="Robin Asante-Mensah", reason="x"
    )
    assert banner(client, certificate).startswith("status-banner-superseded | ✕ Superseded This certificate has been")
    Certificate.objects.filter(pk=new.pk).update(issued_on=new.issued_on - timedelta(days=800), expires_on="2025-01-31")
    assert banner(client, new).startswith(
        "status-banner-expired | ! Expired This certificate expired on 31 January 2025."
    )


@pytest.mark.parametrize(
    ("zone", "shown", "iso"),
    [
        ("UTC", "7 December 2026 at 09:30 (UTC)", "2026-12-07T09:30:00+00:00"),
        ("America/New_York", "7 December 2026 at 04:30 (EST)", "2026-12-07T04:30:00-05:00"),
    ],
)
def test_the_banner_says_when_it_was_checked_with_the_time_zone(client, certificate, zone, shown, iso):
    with override_settings(TIME_ZONE=zone), time_machine.travel(datetime(2026, 12, 7, 9, 30, tzinfo=UTC), tick=False):
        html = client.get(f"/verify/{certificate.display_code}/").content.decode()
    assert f'Checked on <time datetime="{iso}">{shown}</time>' in html


def test_the_printed_record_hides_navigation_footer_and_buttons():
    css = STYLESHEET.read_text(encoding="utf-8")
    printed = css[css.index("@media print") :]
    for hidden in (".site-header", ".site-footer", ".no-print", "button", ".button", "form"):
        assert hidden in printed.split("display: none")[0], hidden
    assert "print-color-adjust: exact" in printed  # the banner keeps its colour on paper


def test_the_verifier_s_record_button_is_left_off_paper(client, certificate, verifier_client):
    html = verifier_client.get(f"/verify/{certificate.display_code}/").content.decode()
    assert '<section aria-labelledby="record-check-title" class="card no-print">' in html


def test_the_page_takes_the_same_queries_however_many_certificates(client, certificate):
    client.get(f"/verify/{certificate.display_code}/")
    with CaptureQueriesContext(connection) as first:
        client.get(f"/verify/{certificate.display_code}/")
    certificate_reissue(
        by=UserFactory(roles=[PROGRAMME_ADMIN]), certificate=certificate, holder_name="Robin Asante-Mensah", reason="x"
    )
    with CaptureQueriesContext(connection) as later:
        client.get(f"/verify/{certificate.display_code}/")
    assert len(first) == len(later) <= 4, [query["sql"] for query in later.captured_queries]
