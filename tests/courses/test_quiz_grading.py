"""Scoring rules: each question type, partial credit, the pass mark boundary, and drawing questions."""

from decimal import Decimal
from fractions import Fraction

import pytest
from wagtail.blocks.struct_block import StructBlockValidationError

from courses.blocks import QuestionBlock, QuestionStreamBlock
from courses.quiz_rules import attempt_percent, draw_questions, passes, question_score, rounded_down
from tests.factories import question_data


def snapshot(kind: str, correct: list[bool], scoring: str = "all_or_nothing") -> dict:
    return {
        "kind": kind,
        "scoring": scoring,
        "choices": [{"key": f"c{i}", "correct": flag} for i, flag in enumerate(correct, start=1)],
    }


@pytest.mark.parametrize(
    ("selected", "expected"),
    [({"c1"}, 1), ({"c2"}, 0), (set(), 0), ({"c1", "c2"}, 0)],
)
def test_single_choice_scores_only_the_correct_choice_alone(selected, expected):
    assert question_score(snapshot("single", [True, False, False]), selected) == expected


@pytest.mark.parametrize(("selected", "expected"), [({"c2"}, 1), ({"c1"}, 0), (set(), 0)])
def test_true_false(selected, expected):
    assert question_score(snapshot("true_false", [False, True]), selected) == expected


@pytest.mark.parametrize(
    ("selected", "expected"),
    [({"c1", "c2"}, 1), ({"c1"}, 0), ({"c1", "c2", "c3"}, 0), (set(), 0)],
)
def test_multiple_all_or_nothing_needs_exactly_the_correct_set(selected, expected):
    assert question_score(snapshot("multiple", [True, True, False, False]), selected) == expected


@pytest.mark.parametrize(
    ("selected", "expected"),
    [
        ({"c1", "c2"}, Fraction(1)),
        ({"c1"}, Fraction(1, 2)),
        ({"c1", "c3"}, Fraction(0)),  # 1/2 gained, 1/2 lost
        ({"c1", "c2", "c3"}, Fraction(1, 2)),  # 1 gained, 1/2 lost
        ({"c1", "c2", "c3", "c4"}, Fraction(0)),  # ticking everything earns nothing
        ({"c3"}, Fraction(0)),  # never below zero
        (set(), Fraction(0)),
    ],
)
def test_multiple_partial_credit(selected, expected):
    assert question_score(snapshot("multiple", [True, True, False, False], scoring="partial"), selected) == expected


def test_partial_credit_with_three_correct_of_four():
    question = snapshot("multiple", [True, True, True, False], scoring="partial")
    assert question_score(question, {"c1", "c2"}) == Fraction(2, 3)
    assert question_score(question, {"c1", "c2", "c3", "c4"}) == Fraction(0)


def test_exactly_the_pass_mark_passes_and_just_below_fails():
    four_of_five = attempt_percent([Fraction(1)] * 4 + [Fraction(0)])
    assert four_of_five == 80
    assert passes(four_of_five, 80)
    just_below = attempt_percent([Fraction(1)] * 3 + [Fraction(1, 2), Fraction(1, 2)])
    assert just_below == 80
    assert passes(just_below, 80)
    below = attempt_percent([Fraction(1)] * 3 + [Fraction(1, 2), Fraction(49, 100)])
    assert not passes(below, 80)
    assert rounded_down(below) == Decimal("79.80")


def test_shown_score_never_rounds_up_to_a_pass():
    # (3 + 2/3 + 2/3) / 5 = 86.666...%, shown as 86.66
    percent = attempt_percent([Fraction(1)] * 3 + [Fraction(2, 3), Fraction(2, 3)])
    assert rounded_down(percent) == Decimal("86.66")
    assert rounded_down(Fraction(79999, 1000)) == Decimal("79.99")


def pool(count: int, kinds=None):
    kinds = kinds or ["single"] * count
    return list(QuestionStreamBlock().to_python([question_data(n, kind) for n, kind in enumerate(kinds, start=1)]))


def test_draw_takes_the_asked_number_without_repeats():
    questions = pool(8)
    drawn = draw_questions(pool=questions, count=5, shuffle_questions=True, shuffle_choices=True)
    keys = [key for key, _ in drawn]
    assert len(keys) == 5
    assert len(set(keys)) == 5
    assert set(keys) <= {question.id for question in questions}


def test_draw_without_shuffling_keeps_pool_order_and_choice_order():
    questions = pool(4)
    drawn = draw_questions(pool=questions, count=None, shuffle_questions=False, shuffle_choices=False)
    assert [key for key, _ in drawn] == [question.id for question in questions]
    assert [c["text"] for c in drawn[0][1]["choices"]] == ["Response 1.1", "Response 1.2", "Response 1.3"]


def test_true_false_choices_keep_their_order_even_when_shuffling():
    questions = pool(1, kinds=["true_false"])
    for _ in range(20):
        drawn = draw_questions(pool=questions, count=None, shuffle_questions=True, shuffle_choices=True)
        assert [c["text"] for c in drawn[0][1]["choices"]] == ["Response 1.1", "Response 1.2"]


def test_shuffling_changes_the_order_across_attempts():
    questions = pool(6, kinds=["single"] * 6)
    orders = {
        tuple(
            key for key, _ in draw_questions(pool=questions, count=None, shuffle_questions=True, shuffle_choices=True)
        )
        for _ in range(30)
    }
    assert len(orders) > 1


def test_snapshot_keeps_keys_text_correctness_and_rationale():
    drawn = draw_questions(pool=pool(1), count=None, shuffle_questions=False, shuffle_choices=False)
    key, frozen = drawn[0]
    assert key == "00000000-0000-4000-8000-000000000001"
    assert frozen["kind"] == "single"
    assert frozen["stem"] == "<p>Scenario 1: what do you say?</p>"
    assert frozen["choices"][0] == {
        "key": "00000000-0000-4000-9001-000000000001",
        "text": "Response 1.1",
        "correct": True,
        "rationale": "Reasoning 1.1",
    }


@pytest.mark.parametrize(
    ("kind", "correct_flags", "message"),
    [
        ("single", [True, True, False], "Mark exactly one choice as correct (now 2)."),
        ("single", [False, False, False], "Mark exactly one choice as correct (now 0)."),
        ("multiple", [False, False, False], "Mark at least one choice as correct."),
        ("true_false", [True, False, False], "A true-or-false question has exactly two choices: True and False."),
    ],
)
def test_question_block_refuses_choices_that_do_not_fit_its_kind(kind, correct_flags, message):
    block = QuestionBlock()
    value = block.to_python(
        {
            "kind": kind,
            "scoring": "all_or_nothing",
            "competency": None,
            "stem": "<p>A scenario</p>",
            "choices": [
                {"text": f"Choice {i}", "correct": flag, "rationale": "Why"} for i, flag in enumerate(correct_flags)
            ],
        }
    )
    with pytest.raises(StructBlockValidationError) as caught:
        block.clean(value)
    assert message in [error.message for error in caught.value.non_block_errors.as_data()]
