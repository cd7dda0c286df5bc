"""Each role's home after signing in, in the browser at 1280 and 390 px: a supervisor takes the nav's Review item to
a waiting batch, a verifier reaches the bulk CSV check and the API tokens from the home, and a trainee with
returned entries sees them first, with Continue on the first screen. axe-core on every home; screenshots kept."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTEFACTS
from tests.e2e.test_accessibility import blocking_violations, describe
from tests.e2e.test_site_in_browser import horizontal_overflow, log_in

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": 1280, "phone": 390}
HEIGHTS = {"desktop": 900, "phone": 844}


# Other browser tests share the demo's database and move its entries along (fix returned ones, review batches), so
# each test here reads the counts it checks from the page, and the trainee's test first makes sure that at least
# one entry is returned, the way a supervisor would return it.
RETURN_ONE_IF_NONE = """
from django.contrib.auth import get_user_model
from practice.models import Batch, PracticeEntry
from practice.services import entries_return
people = get_user_model().objects
trainee = people.get(username="trainee")
returned = PracticeEntry.objects.filter(trainee=trainee, status=PracticeEntry.Status.RETURNED)
if not returned.exists():
    batch = Batch.objects.filter(trainee=trainee, status=Batch.Status.SUBMITTED).order_by("submitted_at").first()
    entry = batch.entries.filter(status=PracticeEntry.Status.SUBMITTED).order_by("pk").first()
    entries_return(
        supervisor=people.get(username="supervisor"),
        batch_id=batch.pk,
        entry_ids=[entry.pk],
        comment="Please add which skill this session practised.",
    )
print(returned.count())
"""


@pytest.fixture
def returned_entries(e2e_site) -> int:
    """How many of the demo trainee's entries are returned to fix (at least one)."""
    return int(e2e_site.manage("shell", "-c", RETURN_ONE_IF_NONE).strip().splitlines()[-1])


def screenshot(page, name: str) -> None:
    """Keep what the person saw, for a human to look at (var/test-artefacts/role-homes/)."""
    folder = ARTEFACTS / "role-homes"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def no_blocking_violations(page, axe_source: str, width: str) -> None:
    violations = blocking_violations(page, axe_source)
    assert not violations, f"{page.url} at {WIDTHS[width]} px:\n{describe(violations)}"


def open_home(page, base: str, username: str, width: str) -> None:
    page.set_viewport_size({"width": WIDTHS[width], "height": HEIGHTS[width]})
    log_in(page, base, username)
    expect(page).to_have_url(base + "/dashboard/")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_supervisor_takes_the_review_item_to_a_waiting_batch(page, server, axe_source, width):
    open_home(page, server, "supervisor", width)
    home = page.locator("main")
    expect(home.get_by_role("heading", name="Hours to review")).to_be_visible()
    waiting_text = home.get_by_text(re.compile(r"^(\d+) batch(es)? waiting for you, oldest first\.$"))
    expect(waiting_text).to_be_visible()
    waiting = int(waiting_text.inner_text().split()[0])
    expect(home.get_by_text(re.compile(r"Approved practice with you: [\d.]+ of [\d.]+ h")).first).to_be_visible()
    review = page.get_by_role("navigation", name="Main").get_by_role("link", name=f"Review ({waiting} waiting)")
    expect(review).to_be_visible()
    assert horizontal_overflow(page) <= 0
    no_blocking_violations(page, axe_source, width)
    screenshot(page, f"supervisor-home-{width}")
    review.click()
    expect(page).to_have_url(server + "/practice/review/")
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name=f"Review ({waiting} waiting)")
    ).to_have_attribute("aria-current", "page")
    page.get_by_role("link", name="Alex Morgan", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Alex Morgan's hours")
    screenshot(page, f"supervisor-batch-{width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_verifier_reaches_bulk_checks_and_api_tokens_from_the_home(page, server, axe_source, width):
    open_home(page, server, "verifier", width)
    home = page.locator("main")
    expect(home.get_by_role("heading", name="Checking certificates")).to_be_visible()
    expect(home.get_by_text("You check for Northfield Health Board.")).to_be_visible()
    expect(home.locator("table.recent-checks tbody tr").first).to_be_visible()  # the demo logs one check
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Check certificates")).to_be_visible()
    assert horizontal_overflow(page) <= 0
    no_blocking_violations(page, axe_source, width)
    screenshot(page, f"verifier-home-{width}")
    home.get_by_role("link", name="Bulk CSV check").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check many certificates")
    page.go_back()
    page.locator("main").get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_trainee_sees_returned_entries_first_and_continue_on_the_first_screen(
    page, server, axe_source, width, returned_entries
):
    open_home(page, server, "trainee", width)
    actions = page.locator(".next-action")
    noun = "entry" if returned_entries == 1 else "entries"
    expect(actions.first).to_contain_text(f"{returned_entries} {noun} returned by your supervisor")
    continue_link = page.get_by_role("link", name="Continue where you left off")
    expect(continue_link).to_be_visible()
    box = continue_link.bounding_box()
    assert box["y"] + box["height"] <= HEIGHTS[width], f"Continue is below the first screen: {box}"
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Practice log")).to_be_visible()
    assert nav.get_by_role("link", name=re.compile("^Review")).count() == 0
    assert horizontal_overflow(page) <= 0
    no_blocking_violations(page, axe_source, width)
    screenshot(page, f"trainee-home-{width}")
    page.screenshot(path=str(ARTEFACTS / "role-homes" / f"trainee-first-screen-{width}.png"))
    page.locator(".requirement-details summary").first.click()  # details on demand, by pointer or keyboard
    expect(page.locator(".requirement-details").first.get_by_role("progressbar")).to_be_visible()
    page.get_by_role("link", name=f"Fix returned {noun}").click()
    expect(page).to_have_url(server + "/practice/?status=returned#entries-title")
    expect(page.locator("table.entries-table tbody tr")).to_have_count(returned_entries)
    screenshot(page, f"trainee-returned-{width}")
