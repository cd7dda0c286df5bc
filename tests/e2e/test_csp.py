"""The Content Security Policy in a real browser: public pages and the Wagtail admin work under it.

Every violation fires a "securitypolicyviolation" event in the document whose policy was broken; a script injected
through DevTools (which the policy doesn't apply to) reports each one, in every frame, as a console message. A
refused frame (frame-ancestors) is reported only by Chromium's own console message in the framing page.

Public pages must cause no violation at all. In the admin, the only scripts blocked may be the inline start-up
scripts Wagtail 8.0 still emits (InlinePanel, choosers, date pickers), which static/js/wagtail_admin_csp.js starts
instead; the test checks those widgets work. Apart from signing in (with the demo admin's two-factor code), the only
POSTs in the admin are an image upload and the ones Wagtail's editor makes by itself: the preview panel handing the
form to the preview view, and editing-session pings.
"""

import json
import re
from io import BytesIO

import pytest
from PIL import Image

from tests.e2e.test_site_in_browser import LESSON, log_in

pytestmark = pytest.mark.browser

PREFIX = "CSP violation: "
RECORD_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error("PREFIX" + JSON.stringify({
    directive: event.effectiveDirective,
    blocked: event.blockedURI,
    document: event.documentURI,
    source: event.sourceFile ? event.sourceFile + ":" + event.lineNumber : "",
    sample: event.sample,
  }));
});
""".replace("PREFIX", PREFIX)
# The first 40 characters (all 'report-sample' gives) of the inline start-up scripts wagtail_admin_csp.js replays.
WAGTAIL_START_UP = re.compile(
    r"^(\(function\(\) \{\s+var panel = ne"  # wagtailadmin/panels/inline_panel.html, multiple_chooser_panel.html
    r"|new (Page|Image|Document|Snippet)?Chooser\("  # BaseChooser.render_js_init
    r"|(initDate|initTime|initDateTime|createTask)Chooser\()"  # date/time widget templates, the task chooser
)


class Violations:
    """CSP violations the browser reported on a page (in any frame), and the requests the page made."""

    def __init__(self, page):
        self.found: list[dict] = []
        self.requests: list[tuple[str, str]] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._console)
        page.on("request", lambda request: self.requests.append((request.method, request.url)))

    def _console(self, message) -> None:
        text = message.text
        if text.startswith(PREFIX):
            self.found.append(json.loads(text.removeprefix(PREFIX)))
        elif "Content Security Policy" in text and "frame-ancestors" in text:
            self.found.append({"directive": "frame-ancestors", "message": text})

    def take(self) -> list[dict]:
        """The violations reported since the last call."""
        taken, self.found = self.found, []
        return taken


def _unexpected(violations: list[dict]) -> list[dict]:
    """Violations other than Wagtail's inline start-up scripts (blocked, and started by wagtail_admin_csp.js)."""
    return [
        v
        for v in violations
        if not (
            v["directive"].startswith("script-src") and v["blocked"] == "inline" and WAGTAIL_START_UP.match(v["sample"])
        )
    ]


def _png() -> bytes:
    """A small PNG picture."""
    output = BytesIO()
    Image.new("RGB", (60, 30), "navy").save(output, format="PNG")
    return output.getvalue()


def _visit(page, violations, url: str) -> list[dict]:
    """Open a page, let its scripts settle, and return the violations it caused."""
    response = page.goto(url)
    assert response is not None and response.ok, f"{url}: {response and response.status}"
    page.wait_for_load_state("networkidle")
    return violations.take()


def test_public_pages_have_no_csp_violations(page, server):
    violations = Violations(page)
    found = {}
    for path in ["/", "/courses/", "/verify/", LESSON, "/accounts/login/"]:
        found[path] = _visit(page, violations, server + path)
    log_in(page, server, "trainee")
    violations.take()
    for path in ["/dashboard/", "/courses/peer-specialist-foundations/active-listening/quiz/", "/practice/"]:
        found[path] = _visit(page, violations, server + path)
    assert {path: found_there for path, found_there in found.items() if found_there} == {}


def log_in_as_admin(page, base):
    """Sign in as the demo programme admin, who has an authenticator app with the demo secret."""
    log_in(page, base, "admin")


def _edit_url(page, base, path: str) -> str:
    """The admin edit view of the page at `path`, from the "Edit this page" link of the Wagtail userbar on it."""
    page.goto(base + path)
    href = page.locator('a[href*="/admin/pages/"][href$="/edit/"]').first.get_attribute("href")
    return base + "/admin/pages/" + re.search(r"/admin/pages/(\d+)/edit/", href).group(1) + "/edit/"


def _preview_frame(page, seconds: float = 15):
    """The frame of the editor's preview panel, once it shows the page."""
    for _ in range(int(seconds * 10)):
        for frame in page.frames:
            if "/edit/preview/" in frame.url and frame.locator("main").count():
                return frame
        page.wait_for_timeout(100)
    raise AssertionError(f"no preview among the frames {[frame.url for frame in page.frames]}")


