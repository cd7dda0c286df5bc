"""The shipped curriculum meets the bar set for the demo course."""

from pathlib import Path

import pytest
import yaml

from demo.curriculum.check import (
    block_words,
    check_course,
    check_module,
    check_quiz_report,
    competency_matrix,
    lesson_prose,
    load_competencies,
    quiz_report,
    reading_grade,
)

FOUNDATIONS = Path(__file__).resolve().parents[2] / "demo" / "curriculum" / "foundations"
MODULE_FILES = sorted(FOUNDATIONS.glob("[0-9][0-9]-*.yaml"))


def test_the_modules_in_course_order():
    slugs = [yaml.safe_load(path.read_text())["slug"] for path in MODULE_FILES]
    assert slugs == [
        "foundations",
        "active-listening",
        "validation",
        "boundaries",
        "ethics",
        "recovery-language",
        "crisis",
        "self-care",
        "trauma-informed",
        "recovery-planning",
        "cultural-humility",
        "motivational-interviewing",
        "harm-reduction",
        "advocacy",
        "teamwork",
    ]


@pytest.mark.parametrize("path", MODULE_FILES, ids=lambda p: p.name)
def test_module_file_has_no_problems(path):
    assert check_module(path) == []


@pytest.mark.parametrize("slug", ["active-listening", "validation", "boundaries"])
def test_core_modules_have_three_substantial_lessons_and_a_dialogue(slug):
    module = next(yaml.safe_load(p.read_text()) for p in MODULE_FILES if slug in p.name)
    lessons = module["lessons"]
    assert len(lessons) >= 3
    for lesson in lessons:
        assert sum(block_words(block) for block in lesson["body"]) >= 300, lesson["slug"]
    assert any(block["type"] == "dialogue" for lesson in lessons for block in lesson["body"])


def test_word_count_ignores_the_block_type():
    assert block_words({"type": "text", "markdown": "one two three"}) == 3
    assert block_words({"type": "comparison", "pairs": [{"avoid": "a b", "instead": "c", "why": "d e f"}]}) == 6


def test_checker_reports_a_short_lesson(tmp_path):
    short = tmp_path / "02-active-listening.yaml"
    short.write_text(
        yaml.safe_dump(
            {
                "title": "T",
                "slug": "active-listening",
                "summary": "S",
                "estimated_minutes": 10,
                "competency_domains": ["advocacy"],
                "objectives": ["O"],
                "lessons": [
                    {
                        "slug": "tiny",
                        "body": [
                            {"type": "text", "markdown": "Too short."},
                            {"type": "reflection", "prompt": "What *would* you say?"},
                        ],
                    }
                ],
            }
        )
    )
    problems = check_module(short)
    assert "02-active-listening.yaml/tiny: only 6 words" in problems
    assert "02-active-listening.yaml/tiny: Markdown emphasis in a plain-text field of a reflection block" in problems
    assert "02-active-listening.yaml: too few lessons (1)" in problems
    assert "02-active-listening.yaml: no worked dialogue" in problems


# The checker's rules, each failing on a bad example and passing on a good one.

COMPETENCIES = {"samhsa-crises": "Helps peers to manage crises", "inaps-hopeful": "Peer supporters are hopeful"}
PLAIN = (
    "You sit with the person and listen. You let them set the pace. You ask what would help today. "
    "You check what you heard. You stay warm and calm. "
)
DENSE = (
    "Comprehensive organisational accountability necessitates interdisciplinary collaboration, "
    "institutional documentation, and continuous professional evaluation of therapeutic relationships, "
    "notwithstanding considerable administrative complexity and unprecedented operational responsibilities. "
)


def choice(text, correct=False):
    return {"text": text, "correct": correct, "rationale": "Because."}


def single(correct_text, *others):
    return {
        "kind": "single",
        "competency": "advocacy",
        "stem": "What do you do?",
        "choices": [choice(correct_text, True), *(choice(text) for text in others)],
    }


def true_false(stem, answer):
    return {
        "kind": "true_false",
        "competency": "advocacy",
        "stem": stem,
        "choices": [choice("True", answer), choice("False", not answer)],
    }


def module(prose=PLAIN, questions=None, per_attempt=2, **extra):
    data = {
        "title": "T",
        "slug": "t",
        "summary": "S",
        "competency_domains": ["advocacy"],
        "objectives": [{"text": "One.", "lesson": "lesson"}, {"text": "Two.", "lesson": "lesson"}],
        "lessons": [
            {
                "slug": "lesson",
                "estimated_minutes": 20,
                "body": [{"type": "text", "markdown": "### A heading\n\n" + prose * 30}],
            }
        ],
        "quiz": {
            "title": "Q",
            "pass_mark": 80,
            "review_mode": "full",
            "questions_per_attempt": per_attempt,
            "questions": questions
            if questions is not None
            else [single("Ask what would help", "Tell them what to do", "Fix it for them")] * 4,
        },
    }
    data.update(extra)
    return data


