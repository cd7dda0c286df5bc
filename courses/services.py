"""Writes for courses: enrolment, lesson completion and quiz attempts."""

from datetime import datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.formats import date_format
from wagtail.models import Page

from courses import quiz_rules
from courses.access import branch_is_live
from courses.blocks import MULTIPLE
from courses.finishers import course_finisher_ids
from courses.models import (
    AttemptAnswer,
    AttemptQuestion,
    CoursePage,
    Enrolment,
    LessonCompletion,
    LessonPage,
    ModulePage,
    QuizAttempt,
    QuizAttemptGrant,
    QuizPage,
)
from lms.errors import ServiceError
from lms.kept_home import home_changed
from lms.signals import progress_recorded_on_commit


class CourseError(ServiceError):
    """A course rule stopped the action. Codes: 'not_live', 'not_enrolled'."""


@transaction.atomic
def enrolment_create(*, user: AbstractBaseUser, course: CoursePage) -> tuple[Enrolment, bool]:
    """Enrol a user in a course; enrolling twice is harmless.

    Returns (enrolment, created). Raises CourseError('not_live') for a course
    that is unpublished, or whose course list is.
    """
    if not branch_is_live(course):
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
    completion, created = LessonCompletion.objects.get_or_create(user=user, lesson=lesson)
    if created:
        progress_recorded_on_commit(user=user)
    return completion, created


class QuizError(ServiceError):
    """A quiz rule stopped the action.

    Codes: 'not_live', 'not_enrolled', 'no_questions', 'passed', 'out_of_attempts', 'waiting', 'submitted'
    (the attempt is already graded), 'time_up', 'unknown_question', 'unknown_choice', 'too_many_choices',
    'unanswered' (positions lists the questions without an answer), 'self_grant', 'no_reason',
    'not_needed'.
    """

    def __init__(self, code: str, message: str, positions: list[int] | None = None):
        super().__init__(code, message)
        self.positions = positions or []


def _course_path(page: Page) -> str:
    return page.path[: -2 * Page.steplen]


def _overdue(attempt: QuizAttempt, now: datetime) -> bool:
    return attempt.deadline is not None and now > attempt.deadline + quiz_rules.SUBMIT_GRACE


def quiz_attempt_start(
    *, user: AbstractBaseUser, quiz: QuizPage, now: datetime | None = None
) -> tuple[QuizAttempt, bool]:
    """Start an attempt at a quiz, or return the one already open; starting twice is harmless.

    Draws the questions and fixes their order and their choices' order. Returns (attempt,
    created). An open attempt past its time limit is graded first (and stays graded whatever
    happens next). Raises QuizError with 'not_live', 'not_enrolled', 'no_questions', 'passed',
    'out_of_attempts' or 'waiting' (the message says when).
    """
    now = now or timezone.now()
    for overdue in QuizAttempt.objects.filter(user=user, quiz=quiz, status=QuizAttempt.IN_PROGRESS):
        quiz_attempt_close_if_overdue(attempt=overdue, now=now)
    return _attempt_start(user=user, quiz=quiz, now=now)


@transaction.atomic
def _attempt_start(*, user: AbstractBaseUser, quiz: QuizPage, now: datetime) -> tuple[QuizAttempt, bool]:
    if not branch_is_live(quiz):
        raise QuizError("not_live", "This quiz is not published.")
    if not Enrolment.objects.filter(user=user, course__path=_course_path(quiz)).exists():
        raise QuizError("not_enrolled", "Enrol in the course first to take its quizzes.")
    if not len(quiz.questions):
        raise QuizError("no_questions", "This quiz has no questions yet. Please check back later.")
    attempts = list(QuizAttempt.objects.select_for_update().filter(user=user, quiz=quiz).order_by("number"))
    open_attempt = next((attempt for attempt in attempts if attempt.is_open), None)
    if open_attempt is not None:
        return open_attempt, False
    submitted = [attempt for attempt in attempts if not attempt.is_open]
    rule = quiz_rules.start_rule(
        submitted=submitted,
        max_attempts=quiz.max_attempts,
        extra_attempts=QuizAttemptGrant.objects.filter(user=user, quiz=quiz).count(),
        wait_hours=quiz.wait_hours,
        now=now,
    )
    if not rule.allowed:
        message = rule.message
        if rule.next_attempt_at:
            when = date_format(timezone.localtime(rule.next_attempt_at), "j M Y, H:i")
            message = f"You can start your next attempt from {when}. Use the time to revisit the module."
        raise QuizError(rule.code, message)
    drawn = quiz_rules.draw_questions(
        pool=list(quiz.questions),
        count=quiz.questions_per_attempt,
        shuffle_questions=quiz.shuffle_questions,
        shuffle_choices=quiz.shuffle_choices,
    )
    deadline = now + timezone.timedelta(minutes=quiz.time_limit_minutes) if quiz.time_limit_minutes else None
    try:
        with transaction.atomic():
            attempt = QuizAttempt.objects.create(
                user=user,
                quiz=quiz,
                number=len(attempts) + 1,
                started_at=now,
                deadline=deadline,
                pass_mark=quiz.pass_mark,
            )
    except IntegrityError:
        return QuizAttempt.objects.get(user=user, quiz=quiz, status=QuizAttempt.IN_PROGRESS), False
    AttemptQuestion.objects.bulk_create(
        AttemptQuestion(attempt=attempt, position=position, question_key=key, snapshot=snapshot)
        for position, (key, snapshot) in enumerate(drawn, start=1)
    )
    return attempt, True


