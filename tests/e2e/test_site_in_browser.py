"""The demo site in a real browser: narrow screens, keyboard use and the progress journey."""

import pytest

from tests.e2e import journey

pytestmark = pytest.mark.browser

LESSON = "/courses/peer-specialist-foundations/active-listening/attending/"


def log_in(page, base, username="trainee"):
    """Sign in through the login form, typing the demo authenticator's code where two-factor asks for it."""
    journey.log_in(page, base, username)


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than the viewport."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_pages_fit_a_320px_screen(page, server):
    log_in(page, server, "graduate")
    page.set_viewport_size({"width": 320, "height": 800})
    for path in [
        "/",
        "/courses/",
        "/courses/peer-specialist-foundations/",
        LESSON,
        "/dashboard/",
        "/courses/peer-specialist-foundations/validation/minimising-comparing-silver-lining/",
        "/courses/peer-specialist-foundations/active-listening/quiz/",
    ]:
        page.goto(server + path)
        assert horizontal_overflow(page) <= 0, path


def test_skip_link_is_first_and_moves_focus_to_main(page, server):
    page.goto(server + LESSON)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_trainee_marks_a_lesson_complete_and_dashboard_moves_on(page, server):
    log_in(page, server)
    continue_link = page.locator("a.continue-link")
    first_target = continue_link.get_attribute("href")
    continue_link.click()
    assert page.url == server + first_target
    assert page.locator(".eyebrow").inner_text().startswith("Lesson ")
    page.get_by_role("button", name="Mark complete").click()
    assert "marked complete" in page.locator(".messages").inner_text()
    page.goto(server + "/dashboard/")
    assert page.locator("a.continue-link").get_attribute("href") != first_target
    bar = page.get_by_role("progressbar", name="Peer Specialist Foundations", exact=True)
    assert int(bar.get_attribute("aria-valuenow")) > 0


def test_buttons_that_destroy_something_are_red_not_the_usual_green(page, server):
    log_in(page, server, "trainee")
    page.goto(server + "/my-data/close/")
    close = page.get_by_role("button", name="Close my account")
    assert close.evaluate("button => getComputedStyle(button).backgroundColor") == "rgb(163, 50, 26)"
    page.goto(server + "/practice/entries/new/")
    save = page.get_by_role("button", name="Save as draft")
    assert (
        save.evaluate("button => getComputedStyle(button).backgroundColor") == "rgb(10, 92, 89)"
    )  # the site's usual green (--brand)
