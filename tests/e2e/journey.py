"""Helpers for the end-to-end journey: a small programme to earn, the server's mail, logging in, and step screenshots.

`journey_programme_open` and `journey_programme_close` run inside the server's own environment (`manage.py shell
-c`), so they write to the server's database; everything else here runs in the test process.
"""

import email
import re
import shutil
import sqlite3
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Page, expect

from demo.accounts import DEMO_MFA_USERS, DEMO_TOTP_SECRET, totp_code_now

PASSWORD = "peerdemo2026"  # noqa: S105 - the published demo password
STEP_TIMEOUT_MS = 15_000

COURSE_SLUG = "starting-out-as-a-peer-worker"
COURSE_TITLE = "Starting out as a peer worker"
PROGRAMME_NAME = "Peer Support Associate"
PROGRAMME_ABBREVIATION = "PSA"

# The quiz, with its answers: each question's stem, then each choice's text and whether it is right.
QUIZ_TITLE = "Check your understanding: First steps"
QUIZ_QUESTIONS = [
    (
        "Someone you support says they feel like giving up on their recovery plan. What do you do first?",
        [
            ("Listen, and ask what has made this week hard.", True),
            ("Tell them about the time you nearly gave up yourself.", False),
            ("Remind them firmly of the goals they agreed to.", False),
        ],
    ),
    (
        "When is sharing your own story most helpful?",
        [
            ("When it has a clear purpose for the other person and is brief.", True),
            ("Whenever the conversation goes quiet.", False),
            ("At the start of every meeting, so they know who you are.", False),
        ],
    ),
]


def journey_programme_open() -> None:
    """Add a short course (two lessons and a quiz) and a small programme built on it to the server's database.

    The demo programme asks for 500 hours; this one asks for 3 hours of approved practice, 1 hour of supervision,
    the course (every lesson and its quiz) and the code of ethics, so a journey typed in the browser can meet it.
    Harmless to run twice.
    """
    from certificates.models import Programme
    from content.models import CompetencyDomain, StandardPage
    from courses.models import CourseIndexPage, CoursePage
    from demo.site import LoadReport, load_module, markdown_to_richtext, sync_page

    report = LoadReport()
    course = sync_page(
        parent=CourseIndexPage.objects.get(slug="courses"),
        model=CoursePage,
        slug=COURSE_SLUG,
        fields={
            "title": COURSE_TITLE,
            "summary": "A short introduction for people about to start their first peer-support placement.",
            "description": markdown_to_richtext("Two short lessons and a quiz to check your understanding."),
            "estimated_hours": None,
        },
        report=report,
    )
    lesson_body = [{"type": "text", "markdown": "Peer support starts with listening. Take your time."}]
    load_module(
        course=course,
        source={
            "title": "First steps",
            "slug": "first-steps",
            "summary": "What peer support is, and how to listen well.",
            "estimated_minutes": 20,
            "objectives": ["Describe what makes peer support different from other help."],
            "competency_domains": ["mentoring-education"],
            "lessons": [
                {"title": "What peer support is", "slug": "what-peer-support-is", "body": lesson_body},
                {"title": "Listening first", "slug": "listening-first", "body": lesson_body},
            ],
            "quiz": {
                "title": QUIZ_TITLE,
                "slug": "quiz",
                "pass_mark": 100,
                "shuffle_questions": False,
                "shuffle_choices": False,
                "max_attempts": 3,
                "review_mode": "full",
                "questions": [
                    {
                        "kind": "single",
                        "stem": stem,
                        "choices": [
                            {"text": text, "correct": right, "rationale": "Because it keeps the person in charge."}
                            for text, right in choices
                        ],
                    }
                    for stem, choices in QUIZ_QUESTIONS
                ],
            },
        },
        domains={domain.slug: domain for domain in CompetencyDomain.objects.all()},
        report=report,
    )
    demo = Programme.objects.get(abbreviation="CPS")
    programme, _ = Programme.objects.update_or_create(
        abbreviation=PROGRAMME_ABBREVIATION,
        defaults={
            "name": PROGRAMME_NAME,
            "description": "A first credential: one short course, a few supervised hours and the code of ethics.",
            "issuing_body": demo.issuing_body,
            "signatory_name": demo.signatory_name,
            "signatory_title": demo.signatory_title,
            "practice_hours": 3,
            "supervision_hours": 1,
            "ethics_attestation_required": True,
            "ethics_code_page": StandardPage.objects.get(slug="code-of-ethics"),
            "validity_months": 24,
            "is_active": True,
        },
    )
    programme.required_courses = [course]
    programme.save()


def journey_programme_close() -> None:
    """Make the journey's programme inactive: it issues nothing more and leaves trainees' dashboards."""
    from certificates.models import Programme

    Programme.objects.filter(abbreviation=PROGRAMME_ABBREVIATION).update(is_active=False)


# The server's mail ------------------------------------------------------------------------------------------


def _messages_in(folder: Path) -> list[email.message.Message]:
    """Every message the file email backend wrote (it separates the messages of one connection with dashes)."""
    found = []
    for path in sorted(folder.glob("*")):
        for chunk in re.split(rb"\n-{79}\n", path.read_bytes()):
            if chunk.strip():
                found.append(email.message_from_bytes(chunk.strip() + b"\n"))
    return found


