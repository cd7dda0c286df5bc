"""Reads for courses: outlines, progress and quiz attempts, each in a fixed number of queries."""

from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce
from operator import or_

from django.db.models import Count, Exists, Max, OuterRef, Q
from django.db.models.functions import Length, Substr
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction

from courses import quiz_rules
from courses.models import (
    CoursePage,
    Enrolment,
    LessonCompletion,
    LessonPage,
    ModulePage,
    QuizAttempt,
    QuizAttemptGrant,
    QuizPage,
)
from lms.page_tree import page_tree


@dataclass
class LessonItem:
    """A lesson in an outline, with its URL and whether the user has completed it."""

    lesson: LessonPage
    url: str
    done: bool

    @property
    def page(self) -> LessonPage:
        """The lesson page."""
        return self.lesson

    @property
    def title(self) -> str:
        """The lesson's title."""
        return self.lesson.title


@dataclass
class QuizSummary:
    """A user's record at one quiz: attempts submitted, best score, whether passed, whether one is open."""

    attempts: int = 0
    best_score: Decimal | None = None
    passed: bool = False
    open: bool = False


@dataclass
class QuizItem:
    """A module's quiz in an outline, with the user's record at it; passing it completes the step."""

    quiz: QuizPage
    url: str
    summary: QuizSummary

    @property
    def page(self) -> QuizPage:
        """The quiz page."""
        return self.quiz

    @property
    def title(self) -> str:
        """The quiz's title."""
        return self.quiz.title

    @property
    def done(self) -> bool:
        """Whether the user has passed the quiz."""
        return self.summary.passed


@dataclass
class ModuleProgress:
    """A module's lessons and quiz, and how many of them the user has completed (passed, for the quiz)."""

    module: ModulePage
    url: str
    lessons: list[LessonItem] = field(default_factory=list)
    quiz: QuizItem | None = None

    @property
    def steps(self) -> list:
        """The lessons in order, then the quiz if there is one."""
        return [*self.lessons, self.quiz] if self.quiz else list(self.lessons)

    @property
    def total(self) -> int:
        """Number of steps (lessons and quiz) in the module."""
        return len(self.steps)

    @property
    def done(self) -> int:
        """Number of steps the user has completed."""
        return sum(1 for item in self.steps if item.done)

    @property
    def percent(self) -> int:
        """Completed share, as a whole percentage rounded down."""
        return percent(self.done, self.total)


@dataclass
class CourseProgress:
    """A course's modules with the user's progress and where to continue."""

    course: CoursePage
    url: str
    enrolment: Enrolment | None
    modules: list[ModuleProgress]

    @property
    def total(self) -> int:
        """Number of steps (lessons and quizzes) in the course."""
        return sum(module.total for module in self.modules)

    @property
    def done(self) -> int:
        """Number of steps the user has completed."""
        return sum(module.done for module in self.modules)

    @property
    def steps(self) -> list:
        """Every lesson and quiz in course order."""
        return [item for module in self.modules for item in module.steps]

    @property
    def quizzes(self) -> list[QuizItem]:
        """The course's quizzes in order."""
        return [module.quiz for module in self.modules if module.quiz]

    @property
    def percent(self) -> int:
        """Completed share, as a whole percentage rounded down."""
        return percent(self.done, self.total)

    @property
    def next_step(self) -> LessonItem | QuizItem | None:
        """The first lesson or quiz, in course order, that the user has not completed."""
        return next((item for item in self.steps if not item.done), None)

    @property
    def dom_id(self) -> str:
        """An HTML id for the course's heading on pages that list several courses."""
        return f"course-{self.course.id}"

    def next_step_after(self, page: Page) -> LessonItem | QuizItem | None:
        """The first incomplete step after the given page in course order, else the first incomplete one."""
        steps = self.steps
        index = next((i for i, item in enumerate(steps) if item.page.id == page.id), -1)
        later = (item for item in steps[index + 1 :] if not item.done)
        return next(later, None) or self.next_step

    @property
    def is_complete(self) -> bool:
        """Whether every lesson and quiz is complete (an empty course is never complete)."""
        return self.total > 0 and self.done == self.total


def percent(done: int, total: int) -> int:
    """Whole percentage of done over total, rounded down; 0 when there is nothing to do."""
    return (done * 100) // total if total else 0


def live_courses():
    """The published, publicly viewable courses in tree order."""
    return CoursePage.objects.live().public().order_by("path")


def enrolled_course_ids(user) -> set[int]:
    """Ids of the courses the user is enrolled in (empty for anonymous users)."""
    if not user.is_authenticated:
        return set()
    return set(Enrolment.objects.filter(user=user).values_list("course_id", flat=True))


def completed_lesson_ids(user, lesson_ids: list[int]) -> set[int]:
    """Which of the given lessons the user has completed, in one query."""
    if not user.is_authenticated or not lesson_ids:
        return set()
    return set(LessonCompletion.objects.filter(user=user, lesson_id__in=lesson_ids).values_list("lesson_id", flat=True))


