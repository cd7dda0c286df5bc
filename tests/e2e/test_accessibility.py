"""axe-core on every kind of page the public, trainees, supervisors, verifiers and programme admins see.

Each page type is its own test: it opens the page as the person who would see it (filling in a form where the page
type is "the form with its errors"), runs axe-core from node_modules (pinned in package.json, installed by
scripts/node-deps.sh; never a CDN) with the WCAG 2.0 and 2.1 A and AA rules, colour contrast among them, plus
axe's best practices, and fails on any violation whose impact is serious or critical. A handful of key pages are
checked on a 390 px phone screen too.

The site's Content Security Policy stays on (no bypass_csp), so pages are checked exactly as served: axe's source
is handed to page.evaluate, which runs it through DevTools, where the policy that refuses a <script> tag of it
(script-src 'self', no inline scripts) doesn't apply.
"""

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from demo.accounts import DEMO_MFA_USERS
from tests.e2e.journey import log_in

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTEFACTS = ROOT / "var" / "test-artefacts"
RULE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING = {"serious", "critical"}
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
NARROW = {"width": 320, "height": 640}  # the smallest phones still in use; the practice pages are checked here too
PASSWORD = "peerdemo2026"  # noqa: S105 - the published demo password

COURSE = "/courses/peer-specialist-foundations/"
MODULE = COURSE + "active-listening/"
LESSON = MODULE + "attending/"
FIRST_QUIZ = COURSE + "foundations/quiz/"  # the demo trainee failed it once, then passed
CRISIS_RESOURCES_LESSON = COURSE + "crisis/protocol-handoffs-plans-debriefing/"  # with the site's crisis numbers
QUIZ_IN_PROGRESS = COURSE + "self-care/quiz/"  # left with an attempt open; no other browser test takes it

RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map((node) => node.target.join(" ")),
  }));
}"""


def sign_in(page, base: str, username: str) -> None:
    """Sign in through the site's form, typing the demo authenticator's code where asked (journey.log_in)."""
    log_in(page, base, username)


class Site:
    """The demo site as each demo account sees it, and the addresses the page types need, looked up once."""

    def __init__(self, browser, base: str, axe_source: str):
        self.browser = browser
        self.base = base
        self.axe_source = axe_source
        self._contexts: dict[str | None, object] = {}

    def new_page(self, username: str | None = None, viewport: dict = DESKTOP):
        """A new page in the browser context of this demo account (signed in once), or of a visitor."""
        if username not in self._contexts:
            context = self.browser.new_context(viewport=DESKTOP)
            context.set_default_timeout(15_000)
            self._contexts[username] = context
            if username:
                sign_in_page = context.new_page()
                sign_in(sign_in_page, self.base, username)
                sign_in_page.close()
        page = self._contexts[username].new_page()
        page.set_viewport_size(viewport)
        return page

    def close(self) -> None:
        """Close every browser context opened."""
        for context in self._contexts.values():
            context.close()

    def links(self, username: str | None, path: str, pattern: str) -> list[tuple[str, str]]:
        """(href, text) of the links in a page's main content whose address matches the pattern."""
        page = self.new_page(username)
        try:
            page.goto(self.base + path)
            links = page.eval_on_selector_all(
                "main a[href]", "els => els.map(a => [a.getAttribute('href'), a.textContent])"
            )
        finally:
            page.close()
        return [(href, " ".join(text.split())) for href, text in links if re.fullmatch(pattern, href)]

    def first_link(self, username: str | None, path: str, pattern: str, text: str = "") -> str:
        """The first link on a page matching the pattern (and containing the text)."""
        found = [href for href, label in self.links(username, path, pattern) if text in label]
        assert found, f"no link like {pattern} {text!r} on {path} for {username}"
        return found[0]

    @functools.cached_property
    def certificates(self) -> dict[str, tuple[str, str]]:
        """Each demo holder's certificate page and verification code: graduate valid, riley expired, casey revoked."""
        found = {}
        for holder in ("graduate", "riley", "casey"):
            detail = self.first_link(holder, "/dashboard/", r"/certificates/\d+/")
            page = self.new_page(holder)
            try:
                page.goto(self.base + detail)
                found[holder] = (detail, page.locator(".verify-code").inner_text())
            finally:
                page.close()
        return found

    @functools.cached_property
    def first_quiz_results(self) -> dict[str, str]:
        """The demo trainee's result pages for the first module quiz, by "Passed" / "Not passed"."""
        links = self.links("trainee", FIRST_QUIZ, r"/learn/attempts/\d+/result/")
        return {
            "pass": next(h for h, t in links if t.startswith("Passed")),
            "fail": next(h for h, t in links if t.startswith("Not passed")),
        }

    @functools.cached_property
    def batch(self) -> str:
        """A batch of entries waiting in the demo supervisor's queue."""
        return self.first_link("supervisor", "/practice/review/", r"/practice/review/batches/\d+/")

    @functools.cached_property
    def batch_to_withdraw(self) -> str:
        """The confirmation page for withdrawing a batch the demo trainee sent."""
        return self.first_link("trainee", "/practice/", r"/practice/batches/\d+/withdraw/")

    @functools.cached_property
    def returned_entry(self) -> str:
        """A returned entry of the demo trainee's."""
        return self.first_link("trainee", "/practice/?status=returned", r"/practice/entries/\d+/", "Read comment")

    @functools.cached_property
    def approved_entry(self) -> str:
        """An approved entry of the demo trainee's."""
        return self.first_link("trainee", "/practice/?status=approved", r"/practice/entries/\d+/")


