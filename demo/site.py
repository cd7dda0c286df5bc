"""Load the demo site (home page, course index, the curriculum in demo/curriculum/, and the privacy notice and
code of ethics in privacy/pages/) into Wagtail pages.

Every loader compares the source with what is stored and writes only what
differs, so loading twice changes nothing.
"""

import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import markdown
import yaml
from django.db import transaction
from wagtail.models import Page, Site

from content.blocks import LessonStreamBlock, PageStreamBlock
from content.models import CompetencyDomain, HomePage, StandardPage
from content.services import home_page_install
from courses.blocks import ALL_OR_NOTHING, QuestionStreamBlock
from courses.models import CourseIndexPage, CoursePage, LessonPage, ModuleObjective, ModulePage, QuizPage
from demo.curriculum.check import MARKDOWN_KEYS

CURRICULUM_DIR = Path(__file__).resolve().parent / "curriculum"
QUESTION_ID_NAMESPACE = uuid.UUID("6f1d2c1e-9a43-4d8e-8f43-3f0c6a1b7e55")
"""Question and choice ids are derived from this and their place in the source, so they stay the same on reload."""


@dataclass
class LoadReport:
    """What a load created and updated."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)


def markdown_to_richtext(text: str) -> str:
    """Convert Markdown to the HTML Wagtail stores for rich text."""
    html = markdown.markdown(text.strip())
    html = re.sub(r"<(/?)h([3-6])>", lambda m: f"<{m[1]}h{int(m[2]) - 1}>", html)
    html = re.sub(r"<(/?)strong>", r"<\1b>", html)
    html = re.sub(r"<(/?)em>", r"<\1i>", html)
    return html


def block_value(kind: str, source: dict):
    """Turn one block from a curriculum file into the raw value its StreamField block expects."""
    if kind == "text":
        return markdown_to_richtext(source["markdown"])
    if kind == "crisis_resources":
        return None  # no fields: the box shows the site's Crisis resources setting
    value = {key: item for key, item in source.items() if key != "type"}
    for key in MARKDOWN_KEYS.get(kind, ()):
        if key in value:
            value[key] = markdown_to_richtext(value[key])
    if kind == "video":
        value["video"] = value.pop("url")
    if kind == "comparison":
        value.setdefault("intro", "")
        value["pairs"] = [{"why": "", **pair} for pair in value["pairs"]]
    if kind == "dialogue":
        value.setdefault("context", "")
    return value


def stream_prep(block: LessonStreamBlock | PageStreamBlock, value) -> list:
    """The stored form of a stream without block ids, for comparison."""
    return _strip_ids(block.get_prep_value(value))


def _strip_ids(data):
    if isinstance(data, dict):
        return {key: _strip_ids(item) for key, item in data.items() if key != "id"}
    if isinstance(data, list):
        return [_strip_ids(item) for item in data]
    return data


def source_stream(block, blocks_source: list[dict]):
    """Build a StreamValue from a list of curriculum blocks."""
    raw = [{"type": item["type"], "value": block_value(item["type"], item)} for item in blocks_source]
    return block.to_python(raw)


def _field_differs(page: Page, name: str, value) -> bool:
    current = getattr(page, name)
    if hasattr(current, "stream_block"):
        return stream_prep(current.stream_block, current) != stream_prep(current.stream_block, value)
    return current != value


def sync_page(*, parent: Page, model: type[Page], slug: str, fields: dict, report: LoadReport) -> Page:
    """Create the child page with this slug, or update it where its fields differ from the source."""
    page = parent.get_children().filter(slug=slug).specific().first()
    if page is None:
        page = model(slug=slug, **fields)
        parent.add_child(instance=page)
        page.save_revision(log_action=False).publish(log_action=False)
        report.created.append(page.url_path)
        return page
    changed = [name for name, value in fields.items() if _field_differs(page, name, value)]
    if changed or not page.live:
        for name in changed:
            setattr(page, name, fields[name])
        page.save_revision(log_action=False).publish(log_action=False)
        report.updated.append(page.url_path)
    return page


def load_yaml(path: Path) -> dict:
    """Read one curriculum file."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def ensure_home(report: LoadReport) -> HomePage:
    """Make a HomePage the default site's root, replacing Wagtail's placeholder welcome page."""
    source = load_yaml(CURRICULUM_DIR / "site.yaml")["home"]
    fields = {
        "title": source["title"],
        "tagline": source["tagline"],
        "intro": markdown_to_richtext(source["intro"]),
        "body": source_stream(PageStreamBlock(), source["body"]),
    }
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site and isinstance(site.root_page.specific, HomePage):
        root = Page.get_first_root_node()
        return sync_page(parent=root, model=HomePage, slug=site.root_page.slug, fields=fields, report=report)
    home = home_page_install(home=HomePage(slug="home", **fields))
    home.save_revision(log_action=False).publish(log_action=False)
    report.created.append(home.url_path)
    return home


