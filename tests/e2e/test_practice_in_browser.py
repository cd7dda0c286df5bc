"""The practice log in a real browser: the trainee logs and submits, the supervisor returns one entry and
approves the rest, the trainee fixes and resubmits; the chart and the PDF summary are there."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from tests.e2e.test_site_in_browser import log_in

pytestmark = pytest.mark.browser

ARTEFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artefacts"


def _log_out(page, server):
    page.goto(server + "/practice/")
    page.get_by_role("button", name="Log out").click()


def test_trainee_and_supervisor_walk_the_sign_off(page, server):
    log_in(page, server, "trainee")
    page.goto(server + "/practice/")
    assert page.get_by_role("heading", level=1).inner_text() == "Your practice log"
    chart = page.locator("figure.hours-chart svg.hours-chart-wide")
    assert chart.get_attribute("role") == "img"
    assert chart.locator("rect").count() >= 2 * 12  # approved and waiting bars for every line

    # Log an entry; the privacy screen holds it back, nothing typed is lost, and the fix goes through.
    page.get_by_role("link", name="Log practice").click()
    page.wait_for_url("**/practice/entries/new/")
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    page.get_by_label("Date").fill(yesterday)
    page.get_by_label("Duration in hours").fill("1.5")
    page.get_by_label("Activity type").select_option("outreach")
    page.get_by_label("Direct (with people supported)").check()
    page.get_by_label("Advocacy", exact=True).check()
    page.get_by_label("In person").check()
    page.get_by_label("Reflection").fill("Outreach at the market with peer Jordan Blake, who told me a lot.")
    page.get_by_role("button", name="Save as draft").click()
    assert "must not identify the people you support" in page.locator(".error-summary").inner_text()
    assert page.get_by_label("Duration in hours").input_value() == "1.5"
    page.get_by_label("Reflection").fill("Outreach at the market: short, friendly conversations about the drop-in.")
    page.get_by_role("button", name="Save as draft").click()
    assert "Saved:" in page.locator(".messages").inner_text()

    # Submit everything that is ready.
    page.get_by_role("link", name="Submit for review").first.click()
    page.wait_for_url("**/practice/submit/")
    ready = page.locator("input[name=entries]").count()
    assert ready >= 1
    page.get_by_role("button", name="Send for review").click()
    assert f"Sent {ready} entr" in page.locator(".messages").inner_text()
    _log_out(page, server)

    # The supervisor returns the outreach entry and approves the rest of the batch.
    log_in(page, server, "supervisor")
    page.goto(server + "/practice/review/")
    page.get_by_role("link", name="Alex Morgan", exact=True).last.click()
    page.wait_for_url("**/practice/review/batches/*/")
    entries = page.locator("li.review-entry")
    assert entries.count() == ready
    outreach = entries.filter(has_text="Outreach")
    outreach.get_by_role("radio", name="Return to the trainee").check()
    page.get_by_label("I supervised these hours").check()
    page.get_by_role("button", name="Save my decisions").click()
    assert "Write a comment" in page.locator(".error-summary").inner_text()
    outreach = page.locator("li.review-entry").filter(has_text="Outreach")
    outreach.get_by_label("Comment for the trainee").fill("Lovely. Please add which competency you drew on.")
    page.get_by_role("button", name="Save my decisions").click()
    assert f"Approved {ready - 1} entr" in page.locator(".messages").inner_text()
    assert "returned 1 entry with your comments" in page.locator(".messages").inner_text()
    _log_out(page, server)

    # The trainee reads the comment, fixes the entry and resubmits it.
    log_in(page, server, "trainee")
    page.goto(server + "/practice/?status=returned")
    page.get_by_role("link", name="Read comment").first.click()
    page.wait_for_url("**/practice/entries/*/")
    assert "Please add which competency you drew on." in page.locator(".callout").inner_text()
    page.get_by_role("link", name="Edit").click()
    page.wait_for_url("**/edit/")
    page.get_by_label("Mentoring and education").check()
    page.get_by_role("button", name="Save as draft").click()
    page.goto(server + "/practice/submit/")
    page.get_by_role("button", name="Send for review").click()
    assert "Your supervisor has been emailed" in page.locator(".messages").inner_text()

    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.goto(server + "/practice/")
    page.screenshot(path=str(ARTEFACTS / "practice-log.png"), full_page=True)
    summary = page.request.get(server + "/practice/hours.pdf")
    assert summary.status == 200
    assert summary.headers["content-type"] == "application/pdf"
    assert summary.body().startswith(b"%PDF")
    (ARTEFACTS / "hours-summary.pdf").write_bytes(summary.body())