@pytest.fixture(scope="module")
def site(axe_source, browser, server):
    """The demo site, with a signed-in browser context for each demo account, made once for this module."""
    site = Site(browser, server, axe_source)
    # The two-factor accounts first, so a refused code shows at once.
    for username in DEMO_MFA_USERS:
        site.new_page(username).close()
    yield site
    site.close()


# What to do on each page type: take a Playwright page (signed in as the page type's person) to the page. ----------


def go(path: str):
    """Open a fixed address."""
    return lambda page, site: page.goto(site.base + path)


def go_to(attribute: str, suffix: str = ""):
    """Open an address the site looked up (or a page below it)."""
    return lambda page, site: page.goto(site.base + getattr(site, attribute) + suffix)


def certificate_page(holder: str, suffix: str = ""):
    """A holder's certificate page."""
    return lambda page, site: page.goto(site.base + site.certificates[holder][0] + suffix)


def verify_result(holder: str):
    """The public check of a demo holder's certificate."""
    return lambda page, site: page.goto(site.base + f"/verify/{site.certificates[holder][1]}/")


def quiz_result(outcome: str):
    """A result page of the first module quiz."""
    return lambda page, site: page.goto(site.base + site.first_quiz_results[outcome])


def quiz_attempt(page, site):
    """The attempt page of a quiz in progress (started if needed)."""
    page.goto(site.base + QUIZ_IN_PROGRESS)
    carry_on = page.get_by_role("link", name=re.compile("Carry on with attempt"))
    if carry_on.count():
        carry_on.click()
    else:
        page.get_by_role("button", name=re.compile("Start")).click()
    page.wait_for_url(re.compile(r"/learn/attempts/\d+/$"))


def quiz_attempt_with_errors(page, site):
    """The attempt page after submitting with questions unanswered."""
    quiz_attempt(page, site)
    page.get_by_role("button", name="Submit answers").click()
    page.locator("#error-summary").wait_for()


def file_check_result(page, site):
    """The result of uploading the graduate's signed credential."""
    code = site.certificates["graduate"][1]
    credential = page.request.get(site.base + f"/credentials/{code}.json")
    assert credential.ok
    page.goto(site.base + "/verify/")
    page.set_input_files(
        "#credential-file",
        files=[{"name": "credential.json", "mimeType": "application/json", "buffer": credential.body()}],
    )
    page.get_by_role("button", name="Check file").click()
    page.wait_for_load_state()


def bulk_result(page, site):
    """A verifier's bulk check of a CSV holding one valid, one revoked and one unknown code."""
    codes = [site.certificates["graduate"][1], site.certificates["casey"][1], "NOTAREALCODE"]
    page.goto(site.base + "/verify/bulk/")
    page.set_input_files(
        "input[type=file]",
        files=[{"name": "codes.csv", "mimeType": "text/csv", "buffer": ("code\n" + "\n".join(codes) + "\n").encode()}],
    )
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url(re.compile(r"/verify/bulk/[0-9a-f-]+/$"))


def bulk_delete_confirm(page, site):
    """The confirmation before deleting one of the verifier's bulk checks (one is uploaded first if there's none)."""
    page.goto(site.base + "/verify/bulk/")
    if not page.locator("a[href$='/delete/']").count():
        bulk_result(page, site)
        page.goto(site.base + "/verify/bulk/")
    page.locator("a[href$='/delete/']").first.click()
    page.wait_for_url(re.compile(r"/verify/bulk/[0-9a-f-]+/delete/$"))


