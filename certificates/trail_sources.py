"""The certificate records whose changes belong in the audit trails: certificates, credentials and ethics."""

from django.urls import reverse

from certificates.models import Certificate, CertificateCredential, EthicsAttestation
from lms.trail import HistorySource, RecordSource, trail_source_register


def _certificate_link(certificate_id: int) -> str:
    return reverse("audit_certificate", args=[certificate_id])


def trail_sources_register() -> None:
    """Tell the audit trails how to read and describe the certificate records."""
    for source in (
        HistorySource(
            "certificate",
            Certificate,
            lambda r, n: f"Certificate {r.number}",
            link=lambda r: _certificate_link(r.id),
            person="holder_id",
            certificate="id",
            # Bookkeeping that moves with every change and says nothing the time of the change doesn't.
            quiet=frozenset({"state_changed_at"}),
        ),
        RecordSource(
            "ethics",
            EthicsAttestation,
            at="signed_at",
            actor="user",
            action="Signed",
            joins=("user", "programme"),
            describe=lambda e: f"Agreement to the {e.programme.abbreviation} code of ethics, signed as {e.signed_name}",
            person="user_id",
        ),
        RecordSource(
            "credential",
            CertificateCredential,
            at="signed_at",
            actor=None,
            action="Signed",
            joins=("certificate",),
            describe=lambda c: f"The signed credential inside certificate {c.certificate.number}",
            link=lambda c: _certificate_link(c.certificate_id),
            person="certificate__holder_id",
            certificate="certificate_id",
        ),
    ):
        trail_source_register(source)
