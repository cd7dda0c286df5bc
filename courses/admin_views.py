"""Wagtail admin views for quiz reports and granting extra attempts (programme admins)."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView, View
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from courses.models import QuizPage
from courses.reports import (
    question_stats,
    question_stats_csv,
    quiz_report_csv,
    quiz_report_rows,
    trainees_out_of_attempts,
)
from courses.services import QuizError, quiz_attempt_grant
from lms.ids import MAX_ID
from lms.names import display_name

VIEW_REPORTS = "courses.view_quizattempt"
GRANT_ATTEMPTS = "courses.add_quizattemptgrant"


def _csv_response(text: str, name: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{timezone.localdate():%Y-%m-%d}.csv"'
    return response


class ReportPermissionMixin:
    """Only users who may read quiz attempts (programme admins) may use these views."""

    permission = VIEW_REPORTS
    access_rule = "Wagtail admin: courses.view_quizattempt (programme admins)"

    def dispatch(self, request, *args, **kwargs):
        """Refuse users without the permission."""
        if not request.user.has_perm(self.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class QuizReportIndexView(ReportPermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    """Every quiz with its pass rate and mean score; ?export=csv downloads the table."""

    page_title = "Quiz reports"
    header_icon = "help"
    template_name = "courses/admin/quiz_report_index.html"

    def get(self, request, *args, **kwargs):
        """Show the table, or download it as CSV."""
        rows = quiz_report_rows()
        if request.GET.get("export") == "csv":
            return _csv_response(quiz_report_csv(rows), "quiz-report")
        return self.render_to_response(self.get_context_data(rows=rows))

    def get_breadcrumbs_items(self):
        """Home › Quiz reports."""
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]


class QuizReportDetailView(ReportPermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    """One quiz: per question, the share answered correctly and how often each choice was picked."""

    header_icon = "help"
    template_name = "courses/admin/quiz_report_detail.html"

    def get(self, request, quiz_id: int, *args, **kwargs):
        """Show the question table, or download it as CSV."""
        self.quiz = get_object_or_404(QuizPage, pk=quiz_id)
        stats = question_stats(self.quiz)
        if request.GET.get("export") == "csv":
            return _csv_response(question_stats_csv(stats), f"quiz-{self.quiz.slug}-{self.quiz.id}-questions")
        context = self.get_context_data(
            quiz=self.quiz,
            stats=stats,
            out_of_attempts=trainees_out_of_attempts(self.quiz),
            may_grant=request.user.has_perm(GRANT_ATTEMPTS),
        )
        return self.render_to_response(context)

    def get_page_title(self):
        """The quiz's title."""
        return self.quiz.title

    def get_breadcrumbs_items(self):
        """Home › Quiz reports › this quiz."""
        return [
            *self.breadcrumbs_items,
            {"url": reverse("courses_quiz_reports"), "label": "Quiz reports"},
            {"url": "", "label": self.quiz.title},
        ]


class QuizAttemptGrantView(ReportPermissionMixin, View):
    """Grant a trainee one more attempt at a quiz (POST, with a reason)."""

    permission = GRANT_ATTEMPTS
    access_rule = "Wagtail admin: courses.add_quizattemptgrant (programme admins)"
    http_method_names = ["post"]

    def post(self, request, quiz_id: int):
        """Record the grant through the service and go back to the quiz report."""
        quiz = get_object_or_404(QuizPage, pk=quiz_id)
        form = GrantForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
            return redirect("courses_quiz_report", quiz_id=quiz.id)
        trainee = get_object_or_404(get_user_model(), pk=form.cleaned_data["user"])
        try:
            quiz_attempt_grant(user=trainee, quiz=quiz, granted_by=request.user, reason=form.cleaned_data["reason"])
        except QuizError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"{display_name(trainee)} can now take one more attempt at “{quiz.title}”.")
        return redirect("courses_quiz_report", quiz_id=quiz.id)


class GrantForm(forms.Form):
    """Who gets another attempt, and why."""

    user = forms.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        error_messages=dict.fromkeys(("invalid", "min_value", "max_value"), "Choose a trainee from the list."),
    )
    reason = forms.CharField(
        max_length=500,
        strip=True,
        error_messages={"required": "Give a reason for the extra attempt; it is kept on the trainee's record."},
    )
