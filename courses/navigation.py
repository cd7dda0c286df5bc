"""A lesson's place in its module: the outline kept per version of the page tree, and the user's progress."""

from dataclasses import dataclass, field

from django.db.models import BooleanField, CharField, DecimalField, Value
from django.db.models.functions import Cast
from wagtail.models import Page

from courses.models import Enrolment, LessonCompletion, LessonPage, ModuleObjective, QuizAttempt, QuizPage
from courses.selectors import LessonItem, ModuleProgress, QuizItem, QuizSummary
from lms.compiled import CompiledRead
from lms.page_tree import page_tree


@dataclass(frozen=True)
class ModuleOutline:
    """A module's published lessons and quiz, with the module's and the course's pages."""

    module: Page | None
    course: Page | None
    lessons: list[LessonPage]
    quiz: QuizPage | None
    objectives: dict[int, list[str]] = field(default_factory=dict)  # lesson id -> the objectives it teaches


def _module_outline(module_path: str, depth: int) -> ModuleOutline:
    course_path = module_path[: -Page.steplen]
    ancestors = {page.path: page for page in Page.objects.live().filter(path__in=[module_path, course_path])}
    steps = Page.objects.live().public().filter(path__startswith=module_path, depth=depth)
    lessons = list(LessonPage.objects.filter(pk__in=steps.values("pk")).defer("body").order_by("path"))
    quiz = QuizPage.objects.filter(pk__in=steps.values("pk")).defer("questions").order_by("path").first()
    objectives: dict[int, list[str]] = {}
    rows = ModuleObjective.objects.filter(page__path=module_path, lesson__isnull=False).order_by("sort_order")
    for lesson_id, text in rows.values_list("lesson_id", "text"):
        objectives.setdefault(lesson_id, []).append(text)
    return ModuleOutline(
        module=ancestors.get(module_path),
        course=ancestors.get(course_path),
        lessons=lessons,
        quiz=quiz,
        objectives=objectives,
    )


def module_outline(*, module_path: str, depth: int, request=None) -> ModuleOutline:
    """A module's outline, built once per process for each version of the page tree (publishing makes a new one)."""
    tree = page_tree(request)
    return tree.remembered(("module_outline", module_path), lambda: _module_outline(module_path, depth))


@dataclass(frozen=True)
class LessonProgress:
    """A user's completions among a module's lessons, their enrolment in its course, and their record at its quiz."""

    done_ids: frozenset[int] = frozenset()
    enrolled: bool = False
    quiz: QuizSummary = field(default_factory=QuizSummary)


def _progress_rows(*, user_id: int, lesson_ids: list[int], quiz_id: int, course_id: int):
    text, score, flag = CharField(), DecimalField(max_digits=5, decimal_places=2), BooleanField()
    no_score, no_flag = Cast(Value(None), score), Cast(Value(None), flag)
    attempts = QuizAttempt.objects.filter(user_id=user_id, quiz_id=quiz_id).values_list(
        Value("attempt", output_field=text), "quiz_id", "status", "score", "passed"
    )
    completions = LessonCompletion.objects.filter(user_id=user_id, lesson_id__in=lesson_ids).values_list(
        Value("completion", output_field=text), "lesson_id", Value("", output_field=text), no_score, no_flag
    )
    enrolment = Enrolment.objects.filter(user_id=user_id, course_id=course_id).values_list(
        Value("enrolment", output_field=text), "course_id", Value("", output_field=text), no_score, no_flag
    )
    return attempts.order_by().union(completions.order_by(), enrolment.order_by(), all=True)


PROGRESS_ROWS = CompiledRead(_progress_rows)


def lesson_progress(*, user, lesson_ids: list[int], quiz_id: int | None, course_id: int | None) -> LessonProgress:
    """The user's progress through one module, in one query whatever the size of the module or of their record (its
    SQL built once per process, lms/compiled.py)."""
    if not user.is_authenticated:
        return LessonProgress()
    rows = PROGRESS_ROWS.rows(user_id=user.pk, lesson_ids=lesson_ids, quiz_id=quiz_id or 0, course_id=course_id or 0)
    submitted = [row for row in rows if row[0] == "attempt" and row[2] == QuizAttempt.SUBMITTED]
    scores = [row[3] for row in submitted if row[3] is not None]
    return LessonProgress(
        done_ids=frozenset(row[1] for row in rows if row[0] == "completion"),
        enrolled=any(row[0] == "enrolment" for row in rows),
        quiz=QuizSummary(
            attempts=len(submitted),
            best_score=max(scores) if scores else None,
            passed=any(row[0] == "attempt" and row[4] for row in rows),
            open=any(row[0] == "attempt" and row[2] == QuizAttempt.IN_PROGRESS for row in rows),
        ),
    )


def lesson_navigation(*, user, lesson: LessonPage, request=None) -> dict:
    """Position in the module, previous/next lessons, the module's quiz and progress, enrolment, and the module
    objectives this lesson teaches.

    The outline is kept per version of the page tree; only the user's progress is read, in one query.
    """
    outline = module_outline(module_path=lesson.path[: -Page.steplen], depth=lesson.depth, request=request)
    module, course = outline.module, outline.course
    progress_record = lesson_progress(
        user=user,
        lesson_ids=[sibling.id for sibling in outline.lessons],
        quiz_id=outline.quiz.id if outline.quiz else None,
        course_id=course.id if course else None,
    )
    done_ids = progress_record.done_ids
    items = [LessonItem(lesson=s, url=s.get_url(request=request), done=s.id in done_ids) for s in outline.lessons]
    index = next((i for i, item in enumerate(items) if item.lesson.id == lesson.id), 0)
    progress = ModuleProgress(module=module, url=module.get_url(request=request) if module else "", lessons=items)
    if outline.quiz:
        quiz_url = outline.quiz.get_url(request=request)
        progress.quiz = QuizItem(quiz=outline.quiz, url=quiz_url, summary=progress_record.quiz)
    return {
        "module": module,
        "course": course,
        "module_progress": progress,
        "position": index + 1,
        "lesson_count": len(items),
        "previous_lesson": items[index - 1] if index > 0 else None,
        "next_lesson": items[index + 1] if index + 1 < len(items) else None,
        "quiz": progress.quiz,
        "is_done": lesson.id in done_ids,
        "enrolled": bool(course and progress_record.enrolled),
        "objectives": outline.objectives.get(lesson.id, []),
    }
