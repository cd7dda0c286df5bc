"""The questions of a quiz attempt as the quiz page and its review show them, in two queries."""

from dataclasses import dataclass
from decimal import Decimal

from courses.blocks import MULTIPLE
from courses.models import QuizAttempt


@dataclass
class ChoiceView:
    """A choice as shown in an attempt or its review."""

    key: str
    text: str
    selected: bool
    correct: bool = False
    rationale: str = ""


@dataclass
class QuestionView:
    """A question of an attempt with the trainee's selections (and, for review, the answer key)."""

    position: int
    key: str
    kind: str
    stem: str
    choices: list[ChoiceView]
    score: Decimal | None = None
    missing: bool = False
    reasoning_held_back: bool = False

    @property
    def answered(self) -> bool:
        """Whether any choice is selected."""
        return any(choice.selected for choice in self.choices)

    @property
    def is_correct(self) -> bool:
        """Whether the question earned full marks."""
        return self.score is not None and self.score >= 1

    @property
    def is_partly_correct(self) -> bool:
        """Whether the question earned some marks but not all."""
        return self.score is not None and 0 < self.score < 1

    @property
    def dom_id(self) -> str:
        """The HTML id of the question's fieldset."""
        return f"question-{self.position}"


def _own_rationale_shown(kind: str, score: Decimal | None) -> bool:
    """Whether the reasoning for the trainee's own choices may be shown before the full review.

    Not for a multiple-select question they got wrong: ticking every box would then show the
    reasoning for every choice, which is the answer key.
    """
    return kind != MULTIPLE or (score is not None and score >= 1)


def attempt_questions(
    *,
    attempt: QuizAttempt,
    with_key: bool,
    own_rationale: bool = False,
    selected: dict[str, set[str]] | None = None,
) -> list:
    """The attempt's questions in order with the saved selections, in two queries.

    with_key adds whether each choice is correct and its rationale; leave it off while the
    attempt is open so the answer key never reaches the page. own_rationale (without with_key)
    adds the rationale of the choices the trainee selected only, and never marks a choice
    correct. selected overrides the saved selections (to show back what was just posted).
    """
    questions = []
    for question in attempt.questions.prefetch_related("answers").order_by("position"):
        chosen = (
            selected.get(question.question_key, set())
            if selected is not None
            else {answer.choice_key for answer in question.answers.all()}
        )
        kind = question.snapshot["kind"]
        score = None if attempt.is_open else question.score
        own = own_rationale and not with_key and _own_rationale_shown(kind, score)
        choices = [
            ChoiceView(
                key=choice["key"],
                text=choice["text"],
                selected=choice["key"] in chosen,
                correct=choice["correct"] if with_key else False,
                rationale=choice["rationale"] if with_key or (own and choice["key"] in chosen) else "",
            )
            for choice in question.snapshot["choices"]
        ]
        questions.append(
            QuestionView(
                position=question.position,
                key=question.question_key,
                kind=kind,
                stem=question.snapshot["stem"],
                choices=choices,
                score=score,
                reasoning_held_back=own_rationale and not with_key and not own,
            )
        )
    return questions
