"""Wagtail admin registration: enrolments, quiz reports, a guard against deleting quizzes with attempts, a warning
about quizzes whose attempts repeat, and the question a new lesson's first publish asks about people who finished."""

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.models import Page
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

import lms.ids  # noqa: F401 (registers the <id:…> path converter the URLs below use)
from courses.admin_views import VIEW_REPORTS, QuizAttemptGrantView, QuizReportDetailView, QuizReportIndexView
from courses.finishers import course_finisher_ids
from courses.models import Enrolment, LessonPage, QuizAttempt, QuizPage
from courses.publishing import is_first_publish
from lms.admin_people import PeopleByNameInspectView
from lms.names import display_name
from lms.page_tree import page_tree_changed


class EnrolmentViewSet(SnippetViewSet):
    """Enrolments, read in the admin by programme admins."""

    model = Enrolment
    icon = "user"
    menu_label = "Enrolments"
    list_display = [
        Column("person", label="Person", accessor=lambda enrolment: display_name(enrolment.user)),
        "course",
        "enrolled_at",
    ]
    list_filter = ["course"]
    add_to_admin_menu = True
    menu_order = 310
    inspect_view_enabled = True
    inspect_view_class = PeopleByNameInspectView

    def get_queryset(self, request):
        """Enrolments with their person and course, so the list costs the same for any number of rows."""
        return Enrolment.objects.select_related("user", "course")


register_snippet(EnrolmentViewSet)


@hooks.register("register_admin_urls")
def quiz_report_urls():
    """Mount the quiz reports under /admin/reports/quizzes/."""
    return [
        path("reports/quizzes/", QuizReportIndexView.as_view(), name="courses_quiz_reports"),
        path("reports/quizzes/<id:quiz_id>/", QuizReportDetailView.as_view(), name="courses_quiz_report"),
        path("reports/quizzes/<id:quiz_id>/grant/", QuizAttemptGrantView.as_view(), name="courses_quiz_grant"),
    ]


class QuizReportsMenuItem(MenuItem):
    """The Reports › Quizzes menu entry, shown to those who may read quiz attempts."""

    def is_shown(self, request):
        """Show it to programme admins only."""
        return request.user.has_perm(VIEW_REPORTS)


@hooks.register("register_reports_menu_item")
def quiz_reports_menu_item():
    """Add Quizzes to the Reports menu."""
    return QuizReportsMenuItem("Quizzes", reverse("courses_quiz_reports"), name="quizzes", icon_name="help", order=50)


def _attempts_under(pages) -> int:
    paths = Q()
    for page in pages:
        paths |= Q(quiz__path__startswith=page.path)
    return QuizAttempt.objects.filter(paths).count() if paths else 0


def _refuse_deletion(request, title: str, attempts: int, parent_id: int):
    messages.error(
        request,
        f"“{title}” can't be deleted: trainees have made {attempts} quiz attempt(s) here, and they are part of "
        "their records. Unpublish it instead.",
    )
    return redirect("wagtailadmin_explore", parent_id)


@hooks.register("before_delete_page")
def keep_quizzes_with_attempts(request, page):
    """Refuse to delete a quiz (or a module or course holding one) that trainees have attempted."""
    attempts = _attempts_under([page])
    if attempts:
        return _refuse_deletion(request, page.title, attempts, page.get_parent().id)
    return None


@hooks.register("before_bulk_action")
def keep_quizzes_with_attempts_in_bulk(request, action_type, objects, action_class_instance):
    """The same rule for the page explorer's bulk delete."""
    pages = [obj for obj in objects if isinstance(obj, Page)]
    if action_type != "delete" or not pages:
        return None
    attempts = _attempts_under(pages)
    if attempts:
        titles = ", ".join(page.title for page in pages[:3]) + ("…" if len(pages) > 3 else "")
        return _refuse_deletion(request, titles, attempts, pages[0].get_parent().id)
    return None


def repeating_quiz_warning(page: QuizPage) -> str:
    """The editor's warning for a quiz whose every attempt asks the whole pool (empty when it doesn't)."""
    if not page.attempts_repeat_the_pool:
        return ""
    pool = len(page.questions)
    return (
        f"“{page.title}”: every attempt asks all {pool} question{'s' if pool != 1 else ''} in the pool, so a second "
        "attempt repeats the first one's questions. Add more questions than “Questions per attempt” draws, so that "
        "a new attempt is a fresh check. (Until someone passes or uses their last attempt, their review shows the "
        "reasoning for their own answers, never the correct ones.)"
    )


def _warn_about_repeating_quiz(request, page) -> None:
    if isinstance(page, QuizPage) and request.accepts("text/html"):
        warning = repeating_quiz_warning(page)
        if warning:
            messages.warning(request, warning)


@hooks.register("before_edit_page")
def warn_on_opening_a_repeating_quiz(request, page):
    """Warn an editor who opens a quiz whose attempts repeat the whole pool."""
    if request.method == "GET":
        _warn_about_repeating_quiz(request, page)


@hooks.register("after_edit_page")
def warn_on_saving_a_repeating_quiz(request, page):
    """Warn an editor who saves such a quiz."""
    _warn_about_repeating_quiz(request, page)


@hooks.register("after_create_page")
def warn_on_creating_a_repeating_quiz(request, page):
    """Warn an editor who creates such a quiz."""
    _warn_about_repeating_quiz(request, page)


def _course_of(lesson: LessonPage) -> Page:
    return Page.objects.get(path=lesson.path[: -2 * Page.steplen])


@hooks.register("before_publish_page")
def ask_about_people_who_finished(request, page):
    """Before a new lesson is first published in a course people have finished, make the editor choose whether
    it counts as done for them; the changes stay saved as a draft meanwhile."""
    if not isinstance(page, LessonPage) or page.first_published_at is not None or page.for_finishers:
        return None
    course = _course_of(page)
    finishers = len(course_finisher_ids(course_path=course.path, excluding_lesson_id=page.id))
    if not finishers:
        return None
    people = "1 person has" if finishers == 1 else f"{finishers} people have"
    messages.warning(
        request,
        f"{people} already finished “{course.title}”. Before “{page.title}” is published, choose under "
        "“People who have already finished this course” whether it counts as done for them. "
        "Your changes are saved as a draft.",
    )
    if page.live:
        # The create view adds a new page live and publishes it afterwards: keep it a draft instead.
        Page.objects.filter(pk=page.pk).update(live=False, has_unpublished_changes=True)
        page_tree_changed()  # an update() sends no signal: the kept page tree must drop the page itself
    return redirect("wagtailadmin_pages:edit", page.id)


@hooks.register("after_publish_page")
def say_who_the_new_lesson_counts_for(request, page):
    """Tell the editor how many people a new lesson was counted as done for."""
    if isinstance(page, LessonPage) and is_first_publish(page) and page.for_finishers == LessonPage.COUNT_AS_DONE:
        counted = page.completions.count()
        if counted:
            people = "the 1 person" if counted == 1 else f"the {counted} people"
            messages.info(request, f"“{page.title}” counts as done for {people} who had already finished the course.")
