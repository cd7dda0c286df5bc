"""Views for group supervision: supervisors log a session and follow the answers; trainees confirm or decline."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from lms.access import role_required
from lms.roles import SUPERVISOR, TRAINEE
from practice.group import confirm_problems, group_entry_confirm, group_entry_decline, group_session_create
from practice.group_forms import ConfirmForm, DeclineForm, GroupSessionForm, initial_session
from practice.group_selectors import (
    group_entry_for_trainee,
    group_session_for_supervisor,
    group_sessions_logged,
    trainee_choices,
)
from practice.models import PracticeEntry, SupervisorProfile
from practice.selectors import entry_history
from practice.services import EntryInvalid, PracticeError

SESSIONS_PER_PAGE = 20
CONFIRM = "confirm"
DECLINE = "decline"


@role_required(SUPERVISOR)
def group_sessions(request):
    """The group sessions this supervisor logged, newest first, with each trainee's answer."""
    page = Paginator(group_sessions_logged(supervisor=request.user), SESSIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "practice/group_sessions.html", {"page": page})


@role_required(SUPERVISOR)
@require_http_methods(["GET", "POST"])
def group_session_new(request):
    """Log one supervision session for several trainees; each confirms it in their own log."""
    choices, places = trainee_choices(supervisor=request.user, today=timezone.localdate())
    form = GroupSessionForm(
        request.POST if request.method == "POST" else None,
        supervisor=request.user,
        choices=choices,
        places=places,
        initial=initial_session(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            session = group_session_create(supervisor=request.user, data=form.session_data())
        except EntryInvalid as error:
            form.add_service_errors(error)
        except PracticeError as error:
            form.add_error(None, error.message)
        else:
            count = session.entries.count()
            messages.success(
                request,
                f"Logged: {session}, for {count} trainee{'s' if count != 1 else ''}. Each has been emailed to "
                "confirm it; it counts for them once they do.",
            )
            return redirect("practice_review_group_session", session.pk)
    return render(
        request,
        "practice/group_session_form.html",
        {
            "form": form,
            "has_trainees": bool(choices),
            "has_profile": SupervisorProfile.objects.filter(user=request.user).exists(),
        },
    )


@role_required(SUPERVISOR)
def group_session_detail(request, session_id: int):
    """One group session this supervisor logged: what was logged, and who confirmed, declined (why) or hasn't yet."""
    session = group_session_for_supervisor(supervisor=request.user, session_id=session_id)
    if session is None:
        raise Http404
    return render(request, "practice/group_session_detail.html", {"session": session})


@role_required(TRAINEE)
@require_http_methods(["GET", "POST"])
def group_entry(request, session_id: int):
    """A group session a supervisor logged for this trainee: confirm it (it then counts) or say you weren't there."""
    entry = group_entry_for_trainee(trainee=request.user, session_id=session_id)
    if entry is None:
        raise Http404
    action = request.POST.get("action") if request.method == "POST" else None
    confirm_form = ConfirmForm(request.POST if action == CONFIRM else None)
    decline_form = DeclineForm(request.POST if action == DECLINE else None)
    try:
        if action == CONFIRM and confirm_form.is_valid():
            group_entry_confirm(
                trainee=request.user,
                entry_id=entry.pk,
                long_day_confirmed=confirm_form.cleaned_data["long_day_confirmed"],
            )
            messages.success(request, f"Confirmed: {entry}. It now counts towards your supervision hours.")
            return redirect("practice_log")
        if action == DECLINE and decline_form.is_valid():
            group_entry_decline(trainee=request.user, entry_id=entry.pk, reason=decline_form.cleaned_data["reason"])
            messages.success(request, "Thank you. We've told your supervisor you weren't at this session.")
            return redirect("practice_log")
    except EntryInvalid as error:
        for _, problem in error.problems:
            confirm_form.add_error(None, problem.message)
    except PracticeError as error:
        if error.code not in ("reason_required", "too_long", "privacy"):
            messages.error(request, error.message)
            return redirect("practice_entry", entry.pk)
        decline_form.add_error("reason", error.message)
    waiting = entry.status == PracticeEntry.Status.TO_CONFIRM
    problems = confirm_problems(trainee=request.user, entry=entry, long_day_confirmed=False) if waiting else []
    return render(
        request,
        "practice/group_entry.html",
        {
            "entry": entry,
            "session": entry.group_session,
            "waiting": waiting,
            "needs_long_day": any(problem.code == "needs_confirmation" for _, problem in problems),
            "confirm_form": confirm_form,
            "decline_form": decline_form,
            "history": entry_history(entry=entry),
            "confirm": CONFIRM,
            "decline": DECLINE,
        },
    )
