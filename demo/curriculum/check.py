"""Check the demo curriculum files: shape, word counts, reading grade, dialogues, quizzes and the competency matrix.

Problems fail the check; warnings are printed for the author to weigh.
"""

import re
import sys
from pathlib import Path

import textstat
import yaml

HERE = Path(__file__).resolve().parent / "foundations"
COMPETENCIES = Path(__file__).resolve().parent / "competencies.yaml"
MAX_GRADE = 9.0  # Flesch-Kincaid grade of a lesson's prose
POOL_FACTOR = 1.5  # a retake should draw new items: pool >= 1.5 x questions_per_attempt
LONGEST_SHARE_WARNING = 0.5  # warn when more single-answer items than this are keyed on the longest option
SHORTEST_SHARE_WARNING = 0.5  # ... or on the shortest option
ABSOLUTE_WORDS = re.compile(r"\b(always|never|all|every|everyone|only|must|completely|none|nobody|any)\b", re.I)
PROSE_BLOCKS = {"text", "callout", "dialogue", "try_it", "reflection"}
DOMAINS = {"advocacy", "mentoring-education", "recovery-wellness", "ethical-responsibility"}
BLOCK_FIELDS = {
    "text": {"markdown"},
    "callout": {"title", "text"},
    "dialogue": {"title", "context", "turns", "debrief"},
    "reflection": {"prompt"},
    "try_it": {"title", "instructions"},
    "comparison": {"pairs"},
    "video": {"url", "title", "transcript"},
    "crisis_resources": set(),
}
MARKDOWN_KEYS = {
    "text": {"markdown"},
    "callout": {"text"},
    "dialogue": {"debrief"},
    "try_it": {"instructions"},
    "video": {"transcript"},
}
CORE_MODULES = {"active-listening", "validation", "boundaries"}


def block_words(block: dict) -> int:
    """Count the words a trainee reads in one block."""
    texts: list[str] = []
    for key, value in block.items():
        if key == "type":
            continue
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, list):
            for item in value:
                texts.extend(v for v in item.values() if isinstance(v, str))
    return sum(len(t.split()) for t in texts)


def load_competencies(path: Path = COMPETENCIES) -> dict[str, str]:
    """Return the competency matrix as {id: full name}."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {item["id"]: item["name"] for item in data["competencies"]}


def strip_markdown(text: str) -> str:
    """Turn Markdown into plain sentences: no markup, and every heading or list item ends a sentence."""
    lines = []
    for line in text.splitlines():
        line = re.sub(r"^\s*(#{1,6}\s+|[-*+]\s+|\d+[.)]\s+|>\s*)", "", line)
        line = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", line)  # links and images keep their text
        line = re.sub(r"[*_`|]+", "", line).strip()
        if not line or set(line) <= set("-: "):
            continue
        if not re.search(r"[.!?:;\"')\u201d]$", line):
            line += "."
        lines.append(line)
    return "\n".join(lines)


def lesson_prose(lesson: dict) -> str:
    """The prose a trainee reads in a lesson's text, callout, dialogue, try-it and reflection blocks."""
    texts: list[str] = []
    for block in lesson.get("body", []):
        if block.get("type") not in PROSE_BLOCKS:
            continue
        for key, value in block.items():
            if key == "type":
                continue
            if isinstance(value, str):
                texts.append(value)
            elif isinstance(value, list):
                texts.extend(v for item in value for k, v in item.items() if k != "speaker" and isinstance(v, str))
    return "\n".join(strip_markdown(text) for text in texts)


def reading_grade(lesson: dict) -> float:
    """The Flesch-Kincaid grade of a lesson's prose."""
    return float(textstat.flesch_kincaid_grade(lesson_prose(lesson)))


