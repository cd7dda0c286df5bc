"""The account pages in a real browser, at 1280 and 390 px: signing up (with a mistake first), the emailed link that
logs the person in, and axe-core on the login, sign-up and two-factor pages."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.journey import wait_for_email

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTEFACTS = ROOT / "var" / "test-artefacts" / "account-pages"
RULE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING = {"serious", "critical"}
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
DEMO_PASSWORD = "peerdemo2026"  # noqa: S105 - the published demo password
NEW_PASSWORD = "a sturdy passphrase 91"  # noqa: S105
FORBIDDEN = ("Sign In", "Sign Up", "Sign Out")
RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return results.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map((node) => node.target.join(" "))}));
}"""


def check(page, axe_source: str, name: str) -> None:
    """Screenshot the page; fail on serious or critical axe-core findings, allauth's verbs or a sideways scroll."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)
    page.evaluate(axe_source)
    blocking = [v for v in page.evaluate(RUN_AXE, RULE_TAGS) if v["impact"] in BLOCKING]
    assert blocking == [], f"{name}: {blocking}"
    text = page.locator("body").inner_text()
    assert [word for word in FORBIDDEN if word in text] == [], name
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0, name
    expect(page.locator("header.site-header")).to_be_visible()


@pytest.fixture
def person(browser):
    """A fresh browser context (its own cookies) per viewport, closed afterwards."""
    contexts = []

    def open_page(viewport):
        context = browser.new_context(viewport=viewport)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_sign_up_with_a_mistake_then_the_emailed_link_logs_the_person_in(person, e2e_site, axe_source, width):
    base = e2e_site.base
    username, email = f"newcomer_{width}", f"newcomer.{width}@example.org"
    page = person(WIDTHS[width])
    page.goto(base + "/courses/")
    page.get_by_role("link", name="Sign up").first.click()
    expect(page).to_have_url(base + "/accounts/signup/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign up")
    check(page, axe_source, f"signup-{width}")

    # A first go with no first name and passwords that don't match.
    page.get_by_label("Last name").fill("Okonjo")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password:", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Type the password again").fill(NEW_PASSWORD + "x")
    page.get_by_role("button", name="Sign up").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading")).to_have_text("Your account hasn't been made yet")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'error-summary'")
    expect(summary.get_by_role("link")).to_have_text(
        [
            "First name: Tell us your first name, as it should appear on your certificate.",
            "Type the password again: You must type the same password each time.",
        ]
    )
    expect(page.get_by_label("First name")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Type the password again")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Last name")).not_to_have_attribute("aria-invalid", "true")
    check(page, axe_source, f"signup-errors-{width}")

    # The summary's link takes the person to the field.
    summary.get_by_role("link", name="First name:").click()
    expect(page).to_have_url(base + "/accounts/signup/#id_first_name")

    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Password:", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Type the password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page).to_have_url(base + "/accounts/confirm-email/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    check(page, axe_source, f"check-your-email-{width}")

    message = wait_for_email(e2e_site.mail_dir, to=email, containing="/accounts/confirm-email/")
    assert "Hello Ada," in message and f"Your username is {username}." in message
    link = next(word for word in message.split() if word.startswith(base + "/accounts/confirm-email/"))
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your email address")
    expect(page.locator("main")).to_contain_text(email)
    check(page, axe_source, f"confirm-email-{width}")
    page.get_by_role("button", name="Yes, confirm my address").click()

    expect(page).to_have_url(base + "/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Ada")
    expect(page.locator(".messages")).to_contain_text(f"Thank you: {email} is confirmed.")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    page.screenshot(path=str(ARTEFACTS / f"logged-in-by-link-{width}.png"), full_page=True)


@pytest.mark.parametrize("width", WIDTHS)
def test_login_and_two_factor_pages_pass_axe(person, e2e_site, axe_source, width):
    base = e2e_site.base
    visitor = person(WIDTHS[width])
    visitor.goto(base + "/accounts/login/")
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Log in")
    check(visitor, axe_source, f"login-{width}")
    visitor.get_by_label("Username or email address").fill("trainee")
    visitor.get_by_label("Password").fill("not the password")
    visitor.get_by_role("button", name="Log in").click()
    expect(visitor.locator("#error-summary")).to_contain_text("We couldn't log you in")
    visitor.wait_for_function("document.activeElement && document.activeElement.id === 'error-summary'")
    check(visitor, axe_source, f"login-errors-{width}")

    visitor.goto(base + "/accounts/password/reset/")
    check(visitor, axe_source, f"password-reset-{width}")

    # A supervisor half-way through logging in: the code page, then a wrong code.
    staff = person(WIDTHS[width])
    staff.goto(base + "/accounts/login/")
    staff.get_by_label("Username or email address").fill("supervisor")
    staff.get_by_label("Password").fill(DEMO_PASSWORD)
    staff.get_by_role("button", name="Log in").click()
    expect(staff).to_have_url(base + "/accounts/2fa/authenticate/")
    expect(staff.get_by_role("heading", level=1)).to_have_text("Type the code from your authenticator app")
    check(staff, axe_source, f"mfa-authenticate-{width}")
    staff.get_by_label("Code").fill("12345")
    staff.get_by_role("button", name="Log in").click()
    expect(staff.locator("#error-summary")).to_contain_text("We couldn't log you in yet")
    expect(staff.get_by_label("Code")).to_have_attribute("aria-invalid", "true")
    check(staff, axe_source, f"mfa-authenticate-errors-{width}")

    # A trainee setting up an authenticator app.
    trainee = person(WIDTHS[width])
    trainee.goto(base + "/accounts/login/")
    trainee.get_by_label("Username or email address").fill("trainee")
    trainee.get_by_label("Password").fill(DEMO_PASSWORD)
    trainee.get_by_role("button", name="Log in").click()
    expect(trainee).to_have_url(base + "/dashboard/")
    trainee.get_by_role("link", name="Two-factor authentication").click()
    expect(trainee.get_by_role("heading", level=1)).to_have_text("Two-factor authentication")
    check(trainee, axe_source, f"mfa-index-{width}")
    trainee.get_by_role("link", name="Set up an authenticator app").click()
    expect(trainee.get_by_role("heading", level=1)).to_have_text("Confirm it's you")
    check(trainee, axe_source, f"reauthenticate-{width}")
    trainee.get_by_label("Your password").fill(DEMO_PASSWORD)
    trainee.get_by_role("button", name="Confirm").click()
    expect(trainee.get_by_role("heading", level=1)).to_have_text("Set up an authenticator app")
    check(trainee, axe_source, f"mfa-activate-{width}")
    trainee.get_by_label("6-digit code from the app").fill("000000")
    trainee.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(trainee.locator("#error-summary")).to_contain_text("Two-factor authentication isn't on yet")
    trainee.wait_for_function("document.activeElement && document.activeElement.id === 'error-summary'")
    check(trainee, axe_source, f"mfa-activate-errors-{width}")

    trainee.goto(base + "/accounts/password/change/")
    check(trainee, axe_source, f"password-change-{width}")
    trainee.goto(base + "/accounts/email/")
    check(trainee, axe_source, f"email-{width}")
    trainee.goto(base + "/accounts/logout/")
    expect(trainee.get_by_role("heading", level=1)).to_have_text("Log out")
    check(trainee, axe_source, f"logout-{width}")
    trainee.locator("main").get_by_role("button", name="Log out").click()
    expect(trainee.locator(".messages")).to_contain_text("You've logged out. See you next time.")