def load_course(*, index: CourseIndexPage, directory: Path, report: LoadReport) -> CoursePage:
    """Load one course directory (course.yaml and NN-*.yaml modules) under the course index."""
    source = load_yaml(directory / "course.yaml")
    course = sync_page(
        parent=index,
        model=CoursePage,
        slug=source["slug"],
        fields={
            "title": source["title"],
            "summary": source["summary"].strip(),
            "description": markdown_to_richtext(source["description"]),
            "estimated_hours": Decimal(str(source["estimated_hours"])) if source.get("estimated_hours") else None,
        },
        report=report,
    )
    domains = {domain.slug: domain for domain in CompetencyDomain.objects.all()}
    for path in sorted(directory.glob("[0-9][0-9]-*.yaml")):
        load_module(course=course, source=load_yaml(path), domains=domains, report=report)
    return course


def objective_source(objective: str | dict, lessons: dict[str, LessonPage]) -> tuple[str, int | None]:
    """An objective as (text, id of the lesson that teaches it); a plain-text objective names no lesson."""
    if isinstance(objective, str):
        return objective.strip(), None
    lesson = lessons.get(objective.get("lesson"))
    return objective["text"].strip(), lesson.id if lesson else None


def load_module(*, course: CoursePage, source: dict, domains: dict, report: LoadReport) -> ModulePage:
    """Load one module and its lessons under a course."""
    module = sync_page(
        parent=course,
        model=ModulePage,
        slug=source["slug"],
        fields={
            "title": source["title"],
            "summary": source["summary"].strip(),
        },
        report=report,
    )
    lessons = {
        lesson["slug"]: sync_page(
            parent=module,
            model=LessonPage,
            slug=lesson["slug"],
            fields={
                "title": lesson["title"],
                "summary": lesson.get("summary", "").strip(),
                "estimated_minutes": lesson.get("estimated_minutes", 20),
                "body": source_stream(LessonStreamBlock(), lesson["body"]),
            },
            report=report,
        )
        for lesson in source["lessons"]
    }
    objectives = [objective_source(objective, lessons) for objective in source["objectives"]]
    wanted_domains = {domains[slug].pk for slug in source["competency_domains"]}
    current_objectives = [(objective.text, objective.lesson_id) for objective in module.objectives.all()]
    current_domains = {domain.pk for domain in module.competency_domains.all()}
    if objectives != current_objectives or wanted_domains != current_domains:
        module.objectives = [ModuleObjective(text=text, lesson_id=lesson_id) for text, lesson_id in objectives]
        module.competency_domains = list(wanted_domains)
        module.save_revision(log_action=False).publish(log_action=False)
        if module.url_path not in report.created:
            report.updated.append(module.url_path)
    if source.get("quiz"):
        load_quiz(module=module, module_slug=source["slug"], source=source["quiz"], domains=domains, report=report)
    return module


def _stable_id(*parts: str) -> str:
    return str(uuid.uuid5(QUESTION_ID_NAMESPACE, "/".join(parts)))


def quiz_questions(*, module_slug: str, questions: list[dict], domains: dict):
    """Build a quiz's question stream from curriculum questions, with ids that stay the same on every load."""
    raw = []
    for number, question in enumerate(questions, start=1):
        question_id = _stable_id(module_slug, f"q{number}")
        competency = domains[question["competency"]].pk if question.get("competency") else None
        choices = [
            {
                "type": "item",
                "id": _stable_id(module_slug, f"q{number}", f"c{index}"),
                "value": {
                    "text": choice["text"].strip(),
                    "correct": bool(choice["correct"]),
                    "rationale": choice["rationale"].strip(),
                },
            }
            for index, choice in enumerate(question["choices"], start=1)
        ]
        value = {
            "kind": question["kind"],
            "scoring": question.get("scoring", ALL_OR_NOTHING),
            "competency": competency,
            "stem": markdown_to_richtext(question["stem"]),
            "choices": choices,
        }
        raw.append({"type": "question", "id": question_id, "value": value})
    return QuestionStreamBlock().to_python(raw)


def load_quiz(*, module: ModulePage, module_slug: str, source: dict, domains: dict, report: LoadReport) -> QuizPage:
    """Load a module's quiz: its rules and its question pool."""
    return sync_page(
        parent=module,
        model=QuizPage,
        slug=source.get("slug", "quiz"),
        fields={
            "title": source["title"],
            "instructions": markdown_to_richtext(source.get("instructions", "")),
            "pass_mark": source.get("pass_mark", 80),
            "questions_per_attempt": source.get("questions_per_attempt"),
            "shuffle_questions": source.get("shuffle_questions", True),
            "shuffle_choices": source.get("shuffle_choices", True),
            "max_attempts": source.get("max_attempts", 3),
            "wait_hours": source.get("wait_hours", 0),
            "time_limit_minutes": source.get("time_limit_minutes"),
            "review_mode": source.get("review_mode", QuizPage.REVIEW_FULL),
            "questions": quiz_questions(module_slug=module_slug, questions=source["questions"], domains=domains),
        },
        report=report,
    )


