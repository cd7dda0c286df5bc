"""Wagtail admin views for certificates: inspecting one and changing its status (a programme's ZIP: admin_zip)."""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import FormView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.admin.widgets import Button
from wagtail.snippets.views.snippets import InspectView

from certificates.models import Certificate
from certificates.service_base import CertificateError
from certificates.services import certificate_render_retry
from certificates.status_changes import (
    certificate_reinstate,
    certificate_reissue,
    certificate_revoke,
    certificate_suspend,
)
from content.models import CompetencyDomain
from lms.names import display_name
from lms.roles import PROGRAMME_ADMIN, has_role
from practice.models import PracticeEntry

ACCESS_RULE = "Wagtail admin: programme admins (superusers count)"
CERTIFICATES_LIST = "wagtailsnippets_certificates_certificate:list"
CERTIFICATE_INSPECT = "wagtailsnippets_certificates_certificate:inspect"
PROGRAMMES_LIST = "wagtailsnippets_certificates_programme:list"
State = Certificate.State
RETRY = "certificates_admin_render_retry"


def inspect_url(certificate: Certificate) -> str:
    """The certificate's page in the admin."""
    return reverse(CERTIFICATE_INSPECT, args=[certificate.pk])


def is_programme_admin(user) -> bool:
    """Whether the user may change certificates (superusers count)."""
    return user.is_authenticated and has_role(user, PROGRAMME_ADMIN)


# What can be done to a certificate in its current state ------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """One status action offered on a certificate: its URL name, button label, icon, and when it applies."""

    url_name: str
    label: str
    icon: str
    applies: Callable[[Certificate], bool]
    priority: int

    def url(self, certificate: Certificate) -> str:
        """The action's confirmation page for the certificate."""
        return reverse(self.url_name, args=[certificate.pk])


ACTIONS = (
    Action("certificates_admin_suspend", "Suspend", "lock", lambda c: c.state == State.VALID, 110),
    Action("certificates_admin_reinstate", "Reinstate", "lock-open", lambda c: c.state == State.SUSPENDED, 120),
    Action("certificates_admin_reissue", "Reissue", "copy", lambda c: c.status == State.VALID, 130),
    Action("certificates_admin_revoke", "Revoke", "cross", lambda c: c.state in (State.VALID, State.SUSPENDED), 140),
    Action(RETRY, "Retry rendering", "rotate", lambda c: c.rendering != Certificate.Rendering.READY, 150),
)


def actions_for(certificate: Certificate) -> list[Action]:
    """The actions that apply to the certificate as it stands (the services remain the final judge)."""
    return [action for action in ACTIONS if action.applies(certificate)]


def action_buttons(certificate: Certificate, user) -> list[Button]:
    """Dropdown buttons for the actions that apply, for programme admins only."""
    if not is_programme_admin(user):
        return []
    return [
        Button(action.label, action.url(certificate), icon_name=action.icon, priority=action.priority)
        for action in actions_for(certificate)
    ]


# Inspecting a certificate -------------------------------------------------------------------------------------


def _evidence_context(evidence: dict) -> dict:
    """The evidence snapshot arranged for reading: hours, quizzes, requirements, and anything else it holds."""
    evidence = dict(evidence or {})
    hours = dict(evidence.pop("hours", None) or {})
    domains = dict(CompetencyDomain.objects.values_list("slug", "name"))
    activities = dict(PracticeEntry.ActivityType.choices)
    totals = [
        (label, hours.pop(key))
        for key, label in (("practice", "Practice"), ("direct", "Direct"), ("supervision", "Supervision"))
        if key in hours
    ]
    by_domain = [(domains.get(slug, slug), value) for slug, value in (hours.pop("by_domain", None) or {}).items()]
    by_activity = [
        (activities.get(kind, kind), value) for kind, value in (hours.pop("by_activity", None) or {}).items()
    ]
    checked_on = evidence.pop("checked_on", None)
    hours_since = evidence.pop("hours_since", None)
    quizzes = evidence.pop("quizzes", None) or []
    requirements = evidence.pop("requirements", None) or []
    labels = {
        "renews": "Renews",
        "continuing_education": "Continuing education",
        "reissues": "Reissues",
        "reissue_reason": "Reason for reissue",
    }
    other = [(labels.get(key, key.replace("_", " ").capitalize()), value) for key, value in evidence.items()]
    other += [(key.replace("_", " ").capitalize(), value) for key, value in hours.items()]
    return {
        "checked_on": checked_on,
        "hours_since": hours_since,
        "totals": totals,
        "by_domain": by_domain,
        "by_activity": by_activity,
        "quizzes": quizzes,
        "requirements": requirements,
        "other": other,
        "empty": not (checked_on or totals or by_domain or by_activity or quizzes or requirements or other),
    }


