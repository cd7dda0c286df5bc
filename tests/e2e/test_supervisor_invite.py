"""A supervisor invites a trainee they already supervise to link up, in a real browser at 1280 px and 390 px.

The demo supervisor signs in, reaches "Invite a trainee" from their home by its text and sends an invitation; the
email lands; the trainee (a new account with that address confirmed) signs in, sees the invitation on their home
and their practice log, and accepts; the supervisor then sees them linked. axe-core checks each page; screenshots go to
var/test-artefacts/supervisor-invite-*.png.
"""

import pytest
from playwright.sync_api import expect

from tests.e2e.journey import log_in, wait_for_email
from tests.e2e.test_accessibility import ARTEFACTS, DESKTOP, PHONE, blocking_violations, describe
from tests.e2e.test_site_in_browser import horizontal_overflow

pytestmark = pytest.mark.browser

PLACEMENT = "Harbour Peer Support Centre"
MAKE_TRAINEE = """
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
user = get_user_model().objects.create_user(
    "{username}", "{username}@example.org", "peerdemo2026", first_name="{first}", last_name="Rivers"
)
user.groups.add(Group.objects.get(name="Trainee"))
EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
"""
CASES = [("desktop", DESKTOP, "Ola"), ("phone", PHONE, "Pia")]


def _check(page, axe_source, name: str) -> None:
    """No serious or critical axe violations, nothing wider than the screen, and a full-page screenshot."""
    violations = blocking_violations(page, axe_source)
    assert not violations, f"{name}:\n{describe(violations)}"
    assert horizontal_overflow(page) <= 0, name
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"supervisor-invite-{name}.png"), full_page=True)


def _new_page(browser, viewport):
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(15_000)
    return context, context.new_page()


@pytest.mark.parametrize(("label", "viewport", "first"), CASES, ids=[case[0] for case in CASES])
def test_a_supervisor_invites_a_trainee_who_accepts(browser, e2e_site, axe_source, label, viewport, first):
    server = e2e_site.base
    username = f"invited-{label}"
    email = f"{username}@example.org"
    e2e_site.manage("shell", "-c", MAKE_TRAINEE.format(username=username, first=first))

    # The supervisor finds "Invite a trainee" on their home and sends the invitation.
    supervisor_context, supervisor = _new_page(browser, viewport)
    log_in(supervisor, server, "supervisor", two_factor=True)
    supervisor.get_by_role("link", name="Invite a trainee").click()
    supervisor.get_by_role("heading", name="Invite a trainee", level=1).wait_for()
    supervisor.get_by_role("button", name="Send the invitation").click()
    expect(supervisor.locator(".error-summary")).to_contain_text("Choose the placement where you supervise them.")
    _check(supervisor, axe_source, f"form-errors-{label}")
    supervisor.get_by_label("Their email address").fill(email)
    supervisor.get_by_label("Placement").select_option(label=PLACEMENT)
    supervisor.get_by_label("Supervision started on").fill("2026-11-02")
    supervisor.get_by_role("button", name="Send the invitation").click()
    expect(supervisor.locator(".messages")).to_contain_text(f"Invitation sent to {email}.")
    row = supervisor.get_by_role("row").filter(has_text=email)
    expect(row).to_contain_text("Waiting for an answer")
    expect(row.get_by_role("button", name=f"Withdraw the invitation to {email}")).to_be_visible()
    _check(supervisor, axe_source, f"sent-{label}")

    body = wait_for_email(e2e_site.mail_dir, to=email, containing="invited you to link up")
    assert f"Sam Okafor supervises you at {PLACEMENT}" in body
    assert server + "/practice/invitations/" in body

    # The trainee signs in, finds the invitation on their practice log, and accepts.
    trainee_context, trainee = _new_page(browser, viewport)
    log_in(trainee, server, username)
    expect(trainee.locator(".next-actions")).to_contain_text(f"Sam Okafor invited you to link up at {PLACEMENT}.")
    expect(trainee.get_by_role("link", name="Answer Sam Okafor's invitation")).to_be_visible()
    _check(trainee, axe_source, f"home-invited-{label}")
    trainee.get_by_role("link", name="Practice log").click()
    expect(trainee.get_by_role("heading", name="Sam Okafor invited you to link up")).to_be_visible()
    _check(trainee, axe_source, f"practice-log-invited-{label}")
    trainee.get_by_role("link", name="Answer Sam Okafor's invitation").click()
    expect(trainee.locator("main")).to_contain_text(f"Sam Okafor supervises you at {PLACEMENT}")
    _check(trainee, axe_source, f"answer-{label}")
    trainee.get_by_role("button", name="Accept and link up").click()
    expect(trainee.locator(".messages")).to_contain_text(f"You're linked with Sam Okafor at {PLACEMENT}.")
    expect(trainee.get_by_role("link", name="Log practice")).to_be_visible()
    expect(trainee.get_by_role("heading", name="Sam Okafor invited you to link up")).to_have_count(0)
    _check(trainee, axe_source, f"accepted-{label}")
    wait_for_email(e2e_site.mail_dir, to="supervisor@example.org", containing=f"{first} Rivers ({email}) accepted")

    # The supervisor now sees them linked.
    supervisor.reload()
    expect(supervisor.get_by_role("listitem").filter(has_text=f"{first} Rivers")).to_contain_text(PLACEMENT)
    expect(supervisor.get_by_role("row").filter(has_text=email)).to_contain_text(f"Accepted by {first} Rivers")
    _check(supervisor, axe_source, f"linked-{label}")
    trainee_context.close()
    supervisor_context.close()
