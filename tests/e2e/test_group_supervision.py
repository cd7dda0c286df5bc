"""Group supervision in a real browser: the demo supervisor logs one session for three of their trainees, and each
trainee confirms it from their practice log, at desktop and phone widths; axe-core finds nothing serious on the
pages, and screenshots of each step are saved to var/test-artefacts.

Each width gets three trainees of its own (made in the server's database, supervised by the demo supervisor at the
demo placement), so the two runs don't meet. Everyone reaches the work by visible text from their home.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.journey import PASSWORD, log_in
from tests.e2e.test_accessibility import ARTEFACTS, AXE, DESKTOP, PHONE, blocking_violations, describe

pytestmark = pytest.mark.browser

SUPERVISOR_NAME = "Sam Okafor"
TOPICS = "Looking after ourselves after hard calls; planning the next month of the warm line."

# Runs in the server's environment (manage.py shell -c): three trainees of the demo supervisor's, who sign in with
# the demo password (their email address confirmed, as after sign-up).
MAKE_TRAINEES = """
from datetime import timedelta
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from practice.models import Organisation
from practice.supervision import assignment_create

User = get_user_model()
supervisor = User.objects.get(username="supervisor")
for username, first, last in {people!r}:
    trainee = User.objects.create_user(
        username=username, first_name=first, last_name=last, email=username + "@example.org", password="{password}"
    )
    trainee.groups.add(Group.objects.get(name="Trainee"))
    EmailAddress.objects.create(user=trainee, email=trainee.email, verified=True, primary=True)
    assignment_create(
        supervisor=supervisor, trainee=trainee,
        organisation=Organisation.objects.get(name="Harbour Peer Support Centre"),
        starts_on=timezone.localdate() - timedelta(days=30),
    )
"""

PEOPLE = {
    "desktop": [("group_d1", "Noor", "Haddad"), ("group_d2", "Tomas", "Reyes"), ("group_d3", "Wren", "Adebayo")],
    "phone": [("group_p1", "Iris", "Kowalski"), ("group_p2", "Jonah", "Mbeki"), ("group_p3", "Lina", "Sato")],
}
DAYS_AGO = {"desktop": 1, "phone": 2}


@pytest.fixture(scope="module")
def axe():
    """axe-core's source as npm installed it."""
    if not AXE.exists():
        pytest.skip(f"axe-core is not installed at {AXE} (npm ci)")
    return AXE.read_text()


def _axe_clean(page, axe_source, what: str) -> None:
    violations = blocking_violations(page, axe_source)
    assert not violations, f"{what} ({page.url}):\n{describe(violations)}"


def _shot(page, name: str) -> None:
    page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)


def _new_page(browser, viewport):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


@pytest.mark.parametrize(("width", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_a_supervisor_logs_a_group_session_for_three_trainees_and_each_confirms(
    e2e_site, browser, axe, width, viewport
):
    people = PEOPLE[width]
    e2e_site.manage("shell", "-c", MAKE_TRAINEES.format(people=people, password=PASSWORD))
    day = timezone.localdate() - timedelta(days=DAYS_AGO[width])
    short_day = f"{day:%-d %b %Y}"
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    context, page = _new_page(browser, viewport)
    try:
        # The supervisor reaches the form from their home by its link.
        log_in(page, e2e_site.base, "supervisor", two_factor=True)
        page.get_by_role("link", name="Log a group session").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Log a group session")
        for _, first, last in people:
            page.get_by_label(f"{first} {last}", exact=True).check()
        page.get_by_label("Date").fill(day.isoformat())
        page.get_by_label("Start time (optional)").fill("14:00")
        page.get_by_label("End time (or give a duration below)").fill("15:30")
        page.get_by_label("In person").check()
        page.get_by_label("Topics discussed").fill(TOPICS)
        _shot(page, f"group-session-form-{width}")
        _axe_clean(page, axe, f"group session form at {width}")
        page.get_by_role("button", name="Sign and log the session").click()

        expect(page.get_by_role("heading", level=1)).to_have_text(f"Group session on {day:%-d %B %Y}")
        expect(page.locator(".messages")).to_contain_text("for 3 trainees. Each has been emailed to confirm it")
        expect(page.get_by_text("0 confirmed, 3 not answered yet, 0 said they weren't there.")).to_be_visible()
        _shot(page, f"group-session-logged-{width}")
        _axe_clean(page, axe, f"group session page at {width}")

        # Each trainee confirms it from their home, through their practice log.
        for number, (username, *_name) in enumerate(people):
            trainee_context, trainee_page = _new_page(browser, viewport)
            try:
                log_in(trainee_page, e2e_site.base, username)
                trainee_page.get_by_role("link", name="Confirm group session").click()
                link = trainee_page.get_by_role(
                    "link", name=f"Group session from {SUPERVISOR_NAME} on {short_day} — confirm"
                )
                expect(link).to_be_visible()
                if number == 0:
                    _shot(trainee_page, f"group-session-in-the-log-{width}")
                    _axe_clean(trainee_page, axe, f"practice log with a session to confirm at {width}")
                link.click()
                expect(trainee_page.get_by_role("heading", level=1)).to_have_text(
                    f"Group session from {SUPERVISOR_NAME} on {day:%-d %B %Y}"
                )
                expect(trainee_page.locator(".reflection")).to_contain_text(TOPICS)
                if number == 0:
                    _shot(trainee_page, f"group-session-confirm-{width}")
                    _axe_clean(trainee_page, axe, f"confirm page at {width}")
                trainee_page.get_by_role("button", name="Confirm: I was there").click()
                expect(trainee_page.locator(".messages")).to_contain_text(
                    "It now counts towards your supervision hours."
                )
                expect(trainee_page.locator(".headline-figures")).to_contain_text("1.5 h of supervision approved")
                expect(trainee_page.get_by_role("heading", name="Group sessions to confirm")).to_have_count(0)
                if number == 0:
                    _shot(trainee_page, f"group-session-confirmed-{width}")
            finally:
                trainee_context.close()

        # The supervisor sees every answer, from the review queue's link to the sessions they logged.
        page.goto(e2e_site.base + "/practice/review/")
        page.get_by_role("link", name="Group sessions you logged").click()
        row = page.locator("tbody tr").filter(has_text=short_day)
        expect(row.locator('td[data-label="Answers"]')).to_have_text("3 confirmed")
        _shot(page, f"group-sessions-{width}")
        _axe_clean(page, axe, f"group sessions list at {width}")
        row.get_by_role("link").click()
        expect(page.get_by_text("3 confirmed, 0 not answered yet, 0 said they weren't there.")).to_be_visible()
        for _, first, last in people:
            expect(page.locator("tbody tr").filter(has_text=f"{first} {last}")).to_contain_text("Confirmed")
        _shot(page, f"group-session-all-confirmed-{width}")
        _axe_clean(page, axe, f"group session page, all confirmed, at {width}")
    finally:
        context.close()