def quiz_report(quiz: dict) -> dict:
    """Measure a quiz's test-wiseness cues: longest-option keys, true/false balance and absolute wording."""
    questions = quiz.get("questions", [])
    singles = [q for q in questions if q.get("kind") == "single"]
    longest = shortest = 0
    for question in singles:
        choices = question.get("choices", [])
        keyed = [len(str(c.get("text", ""))) for c in choices if c.get("correct")]
        others = [len(str(c.get("text", ""))) for c in choices if not c.get("correct")]
        if keyed and others and keyed[0] > max(others):
            longest += 1
        if keyed and others and keyed[0] < min(others):
            shortest += 1
    true_false = [q for q in questions if q.get("kind") == "true_false"]
    keyed_true = sum(
        1 for q in true_false for c in q.get("choices", []) if c.get("text") == "True" and c.get("correct")
    )
    absolute = [
        number
        for number, q in enumerate(questions, 1)
        if q.get("kind") == "true_false" and ABSOLUTE_WORDS.search(str(q.get("stem", "")))
    ]
    return {
        "pool": len(questions),
        "per_attempt": quiz.get("questions_per_attempt") or len(questions),
        "singles": len(singles),
        "longest": longest,
        "shortest": shortest,
        "true_false": len(true_false),
        "keyed_true": keyed_true,
        "keyed_false": len(true_false) - keyed_true,
        "absolute": absolute,
    }


def check_quiz_report(name: str, report: dict, warnings: list[str]) -> list[str]:
    """Turn a quiz report into problems (pool size) and warnings (cues a test-wise trainee could use)."""
    problems = []
    pool, per_attempt = report["pool"], report["per_attempt"]
    if pool and pool <= per_attempt:
        problems.append(
            f"{name}: the pool ({pool}) is no larger than one attempt ({per_attempt}); a retake draws the same items"
        )
    elif pool < POOL_FACTOR * per_attempt:
        warnings.append(f"{name}: the pool ({pool}) is below {POOL_FACTOR}x questions_per_attempt ({per_attempt})")
    if report["singles"] and report["longest"] / report["singles"] > LONGEST_SHARE_WARNING:
        share = f"{report['longest']} of {report['singles']}"
        warnings.append(f"{name}: {share} single-answer items are keyed on the longest option")
    if report["singles"] and report["shortest"] / report["singles"] > SHORTEST_SHARE_WARNING:
        share = f"{report['shortest']} of {report['singles']}"
        warnings.append(f"{name}: {share} single-answer items are keyed on the shortest option")
    if abs(report["keyed_true"] - report["keyed_false"]) > 1:
        balance = f"{report['keyed_true']} True, {report['keyed_false']} False"
        warnings.append(f"{name}: true/false keys unbalanced ({balance})")
    for number in report["absolute"]:
        warnings.append(f"{name}: true/false question {number} uses an absolute word (always, never, only...)")
    return problems


def check_objectives(name: str, data: dict) -> list[str]:
    """Check that every objective is {text, lesson} and names a lesson of its own module."""
    problems = []
    lesson_slugs = {lesson.get("slug") for lesson in data.get("lessons", [])}
    for number, objective in enumerate(data.get("objectives", []), 1):
        if not isinstance(objective, dict):
            problems.append(
                f"{name}: objective {number} is plain text; write it as {{text: ..., lesson: <lesson slug>}}"
            )
            continue
        if not str(objective.get("text", "")).strip():
            problems.append(f"{name}: objective {number} has no text")
        lesson = objective.get("lesson")
        if not lesson:
            problems.append(f"{name}: objective {number} names no lesson that teaches it")
        elif lesson not in lesson_slugs:
            problems.append(f"{name}: objective {number} names an unknown lesson {lesson}")
    return problems


def lesson_of_objective(data: dict, number: int) -> str | None:
    """The slug of the lesson that teaches objective `number` (1-based), if it names one of the module's lessons."""
    objectives = data.get("objectives", [])
    if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= len(objectives):
        return None
    objective = objectives[number - 1]
    lesson = objective.get("lesson") if isinstance(objective, dict) else None
    return lesson if lesson in {item.get("slug") for item in data.get("lessons", [])} else None