def write(folder, name, data):
    path = folder / name
    path.write_text(yaml.safe_dump(data))
    return path


def problems_and_warnings(tmp_path, data):
    warnings = []
    problems = check_module(write(tmp_path, "01-t.yaml", data), warnings, COMPETENCIES)
    return problems, warnings


def test_a_good_module_passes(tmp_path):
    assert problems_and_warnings(tmp_path, module()) == ([], [])


def test_a_pool_no_larger_than_one_attempt_is_refused(tmp_path):
    questions = [single("Ask what would help", "Tell them what to do", "Fix it for them")] * 3
    problems, _ = problems_and_warnings(tmp_path, module(questions=questions, per_attempt=3))
    assert "01-t.yaml quiz: the pool (3) is no larger than one attempt (3); a retake draws the same items" in problems
    problems, _ = problems_and_warnings(tmp_path, module(questions=questions, per_attempt=None))
    assert any("no larger than one attempt" in problem for problem in problems)


def test_a_pool_below_one_and_a_half_attempts_is_a_warning(tmp_path):
    questions = [single("Ask what would help", "Tell them what to do", "Fix it for them")] * 5
    problems, warnings = problems_and_warnings(tmp_path, module(questions=questions, per_attempt=4))
    assert problems == []
    assert warnings == ["01-t.yaml quiz: the pool (5) is below 1.5x questions_per_attempt (4)"]
    assert problems_and_warnings(tmp_path, module(questions=questions, per_attempt=3)) == ([], [])


def test_the_longest_option_share_is_reported():
    keyed_long = single("Ask them, gently and openly, what would help", "Advise them", "Fix it")
    keyed_short = single("Ask what would help", "Tell them what you would do", "Fix it for them")
    report = quiz_report({"questions": [keyed_long, keyed_long, keyed_short]})
    assert (report["longest"], report["shortest"], report["singles"]) == (2, 0, 3)
    warnings = []
    check_quiz_report("q", report, warnings)
    assert "q: 2 of 3 single-answer items are keyed on the longest option" in warnings
    warnings = []
    check_quiz_report("q", quiz_report({"questions": [keyed_long, keyed_short, keyed_short]}), warnings)
    assert warnings == []
    keyed_shortest = single("Ask", "Tell them what to do", "Fix it")
    assert quiz_report({"questions": [keyed_shortest]})["shortest"] == 1


def test_the_shortest_option_share_is_reported():
    keyed_shortest = single("Ask", "Tell them what to do", "Fix it")
    keyed_middle = single("Ask what would help", "Tell them what you would do", "Fix it for them")
    warnings = []
    check_quiz_report("q", quiz_report({"questions": [keyed_shortest, keyed_shortest, keyed_middle]}), warnings)
    assert warnings == ["q: 2 of 3 single-answer items are keyed on the shortest option"]
    warnings = []
    check_quiz_report("q", quiz_report({"questions": [keyed_shortest, keyed_middle]}), warnings)
    assert warnings == []


def test_true_false_balance_and_absolute_words_are_reported():
    keyed_false = [true_false("A peer worker should never share their story.", False)] * 3
    report = quiz_report({"questions": keyed_false})
    assert (report["keyed_true"], report["keyed_false"], report["absolute"]) == (0, 3, [1, 2, 3])
    warnings = []
    check_quiz_report("q", report, warnings)
    assert "q: true/false keys unbalanced (0 True, 3 False)" in warnings
    assert "q: true/false question 1 uses an absolute word (always, never, only...)" in warnings
    balanced = [true_false("Sharing a story can help.", True), true_false("A story is for the sharer.", False)]
    warnings = []
    check_quiz_report("q", quiz_report({"questions": balanced}), warnings)
    assert warnings == []


def test_a_lesson_above_grade_nine_fails(tmp_path):
    problems, _ = problems_and_warnings(tmp_path, module(prose=DENSE))
    assert any(problem.startswith("01-t.yaml/lesson: reading grade") for problem in problems)
    problems, _ = problems_and_warnings(tmp_path, module(prose=PLAIN))
    assert problems == []


def test_the_reading_grade_measures_prose_without_markdown():
    lesson = {
        "body": [
            {"type": "text", "markdown": "### Heading\n\n- **Bold** item\n- [a link](https://example.org)"},
            {"type": "dialogue", "title": "T", "turns": [{"speaker": "peer", "text": "Hi."}], "debrief": "Ok."},
            {"type": "comparison", "pairs": [{"avoid": "not prose", "instead": "x", "why": "y"}]},
        ]
    }
    prose = lesson_prose(lesson)
    assert "*" not in prose and "#" not in prose and "https" not in prose and "peer" not in prose
    assert "Heading." in prose and "a link." in prose and "not prose" not in prose
    assert reading_grade(lesson) < 9


