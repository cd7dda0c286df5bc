"""Quiz rules with no database access: drawing questions, scoring answers, and when a new attempt may start."""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction

from courses.blocks import MULTIPLE, PARTIAL, TRUE_FALSE

SUBMIT_GRACE = timedelta(seconds=30)
"""Answers posted this long after the deadline still count, so a submit in flight at the last second is not lost."""

_random = random.SystemRandom()


def question_snapshot(question) -> dict:
    """Freeze a question block's value (kind, scoring, stem, competency, choices with keys) as plain data."""
    value = question.value
    competency = value["competency"]
    return {
        "kind": value["kind"],
        "scoring": value["scoring"],
        "stem": value["stem"].source,
        "competency": {"slug": competency.slug, "name": competency.name} if competency else None,
        "choices": [
            {
                "key": child.id,
                "text": child.value["text"],
                "correct": bool(child.value["correct"]),
                "rationale": child.value["rationale"],
            }
            for child in value["choices"].bound_blocks
        ],
    }


def draw_questions(*, pool: list, count: int | None, shuffle_questions: bool, shuffle_choices: bool) -> list:
    """Pick the questions for a new attempt and fix their order and their choices' order.

    pool is the quiz's question blocks; returns (question_key, snapshot) pairs in the order shown.
    A count of None, or one at least the pool's size, asks every question.
    """
    indexes = list(range(len(pool)))
    if count is not None and count < len(pool):
        indexes = sorted(_random.sample(indexes, count))
    if shuffle_questions:
        _random.shuffle(indexes)
    drawn = []
    for index in indexes:
        snapshot = question_snapshot(pool[index])
        if shuffle_choices and snapshot["kind"] != TRUE_FALSE:
            _random.shuffle(snapshot["choices"])
        drawn.append((pool[index].id, snapshot))
    return drawn


def question_score(snapshot: dict, selected: set[str]) -> Fraction:
    """Score one answer from 0 to 1.

    Single choice and true/false: 1 for the correct choice alone, else 0. Multiple select, all or
    nothing: 1 for exactly the correct set. Multiple select, partial credit: the share of correct
    choices ticked less the share of incorrect choices ticked, never below 0 (ticking everything
    scores 0).
    """
    correct = {choice["key"] for choice in snapshot["choices"] if choice["correct"]}
    incorrect = {choice["key"] for choice in snapshot["choices"] if not choice["correct"]}
    if snapshot["kind"] == MULTIPLE and snapshot["scoring"] == PARTIAL:
        gained = Fraction(len(selected & correct), len(correct))
        lost = Fraction(len(selected & incorrect), len(incorrect)) if incorrect else Fraction(0)
        return max(Fraction(0), gained - lost)
    return Fraction(1) if selected == correct else Fraction(0)


def attempt_percent(scores: list[Fraction]) -> Fraction:
    """The attempt's exact score in percent: the mean question score times 100."""
    return sum(scores, Fraction(0)) * 100 / len(scores) if scores else Fraction(0)


def passes(percent: Fraction, pass_mark: int) -> bool:
    """Whether an exact percentage reaches the pass mark (exactly the pass mark passes)."""
    return percent >= pass_mark


def rounded_down(value: Fraction, places: int = 2) -> Decimal:
    """A fraction as a decimal with this many places, rounded down so a shown score never exceeds the real one."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN)


@dataclass(frozen=True)
class StartRule:
    """Whether a trainee may start a new attempt, and if not, why (a code and a message)."""

    allowed: bool
    code: str = ""
    message: str = ""
    next_attempt_at: datetime | None = None


def start_rule(
    *,
    submitted: list,
    max_attempts: int | None,
    extra_attempts: int,
    wait_hours: int,
    now: datetime,
) -> StartRule:
    """Decide whether another attempt may start, given the trainee's submitted attempts (oldest first).

    Codes: 'passed' (already passed), 'out_of_attempts', 'waiting' (the wait after a failed attempt
    has not passed yet; next_attempt_at says when it does).
    """
    if any(attempt.passed for attempt in submitted):
        return StartRule(False, "passed", "You've passed this quiz. Well done.")
    allowed = None if max_attempts is None else max_attempts + extra_attempts
    if allowed is not None and len(submitted) >= allowed:
        return StartRule(
            False,
            "out_of_attempts",
            "You've used all your attempts at this quiz. Revisit the module's lessons, then ask your "
            "programme admin for another attempt.",
        )
    if submitted and wait_hours:
        next_at = submitted[-1].submitted_at + timedelta(hours=wait_hours)
        if now < next_at:
            return StartRule(False, "waiting", "You can try again after a short break.", next_attempt_at=next_at)
    return StartRule(True)


OWN_ANSWERS = "own_answers"
"""The review after a failed attempt with attempts left, in a 'full' review quiz: which questions were wrong
and the reasoning for the answers the trainee chose, never the correct answers."""


def review_shown(*, review_mode: str, quiz_passed: bool, attempts_left: int | None) -> str:
    """What an attempt's review may show: the quiz's review mode ('score', 'wrong' or 'full'), except that a
    'full' review (the correct answers) waits until the trainee has passed or has no attempts left; until then
    it is OWN_ANSWERS, so the next attempt can't be passed by copying this one's review.

    attempts_left is None when attempts are unlimited.
    """
    if review_mode != "full" or quiz_passed or attempts_left == 0:
        return review_mode
    return OWN_ANSWERS