def _history(certificate: Certificate) -> list[dict]:
    """Each recorded change, newest first: when, who, what was recorded and the state it left."""
    records = certificate.history.select_related("history_user").order_by("-history_date", "-history_id")
    return [
        {
            "when": record.history_date,
            "who": display_name(record.history_user) if record.history_user else "System",
            "reason": record.history_change_reason
            or {"+": "Created", "~": "Changed", "-": "Deleted"}.get(record.history_type, ""),
            "state": State(record.state).label if record.state in State.values else record.state,
            "rendering": Certificate.Rendering(record.rendering).label
            if record.rendering in Certificate.Rendering.values
            else record.rendering,
        }
        for record in records
    ]


class CertificateInspectView(InspectView):
    """One certificate: status and reason, what it replaces, its PDFs, its evidence and its history."""

    def get_object(self, queryset=None):
        """Join the programme, the holder and the neighbouring certificates."""
        return get_object_or_404(
            Certificate.objects.select_related("programme", "holder", "replaces", "replaced_by"), pk=self.pk
        )

    @cached_property
    def header_more_buttons(self):
        """The actions that apply now."""
        return action_buttons(self.object, self.request.user)

    def get_context_data(self, **kwargs):
        """Add the readable evidence, the history, the stored files and the actions that apply."""
        certificate = self.object
        actions = actions_for(certificate) if is_programme_admin(self.request.user) else []
        retry = next((action for action in actions if action.url_name == RETRY), None)
        return super().get_context_data(
            certificate=certificate,
            replaced_by=getattr(certificate, "replaced_by", None),
            evidence=_evidence_context(certificate.evidence),
            history=_history(certificate),
            files=certificate.files.order_by("paper"),
            actions=[(action, action.url(certificate)) for action in actions],
            retry_url=retry.url(certificate) if retry else "",
            **kwargs,
        )


# Confirming a status change -----------------------------------------------------------------------------------


