"""The certificate records a trainee's kept home shows (lms/kept_home.py): certificates, their PDFs, attestations.

Programmes and their requirements are kept with the page tree (CertificatesConfig.ready), whose version every kept
home is checked against as well.
"""

from certificates.models import Certificate, CertificateFile, EthicsAttestation
from lms.kept_home import home_shows


def holder(certificate: Certificate) -> list[int]:
    """The certificate's holder."""
    return [certificate.holder_id]


def holder_of_file(file: CertificateFile) -> list[int]:
    """The holder of the certificate a PDF belongs to (its download buttons appear with the PDF)."""
    return list(Certificate.objects.filter(pk=file.certificate_id).values_list("holder_id", flat=True))


def signer(attestation: EthicsAttestation) -> list[int]:
    """The person who signed the code of ethics."""
    return [attestation.user_id]


def home_sources_register() -> None:
    """Tell the kept homes which certificate records they show, and whose."""
    home_shows(Certificate, people=holder, owners=("holder",))
    home_shows(CertificateFile, people=holder_of_file, owners=("certificate",))
    home_shows(EthicsAttestation, people=signer, owners=("user",))