def _text_of(message: email.message.Message) -> str:
    parts = message.walk() if message.is_multipart() else [message]
    return "\n".join(
        part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
        for part in parts
        if part.get_content_type() == "text/plain"
    )


def wait_for_email(folder: Path, *, to: str, containing: str, timeout: float = 10) -> str:
    """The text of the first email to this address that contains the words, once the server has written it."""
    deadline = time.monotonic() + timeout
    while True:
        if folder.exists():
            for message in _messages_in(folder):
                text = _text_of(message)
                if to in message.get("To", "") and containing in text:
                    return text
        if time.monotonic() > deadline:
            raise AssertionError(f"No email to {to} containing {containing!r} in {folder}")
        time.sleep(0.1)  # polling a folder another process writes to; returns as soon as the file is there


# Logging in -------------------------------------------------------------------------------------------------


def log_in(page: Page, base: str, username: str, *, password: str = PASSWORD, two_factor: bool | None = None) -> None:
    """Log in through the site's form; type the demo authenticator's code when two-factor asks for it (the demo's
    two-factor accounts unless `two_factor` says otherwise).

    Each code works once in its 30 seconds, and the browser tests sign the same demo people in many times a minute,
    so the server's record of used codes is forgotten first (forget_used_codes), as if the next code had come. A code
    refused because its window closed on the way is retried once with the new window's.
    """
    if two_factor is None:
        two_factor = username in DEMO_MFA_USERS
    page.goto(base + "/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]")
    if two_factor:
        page.wait_for_url(base + "/accounts/2fa/authenticate/")
        for attempt in range(2):
            forget_used_codes(base)
            page.fill("input[name=code]", totp_code_now(DEMO_TOTP_SECRET))
            with page.expect_navigation():
                page.get_by_role("button", name="Log in").click()
            if not page.url.endswith("/accounts/2fa/authenticate/") or attempt:
                break
    expect(page).to_have_url(base + "/dashboard/")


SERVER_DATABASES: dict[str, str] = {}
"""The database URL of each browser-test server, by its base URL (tests/e2e/conftest.py's e2e_site fills it)."""

USED_CODES = "%allauth.mfa.totp.used?%"  # the keys allauth's replay check adds to the cache (the lms_cache table)


def forget_used_codes(base: str) -> None:
    """Delete the server's record of two-factor codes already used (rows of its database cache)."""
    url = SERVER_DATABASES[base]
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            connection.execute("DELETE FROM lms_cache WHERE cache_key LIKE ?", [USED_CODES])
        return
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("DELETE FROM lms_cache WHERE cache_key LIKE %s", [USED_CODES])


# Quizzes ------------------------------------------------------------------------------------------------------


def answer_quiz(page: Page, *, right: bool) -> None:
    """Choose the right answer to every question, or a wrong one."""
    fieldsets = page.locator("fieldset.question")
    expect(fieldsets).to_have_count(len(QUIZ_QUESTIONS))
    for stem, choices in QUIZ_QUESTIONS:
        fieldset = fieldsets.filter(has_text=stem)
        wanted = next(text for text, correct in choices if correct == right)
        fieldset.get_by_label(wanted, exact=True).check()


# PDFs ---------------------------------------------------------------------------------------------------------


def pdf_text(path: Path) -> str:
    """The text of a PDF as pdftotext reads it, with runs of whitespace made single spaces."""
    result = subprocess.run(  # noqa: S603
        [shutil.which("pdftotext") or "pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    )
    return " ".join(result.stdout.split())


# Screenshots --------------------------------------------------------------------------------------------------


class Journey:
    """The people in a journey, each in their own browser context, and a screenshot after every step.

    Screenshots stay in memory; `save_screenshots` writes them out (the fixture does so when the test fails).
    """

    def __init__(self, browser, base: str):
        self.browser = browser
        self.base = base
        self.contexts = []
        self.screenshots: list[tuple[str, bytes]] = []
        self.timings: list[tuple[str, float]] = []

    def person(self) -> Page:
        """A page in a new browser context: one person, signed in separately from the others."""
        context = self.browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        context.set_default_timeout(STEP_TIMEOUT_MS)
        self.contexts.append(context)
        return context.new_page()

    @contextmanager
    def step(self, name: str, page: Page):
        """One step of the journey; the page is photographed when it ends, whether it passed or failed."""
        started = time.monotonic()
        try:
            yield page
        finally:
            self.timings.append((name, time.monotonic() - started))
            slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
            try:
                shot = page.screenshot(full_page=True, timeout=STEP_TIMEOUT_MS)
            except Exception:  # noqa: BLE001 - a closed or crashed page must not hide the step's own failure
                shot = None
            if shot is not None:
                self.screenshots.append((f"{len(self.screenshots) + 1:02d}-{slug}", shot))

    def save_screenshots(self, folder: Path) -> list[Path]:
        """Write every screenshot taken so far to the folder as NN-step-name.png; returns the paths."""
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        paths = []
        for name, shot in self.screenshots:
            path = folder / f"{name}.png"
            path.write_bytes(shot)
            paths.append(path)
        return paths

    def close(self) -> None:
        """Close every person's browser context."""
        for context in self.contexts:
            context.close()
