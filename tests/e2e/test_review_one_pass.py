"""A supervisor reviews a batch in one pass in a real browser: returns one entry with a comment and approves the rest
with one submit, at desktop and phone widths, and axe-core finds nothing serious on the page or its error state.

Each width gets its own trainee (made in the server's database through the services) with a batch of three: one
entry was returned before and fixed, so the page shows what changed. The demo supervisor reaches it from the review
queue by the trainee's name.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.journey import log_in
from tests.e2e.test_accessibility import ARTEFACTS, DESKTOP, PHONE, blocking_violations, describe

pytestmark = pytest.mark.browser

RETURN_COMMENT = "Thank you. Please say which competency domains this drew on."

# Runs in the server's environment (manage.py shell -c): a trainee of the demo supervisor's with three entries
# waiting in one batch, the first of them returned once and fixed since.
MAKE_BATCH = """
from datetime import time, timedelta
from django.contrib.auth.models import Group
from django.utils import timezone
from content.models import CompetencyDomain
from practice.models import Organisation
from practice.services import EntryData, entries_return, entries_submit, entry_create, entry_update
from practice.supervision import assignment_create
from django.contrib.auth import get_user_model

User = get_user_model()
supervisor = User.objects.get(username="supervisor")
trainee = User.objects.create_user(
    username="{username}", first_name="{first}", last_name="{last}", email="{username}@example.org"
)
trainee.groups.add(Group.objects.get(name="Trainee"))
assignment = assignment_create(
    supervisor=supervisor, trainee=trainee, organisation=Organisation.objects.get(name="Harbour Peer Support Centre"),
    starts_on=timezone.localdate() - timedelta(days=30),
)
domains = list(CompetencyDomain.objects.order_by("sort_order")[:2])
rows = [
    ("outreach", "Outreach at the library: short, friendly conversations about the drop-in."),
    ("individual", "One-to-one at the drop-in. I reflected back more and offered fewer answers."),
    ("group", "Co-facilitated the wellbeing group; we agreed the group guidelines together."),
]
def data(n, activity, reflection, **changes):
    return EntryData(**{{
        "assignment": assignment, "performed_on": timezone.localdate() - timedelta(days=3 + n),
        "start_time": time(10, 0), "minutes": 60, "delivery": "in_person", "activity_type": activity,
        "contact": "direct", "domains": domains[:1], "setting": "peer_run", "reflection": reflection, **changes,
    }})
entries = [entry_create(trainee=trainee, data=data(n, *row)) for n, row in enumerate(rows)]
(first,) = entries_submit(trainee=trainee, entry_ids=[entries[0].pk])
entries_return(supervisor=supervisor, batch_id=first.pk, entry_ids=[entries[0].pk], comment="Please say more.")
entry_update(
    trainee=trainee, entry_id=entries[0].pk,
    data=data(0, rows[0][0], rows[0][1] + " One person came along the next day.", minutes=90, domains=domains),
)
entries_submit(trainee=trainee, entry_ids=[entry.pk for entry in entries])
"""

TRAINEES = {"desktop": ("review_desktop", "Ines", "Varga"), "phone": ("review_phone", "Mika", "Lindqvist")}


def _axe_clean(page, axe_source, what: str) -> None:
    violations = blocking_violations(page, axe_source)
    assert not violations, f"{what} ({page.url}):\n{describe(violations)}"


@pytest.mark.parametrize(("width", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_supervisor_returns_one_entry_and_approves_the_rest_in_one_submit(
    e2e_site, browser, axe_source, width, viewport
):
    username, first, last = TRAINEES[width]
    e2e_site.manage("shell", "-c", MAKE_BATCH.format(username=username, first=first, last=last))
    name = f"{first} {last}"
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, e2e_site.base, "supervisor", two_factor=True)
        # From the home, by the navigation's Review item (its count depends on what other tests left waiting).
        review = re.compile(r"^Review \(\d+ waiting\)$")
        page.get_by_role("navigation", name="Main").get_by_role("link", name=review).click()
        expect(page).to_have_url(e2e_site.base + "/practice/review/")
        page.get_by_role("link", name=name, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"{name}'s hours")
        entries = page.locator("li.review-entry")
        expect(entries).to_have_count(3)
        expect(page.get_by_role("link", name=f"{name}'s progress against the programme")).to_be_visible()

        # The fixed entry says what changed since it was returned.
        fixed = entries.filter(has_text="Outreach")
        changes = fixed.locator(".since-return")
        expect(changes.get_by_role("heading")).to_contain_text("Changed since")
        expect(changes).to_contain_text("The comment then: Please say more.")
        expect(changes.locator(".changes > li").filter(has_text="Duration")).to_contain_text("1 h")
        expect(changes.locator(".changes > li").filter(has_text="Duration")).to_contain_text("1.5 h")
        expect(changes).to_contain_text("One person came along the next day.")

        # Every entry has its own labelled decision, approving by default; the comment shows once "Return" is chosen.
        group = entries.filter(has_text="Individual peer support")
        expect(group.get_by_role("radio", name="Approve")).to_be_checked()
        expect(group.get_by_label("Comment for the trainee")).to_be_hidden()
        group.get_by_role("radio", name="Return to the trainee").check()
        expect(group.get_by_label("Comment for the trainee")).to_be_visible()
        page.get_by_label("I supervised these hours").check()
        page.screenshot(path=str(ARTEFACTS / f"review-one-pass-{width}.png"), full_page=True)
        _axe_clean(page, axe_source, f"review page at {width}")

        # Forgetting the comment: a summary naming the entry, linked to its comment box; nothing chosen is lost.
        page.get_by_role("button", name="Save my decisions").click()
        summary = page.locator(".error-summary")
        expect(summary).to_contain_text("Nothing has been saved yet.")
        expect(summary.get_by_role("link")).to_contain_text(
            "Individual peer support: Write a comment so the trainee knows what to change."
        )
        group = page.locator("li.review-entry").filter(has_text="Individual peer support")
        expect(group.get_by_role("radio", name="Return to the trainee")).to_be_checked()
        expect(page.get_by_label("I supervised these hours")).to_be_checked()
        page.screenshot(path=str(ARTEFACTS / f"review-one-pass-errors-{width}.png"), full_page=True)
        _axe_clean(page, axe_source, f"review page with errors at {width}")
        expect(summary.get_by_role("link")).to_have_attribute(
            "href", "#" + (group.get_by_label("Comment for the trainee").get_attribute("id") or "")
        )

        # Write the comment and save everything in one submit.
        group.get_by_label("Comment for the trainee").fill(RETURN_COMMENT)
        page.get_by_role("button", name="Save my decisions").click()
        expect(page.locator(".messages")).to_contain_text(
            "Approved 2 entries and returned 1 entry with your comments. The trainee has been emailed."
        )
        expect(page).to_have_url(e2e_site.base + "/practice/review/")
        expect(page.get_by_role("link", name=name, exact=True)).to_have_count(0)

        # The trainee's progress, linked from the queue's list of trainees as from the batch.
        page.get_by_role("link", name=f"Progress of {name}").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"{name}'s progress")
        expect(page.locator(".headline-figures")).to_contain_text("2.5 h of practice approved")  # 1.5 h fixed + 1 h
        page.screenshot(path=str(ARTEFACTS / f"trainee-progress-{width}.png"), full_page=True)
        _axe_clean(page, axe_source, f"progress page at {width}")
    finally:
        context.close()
