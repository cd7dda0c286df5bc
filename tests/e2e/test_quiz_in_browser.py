"""The demo trainee fails, then passes, a module quiz in a real browser, and reads the review."""

import re
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

QUIZ = "/courses/peer-specialist-foundations/active-listening/quiz/"
SOURCE = Path(__file__).resolve().parents[2] / "demo/curriculum/foundations/02-active-listening.yaml"


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[*_`]", "", text)).strip()


def _answer_key() -> list[tuple[str, dict[str, bool]]]:
    questions = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))["quiz"]["questions"]
    return [(_plain(q["stem"])[:50], {_plain(c["text"]): bool(c["correct"]) for c in q["choices"]}) for q in questions]


def _answer_every_question(page, *, right: bool) -> None:
    key = _answer_key()
    fieldsets = page.locator("fieldset.question")
    for index in range(fieldsets.count()):
        fieldset = fieldsets.nth(index)
        stem = _plain(fieldset.locator(".question-stem").inner_text())[:50]
        choices = next(flags for start, flags in key if start == stem)
        labels = fieldset.locator("label")
        wanted = [i for i in range(labels.count()) if choices[_plain(labels.nth(i).inner_text())] == right]
        if not right:
            wanted = wanted[:1]
        for i in wanted:
            labels.nth(i).click()


def test_trainee_fails_then_passes_a_quiz_and_reads_the_review(page, server):
    from tests.e2e.test_site_in_browser import log_in

    log_in(page, server)
    page.goto(server + QUIZ)
    assert page.get_by_role("heading", level=1).inner_text() == "Check your understanding: Active listening"
    page.get_by_role("button", name="Start the quiz").click()
    assert page.locator("fieldset.question").count() == 6
    assert "Reasoning" not in page.content() and "rationale" not in page.content()

    # Submitting with nothing answered is refused, with links to each question.
    page.get_by_role("button", name="Submit answers").click()
    summary = page.locator("#error-summary")
    assert "Please answer every question before you submit." in summary.inner_text()
    assert page.evaluate("document.activeElement.id") == "error-summary"

    _answer_every_question(page, right=False)
    expect(page.locator("#autosave-status")).to_contain_text("Answers saved")  # no eval: the policy forbids it
    page.get_by_role("button", name="Submit answers").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Not passed this time"
    assert page.locator(".score-figure").inner_text() == "0%"
    assert page.locator(".review-question").count() == 6
    assert page.locator(".review-choice.is-correct").count() == 0  # no correct answers while attempts remain
    assert page.locator(".rationale").first.inner_text()
    assert "You have 2 attempts left." in page.content()

    page.get_by_role("button", name="Start attempt 2").click()
    _answer_every_question(page, right=True)
    page.get_by_role("button", name="Submit answers").click()
    assert page.get_by_role("heading", level=1).inner_text() == "You passed"
    assert page.locator(".score-figure").inner_text() == "100%"

    page.goto(server + "/dashboard/")
    row = page.locator("table.quiz-summary tr", has_text="Active listening")
    assert row.locator("td").nth(0).inner_text() == "2"
    assert row.locator("td").nth(1).inner_text() == "100%"
    assert row.locator("td").nth(2).inner_text() == "Passed"
