"""Views for supervisors' invitations: the supervisor invites and withdraws; the invited person accepts or declines."""

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from lms.access import role_required, signed_in
from lms.names import display_name
from lms.roles import SUPERVISOR
from practice.forms import SupervisorInvitationForm
from practice.invitations import (
    OPEN_LIMIT,
    invitations_sent,
    supervisor_invitation_accept,
    supervisor_invitation_create,
    supervisor_invitation_decline,
    supervisor_invitation_withdraw,
    verified_emails,
)
from practice.models import SupervisorAssignment, SupervisorInvitation
from practice.services import PracticeError

SENT_SHOWN = 50


@role_required(SUPERVISOR)
@require_http_methods(["GET", "POST"])
def invitations(request):
    """Invite a trainee to link up, and see the invitations sent and the trainees linked now."""
    form = SupervisorInvitationForm(
        request.POST if request.method == "POST" else None, initial={"starts_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            invitation = supervisor_invitation_create(supervisor=request.user, **form.cleaned_data)
        except PracticeError as error:
            fields = {"inactive_organisation": "organisation", "start_out_of_range": "starts_on"}
            form.add_error(fields.get(error.code, "email"), error.message)
        else:
            messages.success(
                request,
                f"Invitation sent to {invitation.email}. It works for 14 days; we'll email you when they answer.",
            )
            return redirect("practice_invitations")
    today = timezone.localdate()
    linked = (
        SupervisorAssignment.objects.filter(supervisor=request.user)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .select_related("trainee", "organisation")
    )
    sent = list(invitations_sent(request.user)[:SENT_SHOWN])
    now = timezone.now()
    return render(
        request,
        "practice/invitations.html",
        {
            "form": form,
            "sent": sent,
            "open_count": sum(
                1 for invitation in sent if invitation.status_at(now) == SupervisorInvitation.Status.OPEN
            ),
            "open_limit": OPEN_LIMIT,
            "linked": linked.order_by("trainee__last_name", "trainee__first_name", "pk"),
        },
    )


@role_required(SUPERVISOR)
@require_POST
def invitation_withdraw(request, invitation_id: int):
    """Take back an invitation nobody has answered; 404 for anyone else's."""
    try:
        invitation = supervisor_invitation_withdraw(supervisor=request.user, invitation_id=invitation_id)
    except PracticeError as error:
        if error.code == "not_found":
            raise Http404 from None
        messages.error(request, error.message)
    else:
        messages.success(request, f"Invitation to {invitation.email} withdrawn. Its link no longer works.")
    return redirect("practice_invitations")


@signed_in
@require_http_methods(["GET", "POST"])
def invitation_answer(request, invitation_id: int):
    """The invitation sent to one of the person's verified addresses, to accept or decline; 404 for anyone else."""
    invitation = (
        SupervisorInvitation.objects.filter(pk=invitation_id, email__in=verified_emails(request.user))
        .select_related("supervisor", "organisation")
        .first()
    )
    if invitation is None:
        raise Http404
    if request.method == "POST":
        answer = request.POST.get("answer")
        try:
            if answer == "accept":
                supervisor_invitation_accept(person=request.user, invitation_id=invitation.pk)
                messages.success(
                    request,
                    f"You're linked with {display_name(invitation.supervisor)} at {invitation.organisation}. "
                    "You can log hours for them to review now.",
                )
                return redirect("practice_log")
            if answer == "decline":
                supervisor_invitation_decline(person=request.user, invitation_id=invitation.pk)
                messages.success(request, f"Invitation declined. We've let {display_name(invitation.supervisor)} know.")
                return redirect("dashboard")
        except PracticeError as error:
            messages.error(request, error.message)
        return redirect("practice_invitation", invitation.pk)
    return render(request, "practice/invitation.html", {"invitation": invitation})