def quiz_summaries(user, quiz_ids: list[int]) -> dict[int, QuizSummary]:
    """The user's record at each of the given quizzes, in one query."""
    if not user.is_authenticated or not quiz_ids:
        return {}
    rows = (
        QuizAttempt.objects.filter(user=user, quiz_id__in=quiz_ids)
        .values("quiz_id")
        .annotate(
            submitted=Count("id", filter=Q(status=QuizAttempt.SUBMITTED)),
            best=Max("score"),
            passes=Count("id", filter=Q(passed=True)),
            open=Count("id", filter=Q(status=QuizAttempt.IN_PROGRESS)),
        )
    )
    return {
        row["quiz_id"]: QuizSummary(
            attempts=row["submitted"], best_score=row["best"], passed=row["passes"] > 0, open=row["open"] > 0
        )
        for row in rows
    }


def _outside_private_sections() -> Q:
    """What `.public()` keeps (pages under no view restriction), as a subquery: no query of its own."""
    restricted_above = PageViewRestriction.objects.filter(page__path=Substr(OuterRef("path"), 1, Length("page__path")))
    return ~Q(Exists(restricted_above))


def under(pages, depth_offset: int) -> Q:
    return reduce(or_, (Q(path__startswith=page.path, depth=page.depth + depth_offset) for page in pages))


@dataclass(frozen=True)
class CourseOutline:
    """A course's live modules, lessons and quizzes outside private sections, in page order."""

    modules: list[ModulePage]
    lessons: list[LessonPage]
    quizzes: list[QuizPage]


def _course_outline(course: Page) -> CourseOutline:
    public = _outside_private_sections()
    return CourseOutline(
        modules=list(ModulePage.objects.live().filter(public, under([course], 1)).order_by("path")),
        lessons=list(LessonPage.objects.live().defer("body").filter(public, under([course], 2)).order_by("path")),
        quizzes=list(QuizPage.objects.live().defer("questions").filter(public, under([course], 2)).order_by("path")),
    )


def course_outline(*, course: Page, request=None) -> CourseOutline:
    """A course's outline, built once per process for each version of the page tree (publishing makes a new one)."""
    return page_tree(request).remembered(("course_outline", course.path), lambda: _course_outline(course))


def courses_progress(*, user, courses: list[CoursePage], enrolments: dict[int, Enrolment], request=None, record=None):
    """Build the outline and the user's progress for several courses: the outlines are kept with the page tree,
    and the user's lessons and quizzes take two queries (none when their CourseRecord is given)."""
    if not courses:
        return []
    outlines = [course_outline(course=course, request=request) for course in courses]
    modules = [module for outline in outlines for module in outline.modules]
    lessons = [lesson for outline in outlines for lesson in outline.lessons]
    quizzes = [quiz for outline in outlines for quiz in outline.quizzes]
    if record is not None:
        done_ids, summaries = set(record.completed_at), record.summaries([quiz.id for quiz in quizzes])
    else:
        done_ids = completed_lesson_ids(user, [lesson.id for lesson in lessons])
        summaries = quiz_summaries(user, [quiz.id for quiz in quizzes])
    course_urls = {course.path: (course, course.get_url(request=request)) for course in courses}
    module_by_path = {}
    for module in modules:
        module_by_path[module.path] = ModuleProgress(module=module, url=_url_below(course_urls, module, 1))
    for quiz in quizzes:
        module_progress = module_by_path.get(quiz.path[: -Page.steplen])
        if module_progress is not None:
            summary = summaries.get(quiz.id, QuizSummary())
            module_progress.quiz = QuizItem(quiz=quiz, url=_url_below(course_urls, quiz, 2), summary=summary)
    for lesson in lessons:
        module_progress = module_by_path.get(lesson.path[: -Page.steplen])
        if module_progress is not None:
            module_progress.lessons.append(
                LessonItem(lesson=lesson, url=_url_below(course_urls, lesson, 2), done=lesson.id in done_ids)
            )
    result = []
    for course in courses:
        course_modules = [mp for path, mp in module_by_path.items() if path.startswith(course.path)]
        result.append(
            CourseProgress(
                course=course,
                url=course_urls[course.path][1],
                enrolment=enrolments.get(course.id),
                modules=course_modules,
            )
        )
    return result


def _url_below(course_urls: dict, page: Page, depth: int) -> str | None:
    """The URL of a page `depth` levels inside a course, from the course's own: Wagtail routes by the slugs below."""
    course, course_url = course_urls[page.path[: -Page.steplen * depth]]
    return None if course_url is None else course_url + page.url_path[len(course.url_path) :]


def course_progress_for_user(*, user, course: Page, request=None) -> CourseProgress:
    """One course's outline with the user's progress (enrolment is None when not enrolled)."""
    enrolment = None
    if user.is_authenticated:
        enrolment = Enrolment.objects.filter(user=user, course_id=course.id).first()
    return courses_progress(user=user, courses=[course], enrolments={course.id: enrolment}, request=request)[0]


