"""Views for the signed-in home: the page itself and signing a programme's code of ethics on it."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.timezone import localtime
from django.views.decorators.http import require_POST

from certificates.ethics import ethics_attestation_sign
from certificates.models import Programme
from certificates.selectors import ethics_signed_on
from certificates.service_base import CertificateError
from dashboard.selectors import home_for
from dashboard.trainee_section import trainee_section_html
from lms.access import role_required, signed_in
from lms.roles import TRAINEE, has_role


def dashboard_response(request, *, ethics_error: dict | None = None, status: int = 200):
    """The home page, a section per role; `ethics_error` ({"programme_id", "message"}) shows a refused attestation.

    The trainee's own section comes first (kept per person; its one cache read brings the page tree's version too).
    """
    trainee_section = None
    if has_role(request.user, TRAINEE):
        trainee_section = trainee_section_html(request, ethics_error=ethics_error)
    home = home_for(user=request.user, request=request)
    return render(request, "courses/dashboard.html", {"home": home, "trainee_section": trainee_section}, status=status)


@signed_in
def dashboard(request):
    """The signed-in home: what each of the person's roles needs first (trainee, supervisor, verifier)."""
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