class ReasonForm(forms.Form):
    """A required reason, kept with the certificate."""

    reason = forms.CharField(max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class OptionalReasonForm(forms.Form):
    """An optional note for the history."""

    reason = forms.CharField(
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional. Kept in the certificate's history, which the holder receives if they download their data.",
    )


class ReissueForm(forms.Form):
    """The corrected name and the reason for reissuing."""

    holder_name = forms.CharField(
        label="Name as it should appear",
        max_length=300,
        help_text="Printed on the new certificate and shown to anyone who checks it.",
    )
    reason = forms.CharField(
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Anyone who checks the old number sees it, with the new number.",
    )


class ConfirmForm(forms.Form):
    """No fields: the button is the confirmation."""


ERROR_FIELDS = {"reason_required": "reason", "name_required": "holder_name", "name_invalid": "holder_name"}


class CertificateActionView(WagtailAdminTemplateMixin, FormView):
    """Show what an action will do to a certificate, and do it through the service once confirmed."""

    access_rule = ACCESS_RULE
    action_name = ""
    reason_help = ""

    def dispatch(self, request, *args, **kwargs):
        """Refuse anyone but programme admins; find the certificate."""
        if not is_programme_admin(request.user):
            raise PermissionDenied
        self.certificate = get_object_or_404(
            Certificate.objects.select_related("programme", "holder", "replaces", "replaced_by"),
            pk=kwargs["certificate_id"],
        )
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def action(self) -> Action:
        """This view's entry in ACTIONS."""
        return next(action for action in ACTIONS if action.url_name == self.action_name)

    def get_page_subtitle(self):
        """The certificate number."""
        return self.certificate.number

    def get_breadcrumbs_items(self):
        """Home › Certificates › the certificate › this action."""
        return [
            *self.breadcrumbs_items,
            {"url": reverse(CERTIFICATES_LIST), "label": "Certificates"},
            {"url": inspect_url(self.certificate), "label": self.certificate.number},
            {"url": "", "label": self.page_title},
        ]

    def get_form(self, form_class=None):
        """Put this action's help under the reason field."""
        form = super().get_form(form_class)
        if self.reason_help and "reason" in form.fields:
            form.fields["reason"].help_text = self.reason_help
        return form

    def get_context_data(self, **kwargs):
        """Show the certificate, its holder and whether the action applies now."""
        certificate = self.certificate
        return super().get_context_data(
            certificate=certificate,
            holder=certificate.holder,
            applies=self.action.applies(certificate),
            inspect_url=inspect_url(certificate),
            button_label=self.action.label,
            today=timezone.localdate(),
            **kwargs,
        )

    def perform(self, data: dict) -> Certificate:
        """Call the service; returns the certificate to show next."""
        raise NotImplementedError

    def success_message(self, result: Certificate) -> str:
        """What to tell the admin once it's done."""
        raise NotImplementedError

    def form_valid(self, form):
        """Do it through the service; show a refusal on the form, keeping what was typed."""
        try:
            result = self.perform(form.cleaned_data)
        except CertificateError as error:
            field = ERROR_FIELDS.get(error.code)
            form.add_error(field if field in form.fields else None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message(result))
        return redirect(inspect_url(result))


class CertificateSuspendView(CertificateActionView):
    """Suspend a valid certificate, with a reason."""

    action_name = "certificates_admin_suspend"
    page_title = "Suspend a certificate"
    header_icon = "lock"
    template_name = "certificates/admin/certificate_suspend.html"
    form_class = ReasonForm
    reason_help = "The holder is emailed this reason, and anyone who checks the certificate sees it."

    def perform(self, data):
        """Suspend it."""
        return certificate_suspend(by=self.request.user, certificate=self.certificate, reason=data["reason"])

    def success_message(self, result):
        """Suspended."""
        return f"Suspended {result.number}. {result.holder_name} has been emailed."


class CertificateReinstateView(CertificateActionView):
    """Lift a suspension."""

    action_name = "certificates_admin_reinstate"
    page_title = "Reinstate a certificate"
    header_icon = "lock-open"
    template_name = "certificates/admin/certificate_reinstate.html"
    form_class = OptionalReasonForm

    def perform(self, data):
        """Reinstate it."""
        return certificate_reinstate(by=self.request.user, certificate=self.certificate, reason=data["reason"])

    def success_message(self, result):
        """Reinstated."""
        return (
            f"Reinstated {result.number}; it now shows as {result.status_label.lower()}. "
            f"{result.holder_name} has been emailed."
        )


class CertificateRevokeView(CertificateActionView):
    """Revoke a certificate for good, with a reason."""

    action_name = "certificates_admin_revoke"
    page_title = "Revoke a certificate"
    header_icon = "cross"
    template_name = "certificates/admin/certificate_revoke.html"
    form_class = ReasonForm
    reason_help = "The holder is emailed this reason, and anyone who checks the certificate sees it, for good."

    def perform(self, data):
        """Revoke it."""
        return certificate_revoke(by=self.request.user, certificate=self.certificate, reason=data["reason"])

    def success_message(self, result):
        """Revoked."""
        return f"Revoked {result.number}. {result.holder_name} has been emailed."


class CertificateReissueView(CertificateActionView):
    """Reissue a valid certificate under a corrected name."""

    action_name = "certificates_admin_reissue"
    page_title = "Reissue a certificate"
    header_icon = "copy"
    template_name = "certificates/admin/certificate_reissue.html"
    form_class = ReissueForm

    def get_initial(self):
        """Start from the holder's current name."""
        return {"holder_name": display_name(self.certificate.holder)}

    def perform(self, data):
        """Reissue it; the new certificate is shown next."""
        return certificate_reissue(
            by=self.request.user, certificate=self.certificate, holder_name=data["holder_name"], reason=data["reason"]
        )

    def success_message(self, result):
        """Reissued."""
        return (
            f"Reissued {self.certificate.number} as {result.number} for {result.holder_name}. "
            "The holder is emailed once the new PDF is ready."
        )


class CertificateRenderRetryView(CertificateActionView):
    """Render a failed certificate's PDFs again."""

    action_name = RETRY
    page_title = "Retry rendering a certificate"
    header_icon = "rotate"
    template_name = "certificates/admin/certificate_render_retry.html"
    form_class = ConfirmForm

    def get_context_data(self, **kwargs):
        """Show which papers are stored already."""
        return super().get_context_data(stored=self.certificate.files.order_by("paper"), **kwargs)

    def perform(self, data):
        """Queue the rendering again."""
        return certificate_render_retry(by=self.request.user, certificate=self.certificate)

    def success_message(self, result):
        """Ready, failed again, or on its way."""
        result.refresh_from_db()
        if result.rendering == Certificate.Rendering.READY:
            return f"Rendered {result.number}: the PDFs are ready and {result.holder_name} has been emailed."
        if result.rendering == Certificate.Rendering.FAILED:
            return f"Rendering {result.number} failed again; the error is shown below."
        return f"Rendering {result.number} again. This page shows the result once it's done."