def dashboard_progress(*, user, request=None, record=None) -> list[CourseProgress]:
    """Every live course the user is enrolled in, with progress (from their CourseRecord, when given), in enrolment
    order."""
    public_course_ids = CoursePage.objects.live().filter(_outside_private_sections()).values("id")
    enrolments = list(Enrolment.objects.filter(user=user, course__in=public_course_ids).select_related("course"))
    courses = [enrolment.course for enrolment in enrolments]
    by_course = {enrolment.course_id: enrolment for enrolment in enrolments}
    return courses_progress(user=user, courses=courses, enrolments=by_course, request=request, record=record)


def _module_quiz(user, module_path: str, depth: int, request) -> QuizItem | None:
    quiz = QuizPage.objects.live().public().defer("questions").filter(path__startswith=module_path, depth=depth).first()
    if quiz is None:
        return None
    summary = quiz_summaries(user, [quiz.id]).get(quiz.id, QuizSummary())
    return QuizItem(quiz=quiz, url=quiz.get_url(request=request), summary=summary)


def module_lessons(*, user, module: ModulePage, request=None) -> list[LessonItem]:
    """A module's lessons in order with whether the user has completed each, in two queries."""
    lessons = list(LessonPage.objects.live().public().defer("body").child_of(module).order_by("path"))
    done_ids = completed_lesson_ids(user, [lesson.id for lesson in lessons])
    return [
        LessonItem(lesson=lesson, url=lesson.get_url(request=request), done=lesson.id in done_ids) for lesson in lessons
    ]


def module_progress_for_user(*, user, module: ModulePage, request=None) -> dict:
    """A module's lessons and quiz with the user's progress, the course and whether the user is enrolled."""
    course = Page.objects.filter(path=module.path[: -Page.steplen]).specific().first()
    progress = ModuleProgress(module=module, url=module.get_url(request=request))
    progress.lessons = module_lessons(user=user, module=module, request=request)
    progress.quiz = _module_quiz(user, module.path, module.depth + 1, request)
    enrolled = user.is_authenticated and Enrolment.objects.filter(user=user, course_id=course.id).exists()
    return {"course": course, "module_progress": progress, "enrolled": enrolled}


@dataclass
class AttemptRow:
    """A submitted or open attempt as listed to its trainee."""

    attempt: QuizAttempt
    questions: int


def quiz_overview(*, user, quiz: QuizPage, request=None) -> dict:
    """What the quiz page shows a user: the course and module, their attempts, and whether they may start one."""
    module_path = quiz.path[: -Page.steplen]
    course_path = module_path[: -Page.steplen]
    ancestors = {page.path: page for page in Page.objects.filter(path__in=[module_path, course_path])}
    module, course = ancestors.get(module_path), ancestors.get(course_path)
    context = {
        "module": module,
        "course": course,
        "enrolled": False,
        "attempts": [],
        "open_attempt": None,
        "start_rule": None,
        "attempts_allowed": None,
        "attempts_left": None,
        "best_score": None,
        "passed": False,
        "lessons": [],
        "lessons_left": [],
    }
    if not user.is_authenticated or course is None:
        return context
    context["enrolled"] = Enrolment.objects.filter(user=user, course_id=course.id).exists()
    attempts = list(
        QuizAttempt.objects.filter(user=user, quiz=quiz)
        .annotate(
            question_count=Count("questions"),
            correct_count=Count("questions", filter=Q(questions__score__gte=1)),
        )
        .order_by("number")
    )
    extra = QuizAttemptGrant.objects.filter(user=user, quiz=quiz).count()
    allowed = None if quiz.max_attempts is None else quiz.max_attempts + extra
    submitted = [attempt for attempt in attempts if not attempt.is_open]
    now = timezone.now()
    open_attempt = next((attempt for attempt in attempts if attempt.is_open), None)
    scores = [attempt.score for attempt in submitted if attempt.score is not None]
    context.update(
        attempts=list(reversed(attempts)),
        open_attempt=open_attempt,
        start_rule=quiz_rules.start_rule(
            submitted=submitted,
            max_attempts=quiz.max_attempts,
            extra_attempts=extra,
            wait_hours=quiz.wait_hours,
            now=now,
        ),
        attempts_allowed=allowed,
        attempts_used=len(submitted),
        attempts_left=None if allowed is None else max(allowed - len(submitted), 0),
        best_score=max(scores) if scores else None,
        passed=any(attempt.passed for attempt in submitted),
        lessons=module_lessons(user=user, module=module, request=request) if module else [],
    )
    context["lessons_left"] = [item for item in context["lessons"] if not item.done]
    return context


@dataclass(frozen=True)
class AttemptTally:
    """How many of an attempt's questions were answered fully correctly, partly correctly, and asked."""

    correct: int
    partly: int
    total: int


def attempt_tally(attempt: QuizAttempt) -> AttemptTally:
    """Count a graded attempt's correct and partly correct questions, in one query."""
    counts = attempt.questions.aggregate(
        correct=Count("id", filter=Q(score__gte=1)),
        partly=Count("id", filter=Q(score__gt=0, score__lt=1)),
        total=Count("id"),
    )
    return AttemptTally(**counts)