def test_the_competency_map_is_checked(tmp_path):
    good = module(competency_map={"samhsa-crises": [1, 2]})
    assert problems_and_warnings(tmp_path, good)[0] == []
    bad = module(competency_map={"samhsa-crisis": [1], "inaps-hopeful": [0, 3]})
    problems, _ = problems_and_warnings(tmp_path, bad)
    assert problems == [
        "01-t.yaml: competency_map[inaps-hopeful] names objective 0, but there are 2",
        "01-t.yaml: competency_map[inaps-hopeful] names objective 3, but there are 2",
        "01-t.yaml: competency_map names an unknown competency samhsa-crisis",
    ]


def test_the_course_fails_while_a_competency_is_untaught(tmp_path):
    write(tmp_path, "01-t.yaml", module(competency_map={"samhsa-crises": [1]}))
    assert check_course(tmp_path, competencies=COMPETENCIES) == [
        "competencies taught by no lesson objective: inaps-hopeful"
    ]
    write(tmp_path, "02-u.yaml", module(competency_map={"inaps-hopeful": [2]}))
    assert check_course(tmp_path, competencies=COMPETENCIES) == []


def test_declared_times_must_add_up(tmp_path):
    write(tmp_path, "01-t.yaml", module(estimated_minutes=30, competency_map={"samhsa-crises": [1]}))
    write(tmp_path, "02-u.yaml", module(competency_map={"inaps-hopeful": [2]}))
    write(tmp_path, "course.yaml", {"title": "C", "estimated_hours": 12})
    assert check_course(tmp_path, competencies=COMPETENCIES) == [
        "01-t.yaml: declares 30 minutes but its lessons add up to 20",
        "course.yaml: estimated_hours is 12 but the modules add up to 40 minutes (0.7 h)",
    ]
    write(tmp_path, "01-t.yaml", module(estimated_minutes=20, competency_map={"samhsa-crises": [1]}))
    write(tmp_path, "course.yaml", {"title": "C", "estimated_hours": 0.7})
    assert check_course(tmp_path, competencies=COMPETENCIES) == []


def test_the_shipped_competency_matrix_lists_every_framework_item():
    competencies = load_competencies()
    assert len([c for c in competencies if c.startswith("samhsa-")]) == 12
    assert len([c for c in competencies if c.startswith("inaps-")]) == 12
    assert len([c for c in competencies if c.startswith("icrc-")]) == 4
    assert all(competencies.values())


def test_every_objective_names_the_lesson_that_teaches_it(tmp_path):
    objectives = [
        "Plain text.",
        {"text": "No lesson."},
        {"text": "Elsewhere.", "lesson": "missing"},
        {"lesson": "lesson"},
    ]
    problems, _ = problems_and_warnings(tmp_path, module(objectives=objectives))
    assert problems == [
        "01-t.yaml: objective 1 is plain text; write it as {text: ..., lesson: <lesson slug>}",
        "01-t.yaml: objective 2 names no lesson that teaches it",
        "01-t.yaml: objective 3 names an unknown lesson missing",
        "01-t.yaml: objective 4 has no text",
    ]


def test_a_competency_counts_as_taught_only_through_an_objective_with_a_known_lesson(tmp_path):
    objectives = [{"text": "One.", "lesson": "lesson"}, {"text": "Two.", "lesson": "gone"}]
    write(
        tmp_path,
        "01-t.yaml",
        module(objectives=objectives, competency_map={"samhsa-crises": [1], "inaps-hopeful": [2]}),
    )
    assert check_course(tmp_path, competencies=COMPETENCIES) == [
        "competencies taught by no lesson objective: inaps-hopeful"
    ]
    assert competency_matrix(tmp_path, COMPETENCIES) == {"samhsa-crises": ["t/lesson"], "inaps-hopeful": []}


def test_the_matrix_lists_each_module_and_lesson_once_in_course_order(tmp_path):
    write(tmp_path, "02-u.yaml", module(slug="u", competency_map={"samhsa-crises": [2]}))
    write(tmp_path, "01-t.yaml", module(competency_map={"samhsa-crises": [1, 2], "inaps-hopeful": [2]}))
    assert competency_matrix(tmp_path, COMPETENCIES) == {
        "samhsa-crises": ["t/lesson", "u/lesson"],
        "inaps-hopeful": ["t/lesson"],
    }


def test_the_shipped_matrix_reaches_a_lesson_for_every_competency():
    matrix = competency_matrix()
    assert [competency for competency, places in matrix.items() if not places] == []
    assert "crisis/overdose-response-and-debriefing" in matrix["samhsa-crises"]