def entry_form_with_errors(page, site):
    """The practice form sent back empty."""
    page.goto(site.base + "/practice/entries/new/")
    page.get_by_role("button", name="Save as draft").click()
    page.locator(".error-summary").wait_for()


def trainee_progress(page, site):
    """A supervised trainee's progress against the programme, from the supervisor's list of trainees."""
    progress = site.first_link("supervisor", "/practice/review/", r"/practice/review/trainees/\d+/progress/")
    page.goto(site.base + progress)


def review_return_without_comment(page, site):
    """A supervisor's review form after choosing to return entries without a comment."""
    page.goto(site.base + site.batch)
    page.locator("li.review-entry").first.get_by_role("radio", name="Return to the trainee").check()
    page.get_by_role("button", name="Save my decisions").click()
    page.locator(".error-summary").wait_for()


def login_with_wrong_password(page, site):
    """The login form after a wrong password."""
    page.goto(site.base + "/accounts/login/")
    page.fill("input[name=login]", "trainee")
    page.fill("input[name=password]", "not-the-password")
    page.click("form button[type=submit]")
    page.wait_for_load_state()


def second_factor_prompt(page, site):
    """The two-factor code prompt a supervisor sees after their password."""
    page.goto(site.base + "/accounts/login/")
    page.fill("input[name=login]", "supervisor")
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(site.base + "/accounts/2fa/authenticate/")


def audit_trainee(page, site):
    """The audit trail of one trainee, found through the audit search."""
    page.goto(site.base + "/audit/?q=trainee")
    page.locator("a[href^='/audit/trainees/']").first.click()
    page.wait_for_url(re.compile(r"/audit/trainees/\d+/$"))


def audit_certificate(page, site):
    """The audit trail of the graduate's certificate."""
    pk = re.search(r"\d+", site.certificates["graduate"][0])[0]
    page.goto(site.base + f"/audit/certificates/{pk}/")


def reauthenticated_two_factor_setup(page, site):
    """The authenticator set-up page, after confirming the password where allauth asks for it."""
    page.goto(site.base + "/accounts/2fa/totp/activate/")
    if "/accounts/reauthenticate/" in page.url:
        page.fill("input[name=password]", PASSWORD)
        page.click("main form button[type=submit]")
        page.wait_for_url(site.base + "/accounts/2fa/totp/activate/")


def password_reset_sent(page, site):
    """The page after asking for a password reset link."""
    page.goto(site.base + "/accounts/password/reset/")
    page.fill("input[name=email]", "trainee@example.org")
    page.click("main form button[type=submit]")
    page.wait_for_url(site.base + "/accounts/password/reset/done/")


def entry_delete_confirm(page, site):
    """The confirmation before deleting one of the demo trainee's drafts."""
    draft = site.first_link("trainee", "/practice/?status=draft", r"/practice/entries/\d+/")
    page.goto(site.base + site.first_link("trainee", draft, r"/practice/entries/\d+/delete/"))


def api_token_made(page, site):
    """A verifier's token page right after making a token: the only time the token is shown."""
    page.goto(site.base + "/verify/tokens/")
    page.get_by_label("Token name").fill("Accessibility check")
    page.get_by_role("button", name="Make token").click()
    page.wait_for_load_state()


def api_token_without_name(page, site):
    """The token form sent back without a name."""
    page.goto(site.base + "/verify/tokens/")
    page.get_by_role("button", name="Make token").click()
    page.locator(".error-summary").wait_for()


def api_token_revoke(page, site):
    """The confirmation before revoking a verifier's token (one is made first if none is working)."""
    page.goto(site.base + "/verify/tokens/")
    if not page.locator("a[href*='/revoke/']").count():
        api_token_made(page, site)
    page.locator("a[href*='/revoke/']").first.click()
    page.wait_for_url(re.compile(r"/verify/tokens/\d+/revoke/$"))


def invitation_without_details(page, site):
    """The invitation form sent back empty."""
    page.goto(site.base + "/invitations/")
    page.get_by_role("button", name="Send invitation").click()
    page.locator(".error-summary").wait_for()


def name_change_with_errors(page, site):
    """The name form sent back with the first name emptied (nothing is saved)."""
    page.goto(site.base + "/my-data/name/")
    page.get_by_label("First name").fill("")
    page.get_by_role("button", name="Save my name").click()
    page.locator(".error-summary").wait_for()


@dataclass(frozen=True)
class PageType:
    """One kind of page: who sees it, how to reach it, and whether to check it on a phone too."""

    name: str
    person: str | None
    open: object
    phone: bool = False
    narrow: bool = False


