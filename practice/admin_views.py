"""Wagtail admin views: reopening an approved practice entry, and answering trainees' requests for a supervisor."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from lms.names import display_name
from lms.roles import PROGRAMME_ADMIN, has_role
from practice.admin_forms import SupervisorRequestAssignForm, SupervisorRequestCloseForm
from practice.forms import ReopenForm
from practice.models import Organisation, PracticeEntry, SupervisorRequest
from practice.selectors import open_supervisor_requests, supervisors_matching
from practice.services import PracticeError, entry_reopen
from practice.supervision import supervisor_request_assign, supervisor_request_close

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


class ProgrammeAdminMixin:
    """Only programme admins may use these views."""

    access_rule = "Wagtail admin: programme admins"

    def dispatch(self, request, *args, **kwargs):
        """Refuse anyone but programme admins."""
        if not has_role(request.user, PROGRAMME_ADMIN):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class SupervisorRequestListView(ProgrammeAdminMixin, WagtailAdminTemplateMixin, TemplateView):
    """Trainees' open requests for a supervisor, oldest first."""

    page_title = "Supervisor requests"
    header_icon = "group"
    template_name = "practice/admin/supervisor_requests.html"

    def get_context_data(self, **kwargs):
        """The open requests."""
        return super().get_context_data(requests=list(open_supervisor_requests()), **kwargs)


class SupervisorRequestAssignView(ProgrammeAdminMixin, WagtailAdminTemplateMixin, TemplateView):
    """One request: search supervisors by name or email, then assign one at a placement, or close the request."""

    page_title = "Assign a supervisor"
    header_icon = "group"
    template_name = "practice/admin/supervisor_request_assign.html"

    def setup(self, request, *args, **kwargs):
        """Find the request (open or not, so a second admin sees it was dealt with)."""
        super().setup(request, *args, **kwargs)
        self.supervisor_request = get_object_or_404(
            SupervisorRequest.objects.select_related("trainee"), pk=kwargs["request_id"]
        )

    def _search(self) -> str:
        if "q" in self.request.GET:
            return self.request.GET["q"].strip()[:100]
        req = self.supervisor_request
        return req.supervisor_email or req.supervisor_name

    def _forms(self, data=None, action=""):
        search = self._search()
        supervisors = supervisors_matching(search=search)
        req = self.supervisor_request
        known = (
            Organisation.objects.filter(name__iexact=req.placement, is_active=True).first() if req.placement else None
        )
        initial = {"organisation": known, "new_organisation_name": "" if known else req.placement}
        if len(supervisors) == 1:
            initial["supervisor"] = supervisors[0].pk
        assign = SupervisorRequestAssignForm(
            data if action == "assign" else None, supervisors=supervisors, initial=initial
        )
        close = SupervisorRequestCloseForm(data if action == "close" else None)
        return search, supervisors, assign, close

    def get_context_data(self, **kwargs):
        """The request, the search and its results, and both forms."""
        search, supervisors, assign, close = kwargs.pop("forms", None) or self._forms()
        return super().get_context_data(
            supervisor_request=self.supervisor_request,
            search=search,
            supervisors=supervisors,
            assign_form=assign,
            close_form=close,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        """Assign the chosen supervisor, or close the request, through the services."""
        action = request.POST.get("action", "")
        forms = self._forms(request.POST, action)
        _, _, assign, close = forms
        form = assign if action == "assign" else close
        if form.is_valid():
            try:
                if action == "assign":
                    data = assign.cleaned_data
                    assignment = supervisor_request_assign(
                        admin=request.user,
                        request_id=self.supervisor_request.pk,
                        supervisor=data["supervisor"],
                        starts_on=data["starts_on"],
                        organisation=data["organisation"],
                        new_organisation_name=data["new_organisation_name"],
                    )
                    messages.success(
                        request,
                        f"{display_name(assignment.supervisor)} now supervises {display_name(assignment.trainee)} "
                        f"at {assignment.organisation}. Both have been emailed.",
                    )
                else:
                    supervisor_request_close(
                        admin=request.user, request_id=self.supervisor_request.pk, note=close.cleaned_data["note"]
                    )
                    messages.success(request, "Request closed. The trainee has been emailed why.")
            except PracticeError as error:
                form.add_error(None, error.message)
            else:
                return redirect(reverse("practice_supervisor_requests"))
        return self.render_to_response(self.get_context_data(forms=forms))
