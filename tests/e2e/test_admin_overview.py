"""The demo programme admin opens the programme overview in the Wagtail admin and downloads each list as CSV.

At 1280 and 390 px wide: the overview panel on the admin home, each report reached by its link, its CSV downloaded
and read, axe-core run on every report page (no serious or critical problems), and a screenshot of each kept in
var/test-artefacts/admin-overview/. The demo has no certificate close to expiry and nobody close to a certificate,
so the test adds one of each to the server's database first (a certificate for a new person, and a small programme
the demo trainee's approved hours meet) and removes them afterwards.
"""

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_accessibility import (
    ARTEFACTS,
    DESKTOP,
    PHONE,
    blocking_violations,
    describe,
    sign_in,
)

pytestmark = pytest.mark.browser

SHOTS = ARTEFACTS / "admin-overview"
PROGRAMME = "Overview Check Programme"
HOLDER = ("overview_jordan", "Jordan", "Ellis")
NUMBER = "CPS-2026-990001"

ADD = f"""
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from certificates.models import Certificate, Programme

today = timezone.localdate()
demo = Programme.objects.get(abbreviation="CPS")
holder = get_user_model().objects.create(
    username="{HOLDER[0]}", first_name="{HOLDER[1]}", last_name="{HOLDER[2]}", email="{HOLDER[0]}@example.org"
)
Certificate.objects.create(
    programme=demo, holder=holder, holder_name="{HOLDER[1]} {HOLDER[2]}", number="{NUMBER}", year=2026,
    serial=990001, code="OVERVIEWCHECK001", issued_on=today - timedelta(days=700),
    period_starts_on=today - timedelta(days=700), expires_on=today + timedelta(days=30),
)
Programme.objects.create(
    name="{PROGRAMME}", abbreviation="OCP", issuing_body=demo.issuing_body, signatory_name=demo.signatory_name,
    signatory_title=demo.signatory_title, practice_hours=1, supervision_hours=0, ethics_attestation_required=True,
)
"""

REMOVE = f"""
from django.contrib.auth import get_user_model
from certificates.models import Certificate, Programme

Certificate.objects.filter(number="{NUMBER}").delete()
get_user_model().objects.filter(username="{HOLDER[0]}").delete()
Programme.objects.filter(name="{PROGRAMME}").delete()
"""

# Link text on the admin home → (the report's heading, the CSV's header, a row the CSV must hold (its first cells)).
REPORTS = {
    "See hours waiting for each supervisor": (
        "Hours waiting for review",
        ["Supervisor", "Email", "Hours waiting", "Entries waiting", "Trainees", "Waiting since"],
        ["Sam Okafor", "supervisor@example.org"],
    ),
    "Trainees without a supervisor": (
        "Trainees without a supervisor",
        ["Trainee", "Email", "Joined", "Last assignment ended", "Next assignment starts"],
        ["Riley Chen", "riley@example.org"],
    ),
    "Certificates expiring in the next 90 days": (
        "Certificates expiring in the next 90 days",
        ["Holder", "Email", "Certificate", "Programme", "Expires on", "Days left"],
        ["Jordan Ellis", "overview_jordan@example.org", NUMBER, "Certified Peer Specialist"],
    ),
    "Trainees near eligibility": (
        "Trainees near eligibility",
        [
            "Trainee",
            "Email",
            "Programme",
            "Requirements met",
            "Requirements",
            "Still to do",
            "Approved practice hours",
            "Practice hours needed",
        ],
        ["Alex Morgan", "trainee@example.org", PROGRAMME, "1", "2", "Code of ethics"],
    ),
}


@pytest.fixture
def overview_data(e2e_site):
    """A certificate expiring in 30 days and a programme the demo trainee nearly meets, for the test's length."""
    e2e_site.manage("shell", "-c", ADD)
    yield
    e2e_site.manage("shell", "-c", REMOVE)


def downloaded_rows(page) -> list[list[str]]:
    """Click the report's CSV link and read the file the browser saved."""
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the full list (CSV)").click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    return list(csv.reader(io.StringIO(open(download.path(), encoding="utf-8").read())))  # noqa: SIM115


def test_programme_admin_reads_the_overview_and_downloads_each_list(browser, server, overview_data, axe_source):
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        sign_in(page, server, "admin")
        for viewport in (DESKTOP, PHONE):
            width = viewport["width"]
            page.set_viewport_size(viewport)
            page.goto(server + "/admin/")
            panel = page.locator("#programme-overview-section")
            expect(panel.get_by_role("heading", name="Programme overview")).to_be_visible()
            expect(panel).to_contain_text("Sam Okafor")
            expect(panel.get_by_role("link", name="Certificates expiring in the next 90 days: 1")).to_be_visible()
            expect(panel.get_by_role("link", name=re.compile(r"^Trainees near eligibility: [1-9]"))).to_be_visible()
            expect(panel.get_by_role("row", name="Enrolled in a course")).to_be_visible()
            expect(panel).to_contain_text("Median time from first enrolment to first certificate")
            page.screenshot(path=str(SHOTS / f"home-{width}.png"), full_page=True)

            for link, (heading, header, row) in REPORTS.items():
                page.goto(server + "/admin/")
                panel.get_by_role("link", name=link).click()
                expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
                expect(page.get_by_role("rowheader", name=row[0]).first).to_be_visible()
                slug = page.url.rstrip("/").rsplit("/", 1)[-1]
                page.screenshot(path=str(SHOTS / f"{slug}-{width}.png"), full_page=True)
                violations = blocking_violations(page, axe_source)
                assert not violations, f"{page.url} at {width} px:\n{describe(violations)}"

                rows = downloaded_rows(page)
                assert rows[0] == header
                assert any(line[: len(row)] == row for line in rows[1:]), f"{heading}: no row {row} in {rows}"
                assert not any(cell.startswith(("overview_", "supervisor", "trainee")) for cell in (r[0] for r in rows))
    finally:
        context.close()