def _check_answers(questions: list[AttemptQuestion], answers: dict[str, set[str]]) -> None:
    by_key = {question.question_key: question for question in questions}
    for key, selected in answers.items():
        question = by_key.get(key)
        if question is None:
            raise QuizError(
                "unknown_question",
                "Your answers include a question that isn't part of this attempt. Nothing was saved.",
            )
        keys = {choice["key"] for choice in question.snapshot["choices"]}
        if not selected <= keys:
            raise QuizError(
                "unknown_choice",
                f"Question {question.position} received an answer that isn't one of its choices. Nothing was saved.",
            )
        if question.snapshot["kind"] != MULTIPLE and len(selected) > 1:
            raise QuizError(
                "too_many_choices", f"Question {question.position} takes one answer only. Nothing was saved."
            )


@transaction.atomic
def quiz_answers_save(
    *, attempt: QuizAttempt, answers: dict[str, set[str]], now: datetime | None = None
) -> list[AttemptQuestion]:
    """Replace the answers saved in an open attempt with these (question key → choice keys).

    Questions missing from answers are saved as unanswered. Returns the attempt's questions.
    Raises QuizError 'submitted' once the attempt is graded, 'time_up' past its time limit (grade
    it with quiz_attempt_close_if_overdue), and 'unknown_question', 'unknown_choice' or
    'too_many_choices' for answers that don't fit the attempt; nothing is saved then.
    """
    now = now or timezone.now()
    locked = QuizAttempt.objects.select_for_update().get(pk=attempt.pk)
    if not locked.is_open:
        raise QuizError("submitted", "This attempt has already been submitted, so its answers can't change.")
    if _overdue(locked, now):
        raise QuizError("time_up", "The time limit has passed, so these answers weren't saved.")
    return _replace_answers(locked, answers)


def _replace_answers(attempt: QuizAttempt, answers: dict[str, set[str]]) -> list[AttemptQuestion]:
    questions = list(attempt.questions.all())
    _check_answers(questions, answers)
    # By the questions' ids, not a join: inside a long transaction PostgreSQL's planner can't see the new rows and
    # joined the two tables by scanning both, seconds per save once the tables held thousands of rows.
    AttemptAnswer.objects.filter(attempt_question_id__in=[question.pk for question in questions]).delete()
    by_key = {question.question_key: question for question in questions}
    AttemptAnswer.objects.bulk_create(
        AttemptAnswer(attempt_question=by_key[key], choice_key=choice)
        for key, selected in answers.items()
        for choice in sorted(selected)
    )
    return questions


def _grade(attempt: QuizAttempt, now: datetime, *, timed_out: bool) -> None:
    questions = list(attempt.questions.prefetch_related("answers"))
    scores = []
    for question in questions:
        score = quiz_rules.question_score(question.snapshot, {answer.choice_key for answer in question.answers.all()})
        question.score = quiz_rules.rounded_down(score, places=4)
        scores.append(score)
    AttemptQuestion.objects.bulk_update(questions, ["score"])
    percent = quiz_rules.attempt_percent(scores)
    attempt.status = QuizAttempt.SUBMITTED
    attempt.submitted_at = now
    attempt.timed_out = timed_out
    attempt.score = quiz_rules.rounded_down(percent)
    attempt.passed = quiz_rules.passes(percent, attempt.pass_mark)
    attempt.save()
    if attempt.passed:
        progress_recorded_on_commit(user=attempt.user)


def _claim(attempt: QuizAttempt, now: datetime) -> bool:
    """Mark the attempt submitted if it is still open; only one caller ever wins."""
    return bool(
        QuizAttempt.objects.filter(pk=attempt.pk, status=QuizAttempt.IN_PROGRESS).update(
            status=QuizAttempt.SUBMITTED, submitted_at=now
        )
    )