def competency_matrix(folder: Path = HERE, competencies: dict[str, str] | None = None) -> dict[str, list[str]]:
    """Map each competency id to the module/lesson pairs whose objectives teach it, in course order."""
    competencies = load_competencies() if competencies is None else competencies
    matrix: dict[str, list[str]] = {competency: [] for competency in competencies}
    for path in sorted(folder.glob("[0-9][0-9]-*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        mapping = data.get("competency_map")
        if not isinstance(mapping, dict):
            continue
        for competency, numbers in mapping.items():
            for number in numbers if isinstance(numbers, list) else []:
                lesson = lesson_of_objective(data, number)
                place = f"{data.get('slug')}/{lesson}"
                if lesson and place not in matrix.setdefault(competency, []):
                    matrix[competency].append(place)
    return matrix


def check_competency_map(name: str, data: dict, competencies: dict[str, str]) -> list[str]:
    """Check a module's competency_map: known ids, objective numbers in range."""
    problems = []
    mapping = data.get("competency_map")
    if mapping is None:
        return problems
    if not isinstance(mapping, dict):
        return [f"{name}: competency_map must map competency ids to objective numbers"]
    count = len(data.get("objectives", []))
    for competency, numbers in mapping.items():
        if competency not in competencies:
            problems.append(f"{name}: competency_map names an unknown competency {competency}")
        if not isinstance(numbers, list) or not numbers:
            problems.append(f"{name}: competency_map[{competency}] must list objective numbers")
            continue
        for number in numbers:
            if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= count:
                problems.append(f"{name}: competency_map[{competency}] names objective {number}, but there are {count}")
    return problems


def check_module(
    path: Path, warnings: list[str] | None = None, competencies: dict[str, str] | None = None
) -> list[str]:
    """Return the problems found in one module file; append warnings to `warnings` when given."""
    problems = []
    warnings = [] if warnings is None else warnings
    competencies = load_competencies() if competencies is None else competencies
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    problems += check_objectives(path.name, data)
    problems += check_competency_map(path.name, data, competencies)
    for key in ("title", "slug", "summary", "competency_domains", "objectives", "lessons"):
        if key not in data:
            problems.append(f"{path.name}: missing {key}")
    for domain in data.get("competency_domains", []):
        if domain not in DOMAINS:
            problems.append(f"{path.name}: unknown domain {domain}")
    lessons = data.get("lessons", [])
    core = data.get("slug") in CORE_MODULES
    if len(lessons) < (3 if core else 1):
        problems.append(f"{path.name}: too few lessons ({len(lessons)})")
    dialogues = 0
    for lesson in lessons:
        name = f"{path.name}/{lesson.get('slug')}"
        words = 0
        for block in lesson.get("body", []):
            kind = block.get("type")
            if kind not in BLOCK_FIELDS:
                problems.append(f"{name}: unknown block type {kind}")
                continue
            missing = BLOCK_FIELDS[kind] - set(block)
            if missing:
                problems.append(f"{name}: {kind} block missing {sorted(missing)}")
            extra = set(block) - BLOCK_FIELDS[kind] - {"type", "intro", "context"}
            if kind == "crisis_resources" and extra:
                problems.append(f"{name}: a crisis_resources block has no fields (got {sorted(extra)})")
            plain = {key: value for key, value in block.items() if key not in MARKDOWN_KEYS.get(kind, set())}
            if "*" in str(plain):
                problems.append(f"{name}: Markdown emphasis in a plain-text field of a {kind} block")
            if kind == "dialogue":
                dialogues += 1
                for turn in block.get("turns", []):
                    if turn.get("speaker") not in {"peer", "specialist", "supervisor"}:
                        problems.append(f"{name}: bad speaker {turn.get('speaker')}")
            words += block_words(block)
        if words < 300:
            problems.append(f"{name}: only {words} words")
        grade = reading_grade(lesson)
        if grade > MAX_GRADE:
            problems.append(f"{name}: reading grade {grade:.1f} is above {MAX_GRADE:g}")
        print(f"  {name}: {words} words, {lesson.get('estimated_minutes')} min, grade {grade:.1f}")
    if core and dialogues < 1:
        problems.append(f"{path.name}: no worked dialogue")
    quiz = data.get("quiz", {})
    questions = quiz.get("questions", [])
    if not quiz.get("title"):
        problems.append(f"{path.name}: the quiz has no title")
    if quiz.get("pass_mark") != 80:
        problems.append(f"{path.name}: the demo quizzes' pass mark is 80")
    if (quiz.get("questions_per_attempt") or len(questions)) > len(questions):
        problems.append(f"{path.name}: the quiz draws more questions than its pool holds")
    if quiz.get("review_mode") not in {"score", "wrong", "full"}:
        problems.append(f"{path.name}: the quiz needs review_mode score, wrong or full")
    report = quiz_report(quiz)
    problems += check_quiz_report(f"{path.name} quiz", report, warnings)
    print(
        f"  quiz: pool {report['pool']}, {report['per_attempt']} per attempt; "
        f"longest option keyed in {report['longest']}/{report['singles']} single-answer items "
        f"({report['longest'] / (report['singles'] or 1):.0%}), shortest in {report['shortest']}; "
        f"true/false keys {report['keyed_true']} True / {report['keyed_false']} False"
    )
    if len(questions) < (6 if core else 4):
        problems.append(f"{path.name}: only {len(questions)} quiz questions")
    for number, question in enumerate(questions, 1):
        qname = f"{path.name} question {number}"
        kind = question.get("kind")
        choices = question.get("choices", [])
        correct = [c for c in choices if c.get("correct")]
        if kind not in {"single", "multiple", "true_false"}:
            problems.append(f"{qname}: bad kind {kind}")
        if question.get("competency") not in DOMAINS:
            problems.append(f"{qname}: bad competency")
        if not question.get("stem"):
            problems.append(f"{qname}: no stem")
        if any(not c.get("rationale") or not c.get("text") for c in choices):
            problems.append(f"{qname}: a choice lacks text or rationale")
        if kind == "single" and (len(correct) != 1 or len(choices) < 3):
            problems.append(f"{qname}: single choice needs >= 3 choices and exactly one correct")
        if kind == "multiple" and (len(correct) < 2 or len(choices) < 4):
            problems.append(f"{qname}: multiple needs >= 4 choices and >= 2 correct")
        if kind == "multiple" and question.get("scoring") not in {"all_or_nothing", "partial"}:
            problems.append(f"{qname}: multiple needs scoring")
        if kind == "true_false" and ([c.get("text") for c in choices] != ["True", "False"] or len(correct) != 1):
            problems.append(f"{qname}: true_false needs choices True, False with one correct")
    return problems


def module_minutes(data: dict) -> int:
    """A module's minutes, as the loader works them out: the sum of its lessons'."""
    return sum(int(lesson.get("estimated_minutes") or 0) for lesson in data.get("lessons", []))


def check_course(
    folder: Path = HERE, warnings: list[str] | None = None, competencies: dict[str, str] | None = None
) -> list[str]:
    """Check the course as a whole: declared times, and that every competency is taught by some lesson objective."""
    problems = []
    warnings = [] if warnings is None else warnings
    competencies = load_competencies() if competencies is None else competencies
    total = 0
    for path in sorted(folder.glob("[0-9][0-9]-*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        minutes = module_minutes(data)
        total += minutes
        declared = data.get("estimated_minutes")
        if declared is not None and declared != minutes:
            problems.append(f"{path.name}: declares {declared} minutes but its lessons add up to {minutes}")
    course_file = folder / "course.yaml"
    if course_file.exists():
        course = yaml.safe_load(course_file.read_text(encoding="utf-8"))
        hours = course.get("estimated_hours")
        if hours is not None and round(float(hours), 1) != round(total / 60, 1):
            problems.append(
                f"course.yaml: estimated_hours is {hours} "
                f"but the modules add up to {total} minutes ({total / 60:.1f} h)"
            )
    matrix = competency_matrix(folder, competencies)
    untaught = [competency for competency in competencies if not matrix[competency]]
    if untaught:
        problems.append(f"competencies taught by no lesson objective: {', '.join(untaught)}")
    return problems


def main() -> int:
    """Check every module file and the course, and report problems and warnings."""
    problems: list[str] = []
    warnings: list[str] = []
    competencies = load_competencies()
    for path in sorted(HERE.glob("[0-9][0-9]-*.yaml")):
        print(path.name)
        problems += check_module(path, warnings, competencies)
    problems += check_course(HERE, warnings, competencies)
    print("Competency matrix (competency -> module/lesson):")
    for competency, places in competency_matrix(HERE, competencies).items():
        print(f"  {competency}: {', '.join(places) or 'NOT TAUGHT'}")
    for warning in warnings:
        print("WARNING:", warning)
    for problem in problems:
        print("PROBLEM:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
