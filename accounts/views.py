"""Views for accounts: correcting one's own name; invitations that programme admins send and invitees accept."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.forms import AcceptInvitationForm, InvitationForm, NameChangeForm
from accounts.models import Invitation
from accounts.selectors import invitation_by_id, invitation_for_token, invitations_list
from accounts.services import (
    AccountError,
    InvitationError,
    NameChangeResult,
    invitation_accept,
    invitation_create,
    invitation_problem,
    invitation_revoke,
    user_name_change,
)
from certificates.models import Certificate
from certificates.selectors import live_certificates
from lms.access import public, role_required, signed_in
from lms.responses import personal_page
from lms.roles import PROGRAMME_ADMIN, SUPERVISOR

PAGE_SIZE = 25
INVITE_FIELDS = {
    "email_invalid": "email",
    "email_in_use": "email",
    "email_inactive": "email",
    "already_invited": "email",
    "role_invalid": "role",
    "organisation_required": "organisation_name",
}
ACCEPT_FIELDS = {
    "name_required": "first_name",
    "name_too_long": "last_name",
    "name_invalid": "first_name",
    "username_taken": "username",
    "username_invalid": "username",
    "password_invalid": "password1",
}
NAME_FIELDS = {"first_name_required": "first_name", "last_name_required": "last_name"}
UNUSABLE_TITLES = {
    "not_found": "We don't recognise this invitation",
    "expired": "This invitation has expired",
    "revoked": "This invitation was withdrawn",
    "used": "This invitation has already been used",
    "email_in_use": "There's already an account for this address",
    "email_inactive": "There's already an account for this address",
}


def _private(response: HttpResponse) -> HttpResponse:
    """Keep a page holding a secret link out of caches and other sites' Referer headers."""
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _name_changed_message(result: NameChangeResult) -> str:
    """What to tell the person once their name is saved, and whether the programme team was asked to reissue."""
    done = f"Your name is now {result.new_name}."
    if not result.to_reissue:
        return done
    single = len(result.to_reissue) == 1
    if result.team_asked:
        message = f"{done} We've asked the programme team to reissue your certificate{'' if single else 's'} with it."
    elif single:
        message = (
            f"{done} Your certificate keeps the name it was issued with: please ask the programme team to reissue it."
        )
    else:
        message = (
            f"{done} Your certificates keep the names they were issued with: please ask the programme team to reissue "
            "them."
        )
    if not any(certificate.state == Certificate.State.SUSPENDED for certificate in result.to_reissue):
        return message
    if single:
        return f"{message} It's suspended, so it can be reissued only once it's reinstated."
    return f"{message} A suspended certificate can be reissued only once it's reinstated."


@signed_in
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def name_change(request):
    """Correct one's own first and last name; live certificates are left for the programme team to reissue."""
    form = NameChangeForm(request.POST if request.method == "POST" else None, user=request.user)
    status = 200
    if form.is_bound:
        if form.is_valid():
            try:
                result = user_name_change(user=request.user, **form.cleaned_data)
            except AccountError as error:
                form.add_error(NAME_FIELDS.get(error.code), error.message)
            else:
                if result.changed:
                    messages.success(request, _name_changed_message(result))
                else:
                    messages.info(request, f"Your name was already {result.new_name}, so nothing has changed.")
                return redirect("my_data")
        status = 400
    context = {"form": form, "certificates": live_certificates(holder=request.user)}
    return personal_page(render(request, "accounts/name_change.html", context, status=status))


@role_required(PROGRAMME_ADMIN)
@require_http_methods(["GET", "POST"])
def invitations(request):
    """Invite a supervisor, verifier or programme admin by email, and see every invitation and its status."""
    form = InvitationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _ = invitation_create(invited_by=request.user, **form.cleaned_data)
        except InvitationError as error:
            form.add_error(INVITE_FIELDS.get(error.code), error.message)
        else:
            messages.success(
                request,
                f"Invitation sent to {invitation.email} as {invitation.get_role_display().lower()}. "
                "The link in it works once, for 7 days.",
            )
            return redirect("invitations")
    page = Paginator(invitations_list(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/invitations.html", {"form": form, "page": page})


@role_required(PROGRAMME_ADMIN)
@require_http_methods(["GET", "POST"])
def invitation_revoke_view(request, pk: int):
    """Ask, then stop a pending invitation's link from working."""
    invitation = invitation_by_id(pk)
    if invitation is None:
        raise Http404
    if request.method == "POST":
        try:
            invitation_revoke(invitation_id=invitation.pk, by=request.user)
        except InvitationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Revoked the invitation for {invitation.email}. Its link no longer works.")
        return redirect("invitations")
    if not invitation.is_pending:
        messages.info(
            request, f"The invitation for {invitation.email} is {invitation.status_label.lower()}: nothing to revoke."
        )
        return redirect("invitations")
    return render(request, "accounts/invitation_confirm_revoke.html", {"invitation": invitation})


def _unusable(request: HttpRequest, error: InvitationError) -> HttpResponse:
    """The friendly page for a link that can't be used: unknown (404), or expired, withdrawn or used (410)."""
    context = {"title": UNUSABLE_TITLES.get(error.code, "This invitation can't be used"), "error": error}
    status = 404 if error.code == "not_found" else 410
    return _private(render(request, "accounts/invitation_unusable.html", context, status=status))


@public
@require_http_methods(["GET", "POST"])
def invitation_accept_view(request, token: str):
    """The invitee's page: choose a username and password to make the account the invitation offers."""
    invitation = invitation_for_token(token)
    problem = invitation_problem(invitation)
    if problem is not None:
        return _unusable(request, problem)
    if request.user.is_authenticated:
        return _private(render(request, "accounts/invitation_signed_in.html", {"invitation": invitation}))
    form = AcceptInvitationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = invitation_accept(
                token=token,
                username=data["username"],
                password=data["password1"],
                first_name=data["first_name"],
                last_name=data["last_name"],
            )
        except InvitationError as error:
            if error.code not in ACCEPT_FIELDS:
                return _unusable(request, error)
            form.add_error(ACCEPT_FIELDS[error.code], error.message)
        else:
            two_factor = invitation.role in (SUPERVISOR, PROGRAMME_ADMIN)
            messages.success(
                request,
                f"Welcome, {user.first_name}. Your account is ready: log in with your username or email address "
                "and the password you just chose."
                + (
                    " Then we'll help you set up two-factor authentication, which your role needs."
                    if two_factor
                    else ""
                ),
            )
            return redirect("account_login")
    context = {"form": form, "invitation": invitation, "two_factor": invitation.role != Invitation.Role.VERIFIER}
    return _private(render(request, "accounts/invitation_accept.html", context))
