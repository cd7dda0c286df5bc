"""StreamField blocks for quiz questions: a scenario stem, choices with rationales, and how to score them."""

from django.core.exceptions import ValidationError
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.snippets.blocks import SnippetChooserBlock

SINGLE, MULTIPLE, TRUE_FALSE = "single", "multiple", "true_false"
ALL_OR_NOTHING, PARTIAL = "all_or_nothing", "partial"
QUESTION_KINDS = [
    (SINGLE, "Single choice: one correct answer"),
    (MULTIPLE, "Multiple select: tick every correct answer"),
    (TRUE_FALSE, "True or false"),
]
SCORING_RULES = [
    (ALL_OR_NOTHING, "All or nothing: full marks only for exactly the correct set"),
    (PARTIAL, "Partial credit: a share for each correct tick, less a share for each wrong one"),
]
STEM_FEATURES = ["bold", "italic", "ol", "ul"]  # no links: a stem renders without queries


class ChoiceBlock(blocks.StructBlock):
    """One answer option, whether it is correct, and why."""

    text = blocks.CharBlock(max_length=400)
    correct = blocks.BooleanBlock(required=False, label="This is a correct answer")
    rationale = blocks.TextBlock(help_text="A sentence or two for the review: why this is or isn't the best answer.")

    class Meta:
        icon = "tick"
        template = "blocks/choice_block.html"
        label = "Choice"
        label_format = "{text}"
        description = "An answer option with its rationale."
        preview_value = {
            "text": "Reflect back what you heard.",
            "correct": True,
            "rationale": "Reflecting shows you heard the person and lets them correct you.",
        }


class QuestionBlock(blocks.StructBlock):
    """A scenario question scored on the server."""

    kind = blocks.ChoiceBlock(choices=QUESTION_KINDS, default=SINGLE)
    scoring = blocks.ChoiceBlock(
        choices=SCORING_RULES,
        default=ALL_OR_NOTHING,
        help_text="Used for multiple-select questions only.",
    )
    competency = SnippetChooserBlock("content.CompetencyDomain", required=False)
    stem = blocks.RichTextBlock(features=STEM_FEATURES, help_text="A short, realistic scenario, then the question.")
    choices = blocks.ListBlock(ChoiceBlock(), min_num=2, max_num=8)

    class Meta:
        icon = "help"
        template = "blocks/question_block.html"
        label = "Question"
        label_format = "Question: {stem}"
        description = "A scenario with answer choices; each choice has a rationale shown in the review."
        preview_value = {
            "kind": SINGLE,
            "scoring": ALL_OR_NOTHING,
            "stem": "<p>A peer says, “Nobody listens to me.” What do you say first?</p>",
            "choices": [
                {
                    "text": "“It sounds lonely not to be heard.”",
                    "correct": True,
                    "rationale": "This reflects the feeling and invites the peer to say more.",
                },
                {
                    "text": "“I'm sure that isn't true.”",
                    "correct": False,
                    "rationale": "This argues with the peer's experience instead of hearing it.",
                },
            ],
        }

    def get_context(self, value, parent_context=None):
        """Add readable labels for the question kind and scoring rule."""
        context = super().get_context(value, parent_context=parent_context)
        context["kind_label"] = dict(QUESTION_KINDS).get(value["kind"], value["kind"])
        context["scoring_label"] = dict(SCORING_RULES).get(value["scoring"], value["scoring"])
        return context

    def clean(self, value):
        """Check the choices fit the question kind: one correct answer, or at least one for multiple select."""
        value = super().clean(value)
        correct = sum(1 for choice in value["choices"] if choice["correct"])
        errors = []
        if value["kind"] == TRUE_FALSE and len(value["choices"]) != 2:
            errors.append("A true-or-false question has exactly two choices: True and False.")
        if value["kind"] in (SINGLE, TRUE_FALSE) and correct != 1:
            errors.append(f"Mark exactly one choice as correct (now {correct}).")
        if value["kind"] == MULTIPLE and correct < 1:
            errors.append("Mark at least one choice as correct.")
        if errors:
            raise StructBlockValidationError(non_block_errors=[ValidationError(error) for error in errors])
        return value


class QuestionStreamBlock(blocks.StreamBlock):
    """The question pool of a quiz."""

    question = QuestionBlock()

    class Meta:
        min_num = 1
