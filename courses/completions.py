"""What a person has completed of some courses and quizzes, as certification reads it: lessons done and quizzes
passed per course, in a fixed number of queries (courses/cohort.py reads the same for many people at once)."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cached_property

from django.db.models import CharField, Count, DecimalField, IntegerField, Max, Min, Q, Value
from django.db.models.functions import Cast

from courses.models import CoursePage, LessonCompletion, LessonPage, QuizAttempt, QuizPage
from courses.selectors import QuizSummary, under
from lms.compiled import CompiledRead


@dataclass(frozen=True)
class QuizPass:
    """A user's best passing score at a quiz and when they first passed it."""

    quiz_id: int
    title: str
    best_score: Decimal
    passed_at: datetime


def quiz_passes(*, user, quiz_ids: list[int]) -> dict[int, QuizPass]:
    """The quizzes among `quiz_ids` the user has passed, in one aggregate query."""
    if not quiz_ids:
        return {}
    rows = (
        QuizAttempt.objects.filter(user=user, quiz_id__in=quiz_ids, passed=True)
        .values("quiz_id", "quiz__title")
        .annotate(best=Max("score"), first=Min("submitted_at"))
        .order_by()
    )
    return {row["quiz_id"]: QuizPass(row["quiz_id"], row["quiz__title"], row["best"], row["first"]) for row in rows}


@dataclass(frozen=True)
class QuizRecord:
    """A person's attempts at one quiz, summed up: as many as they sent, their best scores, when they first passed."""

    title: str
    submitted: int
    best_score: Decimal | None
    open: bool
    best_passing_score: Decimal | None
    first_passed_at: datetime | None


class CourseRecord:
    """Everything a person has done in the courses: when they completed each lesson and how each quiz went, read in
    one query the first time something asks (so a page that needs none of it pays nothing)."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def _rows(self) -> tuple[dict[int, datetime], dict[int, QuizRecord]]:
        return _course_record_rows(self.user)

    @property
    def completed_at(self) -> dict[int, datetime]:
        """When the person completed each lesson, by lesson id."""
        return self._rows[0]

    @property
    def quizzes(self) -> dict[int, QuizRecord]:
        """The person's attempts at each quiz they tried, by quiz id."""
        return self._rows[1]

    def passes(self, quiz_ids) -> dict[int, QuizPass]:
        """The quizzes among `quiz_ids` passed, as quiz_passes gives them."""
        if not quiz_ids:
            return {}
        return {
            quiz_id: QuizPass(quiz_id, quiz.title, quiz.best_passing_score, quiz.first_passed_at)
            for quiz_id in quiz_ids
            if (quiz := self.quizzes.get(quiz_id)) is not None and quiz.first_passed_at is not None
        }

    def summaries(self, quiz_ids) -> dict[int, QuizSummary]:
        """The record at each of the quizzes among `quiz_ids` attempted, as quiz_summaries gives it."""
        if not quiz_ids:
            return {}
        return {
            quiz_id: QuizSummary(
                attempts=quiz.submitted,
                best_score=quiz.best_score,
                passed=quiz.first_passed_at is not None,
                open=quiz.open,
            )
            for quiz_id in quiz_ids
            if (quiz := self.quizzes.get(quiz_id)) is not None
        }


def course_record(*, user) -> CourseRecord:
    """The user's lessons completed and their attempts at every quiz, read in one query when first asked."""
    return CourseRecord(user)


