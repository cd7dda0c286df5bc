"""Views for trainees' certificates: a certificate's page and its stored PDFs."""

import logging
from datetime import date

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.utils.http import parse_etags
from django.views.decorators.http import require_safe

from certificates.models import Certificate, CertificateFile
from certificates.selectors import (
    certificate_file_for_viewer,
    certificate_for_viewer,
)
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
