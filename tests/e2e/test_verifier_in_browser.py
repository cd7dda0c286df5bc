"""A verifier's day in the browser: a CSV check that waits for the organisation's allowance, and a credential file
re-spelled so a revoked certificate would pass, which the check page refuses in plain words. 1280 and 390 px."""

import json
from pathlib import Path

import pytest

from tests.e2e.conftest import ARTEFACTS
from tests.e2e.test_site_in_browser import horizontal_overflow, log_in

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": 1280, "phone": 390}

PAUSED_JOB = """
from datetime import timedelta
from django.contrib.auth import get_user_model
from verification.models import BulkJob
from verification.services import bulk_job_pause

verifier = get_user_model().objects.get(username="verifier")
BulkJob.objects.filter(verifier=verifier, file_name="night-shift-staff.csv").delete()
job = BulkJob.objects.create(
    verifier=verifier, file_name="night-shift-staff.csv", header=["code"], rows=[["A"], ["B"], ["C"]], total=3
)
bulk_job_pause(job_id=str(job.pk), seconds=50 * 60)
"""

REVOKED_CREDENTIAL = """
import json
from certificates.models import Certificate, CertificateCredential
certificate = Certificate.objects.filter(state=Certificate.State.REVOKED, credential__isnull=False).first()
print(json.dumps(json.loads(CertificateCredential.objects.get(certificate=certificate).document)))
"""


def screenshot(page, name: str) -> None:
    """Keep what the person saw, for a human to look at (var/test-artefacts/verifier/)."""
    folder = ARTEFACTS / "verifier"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_verifier_finds_a_paused_csv_check_and_reads_why(page, e2e_site, width):
    e2e_site.manage("shell", "-c", PAUSED_JOB)
    page.set_viewport_size({"width": WIDTHS[width], "height": 900})
    log_in(page, e2e_site.base, "verifier")
    page.get_by_role("link", name="Check a certificate").first.click()
    page.get_by_role("link", name="upload a CSV file of codes").click()
    page.get_by_role("link", name="night-shift-staff.csv").first.click()
    note = page.locator("#bulk-paused-note")
    assert note.is_visible()
    text = note.inner_text()
    assert text.startswith("Paused until ")
    assert "your account's allowance is 600 lookups a minute, by API and CSV files together" in text
    assert "Checking goes on by itself then, while this page is open." in text  # tasks run in the request here
    assert page.get_by_text("0 of 3").is_visible()
    assert horizontal_overflow(page) <= 0
    screenshot(page, f"paused-csv-check-{width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_re_spelled_revoked_credential_is_refused_in_plain_words(page, e2e_site, tmp_path, width):
    document = json.loads(e2e_site.manage("shell", "-c", REVOKED_CREDENTIAL).strip().splitlines()[-1])
    document["@id"] = document.pop("id")  # the same signed meaning, spelled so a reader of JSON keys finds no id
    upload = Path(tmp_path) / "credential.json"
    upload.write_text(json.dumps(document))
    page.set_viewport_size({"width": WIDTHS[width], "height": 900})
    page.goto(e2e_site.base + "/")
    page.get_by_role("link", name="Check a certificate").first.click()
    page.locator("input[type=file]").set_input_files(str(upload))
    page.get_by_role("button", name="Check file").click()
    main = page.locator("main").inner_text()
    assert "Not in our form" in main
    assert "in the form this site issues" in main
    assert "genuine and valid" not in main
    assert horizontal_overflow(page) <= 0
    screenshot(page, f"re-spelled-credential-{width}")
