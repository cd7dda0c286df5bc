"""Reads over a whole cohort at once: each person's course completions and quiz passes, in a fixed number of
aggregate queries whatever the number of people (the per-person reads are in courses/selectors.py)."""

from collections import defaultdict

from django.db.models import Count, Max, Min, QuerySet

from courses.completions import CourseCompletion, CourseContents, QuizPass, course_contents
from courses.models import CoursePage, LessonCompletion, QuizAttempt

UserIds = list[int] | QuerySet


def quiz_passes_of_many(*, user_ids: UserIds, quiz_ids: list[int]) -> dict[int, dict[int, QuizPass]]:
    """The quizzes among `quiz_ids` each user has passed (user id -> quiz id -> pass), in one aggregate query."""
    passes: dict[int, dict[int, QuizPass]] = defaultdict(dict)
    if not quiz_ids:
        return passes
    rows = (
        QuizAttempt.objects.filter(user_id__in=user_ids, quiz_id__in=quiz_ids, passed=True)
        .values_list("user_id", "quiz_id", "quiz__title")
        .annotate(best=Max("score"), first=Min("submitted_at"))
        .order_by()
    )
    for user_id, quiz_id, title, best, first in rows:
        passes[user_id][quiz_id] = QuizPass(quiz_id, title, best, first)
    return passes


def course_completions_of_many(
    *, user_ids: UserIds, courses: list[CoursePage], contents: CourseContents | None = None
) -> dict[int, dict[int, CourseCompletion]]:
    """Each user's lesson and quiz counts per course (user id -> course id -> completion, nothing done for anyone
    missing), in one query plus one per course (two more when the courses' contents aren't given)."""
    if not courses:
        return defaultdict(dict)
    contents = contents or course_contents(courses)
    lessons, quizzes = contents.lessons, contents.quizzes
    passes = quiz_passes_of_many(user_ids=user_ids, quiz_ids=[quiz_id for quiz_id, _ in quizzes])
    outlines = {
        course.id: (
            [lesson_id for lesson_id, path in lessons if path.startswith(course.path)],
            tuple(quiz_id for quiz_id, path in quizzes if path.startswith(course.path)),
        )
        for course in courses
    }
    nothing_done = {
        course.id: CourseCompletion(
            course.id, course.title, len(outlines[course.id][0]), 0, outlines[course.id][1], 0, None
        )
        for course in courses
    }
    completions: dict[int, dict[int, CourseCompletion]] = defaultdict(lambda: dict(nothing_done))
    for course in courses:
        course_lessons, course_quizzes = outlines[course.id]
        done = {
            user_id: (count, last)
            for user_id, count, last in LessonCompletion.objects.filter(
                user_id__in=user_ids, lesson_id__in=course_lessons
            )
            .values_list("user_id")
            .annotate(count=Count("lesson_id"), last=Max("completed_at"))
            .order_by()
        }
        for user_id in set(done) | set(passes):
            lessons_done, last_lesson = done.get(user_id, (0, None))
            passed = [passes[user_id][i] for i in course_quizzes if i in passes.get(user_id, {})]
            moments = [moment for moment in (last_lesson, *(p.passed_at for p in passed)) if moment is not None]
            completions[user_id][course.id] = CourseCompletion(
                course_id=course.id,
                title=course.title,
                lessons=len(course_lessons),
                lessons_done=lessons_done,
                quiz_ids=course_quizzes,
                quizzes_passed=len(passed),
                completed_at=max(moments) if moments else None,
            )
    return completions
