"""Views for trainees' certificates: signing the code of ethics, a certificate's page and its stored PDFs."""

import logging
from datetime import date

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponseNotModified
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import parse_etags
from django.utils.timezone import localtime
from django.views.decorators.http import require_POST, require_safe

from certificates.models import Certificate, CertificateFile, Programme
from certificates.selectors import (
    certificate_file_for_viewer,
    certificate_for_viewer,
    ethics_signed_on,
)
from certificates.services import CertificateError, ethics_attestation_sign
from courses.views import dashboard_response
from lms.access import role_required, signed_in
from lms.roles import TRAINEE

logger = logging.getLogger(__name__)


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


def _iso_date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@signed_in
@require_safe
def certificate_detail(request, pk: int):
    """One certificate for its holder (or a programme admin): status, dates, how to share it and its PDFs."""
    certificate = certificate_for_viewer(user=request.user, pk=pk)
    if certificate is None:
        raise Http404
    files = {stored.paper: stored for stored in certificate.files.all()}
    return render(
        request,
        "certificates/certificate_detail.html",
        {
            "certificate": certificate,
            "is_holder": certificate.holder_id == request.user.pk,
            "replaced_by": getattr(certificate, "replaced_by", None),
            "a4": files.get(CertificateFile.Paper.A4),
            "letter": files.get(CertificateFile.Paper.LETTER),
            "evidence": certificate.evidence.get("requirements", []),
            "checked_on": _iso_date(certificate.evidence.get("checked_on")),
        },
    )


def download_name(certificate: Certificate, paper: str) -> str:
    """The file name a download is saved as: CPS-2026-000123.pdf, or CPS-2026-000123-letter.pdf for US Letter."""
    return f"{certificate.number}.pdf" if paper == CertificateFile.Paper.A4 else f"{certificate.number}-{paper}.pdf"


@signed_in
@require_safe
def certificate_download(request, pk: int, paper: str):
    """The certificate's stored PDF, byte for byte, for its holder or a programme admin; never re-rendered."""
    certificate, stored = certificate_file_for_viewer(user=request.user, pk=pk, paper=paper)
    if certificate is None:
        raise Http404
    if stored is None:
        if certificate.rendering == Certificate.Rendering.FAILED:
            messages.info(request, "This certificate's PDF isn't ready yet. We've been told and will fix it.")
        else:
            messages.info(request, "This certificate's PDF is still being prepared. It'll be ready in a minute or two.")
        return redirect("certificate_detail", pk=certificate.pk)
    etag = f'"{stored.sha256}"'
    if etag in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponseNotModified()
    else:
        try:
            handle = stored.file.storage.open(stored.file.name, "rb")
        except FileNotFoundError:
            logger.error("Certificate file missing from storage: %s (%s)", certificate.number, stored.file.name)
            raise Http404 from None
        response = FileResponse(
            handle, as_attachment=True, filename=download_name(certificate, paper), content_type="application/pdf"
        )
    response["ETag"] = etag
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-cache"
    return response
