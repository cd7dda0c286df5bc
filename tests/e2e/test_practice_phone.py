"""The practice log on a phone and a desktop: a new trainee with no supervisor asks for one, the programme admin
finds and assigns one in the Wagtail admin (both emails land), and the trainee logs hours with "Save and add another"
on a 390 px screen. Screenshots go to var/test-artefacts/; axe-core checks every new page at both widths."""

from email.header import decode_header, make_header

import pytest
from playwright.sync_api import expect

from tests.e2e.journey import _messages_in, _text_of, wait_for_email
from tests.e2e.test_accessibility import (
    ARTEFACTS,
    DESKTOP,
    PHONE,
    blocking_violations,
    describe,
)
from tests.e2e.test_site_in_browser import horizontal_overflow, log_in

pytestmark = pytest.mark.browser

MAKE_TRAINEE = """
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
user = get_user_model().objects.create_user(
    "{username}", "{username}@example.org", "peerdemo2026", first_name="{first}", last_name="Brook"
)
user.groups.add(Group.objects.get(name="Trainee"))
EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
"""
CASES = [("phone", PHONE, "Nia"), ("desktop", DESKTOP, "Noor")]


def _axe_clean(page, axe_source, what: str) -> None:
    violations = blocking_violations(page, axe_source)
    assert not violations, f"{what}:\n{describe(violations)}"


def _shot(page, name: str) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"practice-phone-{name}.png"), full_page=True)


def _emails(e2e_site) -> list[tuple[str, str, str]]:
    """(to, subject, body) of every email the server has written to its mail folder."""
    if not e2e_site.mail_dir.exists():
        return []
    return [
        (message["To"], str(make_header(decode_header(message["Subject"]))), _text_of(message))
        for message in _messages_in(e2e_site.mail_dir)
    ]


def _new_context(browser, viewport):
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(15_000)
    return context, context.new_page()


def test_a_new_trainee_gets_a_supervisor_and_logs_hours_on_a_phone(browser, e2e_site, axe_source):
    server = e2e_site.base
    admin_context, admin = _new_context(browser, DESKTOP)
    log_in(admin, server, "admin")
    for label, viewport, first in CASES:
        username = f"newcomer-{label}"
        e2e_site.manage("shell", "-c", MAKE_TRAINEE.format(username=username, first=first))
        context, page = _new_context(browser, viewport)
        log_in(page, server, username)

        # No supervisor yet: the practice log offers the request form instead of a dead end.
        page.goto(server + "/practice/")
        page.get_by_role("heading", name="Ask for a supervisor").wait_for()
        assert horizontal_overflow(page) <= 0
        _axe_clean(page, axe_source, f"practice log with the request form ({label})")
        page.get_by_role("button", name="Send my request").click()
        expect(page.locator(".error-summary")).to_contain_text("Tell us where you practise")
        _axe_clean(page, axe_source, f"request form with errors ({label})")
        _shot(page, f"request-errors-{label}")
        page.get_by_label("Your placement or organisation").fill(f"Harbour Peer Centre {label}")
        page.get_by_label("Your supervisor's name").fill("Sam Okafor")
        page.get_by_label("Your supervisor's email").fill("supervisor@example.org")
        page.get_by_role("button", name="Send my request").click()
        expect(page.locator(".messages")).to_contain_text("your request is with a programme admin")
        assert "Your request for a supervisor is with us" in page.locator("main").inner_text()
        _shot(page, f"request-sent-{label}")

        # The programme admin finds the request, searches for the supervisor and assigns them.
        admin.set_viewport_size(viewport)
        admin.goto(server + "/admin/")
        if label == "desktop":
            admin.get_by_role("link", name="Supervisor requests").click()
        else:
            admin.goto(server + "/admin/practice/supervisor-requests/")
        admin.get_by_role("heading", name="Supervisor requests").wait_for()
        _axe_clean(admin, axe_source, f"supervisor requests list ({label})")
        _shot(admin, f"admin-requests-{label}")
        admin.get_by_role("link", name=f"Assign a supervisor to {first} Brook").click()
        admin.get_by_label("Find a supervisor by name or email").fill("okafor")
        admin.locator("#main").get_by_role("button", name="Search").click()
        admin.get_by_label("Sam Okafor (supervisor@example.org)").check()
        assert admin.get_by_label("New placement's name").input_value() == f"Harbour Peer Centre {label}"
        _axe_clean(admin, axe_source, f"assign a supervisor ({label})")
        _shot(admin, f"admin-assign-{label}")
        admin.get_by_role("button", name="Assign and email both").click()
        expect(admin.locator(".messages")).to_contain_text(f"Sam Okafor now supervises {first} Brook")

        # Both emails land.
        wait_for_email(e2e_site.mail_dir, to="supervisor@example.org", containing=f"supervising {first} Brook")
        emails = _emails(e2e_site)
        to_trainee = [e for e in emails if e[0] == f"{username}@example.org"]
        assert [e[1] for e in to_trainee] == ["Sam Okafor is now your supervisor"]
        assert f"Sam Okafor is now your supervisor at Harbour Peer Centre {label}" in to_trainee[0][2]
        assert any(
            e[0] == "supervisor@example.org" and e[1] == f"{first} Brook is now one of your supervisees" for e in emails
        )

        # The trainee can log now.
        page.goto(server + "/practice/")
        page.get_by_role("link", name="Log practice").wait_for()
        if label == "phone":
            _log_two_entries_on_a_phone(page, server, axe_source)
        context.close()
    admin_context.close()


