"""Views for the trainee dashboard: the page itself and signing a programme's code of ethics on it."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.timezone import localtime
from django.views.decorators.http import require_POST

from certificates.ethics import ethics_attestation_sign
from certificates.models import Programme
from certificates.selectors import dashboard_programmes, ethics_signed_on
from certificates.service_base import CertificateError
from courses.selectors import dashboard_progress
from lms.access import role_required, signed_in
from lms.roles import TRAINEE, has_role


def dashboard_response(request, *, ethics_error: dict | None = None, status: int = 200):
    """The dashboard page; `ethics_error` ({"programme_id", "message"}) shows a refused ethics attestation in place."""
    certification = None  # the section is for trainees; others have no programme to work towards
    if has_role(request.user, TRAINEE):
        certification = dashboard_programmes(user=request.user, on=timezone.localdate())
    return render(
        request,
        "courses/dashboard.html",
        {
            "certification": certification,
            "courses": dashboard_progress(user=request.user, request=request),
            "ethics_error": ethics_error,
        },
        status=status,
    )


@signed_in
def dashboard(request):
    """The signed-in user's certification progress and courses, with where to continue."""
    return dashboard_response(request)


@role_required(TRAINEE)
@require_POST
def ethics_sign(request, programme_id: int):
    """Sign a programme's code of ethics (the "I agree" box), then go back to the dashboard."""
    programme = get_object_or_404(Programme, pk=programme_id)
    signed_before = ethics_signed_on(user=request.user, programme=programme)
    try:
        ethics_attestation_sign(user=request.user, programme=programme, agreed=request.POST.get("agreed") == "on")
    except CertificateError as error:
        if error.code == "agreement_required":
            return dashboard_response(
                request, ethics_error={"programme_id": programme.pk, "message": error.message}, status=400
            )
        messages.error(request, error.message)
        return redirect("dashboard")
    if signed_before:
        messages.info(
            request, f"You signed the {programme.name} code of ethics on {localtime(signed_before):%-d %B %Y}."
        )
    else:
        messages.success(request, f"Thank you. You've signed the {programme.name} code of ethics.")
    return redirect("dashboard")
