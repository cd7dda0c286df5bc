"""Views for trainees' certificates: a certificate's page, its stored PDFs and its signed credential."""

import logging
from datetime import date

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.utils.http import parse_etags
from django.views.decorators.http import require_safe

from certificates.models import Certificate, CertificateFile
from certificates.pdf_storage import certificate_credential_sign
from certificates.selectors import (
    certificate_file_for_viewer,
    certificate_for_viewer,
    held_certificate,
)
from certificates.sharing import linkedin_add_url
from certificates.signing import SigningKeyMissing
from lms.access import signed_in

logger = logging.getLogger(__name__)


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
    is_holder = certificate.holder_id == request.user.pk
    return render(
        request,
        "certificates/certificate_detail.html",
        {
            "certificate": certificate,
            "is_holder": is_holder,
            "linkedin_url": linkedin_add_url(certificate) if is_holder else "",
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


@signed_in
@require_safe
def certificate_credential_download(request, pk: int):
    """The holder's signed Open Badges credential as a .json file, to keep or add to a digital wallet (holder only)."""
    certificate = held_certificate(user=request.user, pk=pk)
    if certificate is None:
        raise Http404
    try:
        credential = certificate_credential_sign(certificate=certificate)
    except SigningKeyMissing:
        logger.error("Signing key unavailable for a credential download: %s", certificate.number)
        messages.error(request, "Your signed credential can't be downloaded just now. Please try again later.")
        return redirect("certificate_detail", pk=certificate.pk)
    response = HttpResponse(credential.document, content_type="application/ld+json")
    response["Content-Disposition"] = f'attachment; filename="{certificate.number}.json"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-cache"
    return response
