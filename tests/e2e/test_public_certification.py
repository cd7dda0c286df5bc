"""An anonymous visitor finds what certification asks for from the home page, on a wide and a phone-sized screen."""

import re
from pathlib import Path

import pytest

from tests.e2e.test_accessibility import ARTEFACTS, DESKTOP, PHONE, blocking_violations

pytestmark = pytest.mark.browser

CONTACT = "certification@example.org"  # CONTACT_EMAIL's default: the e2e server sets none


def overflow(page) -> int:
    """How many CSS pixels the page is wider than the viewport."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def shot(page, name: str) -> Path:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "390px"])
def test_a_visitor_reaches_the_certification_page_and_sees_hours_and_validity(browser, server, axe_source, viewport):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(15_000)
    width = viewport["width"]
    try:
        page.goto(server + "/")
        assert page.get_by_role("navigation", name="Main").get_by_role("link", name="Certification").is_visible()
        page.get_by_role("link", name="How certification works").click()
        page.wait_for_url(server + "/certification/")
        assert page.get_by_role("heading", level=1, name="Certification").is_visible()
        assert blocking_violations(page, axe_source) == []
        assert overflow(page) <= 0
        shot(page, f"certification-list-{width}.png")

        page.get_by_role("link", name="Certified Peer Specialist (CPS)").click()
        page.wait_for_url(server + "/certification/cps/")
        facts = page.get_by_role("definition")
        assert facts.filter(has_text=re.compile(r"^500 hours$")).is_visible()
        assert facts.filter(has_text=re.compile(r"^2 years$")).is_visible()
        assert page.get_by_text("1 hour of supervision for every 20 hours of practice").is_visible()
        domains = page.get_by_role("table", name="Hours needed in each competency domain")
        # A table on a wide screen, one line per domain on a phone ("At least: 100 hours").
        assert re.search(r"Recovery and wellness support\s+(At least: )?100 hours", domains.inner_text())
        assert page.get_by_role("heading", name="Who may apply").is_visible()
        assert page.get_by_role("heading", name="Supervisors and placements").is_visible()

        footer_contact = page.get_by_role("contentinfo").get_by_role("link", name=CONTACT)
        assert footer_contact.get_attribute("href") == f"mailto:{CONTACT}"
        assert (
            page.get_by_role("main")
            .get_by_role("link", name=CONTACT)
            .first.get_attribute("href")
            .startswith(f"mailto:{CONTACT}")
        )
        assert blocking_violations(page, axe_source) == []
        assert overflow(page) <= 0
        shot(page, f"certification-cps-{width}.png")
    finally:
        context.close()