def load_policy_pages(*, home: HomePage, report: LoadReport) -> list[StandardPage]:
    """Load the privacy notice (/privacy/) and the code of ethics (/code-of-ethics/) as standard pages under home."""
    from privacy.policy_pages import POLICY_PAGES, policy_page_path

    pages = []
    for slug in POLICY_PAGES:
        source = load_yaml(policy_page_path(slug))
        fields = {
            "title": source["title"],
            "intro": " ".join(source["intro"].split()),
            "body": source_stream(PageStreamBlock(), source["body"]),
        }
        pages.append(sync_page(parent=home, model=StandardPage, slug=slug, fields=fields, report=report))
    return pages


@transaction.atomic
def load_site() -> tuple[HomePage, LoadReport]:
    """Load the home page, the course index, every course in the curriculum folder and the policy pages."""
    report = LoadReport()
    home = ensure_home(report)
    index_source = load_yaml(CURRICULUM_DIR / "site.yaml")["courses"]
    index = sync_page(
        parent=home,
        model=CourseIndexPage,
        slug="courses",
        fields={"title": index_source["title"], "intro": markdown_to_richtext(index_source["intro"])},
        report=report,
    )
    for directory in sorted(p for p in CURRICULUM_DIR.iterdir() if (p / "course.yaml").exists()):
        load_course(index=index, directory=directory, report=report)
    load_policy_pages(home=home, report=report)
    return home, report


DEMO_PASSWORD = "peerdemo2026"  # noqa: S105 - published demo password, refused when DEBUG is off
DEMO_USERS = [
    # username, first name, last name, role, superuser
    ("trainee", "Alex", "Morgan", "Trainee", False),
    ("supervisor", "Sam", "Okafor", "Supervisor", False),
    ("verifier", "Priya", "Shah", "Verifier", False),
    ("admin", "Robin", "Hughes", "Programme admin", True),
    ("graduate", "María José", "Fernández-Núñez", "Trainee", False),
]


@transaction.atomic
def ensure_demo_users(report: LoadReport) -> dict:
    """Create the demo accounts with verified email addresses; leave existing ones as they are."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user_model = get_user_model()
    users = {}
    for username, first_name, last_name, role, superuser in DEMO_USERS:
        email = f"{username}@example.org"
        user, created = user_model.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "email": email,
                "is_staff": superuser,
                "is_superuser": superuser,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            report.created.append(f"user {username}")
        user.groups.add(Group.objects.get(name=role))
        EmailAddress.objects.get_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
        users[username] = user
    return users


def ensure_demo_progress(*, users: dict, course: CoursePage) -> None:
    """Enrol the demo trainee (part way through) and the graduate (finished) in the course.

    The trainee failed the first module's quiz once, then passed it; the graduate passed every quiz.
    Quizzes someone has already attempted are left alone.
    """
    from courses.models import QuizAttempt
    from courses.services import enrolment_create, lesson_complete

    lessons = list(LessonPage.objects.live().descendant_of(course).order_by("path"))
    quizzes = list(QuizPage.objects.live().descendant_of(course).order_by("path"))
    plans = {
        "trainee": (3, {quizzes[0].id: [2, None]} if quizzes else {}),
        "graduate": (len(lessons), {quiz.id: [None] for quiz in quizzes}),
    }
    for username, (lesson_count, quiz_plans) in plans.items():
        user = users[username]
        enrolment_create(user=user, course=course)
        for lesson in lessons[:lesson_count]:
            lesson_complete(user=user, lesson=lesson)
        attempted = set(QuizAttempt.objects.filter(user=user).values_list("quiz_id", flat=True))
        for quiz in quizzes:
            if quiz.id in quiz_plans and quiz.id not in attempted:
                for right_answers in quiz_plans[quiz.id]:
                    take_quiz(user=user, quiz=quiz, right_answers=right_answers)


def take_quiz(*, user, quiz: QuizPage, right_answers: int | None = None):
    """Take a quiz through the services: answer the first right_answers questions correctly (all when None)."""
    from courses.services import quiz_answers_save, quiz_attempt_start, quiz_attempt_submit

    attempt, _ = quiz_attempt_start(user=user, quiz=quiz)
    answers = {}
    for index, question in enumerate(attempt.questions.order_by("position")):
        choices = question.snapshot["choices"]
        right = right_answers is None or index < right_answers
        answers[question.question_key] = {choice["key"] for choice in choices if choice["correct"] == right}
        if not right or question.snapshot["kind"] != "multiple":
            answers[question.question_key] = set(sorted(answers[question.question_key])[:1])
    quiz_answers_save(attempt=attempt, answers=answers)
    return quiz_attempt_submit(attempt=attempt)[0]