def test_wagtail_admin_works_under_the_policy(page, server):
    violations = Violations(page)
    log_in_as_admin(page, server)
    found = {"lesson, with the userbar": _visit(page, violations, server + LESSON)}

    found["dashboard"] = _visit(page, violations, server + "/admin/")
    assert page.locator("main").count() == 1

    # A lesson's edit view: StreamField, Draftail, and the publishing schedule's date-time pickers.
    lesson_edit = _edit_url(page, server, LESSON)
    page_id = re.search(r"/admin/pages/(\d+)/edit/", lesson_edit).group(1)
    violations.take()
    found["lesson edit"] = _visit(page, violations, lesson_edit)
    assert page.locator("form#page-edit-form .Draftail-Editor").count() >= 1
    assert page.locator(".xdsoft_datetimepicker").count() >= 2  # go_live_at's and expire_at's pickers started

    # Its preview panel: Wagtail POSTs the form to the preview view, then frames the result.
    page.locator('[data-side-panel-toggle="preview"]').click()
    assert _preview_frame(page).locator("main h1").count() == 1
    page.wait_for_load_state("networkidle")
    found["lesson edit"] += violations.take()

    # The same preview on its own, as "Preview in new tab" opens it.
    found["preview in a tab"] = _visit(page, violations, f"{server}/admin/pages/{page_id}/edit/preview/")
    assert page.locator("main h1").count() == 1

    # A module's edit view: its learning objectives are an InlinePanel, whose "Add" button must work.
    module_edit = _edit_url(page, server, LESSON.rsplit("/", 2)[0] + "/")
    violations.take()
    found["module edit"] = _visit(page, violations, module_edit)
    before = int(page.locator("#id_objectives-TOTAL_FORMS").input_value())
    page.locator("#id_objectives-ADD").click()
    assert int(page.locator("#id_objectives-TOTAL_FORMS").input_value()) == before + 1
    found["module edit"] += violations.take()

    # A programme: InlinePanels, and the signature image chooser, whose button opens the chooser.
    page.goto(server + "/admin/snippets/certificates/programme/")
    programme_edit = page.locator('a[href*="/admin/snippets/certificates/programme/edit/"]').first.get_attribute("href")
    violations.take()
    found["programme edit"] = _visit(page, violations, server + programme_edit)
    chooser = page.locator("#id_signature_image-chooser")
    if "blank" not in (chooser.get_attribute("class") or "").split():
        # An image is chosen (the demo programme has a signature): "Choose another image" is in its Actions menu.
        chooser.get_by_role("button", name="Actions").click()
    page.locator("[data-chooser-action-choose]:visible").first.click()
    page.get_by_role("dialog").locator("h1, h2").first.wait_for()
    page.wait_for_load_state("networkidle")
    found["programme edit"] += violations.take()

    # The editor's preview may be framed by the admin (SAMEORIGIN, frame-ancestors 'self'); a public page may not.
    page.goto(lesson_edit)
    page.wait_for_load_state("networkidle")
    violations.take()
    page.evaluate(
        """([preview, lesson]) => {
            for (const [id, src] of [["framed-preview", preview], ["framed-lesson", lesson]]) {
              const frame = document.createElement("iframe");
              frame.id = id;
              frame.src = src;
              document.body.append(frame);
            }
        }""",
        [f"/admin/pages/{page_id}/edit/preview/", LESSON],
    )
    page.frame_locator("#framed-preview").locator("main h1").wait_for()
    page.wait_for_load_state("networkidle")
    assert page.locator("#framed-lesson").element_handle().content_frame().url.startswith("chrome-error:")
    framing = violations.take()
    refused = [v for v in framing if v["directive"] == "frame-ancestors"]
    assert len(refused) == 1 and "frame-ancestors 'none'" in refused[0]["message"], framing  # the lesson's
    found["framing"] = [v for v in framing if v["directive"] != "frame-ancestors"]

    for name, path in [
        ("images", "/admin/images/"),
        ("add image", "/admin/images/add/"),
        ("documents", "/admin/documents/"),
    ]:
        found[name] = _visit(page, violations, server + path)

    # The multiple-image uploader, and an upload through it (re-encoded by lms/uploads.py on the way in).
    found["upload images"] = _visit(page, violations, server + "/admin/images/multiple/add/")
    page.set_input_files("#fileupload", files=[{"name": "signature.png", "mimeType": "image/png", "buffer": _png()}])
    page.locator("#upload-list li.upload-success").wait_for()
    page.wait_for_load_state("networkidle")
    found["upload images"] += violations.take()

    assert {name: _unexpected(found_there) for name, found_there in found.items() if _unexpected(found_there)} == {}
    # Besides the upload, Wagtail's own background POSTs only: the preview panel's form, editing-session pings.
    posts = {url for method, url in violations.requests if method != "GET" and "/admin/" in url}
    expected = ("/edit/preview/", "/admin/images/multiple/add/")
    assert {url for url in posts if not url.endswith(expected) and "/editing-sessions/ping/" not in url} == set()
