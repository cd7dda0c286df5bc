"""What closing an account does to certificates: they stay verifiable until retention ends, then go with their PDFs."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from certificates.models import Certificate, CertificateFile, EthicsAttestation
from lms.closing import Closer, ClosingContext, KeptCertificate, closer_register, delete_history


def kept_certificates(user: AbstractBaseUser) -> list[KeptCertificate]:
    """The person's certificates, oldest first: a closed account keeps every one of them verifiable."""
    certificates = Certificate.objects.filter(holder=user).select_related("programme").order_by("issued_at")
    return [
        KeptCertificate(
            number=certificate.number,
            credential=certificate.programme.name,
            verify_url=certificate.verify_url,
            programme_id=certificate.programme_id,
            issued_on=certificate.issued_on,
            expires_on=certificate.expires_on,
        )
        for certificate in certificates
    ]


def ethics_anonymise(context: ClosingContext) -> None:
    """Keep ethics attestations behind issued certificates without the signed name; delete the others."""
    attestations = EthicsAttestation.objects.filter(user=context.user)
    attestations.exclude(programme_id__in=context.kept_programmes).delete()
    attestations.update(signed_name="")


def _files_delete_on_commit(names: list[str]) -> None:
    """Delete stored certificate PDFs once the deletion of their rows has committed."""
    storage = CertificateFile._meta.get_field("file").storage

    def delete():
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete)


def certificates_purge(user: AbstractBaseUser) -> None:
    """Delete a closed account's certificates (with their PDFs, credentials and checks) and ethics attestations.

    Certificates go newest first, so no certificate is left pointing at a deleted one it replaced; their stored
    PDFs are deleted once the change commits.
    """
    certificates = list(Certificate.objects.filter(holder=user).prefetch_related("files").order_by("-issued_at", "-pk"))
    _files_delete_on_commit([stored.file.name for c in certificates for stored in c.files.all()])
    for certificate in certificates:
        certificate.delete()
    delete_history(Certificate.history.filter(holder_id=user.pk))
    EthicsAttestation.objects.filter(user=user).delete()


def closers_register() -> None:
    """Register what closing an account does to the person's certificates and ethics attestations."""
    closer_register(Closer("certificates", close=ethics_anonymise, purge=certificates_purge, kept=kept_certificates))