PAGE_TYPES = [
    # Anyone
    PageType("home", None, go("/"), phone=True),
    PageType("course-index", None, go("/courses/")),
    PageType("course", None, go(COURSE)),
    PageType("module", None, go(MODULE)),
    PageType("lesson", None, go(LESSON), phone=True),
    PageType("quiz-signed-out", None, go(FIRST_QUIZ)),
    PageType("verify", None, go("/verify/"), phone=True),
    PageType("verify-valid", None, verify_result("graduate"), phone=True),
    PageType("verify-expired", None, verify_result("riley")),
    PageType("verify-revoked", None, verify_result("casey")),
    PageType("verify-unknown", None, go("/verify/ABCD-EFGH-JKLM-NPQR-STUV-WXYZ-2345/")),
    PageType("file-check-result", None, file_check_result),
    PageType("privacy", None, go("/privacy/")),
    PageType("code-of-ethics", None, go("/code-of-ethics/")),
    PageType("login", None, go("/accounts/login/"), phone=True),
    PageType("login-error", None, login_with_wrong_password),
    PageType("second-factor", None, second_factor_prompt),
    PageType("signup", None, go("/accounts/signup/")),
    PageType("password-reset", None, go("/accounts/password/reset/")),
    PageType("password-reset-sent", None, password_reset_sent),
    PageType("invitation-unusable", None, go("/invitations/accept/not-a-real-invitation/")),
    PageType("not-found", None, go("/no-such-page/")),
    # Trainee
    PageType("dashboard", "trainee", go("/dashboard/"), phone=True, narrow=True),
    PageType("course-enrolled", "trainee", go(COURSE)),
    PageType("lesson-enrolled", "trainee", go(LESSON)),
    PageType("lesson-crisis-resources", "trainee", go(CRISIS_RESOURCES_LESSON), phone=True),
    PageType("quiz-with-attempts", "trainee", go(FIRST_QUIZ)),
    PageType("quiz-attempt", "trainee", quiz_attempt, phone=True),
    PageType("quiz-attempt-errors", "trainee", quiz_attempt_with_errors),
    PageType("quiz-result-pass", "trainee", quiz_result("pass")),
    PageType("quiz-result-fail", "trainee", quiz_result("fail"), phone=True),
    PageType("practice-log", "trainee", go("/practice/"), phone=True, narrow=True),
    PageType("practice-log-empty", "trainee", go("/practice/?date_from=1990-01-01&date_to=1990-01-31")),
    PageType("practice-new", "trainee", go("/practice/entries/new/"), phone=True, narrow=True),
    PageType("practice-new-errors", "trainee", entry_form_with_errors),
    PageType("supervision-new", "trainee", go("/practice/supervision/new/")),
    PageType("practice-entry", "trainee", go_to("approved_entry")),
    PageType("practice-entry-returned", "trainee", go_to("returned_entry")),
    PageType("practice-entry-edit", "trainee", go_to("returned_entry", suffix="edit/")),
    PageType("practice-submit", "trainee", go("/practice/submit/")),
    PageType("practice-entry-delete", "trainee", entry_delete_confirm),
    PageType("practice-batch-withdraw", "trainee", go_to("batch_to_withdraw")),
    PageType("my-data", "trainee", go("/my-data/")),
    PageType("close-account", "trainee", go("/my-data/close/")),
    PageType("two-factor", "trainee", go("/accounts/2fa/")),
    PageType("reauthenticate", "trainee", go("/accounts/reauthenticate/")),
    PageType("two-factor-setup", "trainee", reauthenticated_two_factor_setup),
    PageType("password-change", "trainee", go("/accounts/password/change/")),
    PageType("forbidden", "trainee", go("/practice/review/")),
    # Certificate holder
    PageType("dashboard-certified", "graduate", go("/dashboard/")),
    PageType("certificate", "graduate", certificate_page("graduate"), phone=True),
    PageType("certificate-checks", "graduate", certificate_page("graduate", "checks/")),
    PageType("certificate-expired", "riley", certificate_page("riley")),
    PageType("certificate-revoked", "casey", certificate_page("casey")),
    PageType("name-change", "graduate", go("/my-data/name/"), phone=True),
    PageType("name-change-errors", "graduate", name_change_with_errors),
    # Supervisor
    PageType("dashboard-supervisor", "supervisor", go("/dashboard/")),
    PageType("review-queue", "supervisor", go("/practice/review/"), phone=True, narrow=True),
    PageType("review-batch", "supervisor", go_to("batch"), phone=True, narrow=True),
    PageType("trainee-progress", "supervisor", trainee_progress, phone=True, narrow=True),
    PageType("review-return-errors", "supervisor", review_return_without_comment),
    PageType("supervisor-profile", "supervisor", go("/practice/review/profile/")),
    # Verifier
    PageType("dashboard-verifier", "verifier", go("/dashboard/")),
    PageType("verify-as-verifier", "verifier", go("/verify/")),
    PageType("verify-result-as-verifier", "verifier", verify_result("graduate"), phone=True),  # record-check button
    PageType("api-tokens", "verifier", go("/verify/tokens/")),
    PageType("api-token-errors", "verifier", api_token_without_name),
    PageType("api-token-made", "verifier", api_token_made),
    PageType("api-token-revoke", "verifier", api_token_revoke),
    PageType("bulk", "verifier", go("/verify/bulk/")),
    PageType("bulk-result", "verifier", bulk_result),
    PageType("bulk-delete-confirm", "verifier", bulk_delete_confirm),
    # Programme admin
    PageType("home-as-admin", "admin", go("/")),  # with the Wagtail user bar
    PageType("dashboard-admin", "admin", go("/dashboard/")),
    PageType("invitations", "admin", go("/invitations/")),
    PageType("invitation-errors", "admin", invitation_without_details),
    PageType("audit-search", "admin", go("/audit/?q=trainee")),
    PageType("audit-trainee", "admin", audit_trainee),
    PageType("audit-certificate", "admin", audit_certificate),
]

