"""Wagtail admin registration: enrolments, quiz reports, and a guard against deleting quizzes with attempts."""

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.models import Page
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

import lms.ids  # noqa: F401 (registers the <id:…> path converter the URLs below use)
from courses.admin_views import VIEW_REPORTS, QuizAttemptGrantView, QuizReportDetailView, QuizReportIndexView
from courses.models import Enrolment, QuizAttempt


class EnrolmentViewSet(SnippetViewSet):
    """Enrolments, read in the admin by programme admins."""

    model = Enrolment
    icon = "user"
    menu_label = "Enrolments"
    list_display = ["user", "course", "enrolled_at"]
    list_filter = ["course"]
    add_to_admin_menu = True
    menu_order = 310
    inspect_view_enabled = True


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
