"""The shipped curriculum meets the bar set for the demo course."""

from pathlib import Path

import pytest
import yaml

from demo.curriculum.check import block_words, check_module

FOUNDATIONS = Path(__file__).resolve().parents[2] / "demo" / "curriculum" / "foundations"
MODULE_FILES = sorted(FOUNDATIONS.glob("[0-9][0-9]-*.yaml"))


def test_eight_modules_in_domain_order():
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
