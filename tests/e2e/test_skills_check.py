"""An observed skills check in a real browser, at desktop and phone widths: the demo trainee logs one and sends it,
the demo supervisor finds it in the review queue, ticks the rubric and approves it, and the trainee sees it passed
and one more skill counted towards the certificate. axe-core finds nothing serious on any page on the way.

Each width practises a different skill, so the two runs add up on the one demo trainee (who starts with listening
passed and validation waiting).
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import person_page
from tests.e2e.journey import log_in
from tests.e2e.test_accessibility import ARTEFACTS, DESKTOP, PHONE, blocking_violations, describe

pytestmark = pytest.mark.browser

SKILL_FOR = {
    "desktop": ("Boundary-setting", "Said kindly and clearly what they can and can't do"),
    "phone": (
        "Crisis hand-off",
        "Stayed with the person and kept them company",
    ),
}
TRAINEE_NAME = "Alex Morgan"
SKILLS_LINE = re.compile(r"Observed skills checks: (\d) of 4 skills")


def _axe_clean(page, axe_source: str, what: str) -> None:
    violations = blocking_violations(page, axe_source)
    assert not violations, f"{what} ({page.url}):\n{describe(violations)}"


def _skills_passed(page) -> int:
    """The number on the dashboard's skills line."""
    line = page.locator(".requirement-text").filter(has_text=SKILLS_LINE).first
    return int(SKILLS_LINE.search(line.inner_text())[1])


def _shot(page, name: str, width: str) -> None:
    page.screenshot(path=str(ARTEFACTS / f"skills-check-{name}-{width}.png"), full_page=True)


@pytest.mark.parametrize(("width", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_a_skills_check_is_logged_observed_and_passed(e2e_site, browser, axe_source, width, viewport):
    skill, criterion = SKILL_FOR[width]
    ARTEFACTS.mkdir(parents=True, exist_ok=True)

    # The trainee logs the role-play and sends it.
    with person_page(browser, viewport) as page:
        log_in(page, e2e_site.base, "trainee")
        passed_before = _skills_passed(page)
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Practice log").click()
        page.get_by_role("link", name="Log practice", exact=True).click()
        page.get_by_label("Date").fill((timezone.localdate() - timedelta(days=1)).isoformat())
        page.get_by_label("Duration in hours").fill("0.5")
        page.get_by_label("Activity type").select_option(label="Skills check (observed role-play)")
        expect(page.get_by_label("Direct (with people supported)")).to_be_hidden()  # a role-play counts as indirect
        page.get_by_label(skill, exact=True).check()
        page.get_by_label("Ethical responsibility", exact=True).check()
        page.get_by_label("In person").check()
        page.get_by_label("Reflection").fill("A role-play my supervisor watched; I kept my voice calm and clear.")
        _shot(page, "form", width)
        _axe_clean(page, axe_source, f"entry form at {width}")
        page.get_by_role("button", name="Save as draft").click()
        expect(page.locator(".messages")).to_contain_text("Saved:")

        page.get_by_role("link", name=re.compile(r"^Submit for review")).first.click()
        choices = page.locator("input[name=entries]")
        for number in range(choices.count()):
            choices.nth(number).uncheck()
        ours = page.locator("li").filter(has_text="skills check (observed role-play)").last
        ours.get_by_role("checkbox").check()
        page.get_by_role("button", name="Send for review").click()
        expect(page.locator(".messages")).to_contain_text("Sent 1 entry for review in 1 batch.")

    # The supervisor opens it from the queue, tries to approve with one point unticked, then ticks them all.
    with person_page(browser, viewport) as page:
        log_in(page, e2e_site.base, "supervisor", two_factor=True)
        page.get_by_role("navigation", name="Main").get_by_role("link", name=re.compile(r"^Review")).click()
        expect(page).to_have_url(e2e_site.base + "/practice/review/")
        page.get_by_role("link", name=TRAINEE_NAME, exact=True).last.click()
        entry = page.locator("li.review-entry").filter(has_text=f"Skills check: {skill}")
        rubric = entry.locator("fieldset.rubric")
        expect(rubric.locator("legend")).to_contain_text("Shown in the role-play")
        boxes = rubric.get_by_role("checkbox")
        for number in range(1, boxes.count()):
            boxes.nth(number).check()
        page.get_by_label("I supervised these hours").check()
        page.get_by_role("button", name="Save my decisions").click()
        entry = page.locator("li.review-entry").filter(has_text=f"Skills check: {skill}")
        error = entry.locator("fieldset.rubric .errorlist")
        expect(error).to_contain_text("To approve this skills check, tick every point the role-play showed.")
        expect(error).to_contain_text("Return to the trainee")
        expect(page.locator(".error-summary")).to_contain_text(f"Skills check: {skill}")
        _shot(page, "review-error", width)
        _axe_clean(page, axe_source, f"review page with the rubric error at {width}")

        entry.get_by_label(criterion).check()
        for number in range(entry.locator("fieldset.rubric").get_by_role("checkbox").count()):
            expect(entry.locator("fieldset.rubric").get_by_role("checkbox").nth(number)).to_be_checked()
        _shot(page, "review-ticked", width)
        page.get_by_role("button", name="Save my decisions").click()
        expect(page.locator(".messages")).to_contain_text("Approved 1 entry")

    # The trainee sees it passed, and one more skill on the way to the certificate.
    with person_page(browser, viewport) as page:
        log_in(page, e2e_site.base, "trainee")
        expect(page.locator(".requirement-text").filter(has_text=SKILLS_LINE).first).to_contain_text(
            f"Observed skills checks: {passed_before + 1} of 4 skills"
        )
        _shot(page, "dashboard", width)
        _axe_clean(page, axe_source, f"dashboard at {width}")
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Practice log").click()
        passed = page.locator("td").filter(has_text=f"Skills check: {skill} — passed, observed by")
        expect(passed).to_have_count(1)
        expect(passed).to_contain_text(f"on {timezone.localdate():%-d %b %Y}")
        _shot(page, "log", width)
        _axe_clean(page, axe_source, f"practice log at {width}")
