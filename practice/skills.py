"""Observed skills checks: the skills a role-play can show, and the rubric a supervisor ticks for each (no database)."""

from dataclasses import dataclass

RUBRIC_VERSION = "2026-12"

LISTENING = "listening"
VALIDATION = "validation"
BOUNDARIES = "boundaries"
CRISIS_HANDOFF = "crisis_handoff"


@dataclass(frozen=True)
class Skill:
    """One skill a supervisor can observe in a role-play, with the criteria they look for."""

    key: str
    label: str
    criteria: tuple[str, ...]


SKILLS = {
    skill.key: skill
    for skill in (
        Skill(
            LISTENING,
            "Listening",
            (
                "Let the person finish without interrupting",
                "Reflected back what they heard in their own words",
                "Asked open questions rather than giving advice",
                "Checked they had understood before moving on",
            ),
        ),
        Skill(
            VALIDATION,
            "Validation",
            (
                "Named the feeling they heard without judging it",
                "Said the feeling made sense in the situation",
                "Stayed with the feeling instead of rushing to fix it",
            ),
        ),
        Skill(
            BOUNDARIES,
            "Boundary-setting",
            (
                "Said kindly and clearly what they can and can't do",
                "Gave the reason in a sentence, without over-explaining",
                "Offered another way to get what the person needs",
                "Kept the relationship warm after saying no",
            ),
        ),
        Skill(
            CRISIS_HANDOFF,
            "Crisis hand-off",
            (
                "Stayed with the person and kept them company",
                "Asked directly about their safety",
                "Followed the agency protocol and brought in the on-call clinician",
                "Explained what happens next and who they will meet",
            ),
        ),
    )
}

SKILL_CHOICES = [(skill.key, skill.label) for skill in SKILLS.values()]


def criteria_for(skill: str) -> tuple[str, ...]:
    """The rubric of one skill, in the order the supervisor sees it."""
    return SKILLS[skill].criteria


def missing_criteria(skill: str, ticked: frozenset[int] | set[int]) -> list[str]:
    """The criteria of the skill's rubric not ticked, by their text; empty when every one was shown."""
    return [text for number, text in enumerate(criteria_for(skill)) if number not in ticked]


def unknown_criteria(skill: str, ticked: frozenset[int] | set[int]) -> set[int]:
    """The numbers ticked that are no criterion of the skill's rubric; empty when every one is."""
    return set(ticked) - set(range(len(criteria_for(skill))))


def passed_summary(passed: int, needed: int) -> str:
    """The eligibility line in words, e.g. 'Observed skills checks: 2 of 3 skills'."""
    return f"Observed skills checks: {min(passed, needed)} of {needed} skill{'' if needed == 1 else 's'}"
