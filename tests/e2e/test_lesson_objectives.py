"""A trainee opens a lesson from the course and sees, at the top, the module objectives that lesson teaches."""

import pytest

from tests.e2e.conftest import person_page
from tests.e2e.test_accessibility import DESKTOP, PHONE, blocking_violations, describe, sign_in
from tests.e2e.test_public_certification import overflow, shot

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "390px"])
def test_a_trainee_sees_what_a_lesson_will_teach_before_it_starts(browser, server, axe_source, viewport):
    with person_page(browser, viewport) as page:
        sign_in(page, server, "trainee")
        page.goto(server + "/courses/")
        page.get_by_role("main").get_by_role("link", name="Peer Specialist Foundations").first.click()
        page.get_by_role("main").get_by_role("link", name="Boundaries").first.click()
        page.get_by_role("main").get_by_role("link", name="Sharing your story on purpose").first.click()
        assert page.get_by_role("heading", level=1, name="Sharing your story on purpose").is_visible()

        objectives = page.get_by_role("region", name="In this lesson you will learn to")
        assert objectives.is_visible()
        items = objectives.get_by_role("listitem")
        assert items.count() == 1
        assert items.first.inner_text().startswith("Decide when, why and how much of your own story to share")
        assert page.get_by_text("Tell a boundary crossing apart from a boundary violation").count() == 0

        violations = blocking_violations(page, axe_source)
        assert violations == [], describe(violations)
        assert overflow(page) <= 0
        shot(page, f"lesson-objectives-{viewport['width']}.png")
