"""Views for enrolment, lesson completion and quizzes."""

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.views.decorators.http import require_http_methods, require_POST

from courses import quiz_rules
from courses.access import request_may_view
from courses.attempt_display import attempt_questions
from courses.forms import answers_from_post
from courses.models import CoursePage, LessonPage, QuizAttempt, QuizPage
from courses.navigation import lesson_navigation
from courses.selectors import (
    attempt_tally,
    course_progress_for_user,
    quiz_overview,
)
from courses.services import (
    CourseError,
    QuizError,
    enrolment_create,
    lesson_complete,
    quiz_answers_save,
    quiz_attempt_close_if_overdue,
    quiz_attempt_start,
    quiz_attempt_submit,
)
from lms.access import signed_in


@signed_in
@require_POST
def enrol(request, course_id: int):
    """Enrol the signed-in user in a course, then send them back to the course page."""
    course = get_object_or_404(CoursePage.objects.live(), pk=course_id)
    if not request_may_view(course, request):
        raise Http404
    try:
        _, created = enrolment_create(user=request.user, course=course)
    except CourseError as error:
        messages.error(request, error.message)
        return redirect(course.get_url(request=request))
    if created:
        messages.success(request, f"You're enrolled in {course.title}. Welcome!")
    else:
        messages.info(request, f"You're already enrolled in {course.title}.")
    return redirect(course.get_url(request=request))


@signed_in
@require_POST
def complete_lesson(request, lesson_id: int):
    """Mark a lesson complete for the signed-in user, then go on to the next lesson in the course."""
    lesson = get_object_or_404(LessonPage.objects.live(), pk=lesson_id)
    if not request_may_view(lesson, request):
        raise Http404
    try:
        lesson_complete(user=request.user, lesson=lesson)
    except CourseError as error:
        messages.error(request, error.message)
        return redirect(lesson.get_url(request=request))
    navigation = lesson_navigation(user=request.user, lesson=lesson, request=request)
    messages.success(request, f"“{lesson.title}” marked complete.")
    if navigation["next_lesson"]:
        return redirect(navigation["next_lesson"].url)
    course_progress = course_progress_for_user(user=request.user, course=navigation["course"], request=request)
    next_in_course = course_progress.next_step_after(lesson)
    if next_in_course:
        return redirect(next_in_course.url)
    return redirect(course_progress.url)


@signed_in
@require_POST
def quiz_start(request, quiz_id: int):
    """Start an attempt at a quiz (or resume the open one), then show its questions."""
    quiz = get_object_or_404(QuizPage.objects.live(), pk=quiz_id)
    if not request_may_view(quiz, request):
        raise Http404
    try:
        attempt, created = quiz_attempt_start(user=request.user, quiz=quiz)
    except QuizError as error:
        messages.error(request, error.message)
        return redirect(quiz.get_url(request=request))
    if not created:
        messages.info(request, "You already have an attempt in progress. Carry on where you left off.")
    return redirect("quiz_attempt", attempt_id=attempt.id)


def _own_attempt(request, attempt_id: int) -> QuizAttempt:
    """The signed-in user's attempt with this id; anyone else's is a 404."""
    return get_object_or_404(QuizAttempt.objects.select_related("quiz"), pk=attempt_id, user=request.user)


def _is_autosave(request) -> bool:
    return request.headers.get("X-Quiz-Autosave") == "1"


def _render_attempt(request, attempt: QuizAttempt, *, error: QuizError | None = None, selected=None, status=200):
    questions = attempt_questions(attempt=attempt, with_key=False, selected=selected)
    unanswered = set(error.positions) if error else set()
    for question in questions:
        question.missing = question.position in unanswered
    seconds_left = None
    if attempt.deadline is not None:
        seconds_left = max(0, int((attempt.deadline - timezone.now()).total_seconds()))
    context = {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "questions": questions,
        "error": error,
        "seconds_left": seconds_left,
    }
    return render(request, "courses/quiz_attempt.html", context, status=status)


@signed_in
@require_http_methods(["GET", "POST"])
def attempt_take(request, attempt_id: int):
    """Show an open attempt's questions; save the answers, or save and submit them for grading."""
    attempt = _own_attempt(request, attempt_id)
    autosave = _is_autosave(request)
    quiz_attempt_close_if_overdue(attempt=attempt)
    if not attempt.is_open:
        if autosave:
            return JsonResponse({"error": "This attempt is finished.", "redirect": _result_url(attempt)}, status=409)
        return redirect("quiz_attempt_result", attempt_id=attempt.id)
    if request.method == "GET":
        return _render_attempt(request, attempt)
    answers = answers_from_post(request.POST)
    if autosave or request.POST.get("action") != "submit":
        return _save(request, attempt, answers, autosave=autosave)
    try:
        quiz_attempt_submit(attempt=attempt, answers=answers)
    except QuizError as error:
        if error.code != "unanswered":
            return _render_attempt(request, attempt, error=error, status=400)
        quiz_answers_save(attempt=attempt, answers=answers)
        if request.POST.get("timer") == "expired":
            # The browser's countdown ended a moment before the server's: keep going.
            return _render_attempt(request, attempt)
        return _render_attempt(request, attempt, error=error, selected=answers, status=400)
    return redirect("quiz_attempt_result", attempt_id=attempt.id)


def _save(request, attempt: QuizAttempt, answers: dict, *, autosave: bool):
    try:
        quiz_answers_save(attempt=attempt, answers=answers)
    except QuizError as error:
        if error.code in ("submitted", "time_up"):
            quiz_attempt_close_if_overdue(attempt=attempt)
            if autosave:
                return JsonResponse({"error": error.message, "redirect": _result_url(attempt)}, status=409)
            return redirect("quiz_attempt_result", attempt_id=attempt.id)
        if autosave:
            return JsonResponse({"error": error.message}, status=400)
        return _render_attempt(request, attempt, error=error, status=400)
    if autosave:
        return JsonResponse({"saved_at": time_format(timezone.localtime(), "H:i")})
    messages.success(request, "Your answers are saved. Come back any time to finish this attempt.")
    return redirect(attempt.quiz.get_url(request=request))


def _result_url(attempt: QuizAttempt) -> str:
    return reverse("quiz_attempt_result", kwargs={"attempt_id": attempt.id})


@signed_in
def attempt_result(request, attempt_id: int):
    """A submitted attempt's score and, as the quiz allows, which answers were wrong and why."""
    attempt = _own_attempt(request, attempt_id)
    quiz_attempt_close_if_overdue(attempt=attempt)
    if attempt.is_open:
        return redirect("quiz_attempt", attempt_id=attempt.id)
    quiz = attempt.quiz
    overview = quiz_overview(user=request.user, quiz=quiz, request=request)
    review = quiz_rules.review_shown(
        review_mode=quiz.review_mode, quiz_passed=overview["passed"], attempts_left=overview["attempts_left"]
    )
    questions = (
        []
        if review == QuizPage.REVIEW_SCORE
        else attempt_questions(
            attempt=attempt,
            with_key=review == QuizPage.REVIEW_FULL,
            own_rationale=review == quiz_rules.OWN_ANSWERS,
        )
    )
    context = {
        "attempt": attempt,
        "quiz": quiz,
        "review": review,
        "questions": questions,
        "tally": attempt_tally(attempt),
        "overview": overview,
    }
    return render(request, "courses/quiz_result.html", context)
