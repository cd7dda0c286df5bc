"""The whole journey in a real browser, from signing up to a revoked certificate.

A new trainee signs up and verifies their email, takes a short course and its quiz (failing, then passing), signs
the code of ethics, and logs practice and supervision once a programme admin has placed them with a supervisor.
The supervisor returns one entry and approves the rest; the trainee fixes it, and its approval completes a small
programme, so the certificate is issued and its PDF downloads. A verifier checks it by code, by CSV and by file;
the admin revokes it, and the public page and the API then say so. Each person has their own browser context.
"""

import csv
import io
import json
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.journey import (
    COURSE_TITLE,
    PROGRAMME_ABBREVIATION,
    PROGRAMME_NAME,
    QUIZ_TITLE,
    Journey,
    answer_quiz,
    log_in,
    pdf_text,
    wait_for_email,
)

pytestmark = pytest.mark.browser

ARTEFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artefacts"

USERNAME = "jrivera"
EMAIL = "jordan.rivera@example.org"
FIRST_NAME, LAST_NAME = "Jordan", "Rivera"
FULL_NAME = f"{FIRST_NAME} {LAST_NAME}"
PASSWORD = "a sturdy passphrase 91"  # noqa: S105 - the journey's own new account
RETURN_COMMENT = "Thank you. Please add which competency domain you drew on at the market."
REVOKE_REASON = "Issued in error: the placement hours were logged at an unapproved site."


@pytest.fixture(scope="module")
def journey_programme(e2e_site):
    """The journey's short course and small programme, in the server's database while this module runs.

    The programme is closed again afterwards, so the browser tests that share the server don't see it.
    """
    e2e_site.manage("shell", "-c", "from tests.e2e.journey import journey_programme_open; journey_programme_open()")
    yield
    e2e_site.manage("shell", "-c", "from tests.e2e.journey import journey_programme_close; journey_programme_close()")


@pytest.fixture
def journey(browser, e2e_site, journey_programme, request):
    """The journey's people and screenshots; when the test fails, every step's screenshot is kept as an artefact."""
    journey = Journey(browser, e2e_site.base)
    yield journey
    print("\n" + "\n".join(f"{seconds:6.1f} s  {name}" for name, seconds in journey.timings))
    report = getattr(request.node, "rep_call", None)
    folder = ARTEFACTS / request.node.name
    if report is not None and report.failed:
        saved = journey.save_screenshots(folder)
        print(f"\nJourney screenshots ({len(saved)}): {folder}")
    else:
        shutil.rmtree(folder, ignore_errors=True)  # an earlier failure's screenshots would mislead
    journey.close()


def _log_practice(page, base, *, day: date, hours: str, activity: str, domain: str, reflection: str) -> None:
    page.goto(base + "/practice/entries/new/")
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Duration in hours").fill(hours)
    page.get_by_label("Activity type").select_option(activity)
    page.get_by_label("Direct (with people supported)").check()
    page.get_by_label(domain, exact=True).check()
    page.get_by_role("combobox", name="Setting").select_option("community")
    page.get_by_label("In person").check()
    page.get_by_label("Reflection").fill(reflection)
    page.get_by_role("button", name="Save as draft").click()
    expect(page.locator(".messages")).to_contain_text("It stays a draft until you submit it for review.")


