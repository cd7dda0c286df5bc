"""Views for enrolment, lesson completion and the trainee dashboard."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from courses.access import request_may_view
from courses.models import CoursePage, LessonPage
from courses.selectors import course_progress_for_user, dashboard_progress, lesson_navigation
from courses.services import CourseError, enrolment_create, lesson_complete
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
        return redirect(course.url)
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
    next_in_course = course_progress.next_lesson_after(lesson)
    if next_in_course:
        return redirect(next_in_course.url)
    return redirect(course_progress.url)


@signed_in
def dashboard(request):
    """The signed-in user's courses with progress and where to continue."""
    return render(
        request, "courses/dashboard.html", {"courses": dashboard_progress(user=request.user, request=request)}
    )
