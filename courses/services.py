"""Writes for courses: enrolment and lesson completion."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from wagtail.models import Page

from courses.access import branch_is_live
from courses.models import CoursePage, Enrolment, LessonCompletion, LessonPage
from lms.errors import ServiceError


class CourseError(ServiceError):
    """A course rule stopped the action. Codes: 'not_live', 'not_enrolled'."""


@transaction.atomic
def enrolment_create(*, user: AbstractBaseUser, course: CoursePage) -> tuple[Enrolment, bool]:
    """Enrol a user in a course; enrolling twice is harmless.

    Returns (enrolment, created). Raises CourseError('not_live') for an
    unpublished course.
    """
    if not course.live:
        raise CourseError("not_live", "This course is not open for enrolment.")
    return Enrolment.objects.get_or_create(user=user, course=course)


@transaction.atomic
def lesson_complete(*, user: AbstractBaseUser, lesson: LessonPage) -> tuple[LessonCompletion, bool]:
    """Record that a user completed a lesson; completing it again is harmless.

    Returns (completion, created). Raises CourseError('not_live') when the
    lesson, its module or its course is unpublished, and
    CourseError('not_enrolled') when the user is not enrolled in the
    lesson's course.
    """
    if not branch_is_live(lesson):
        raise CourseError("not_live", "This lesson is not published.")
    course_path = lesson.path[: -2 * Page.steplen]
    if not Enrolment.objects.filter(user=user, course__path=course_path).exists():
        raise CourseError("not_enrolled", "Enrol in the course first to track your progress.")
    return LessonCompletion.objects.get_or_create(user=user, lesson=lesson)