def _course_record_read(*, user_id: int):
    text, number, score = CharField(), IntegerField(), DecimalField(max_digits=5, decimal_places=2)
    no_score, zero = Cast(Value(None), score), Value(0, output_field=number)
    passed = Q(passed=True)
    quizzes = (
        QuizAttempt.objects.filter(user_id=user_id)
        .order_by()
        .values("quiz_id", "quiz__title")
        .annotate(
            row=Value("quiz", output_field=text),
            submitted=Count("id", filter=Q(status=QuizAttempt.SUBMITTED)),
            best=Max("score"),
            open=Count("id", filter=Q(status=QuizAttempt.IN_PROGRESS)),
            best_passing=Max("score", filter=passed),
            first_passed=Min("submitted_at", filter=passed),
        )
        .values_list("row", "quiz_id", "first_passed", "best", "best_passing", "submitted", "open", "quiz__title")
    )
    lessons = (
        LessonCompletion.objects.filter(user_id=user_id)
        .order_by()
        .values_list(
            Value("lesson", output_field=text),
            "lesson_id",
            "completed_at",
            no_score,
            no_score,
            zero,
            zero,
            Value("", output_field=text),
        )
    )
    return quizzes.union(lessons, all=True)


COURSE_RECORD_ROWS = CompiledRead(_course_record_read)  # the SQL built once per process (lms/compiled.py)


def _course_record_rows(user) -> tuple[dict[int, datetime], dict[int, QuizRecord]]:
    completed_at, records = {}, {}
    for row, item_id, when, best, best_passing, submitted, open_count, title in COURSE_RECORD_ROWS.rows(
        user_id=user.pk
    ):
        if row == "lesson":
            completed_at[item_id] = when
        else:
            records[item_id] = QuizRecord(title, submitted, best, open_count > 0, best_passing, when)
    return completed_at, records


@dataclass(frozen=True)
class CourseCompletion:
    """How far a user is through one course: lessons completed and quizzes passed."""

    course_id: int
    title: str
    lessons: int
    lessons_done: int
    quiz_ids: tuple[int, ...]
    quizzes_passed: int
    completed_at: datetime | None

    @property
    def is_complete(self) -> bool:
        """Every lesson completed and every quiz passed."""
        return self.lessons_done >= self.lessons and self.quizzes_passed >= len(self.quiz_ids)


@dataclass(frozen=True)
class CourseContents:
    """The live lessons and quizzes inside some courses, each as (id, path)."""

    lessons: list[tuple[int, str]]
    quizzes: list[tuple[int, str]]


def course_contents(courses: list[CoursePage]) -> CourseContents:
    """The courses' live lessons and quizzes, in two queries (none without courses)."""
    if not courses:
        return CourseContents(lessons=[], quizzes=[])
    return CourseContents(
        lessons=list(LessonPage.objects.live().filter(under(courses, 2)).values_list("id", "path")),
        quizzes=list(QuizPage.objects.live().filter(under(courses, 2)).values_list("id", "path")),
    )


def course_completions(
    *, user, courses: list[CoursePage], contents: CourseContents | None = None, record: CourseRecord | None = None
) -> dict[int, CourseCompletion]:
    """Each course's lesson and quiz counts for the user, in two queries whatever the number of courses (two more
    when the courses' contents aren't given; none when the user's record is)."""
    if not courses:
        return {}
    contents = contents or course_contents(courses)
    lessons, quizzes = contents.lessons, contents.quizzes
    if record is not None:
        completions = record.completed_at
        passes = record.passes([quiz_id for quiz_id, _ in quizzes])
    else:
        completions = dict(
            LessonCompletion.objects.filter(
                user=user, lesson_id__in=[lesson_id for lesson_id, _ in lessons]
            ).values_list("lesson_id", "completed_at")
        )
        passes = quiz_passes(user=user, quiz_ids=[quiz_id for quiz_id, _ in quizzes])
    result = {}
    for course in courses:
        course_lessons = [lesson_id for lesson_id, path in lessons if path.startswith(course.path)]
        course_quizzes = tuple(quiz_id for quiz_id, path in quizzes if path.startswith(course.path))
        moments = [completions[i] for i in course_lessons if i in completions]
        moments += [passes[i].passed_at for i in course_quizzes if i in passes]
        result[course.id] = CourseCompletion(
            course_id=course.id,
            title=course.title,
            lessons=len(course_lessons),
            lessons_done=sum(1 for i in course_lessons if i in completions),
            quiz_ids=course_quizzes,
            quizzes_passed=sum(1 for i in course_quizzes if i in passes),
            completed_at=max(moments) if moments else None,
        )
    return result
