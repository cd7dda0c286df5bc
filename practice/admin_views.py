"""Wagtail admin view for reopening an approved practice entry (programme admins)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import FormView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from practice.forms import ReopenForm
from practice.models import PracticeEntry
from practice.services import PracticeError, entry_reopen

REOPEN = "practice.reopen_practiceentry"


class EntryReopenView(WagtailAdminTemplateMixin, FormView):
    """Ask for a reason, then reopen an approved entry so the trainee can correct it."""

    access_rule = "Wagtail admin: practice.reopen_practiceentry (programme admins)"
    page_title = "Reopen an approved entry"
    header_icon = "lock-open"
    template_name = "practice/admin/entry_reopen.html"
    form_class = ReopenForm

    def dispatch(self, request, *args, **kwargs):
        """Refuse users without the permission; find the entry."""
        if not request.user.has_perm(REOPEN):
            raise PermissionDenied
        self.entry = get_object_or_404(
            PracticeEntry.objects.select_related("trainee", "assignment__organisation", "attestation"),
            pk=kwargs["entry_id"],
        )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        """Show the entry being reopened."""
        return super().get_context_data(entry=self.entry, **kwargs)

    def form_valid(self, form):
        """Reopen through the service; show its refusal on the form."""
        try:
            entry_reopen(admin=self.request.user, entry_id=self.entry.pk, reason=form.cleaned_data["reason"])
        except PracticeError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, f"Reopened: {self.entry}. The trainee has been emailed.")
        return redirect(reverse("wagtailsnippets_practice_practiceentry:list"))