def _log_two_entries_on_a_phone(page, server, axe_source):
    page.get_by_role("link", name="Log practice").click()
    page.wait_for_url("**/practice/entries/new/")
    assert page.get_by_label("Date").input_value()  # today, already filled in
    _axe_clean(page, axe_source, "entry form (phone)")
    page.get_by_label("Start time").fill("09:00")
    page.get_by_label("End time").fill("10:30")
    page.get_by_label("Activity type").select_option("group")
    page.get_by_label("Direct (with people supported)").check()
    page.get_by_label("Advocacy", exact=True).check()
    page.get_by_label("In person").check()
    page.get_by_label("Reflection").fill("Co-ran the morning group with Priya; quieter members spoke up.")
    page.get_by_role("button", name="Save and add another").click()
    # Priya is a colleague: the screen asks, and the trainee says who she is rather than rewording.
    expect(page.locator(".error-summary")).to_contain_text("What looks like a person's name: “Priya”")
    _axe_clean(page, axe_source, "entry form asking about a name (phone)")
    _shot(page, "entry-privacy-question-phone")
    page.get_by_label("I've checked: the names flagged above are not people I support").check()
    page.get_by_label("In one line, who or what they are").fill("Priya is my co-facilitator")
    page.get_by_role("button", name="Save and add another").click()
    expect(page.locator(".messages")).to_contain_text("Here's a fresh form for the next one.")
    assert page.get_by_label("Reflection").input_value() == ""
    _shot(page, "entry-fresh-form-phone")
    page.get_by_label("Start time").fill("11:00")
    page.get_by_label("Duration in hours").fill("0.75")
    page.get_by_label("Activity type").select_option("documentation")
    page.get_by_label("Indirect", exact=True).check()
    page.get_by_label("Advocacy", exact=True).check()
    page.get_by_label("In person").check()
    page.get_by_label("Reflection").fill("Wrote up the group's notes and planned next week.")
    page.get_by_role("button", name="Save as draft").click()
    page.wait_for_url("**/practice/")
    assert "2 entries" in page.locator("main").inner_text()
    assert horizontal_overflow(page) <= 0

    # The chart is page text on a phone, at a readable size; the filters fold away behind a button.
    assert not page.locator("svg.hours-chart-wide").is_visible()
    label = page.locator(".hours-bar-label", has_text="Group facilitation")
    assert label.is_visible()
    assert float(label.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")) >= 14
    assert not page.get_by_role("combobox", name="Competency domain").is_visible()
    page.locator("summary", has_text="Filter entries").click()
    assert page.get_by_role("combobox", name="Competency domain").is_visible()
    _axe_clean(page, axe_source, "practice log with entries (phone)")
    _shot(page, "log-with-entries-phone")
