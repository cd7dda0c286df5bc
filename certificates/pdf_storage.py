"""Rendering a certificate: its signed credential, then its PDFs, each stored once with its SHA-256.

Queued by certificates.services.certificate_render_task, whose path the task queue keeps.
"""

import hashlib
import json
import logging

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from certificates import rendering
from certificates.credentials import credential_document
from certificates.models import Certificate, CertificateCredential, CertificateFile, SigningKey
from certificates.service_base import _email_holder, _save
from certificates.signing import sign_document
from certificates.status_lists import new_status_index

logger = logging.getLogger(__name__)


@transaction.atomic
def certificate_render(*, certificate_id: int) -> Certificate:
    """Render and store each paper size not stored yet, with its SHA-256; never touches a stored file.

    On any failure the certificate is marked 'rendering failed' with the error for admins; nothing stored
    is lost and a retry renders only what is missing. Emails the holder when the PDF is first ready.
    """
    certificate = (
        Certificate.objects.select_for_update(of=("self",)).select_related("programme", "holder").get(pk=certificate_id)
    )
    if certificate.rendering == Certificate.Rendering.READY:
        return certificate
    stored = set(certificate.files.values_list("paper", flat=True))
    try:
        credential = certificate_credential_sign(certificate=certificate)
        for paper in CertificateFile.Paper.values:
            if paper in stored:
                continue
            pdf = rendering.certificate_pdf(certificate, paper, credential=credential.document)
            with transaction.atomic():
                stored_file = CertificateFile(
                    certificate=certificate, paper=paper, sha256=hashlib.sha256(pdf).hexdigest(), size=len(pdf)
                )
                stored_file.file.save(f"{certificate.number}-{paper}.pdf", ContentFile(pdf), save=False)
                stored_file.save()
    except Exception as error:  # any failure must leave a visible state rather than a lost certificate
        logger.exception("Rendering certificate %s failed", certificate.number)
        certificate.rendering = Certificate.Rendering.FAILED
        certificate.render_error = (
            f"{type(error).__name__}: {error}" if not isinstance(error, rendering.RenderError) else str(error)
        )
        _save(certificate, by=None, reason="Rendering failed")
        return certificate
    certificate.rendering = Certificate.Rendering.READY
    certificate.render_error = ""
    _save(certificate, by=None, reason="PDF rendered and stored")
    _email_holder(certificate, "certificate_ready", origin=certificate.origin)
    return certificate


@transaction.atomic
def certificate_credential_sign(*, certificate: Certificate) -> CertificateCredential:
    """The certificate's signed Open Badges credential: signed once by the current key, then kept as it is.

    Harmless to repeat (the certificate row is locked, so two callers never both sign). A certificate issued
    before status lists gets its random place first. Raises SigningKeyMissing when no key is configured.
    """
    existing = CertificateCredential.objects.filter(certificate_id=certificate.pk).first()
    if existing is not None:  # the common case (every public GET of a credential): no lock taken
        return existing
    certificate = Certificate.objects.select_for_update(of=("self",)).select_related("programme").get(pk=certificate.pk)
    existing = CertificateCredential.objects.filter(certificate=certificate).first()
    if existing is not None:
        return existing
    if certificate.status_index is None:
        certificate.status_index = new_status_index()
        Certificate.objects.filter(pk=certificate.pk).update(status_index=certificate.status_index)
    signed = sign_document(credential_document(certificate))
    key = signed["proof"][0]["verificationMethod"].partition("#")[2]
    try:
        with transaction.atomic():
            return CertificateCredential.objects.create(
                certificate=certificate,
                document=json.dumps(signed, ensure_ascii=False, indent=2) + "\n",
                signing_key=SigningKey.objects.get(public_key_multibase=key),
            )
    except IntegrityError:  # SQLite has no row locks: another process signed it first, so theirs stands
        return CertificateCredential.objects.get(certificate=certificate)
