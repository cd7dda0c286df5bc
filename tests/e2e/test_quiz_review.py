"""A demo trainee fails a quiz with attempts left and reads a review that teaches without giving the answers away.

The crisis quiz draws nine of its fourteen questions each time, so a review that showed the correct answers would
hand the next attempt most of its answers. No other browser test takes this quiz.
"""

import re
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import expect

from tests.e2e.journey import log_in
from tests.e2e.test_accessibility import ARTEFACTS, DESKTOP, PHONE, blocking_violations, describe

pytestmark = pytest.mark.browser

QUIZ = "/courses/peer-specialist-foundations/crisis/quiz/"
DRAWN = 9  # questions_per_attempt in 07-crisis.yaml
SOURCE = Path(__file__).resolve().parents[2] / "demo/curriculum/foundations/07-crisis.yaml"


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[*_`]", "", text)).strip()


def _questions() -> list[dict]:
    """Each question's stem (its start), kind, and its choices' texts with whether each is correct."""
    source = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))["quiz"]["questions"]
    return [
        {
            "stem": _plain(q["stem"])[:50],
            "kind": q["kind"],
            "choices": {_plain(c["text"]): bool(c["correct"]) for c in q["choices"]},
        }
        for q in source
    ]


def _answer_wrongly(page) -> dict[str, dict]:
    """Choose the first wrong choice of every question drawn; returns stem start → the question and choice made."""
    chosen = {}
    fieldsets = page.locator("fieldset.question")
    expect(fieldsets).to_have_count(DRAWN)
    shown = _plain(" ".join(fieldsets.all_inner_texts()))
    for question in _questions():
        if question["stem"] not in shown:
            continue
        wrong = next(text for text, correct in question["choices"].items() if not correct)
        fieldsets.filter(has_text=question["stem"]).get_by_label(wrong, exact=True).check()
        chosen[question["stem"]] = {**question, "chose": wrong}
    assert len(chosen) == DRAWN, "every question drawn is one of the source's"
    return chosen


def test_a_failed_attempt_shows_the_trainees_own_answers_and_never_the_correct_ones(page, server, axe_source):
    log_in(page, server, "trainee")
    page.goto(server + QUIZ)
    page.get_by_role("button", name="Start the quiz").click()
    chosen = _answer_wrongly(page)
    page.get_by_role("button", name="Submit answers").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Not passed this time")
    expect(page.get_by_text(f"0 of {DRAWN} correct", exact=True)).to_be_visible()
    expect(page.get_by_text("You have 2 attempts left.")).to_be_visible()
    review = page.locator("section", has=page.get_by_role("heading", name="Review", exact=True))
    expect(review.get_by_text("The correct answers appear once you pass, or after your last attempt")).to_be_visible()
    expect(review.get_by_text("Not correct", exact=True)).to_have_count(DRAWN)
    expect(review.get_by_text("Your answer", exact=True)).to_have_count(DRAWN)
    expect(review.get_by_text("Correct answer", exact=True)).to_have_count(0)

    shown = [_plain(text) for text in review.locator(".choice-text").all_inner_texts()]
    assert sorted(shown) == sorted(question["chose"] for question in chosen.values()), "only their own choices"
    review_text = _plain(review.inner_text())
    for question in chosen.values():
        for text, correct in question["choices"].items():
            if correct and len(text) > 10:  # 'False' (true/false) is a word the reasoning may use
                assert text not in review_text, f"the correct answer {text!r} is shown"
    # The single-choice and true/false answers come with their reasoning; multiple-select ones don't.
    multiple = sum(question["kind"] == "multiple" for question in chosen.values())
    expect(review.locator(".rationale")).to_have_count(DRAWN - multiple)
    expect(review.get_by_text("This answer wasn't fully right.")).to_have_count(multiple)

    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        page.reload()
        expect(page.get_by_text(f"0 of {DRAWN} correct", exact=True)).to_be_visible()
        page.screenshot(path=str(ARTEFACTS / f"quiz-review-failed-{viewport['width']}.png"), full_page=True)
        violations = blocking_violations(page, axe_source)
        assert not violations, f"{page.url} at {viewport['width']} px:\n{describe(violations)}"