CASES = (
    [pytest.param(kind, DESKTOP, id=kind.name) for kind in PAGE_TYPES]
    + [pytest.param(kind, PHONE, id=f"{kind.name}-phone") for kind in PAGE_TYPES if kind.phone]
    + [pytest.param(kind, NARROW, id=f"{kind.name}-320") for kind in PAGE_TYPES if kind.narrow]
)


def blocking_violations(page, axe_source: str) -> list[dict]:
    """Serious and critical axe-core violations on the page as it stands."""
    page.evaluate(axe_source)  # through DevTools: the page's policy would refuse it as an inline <script>
    return [v for v in page.evaluate(RUN_AXE, RULE_TAGS) if v["impact"] in BLOCKING]


def describe(violations: list[dict]) -> str:
    """Each violation's rule, impact, help text and the elements it was found on."""
    return "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}\n" + "\n".join(f"    {target}" for target in v["targets"])
        for v in violations
    )


@pytest.mark.parametrize(("kind", "viewport"), CASES)
def test_page_has_no_serious_accessibility_problems(site, kind, viewport):
    page = site.new_page(kind.person, viewport)
    try:
        kind.open(page, site)
        page.wait_for_load_state()
        assert page.locator("main h1").count() == 1, f"{kind.name}: {page.url} has no single main heading"
        violations = blocking_violations(page, site.axe_source)
        assert not violations, f"{kind.name} ({page.url}, {viewport['width']} px wide):\n{describe(violations)}"
        if viewport is NARROW:  # kept to look at: what fits on the narrowest screens
            ARTEFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTEFACTS / f"a11y-{kind.name}-320.png"), full_page=True)
    except AssertionError:
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTEFACTS / f"a11y-{kind.name}-{viewport['width']}.png"), full_page=True)
        raise
    finally:
        page.close()
        if kind.person is None:
            page.context.clear_cookies()  # a visitor starts afresh, with no half-finished sign-in


def test_axe_finds_serious_problems_when_there_are_some(site):
    """The check itself works: an image without a text alternative (critical) and pale grey text on the page's
    background (serious, from the colour contrast rule) are both reported, with where they are."""
    page = site.new_page()
    try:
        page.goto(site.base + "/")
        page.evaluate("""() => {
          const main = document.querySelector("main");
          const img = document.createElement("img");
          img.id = "no-alt";
          const pale = document.createElement("p");
          pale.id = "pale";
          pale.textContent = "Hard to read";
          pale.style.color = "#c8c8c8";
          main.append(img, pale);
        }""")
        found = {v["id"]: v for v in blocking_violations(page, site.axe_source)}
        assert found["image-alt"]["impact"] == "critical"
        assert found["image-alt"]["targets"] == ["#no-alt"]
        assert found["color-contrast"]["impact"] == "serious"
        assert found["color-contrast"]["targets"] == ["#pale"]
        assert "- color-contrast (serious): Elements must meet minimum color contrast ratio thresholds" in describe(
            list(found.values())
        )
    finally:
        page.close()
