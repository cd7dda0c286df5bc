"""The demo graduate shares their certificate in a real browser, at 1280 and 390 px: copies the verification link,
checks the LinkedIn link, sees the badge, downloads the signed credential, then opens the public check page, whose
status banner says "Valid" in words and colour with the time it was checked, and prints it on one page.

Screenshots and the printed PDF (with a PNG of its page) are kept under var/test-artefacts/share/.
"""

import json
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.e2e.conftest import ARTEFACTS
from tests.e2e.test_accessibility import AXE, blocking_violations, describe
from tests.e2e.test_site_in_browser import horizontal_overflow, log_in

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": 1280, "phone": 390}
FOLDER = ARTEFACTS / "share"


def keep(page, name: str) -> None:
    """Keep what the person saw, for a human to look at."""
    FOLDER.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(FOLDER / f"{name}.png"), full_page=True)


def no_serious_problems(page) -> None:
    """axe-core finds no serious or critical problem on the page as it stands."""
    if not AXE.is_file():
        pytest.skip("axe-core is not installed (make install)")
    violations = blocking_violations(page, AXE.read_text(encoding="utf-8"))
    assert violations == [], describe(violations)


def poppler(*args: str) -> str:
    """Run one of poppler-utils' tools (pdfinfo, pdftotext, pdftoppm) on our own file; what it printed."""
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout  # noqa: S603


def pdf_pages(path: Path) -> int:
    """How many pages a PDF has, as pdfinfo counts them."""
    info = poppler("pdfinfo", str(path))
    return int(next(line.split(":", 1)[1] for line in info.splitlines() if line.startswith("Pages:")))


@pytest.fixture
def sharing_page(browser, request):
    """A page whose context may read and write the clipboard, as a person's browser lets a site they trust."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        permissions=["clipboard-read", "clipboard-write"],
        accept_downloads=True,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        keep(page, f"failed-{request.node.name}")
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_graduate_shares_their_certificate_and_an_employer_prints_the_check(sharing_page, server, width):
    page = sharing_page
    page.set_viewport_size({"width": WIDTHS[width], "height": 900})
    log_in(page, server, "graduate")
    page.get_by_role("link", name="View and share your certificate").first.click()
    assert page.get_by_role("heading", name="Your certificate", level=1).is_visible()

    # Copy link: the button copies the visible, read-only link and says so to screen readers too.
    field = page.get_by_label("Verification link")
    verify_url = field.input_value()
    code = page.locator(".verify-code").inner_text()
    assert verify_url == f"{server}/verify/{code}/"
    assert field.get_attribute("readonly") is not None
    page.get_by_role("button", name="Copy link").click()
    status = page.locator("#copy-verify-link-status")
    assert status.get_attribute("aria-live") == "polite"
    page.wait_for_function("document.getElementById('copy-verify-link-status').textContent === 'Link copied'")
    assert page.evaluate("navigator.clipboard.readText()") == verify_url

    # LinkedIn: every parameter filled in from the certificate.
    href = page.get_by_role("link", name="Add to LinkedIn profile").get_attribute("href")
    url = urlsplit(href)
    assert (url.netloc, url.path) == ("www.linkedin.com", "/profile/add")
    parameters = {key: values[0] for key, values in parse_qs(url.query).items()}
    number = page.locator(".certificate-facts").get_by_text("CPS-").inner_text()
    assert parameters["startTask"] == "CERTIFICATION_NAME"
    assert parameters["name"] == "Certified Peer Specialist (CPS)"
    assert parameters["certId"] == number
    assert parameters["certUrl"] == verify_url
    assert parameters["organizationName"] and parameters["issueYear"].isdigit() and parameters["issueMonth"].isdigit()
    assert int(parameters["expirationYear"]) >= int(parameters["issueYear"])

    # The badge shows, and the signed credential downloads as a .json file that names it.
    badge = page.get_by_role("img", name="The Certified Peer Specialist badge")
    assert page.evaluate("(image) => image.complete && image.naturalWidth", badge.element_handle()) == 400
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download signed credential (.json)").click()
    download = downloading.value
    assert download.suggested_filename == f"{number}.json"
    credential = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert credential["credentialSubject"]["identifier"][0]["identityHash"] == "María José Fernández-Núñez"
    assert horizontal_overflow(page) <= 0
    keep(page, f"certificate-page-{width}")
    no_serious_problems(page)

    # The public check page: a full-width banner in words and colour, and when it was checked.
    page.get_by_role("link", name="Open the verification page").click()
    page.wait_for_url(verify_url)
    banner = page.locator(".status-banner")
    assert " ".join(banner.inner_text().split()).startswith("✓ Valid This certificate is valid today. Checked on ")
    checked = page.locator(".status-banner-checked").inner_text()
    assert checked.startswith("Checked on ") and checked.endswith("(UTC)")
    banner_box, main_box = banner.bounding_box(), page.locator("main").bounding_box()
    padding = page.evaluate("parseFloat(getComputedStyle(document.querySelector('main')).paddingLeft)")
    assert abs(banner_box["width"] - (main_box["width"] - 2 * padding)) <= 1
    colour = page.evaluate("getComputedStyle(document.querySelector('.status-banner')).backgroundColor")
    assert colour == "rgb(225, 241, 234)"  # green for valid, beside the word
    assert horizontal_overflow(page) <= 0
    keep(page, f"verify-page-{width}")
    no_serious_problems(page)

    # Printed: one page, with the banner and facts and without the site's navigation.
    printed = FOLDER / f"verify-page-{width}.pdf"
    page.pdf(path=str(printed), format="A4", print_background=True)
    assert pdf_pages(printed) == 1
    text = poppler("pdftotext", str(printed), "-")
    assert "Valid" in text and "Checked on" in text and number in text
    assert "Log out" not in text and "Check a certificate" not in text and "Skip to main content" not in text
    poppler("pdftoppm", "-png", "-r", "60", "-singlefile", str(printed), str(FOLDER / f"printed-{width}"))