@transaction.atomic
def quiz_attempt_submit(
    *, attempt: QuizAttempt, answers: dict[str, set[str]] | None = None, now: datetime | None = None
) -> tuple[QuizAttempt, bool]:
    """Save these answers (if given) and grade the attempt, under one lock, exactly once.

    Submitting again returns the first grade. Returns (attempt, graded_now). Once the time
    limit is reached, unanswered questions score 0 and the attempt is marked timed out; past the
    grace period the posted answers are ignored and it is graded on those saved before.
    Otherwise raises QuizError('unanswered') listing the questions without an answer, or the
    errors of quiz_answers_save for answers that don't fit; nothing is saved or graded then.
    """
    now = now or timezone.now()
    locked = QuizAttempt.objects.select_for_update().get(pk=attempt.pk)
    if not locked.is_open:
        return locked, False
    if _overdue(locked, now):
        return locked, quiz_attempt_close_if_overdue(attempt=locked, now=now)
    if answers is not None:
        _replace_answers(locked, answers)
    out_of_time = locked.deadline is not None and now >= locked.deadline
    unanswered = (
        []
        if out_of_time
        else list(locked.questions.filter(answers__isnull=True).order_by("position").values_list("position", flat=True))
    )
    if unanswered:
        listed = ", ".join(str(position) for position in unanswered)
        raise QuizError(
            "unanswered",
            f"Please answer every question before you submit. Still to answer: question {listed}.",
            positions=unanswered,
        )
    if not _claim(locked, now):
        return QuizAttempt.objects.get(pk=attempt.pk), False
    _grade(locked, now, timed_out=out_of_time)
    return locked, True


@transaction.atomic
def quiz_attempt_close_if_overdue(*, attempt: QuizAttempt, now: datetime | None = None) -> bool:
    """Grade an open attempt whose time limit has passed, on the answers saved by then.

    Returns True if this call graded it. Unanswered questions score 0.
    """
    now = now or timezone.now()
    if not attempt.is_open or not _overdue(attempt, now):
        return False
    if not _claim(attempt, attempt.deadline):
        return False
    _grade(attempt, attempt.deadline, timed_out=True)
    return True


@transaction.atomic
def quiz_attempt_grant(
    *, user: AbstractBaseUser, quiz: QuizPage, granted_by: AbstractBaseUser, reason: str
) -> QuizAttemptGrant:
    """Give a trainee one more attempt at a quiz, recording who granted it and why.

    Raises QuizError('self_grant') when someone grants themselves an attempt,
    QuizError('no_reason') without a reason, and QuizError('not_needed') while the trainee
    still has attempts left or has passed (so a double click grants one attempt, not two).
    """
    if user.pk == granted_by.pk:
        raise QuizError("self_grant", "You can't grant yourself another attempt; ask another programme admin.")
    if not reason.strip():
        raise QuizError("no_reason", "Give a reason for the extra attempt; it is kept on the trainee's record.")
    submitted = list(QuizAttempt.objects.filter(user=user, quiz=quiz, status=QuizAttempt.SUBMITTED))
    rule = quiz_rules.start_rule(
        submitted=submitted,
        max_attempts=quiz.max_attempts,
        extra_attempts=QuizAttemptGrant.objects.filter(user=user, quiz=quiz).count(),
        wait_hours=0,
        now=timezone.now(),
    )
    if rule.code != "out_of_attempts":
        raise QuizError("not_needed", "This trainee can still take the quiz, so no extra attempt is needed.")
    return QuizAttemptGrant.objects.create(user=user, quiz=quiz, granted_by=granted_by, reason=reason.strip())


@transaction.atomic
def lesson_count_as_done_for_finishers(*, lesson: LessonPage) -> int:
    """Record a newly published lesson as completed for everyone who had finished the rest of its course,
    so they keep their 100%. Returns how many people that was."""
    finishers = course_finisher_ids(course_path=_course_path(lesson), excluding_lesson_id=lesson.id)
    LessonCompletion.objects.bulk_create(
        [LessonCompletion(user_id=user_id, lesson=lesson) for user_id in finishers], ignore_conflicts=True
    )
    home_changed(*finishers)  # bulk_create sends no signal
    return len(finishers)


@transaction.atomic
def module_minutes_recalculate(*, module_path: str) -> int | None:
    """Set a module's estimated minutes to the sum of its live lessons' minutes; returns the new total.

    A module without live lessons keeps the minutes it has (and None is returned).
    """
    lessons = LessonPage.objects.live().filter(path__startswith=module_path, depth=len(module_path) // Page.steplen + 1)
    total = lessons.aggregate(total=Sum("estimated_minutes"))["total"]
    if total is None:
        return None
    ModulePage.objects.filter(path=module_path).update(estimated_minutes=total)
    return total
