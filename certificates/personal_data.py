"""What the certificates app holds about a person, for their data export: certificates, their files and ethics."""

from collections import defaultdict

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Prefetch
from django.utils import timezone

from certificates.models import Certificate, CertificateFile, EthicsAttestation
from lms.personal_data import (
    ExportFile,
    ExportSection,
    People,
    change_of,
    export_section_register,
    not_exported_register,
)

CERTIFICATE_FILES = "certificates"
CREDENTIAL_FILES = "credentials"


def certificate_file_name(certificate: Certificate, stored: CertificateFile) -> str:
    """Where a certificate's stored PDF goes in the ZIP: certificates/CPS-2026-000123-a4.pdf."""
    return f"{CERTIFICATE_FILES}/{certificate.number}-{stored.paper}.pdf"


def credential_file_name(certificate: Certificate) -> str:
    """Where a certificate's signed credential goes in the ZIP: credentials/CPS-2026-000123.json."""
    return f"{CREDENTIAL_FILES}/{certificate.number}.json"


def certificates_for_export(user: AbstractBaseUser):
    """The person's certificates with everything the export reads about them, in a fixed number of queries."""
    return (
        Certificate.objects.filter(holder=user)
        .select_related("programme", "replaces", "replaced_by", "credential")
        .prefetch_related(
            Prefetch("files", queryset=CertificateFile.objects.order_by("paper")),
            "verification_lookups",
            "reminders",
        )
        .order_by("issued_at", "pk")
    )


def read_certificates(user: AbstractBaseUser, people: People) -> dict:
    """Certificates with evidence, files, reminders, checks and status history; ethics attestations."""
    history = defaultdict(list)
    for record in Certificate.history.filter(holder_id=user.pk).order_by("history_date", "history_id"):
        history[record.id].append(record)
    today = timezone.localdate()
    certificates = []
    for certificate in certificates_for_export(user):
        credential = getattr(certificate, "credential", None)
        certificates.append(
            {
                "number": certificate.number,
                "verification_code": certificate.display_code,
                "verify_at": certificate.verify_url,
                "credential": certificate.programme.name,
                "issuer": certificate.programme.issuing_body,
                "name_on_certificate": certificate.holder_name,
                "issued_on": certificate.issued_on,
                "valid_from": certificate.period_starts_on,
                "expires_on": certificate.expires_on,
                "status": certificate.status_on(today),
                "status_reason": certificate.state_reason,
                "origin": certificate.get_origin_display(),
                "replaces": certificate.replaces.number if certificate.replaces_id else None,
                "replaced_by": getattr(getattr(certificate, "replaced_by", None), "number", None),
                "evidence": certificate.evidence,
                "files": [
                    {
                        "paper": stored.get_paper_display(),
                        "file": certificate_file_name(certificate, stored),
                        "sha256": stored.sha256,
                        "size": stored.size,
                        "rendered_at": stored.rendered_at,
                    }
                    for stored in certificate.files.all()
                ],
                "signed_credential": credential_file_name(certificate) if credential else None,
                "expiry_reminders_sent": [
                    {"days_before": reminder.days_before, "sent_on": reminder.sent_on}
                    for reminder in certificate.reminders.all()
                ],
                "checked_by_organisations": [
                    {
                        "organisation": lookup.organisation_name,
                        "how": lookup.get_channel_display(),
                        "when": lookup.looked_up_at,
                    }
                    for lookup in sorted(certificate.verification_lookups.all(), key=lambda x: (x.looked_up_at, x.pk))
                ],
                "status_history": [
                    {
                        "when": v.history_date,
                        "who": people.who(v.history_user_id),
                        "status": v.state,
                        "change": change_of(v),
                    }
                    for v in history[certificate.pk]
                ],
            }
        )
    attestations = EthicsAttestation.objects.filter(user=user).select_related("programme").order_by("signed_at")
    return {
        "certificates": certificates,
        "ethics_attestations": [
            {
                "programme": attestation.programme.name,
                "statement": attestation.statement,
                "signed_name": attestation.signed_name,
                "signed_at": attestation.signed_at,
            }
            for attestation in attestations
        ],
    }


def _stored_reader(stored: CertificateFile):
    def read() -> bytes:
        with stored.file.storage.open(stored.file.name, "rb") as handle:
            return handle.read()

    return read


def certificate_files(user: AbstractBaseUser) -> list[ExportFile]:
    """Each stored certificate PDF and each signed credential of the person, for the ZIP."""
    files = []
    for certificate in certificates_for_export(user):
        for stored in certificate.files.all():
            files.append(ExportFile(certificate_file_name(certificate, stored), _stored_reader(stored)))
        credential = getattr(certificate, "credential", None)
        if credential is not None:
            files.append(ExportFile(credential_file_name(certificate), lambda document=credential.document: document))
    return files


def personal_data_register() -> None:
    """Tell the export which section and files the certificates app gives and which models it leaves out."""
    export_section_register(
        ExportSection(
            "certificates",
            ("certificates.Certificate", "certificates.HistoricalCertificate", "certificates.EthicsAttestation"),
            read_certificates,
            files=certificate_files,
        )
    )
    not_exported_register(
        {"certificates.HistoricalProgramme": "Staff edits to a programme's rules: about the programme, not the editor."}
    )
