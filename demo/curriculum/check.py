"""Check the demo curriculum files: shape, word counts, dialogues and quiz questions."""

import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent / "foundations"
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


def check_module(path: Path) -> list[str]:
    """Return the problems found in one module file."""
    problems = []
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
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
        print(f"  {name}: {words} words")
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


def main() -> int:
    """Check every module file and report problems."""
    problems = []
    for path in sorted(HERE.glob("[0-9][0-9]-*.yaml")):
        print(path.name)
        problems += check_module(path)
    for problem in problems:
        print("PROBLEM:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
