"""A supervisor with trainees goes to close their account and is told, kindly, what must happen first.

The callout now comes from what the practice app registers as stopping closure (practice/closing.py), so this
checks the page a person sees still says how many trainees wait, offers no close form, and passes axe.
"""

import pytest

from tests.e2e.conftest import person_page
from tests.e2e.test_accessibility import DESKTOP, PHONE, blocking_violations, describe, sign_in
from tests.e2e.test_public_certification import overflow, shot

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280px", "390px"])
def test_a_supervisor_with_trainees_is_asked_to_hand_them_over_first(browser, server, axe_source, viewport):
    with person_page(browser, viewport) as page:
        sign_in(page, server, "supervisor")
        page.get_by_role("contentinfo").get_by_role("link", name="Your data").click()
        page.get_by_role("link", name="Find out exactly what happens, and close your account").click()
        assert page.get_by_role("heading", level=1, name="Close your account").is_visible()

        refused = page.locator("#close-refused")
        assert refused.get_by_text("Please ask a programme admin first").is_visible()
        text = refused.inner_text()
        assert "assigned to you" in text
        assert "Your trainees need a supervisor, so please ask a programme admin" in text
        assert page.get_by_role("button", name="Close my account").count() == 0
        assert page.get_by_label("Your current password").count() == 0

        violations = blocking_violations(page, axe_source)
        assert violations == [], describe(violations)
        assert overflow(page) <= 0
        shot(page, f"close-account-refused-{viewport['width']}.png")