def test_sign_up_to_certificate_to_revocation(journey, e2e_site):
    base = e2e_site.base
    trainee, admin, supervisor, verifier, anyone = (journey.person() for _ in range(5))
    today = timezone.localdate()  # the server's calendar, not the test machine's

    with journey.step("trainee signs up and verifies the email", trainee):
        trainee.goto(base + "/courses/")
        trainee.get_by_role("link", name="Sign up").first.click()
        expect(trainee).to_have_url(base + "/accounts/signup/")
        trainee.get_by_label("First name").fill(FIRST_NAME)
        trainee.get_by_label("Last name").fill(LAST_NAME)
        trainee.fill("input[name=email]", EMAIL)
        trainee.fill("input[name=username]", USERNAME)
        trainee.fill("input[name=password1]", PASSWORD)
        trainee.fill("input[name=password2]", PASSWORD)
        trainee.get_by_role("button", name="Sign up").click()
        expect(trainee).to_have_url(base + "/accounts/confirm-email/")
        expect(trainee.locator("main")).to_contain_text("We've sent you an email with a link to confirm your address")
        message = wait_for_email(e2e_site.mail_dir, to=EMAIL, containing="/accounts/confirm-email/")
        link = next(word for word in message.split() if word.startswith(base + "/accounts/confirm-email/"))
        trainee.goto(link)
        expect(trainee.locator("main")).to_contain_text(EMAIL)
        trainee.get_by_role("button", name="Yes, confirm my address").click()

    with journey.step("the confirmation link logs the trainee in", trainee):
        expect(trainee).to_have_url(base + "/dashboard/")
        expect(trainee.locator(".messages")).to_contain_text(f"Thank you: {EMAIL} is confirmed.")
        expect(trainee.get_by_role("heading", level=1)).to_have_text(f"Welcome, {FIRST_NAME}")
        programme_card = trainee.locator("article.programme-progress", has_text=PROGRAMME_NAME)
        # Four requirements to meet: the course, practice hours, supervision hours and the code of ethics.
        expect(programme_card.locator(".requirement.is-unmet")).to_have_count(4)

    with journey.step("trainee enrols and reads the lessons", trainee):
        trainee.goto(base + "/courses/")
        trainee.get_by_role("link", name=COURSE_TITLE).click()
        trainee.get_by_role("button", name="Enrol in this course").click()
        expect(trainee.locator(".messages")).to_contain_text(f"You're enrolled in {COURSE_TITLE}. Welcome!")
        trainee.get_by_role("link", name="Start the first lesson").click()
        expect(trainee.locator(".eyebrow")).to_contain_text("Lesson 1 of 2")
        trainee.get_by_role("button", name="Mark complete and continue").click()
        expect(trainee.locator(".messages")).to_contain_text("“What peer support is” marked complete.")
        expect(trainee.locator(".eyebrow")).to_contain_text("Lesson 2 of 2")
        trainee.get_by_role("button", name="Mark complete and continue").click()
        expect(trainee.locator(".messages")).to_contain_text("“Listening first” marked complete.")
        expect(trainee.get_by_role("heading", level=1)).to_have_text(QUIZ_TITLE)

    with journey.step("trainee fails the quiz", trainee):
        trainee.get_by_role("button", name="Start the quiz").click()
        answer_quiz(trainee, right=False)
        trainee.get_by_role("button", name="Submit answers").click()
        expect(trainee.get_by_role("heading", level=1)).to_have_text("Not passed this time")
        expect(trainee.locator(".score-figure")).to_have_text("0%")
        next_steps = trainee.locator("section", has=trainee.get_by_role("heading", name="What's next"))
        expect(next_steps).to_contain_text("You have 2 attempts left.")
        # While attempts remain, the review shows the trainee's own (wrong) answers, never the correct ones.
        expect(trainee.locator(".review-choice.is-selected")).to_have_count(2)
        expect(trainee.locator(".review-choice.is-correct")).to_have_count(0)
        expect(trainee.get_by_text("Correct answer", exact=True)).to_have_count(0)

    with journey.step("trainee passes the quiz", trainee):
        next_steps.get_by_role("button", name="Start attempt 2").click()
        answer_quiz(trainee, right=True)
        trainee.get_by_role("button", name="Submit answers").click()
        expect(trainee.get_by_role("heading", level=1)).to_have_text("You passed")
        expect(trainee.locator(".score-figure")).to_have_text("100%")

    with journey.step("trainee signs the code of ethics", trainee):
        trainee.goto(base + "/dashboard/")
        expect(programme_card).to_contain_text(f"You'll sign as {FULL_NAME}.")  # the name given at sign-up
        programme_card.get_by_label("I agree").check()
        programme_card.get_by_role("button", name="Sign", exact=True).click()
        expect(trainee.locator(".messages")).to_contain_text(f"You've signed the {PROGRAMME_NAME} code of ethics.")
        expect(programme_card.locator(".requirement.is-met")).to_have_count(2)  # the course and the ethics
        expect(programme_card).to_contain_text(f"{COURSE_TITLE}: 3 of 3 lessons and quizzes")

    with journey.step("trainee has no placement yet", trainee):
        trainee.goto(base + "/practice/entries/new/")
        expect(trainee.get_by_role("heading", level=1)).to_have_text("You can't log hours just yet")

    with journey.step("admin assigns a supervisor", admin):
        log_in(admin, base, "admin", two_factor=True)
        admin.goto(base + "/admin/snippets/practice/supervisorassignment/add/")
        admin.get_by_role("combobox", name="Trainee").select_option(label=USERNAME)
        admin.get_by_role("combobox", name="Supervisor").select_option(label="supervisor")
        admin.get_by_role("button", name="Choose organisation").click()
        admin.get_by_role("dialog").get_by_role("link", name="Harbour Peer Support Centre").click()
        expect(admin.locator("[data-chooser-title]")).to_have_text("Harbour Peer Support Centre")
        admin.get_by_role("textbox", name="Starts on").fill((today - timedelta(days=7)).isoformat())
        admin.get_by_role("heading", name="Supervisor assignment").click()  # closes the date picker over Save
        admin.get_by_role("button", name="Save").first.click()
        expect(admin.locator(".messages")).to_contain_text("created")
        expect(admin.locator("tr", has_text=FULL_NAME)).to_contain_text("Harbour Peer Support Centre")

    with journey.step("trainee logs practice and supervision", trainee):
        _log_practice(
            trainee,
            base,
            day=today - timedelta(days=2),
            hours="1.5",
            activity="outreach",
            domain="Advocacy",
            reflection="Outreach at the market: short, friendly conversations about the drop-in.",
        )
        _log_practice(
            trainee,
            base,
            day=today - timedelta(days=1),
            hours="1.5",
            activity="individual",
            domain="Recovery and wellness support",
            reflection="A long walk-and-talk; we worked out what a good week would look like.",
        )
        trainee.goto(base + "/practice/supervision/new/")
        trainee.get_by_label("Date").fill((today - timedelta(days=1)).isoformat())
        trainee.get_by_label("Duration in hours").fill("1")
        trainee.get_by_label("Individual", exact=True).check()
        trainee.get_by_label("In person").check()
        trainee.get_by_label("Topics discussed").fill("Boundaries when people ask for my phone number.")
        trainee.get_by_role("button", name="Save as draft").click()
        expect(trainee.locator(".messages")).to_contain_text("Saved: Supervision session")

    with journey.step("trainee submits the hours for review", trainee):
        trainee.goto(base + "/practice/submit/")
        expect(trainee.locator("input[name=entries]")).to_have_count(3)
        trainee.get_by_role("button", name="Send for review").click()
        expect(trainee.locator(".messages")).to_contain_text("Sent 3 entries")

    with journey.step("supervisor returns one entry and approves the rest", supervisor):
        log_in(supervisor, base, "supervisor", two_factor=True)
        supervisor.goto(base + "/practice/review/")
        supervisor.get_by_role("link", name=FULL_NAME, exact=True).click()
        expect(supervisor.get_by_role("heading", level=1)).to_have_text(f"{FULL_NAME}'s hours")
        entries = supervisor.locator("li.review-entry")
        expect(entries).to_have_count(3)
        outreach = entries.filter(has_text="Outreach")
        outreach.get_by_role("radio", name="Return to the trainee").check()
        outreach.get_by_label("Comment for the trainee").fill(RETURN_COMMENT)
        supervisor.get_by_label("I supervised these hours").check()
        supervisor.get_by_role("button", name="Save my decisions").click()
        expect(supervisor.locator(".messages")).to_contain_text("Approved 2 entries and returned 1 entry")

    with journey.step("trainee reads the comment and resubmits", trainee):
        trainee.goto(base + "/practice/?status=returned")
        trainee.get_by_role("link", name="Read comment").first.click()
        expect(trainee.locator(".callout")).to_contain_text(RETURN_COMMENT)
        trainee.get_by_role("link", name="Edit").click()
        expect(trainee.get_by_label("Date")).to_have_value((today - timedelta(days=2)).isoformat())  # kept as logged
        trainee.get_by_label("Mentoring and education").check()
        trainee.get_by_role("button", name="Save as draft").click()
        expect(trainee.locator(".messages")).to_contain_text("Saved:")
        trainee.goto(base + "/practice/submit/")
        expect(trainee.locator("input[name=entries]")).to_have_count(1)
        trainee.get_by_role("button", name="Send for review").click()
        expect(trainee.locator(".messages")).to_contain_text("Your supervisor has been emailed")

    with journey.step("supervisor approves the fixed entry", supervisor):
        supervisor.goto(base + "/practice/review/")
        supervisor.get_by_role("link", name=FULL_NAME, exact=True).click()
        expect(supervisor.locator("li.review-entry")).to_have_count(1)
        expect(supervisor.locator("li.review-entry")).to_contain_text(f"The comment then: {RETURN_COMMENT}")
        expect(supervisor.locator(".since-return .changes")).to_contain_text("Mentoring and education")
        supervisor.get_by_label("I supervised these hours").check()
        supervisor.get_by_role("button", name="Save my decisions").click()
        expect(supervisor.locator(".messages")).to_contain_text("Approved 1 entry")

    with journey.step("certificate on the dashboard and its PDF", trainee):
        trainee.goto(base + "/dashboard/")
        expect(programme_card.locator(".status")).to_have_text("Valid")
        number = programme_card.locator(".facts div", has_text="Certificate number").locator("dd").inner_text()
        assert re.fullmatch(rf"{PROGRAMME_ABBREVIATION}-20\d\d-\d{{6}}", number), number
        with trainee.expect_download() as download_info:
            programme_card.get_by_role("link", name="Download PDF (A4)").click()
        pdf_path = Path(download_info.value.path())
        assert download_info.value.suggested_filename == f"{number}.pdf"
        assert pdf_path.read_bytes().startswith(b"%PDF")
        text = pdf_text(pdf_path)
        assert FULL_NAME in text and number in text and PROGRAMME_NAME in text
        programme_card.get_by_role("link", name="View and share your certificate").click()
        code = trainee.locator("code.verify-code").inner_text()
        assert code.replace("-", "") in text.replace("-", "").replace(" ", "")

    with journey.step("verifier checks the code", verifier):
        log_in(verifier, base, "verifier")
        verifier.goto(base + "/verify/")
        verifier.get_by_label("Verification code").fill(code.lower().replace("-", " "))
        verifier.get_by_role("button", name="Check certificate").click()
        expect(verifier).to_have_url(f"{base}/verify/{code}/")
        expect(verifier.locator(".verify-status")).to_contain_text("This certificate is valid today.")
        expect(verifier.locator(".certificate-facts")).to_contain_text(FULL_NAME)
        expect(verifier.locator(".certificate-facts")).to_contain_text(number)
        verifier.get_by_role("button", name="Record this check for Northfield Health Board").click()
        expect(verifier.locator(".messages")).to_contain_text(
            f"Recorded: {FULL_NAME} will see that Northfield Health Board checked this certificate today."
        )

    with journey.step("verifier checks a CSV", verifier):
        verifier.goto(base + "/verify/bulk/")
        verifier.get_by_label("CSV file of codes").set_input_files(
            {"name": "new-hires.csv", "mimeType": "text/csv", "buffer": f"code,employee_id\n{code},E-2044\n".encode()}
        )
        verifier.get_by_role("button", name="Upload and check").click()
        expect(verifier.get_by_role("heading", level=1)).to_have_text("new-hires.csv")
        expect(verifier.locator(".callout")).to_contain_text("All 1 row checked.")
        expect(verifier.locator(".bulk-summary")).to_contain_text("Valid")
        with verifier.expect_download() as download_info:
            verifier.get_by_role("link", name="Download results (CSV)").click()
        rows = list(csv.DictReader(io.StringIO(Path(download_info.value.path()).read_text(encoding="utf-8-sig"))))
        assert len(rows) == 1
        assert rows[0]["employee_id"] == "E-2044" and rows[0]["status"] == "valid"
        assert FULL_NAME in rows[0].values() and number in rows[0].values()

    with journey.step("verifier checks the PDF file", verifier):
        verifier.goto(base + "/verify/")
        verifier.get_by_label("Certificate PDF or credential file").set_input_files(str(pdf_path))
        verifier.get_by_role("button", name="Check file").click()
        expect(verifier.locator(".verify-status")).to_contain_text("This credential is genuine and valid.")
        expect(verifier.locator(".certificate-facts")).to_contain_text(FULL_NAME)
        expect(verifier.locator("li", has_text="PDF:")).to_contain_text("Byte for byte the PDF this site issued.")
        expect(verifier.locator(".finding-failed")).to_have_count(0)

    with journey.step("admin revokes the certificate", admin):
        admin.goto(base + f"/admin/snippets/certificates/certificate/?q={number}")
        admin.get_by_role("link", name=number).first.click()
        admin.locator(".certificate-actions").get_by_role("link", name="Revoke").click()
        admin.get_by_label("Reason").fill(REVOKE_REASON)
        admin.get_by_role("button", name=f"Revoke {number} permanently").click()
        expect(admin.locator(".messages")).to_contain_text(f"Revoked {number}. {FULL_NAME} has been emailed.")

    with journey.step("the public page and the API say revoked", anyone):
        anyone.goto(f"{base}/verify/{code}/")
        expect(anyone.locator(".verify-status")).to_contain_text("This certificate has been revoked")
        expect(anyone.locator(".callout")).to_contain_text(REVOKE_REASON)
        expect(anyone.locator(".certificate-facts")).to_contain_text(FULL_NAME)
        response = anyone.request.get(f"{base}/api/v1/verify/{code}")
        assert response.status == 200
        body = json.loads(response.body())
        assert body["status"] == "revoked" and body["reason"] == REVOKE_REASON
        assert body["holder_name"] == FULL_NAME and body["certificate_number"] == number
