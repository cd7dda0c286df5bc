"""The export's certificate sections: certificates held, with their files' places in the ZIP, and checks made as
a verifier.
"""

from collections import defaultdict

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Prefetch
from django.utils import timezone

from certificates.models import Certificate, CertificateFile, EthicsAttestation
from privacy.people import People, change_of
from verification.models import ApiToken, BulkJob, Lookup, VerifierProfile

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
            Prefetch("verification_lookups", queryset=Lookup.objects.order_by("looked_up_at", "pk")),
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
                    for lookup in certificate.verification_lookups.all()
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


def read_verifying(user: AbstractBaseUser, people: People) -> dict:
    """As a verifier: the organisation, API tokens, checks made and bulk checks in summary."""
    profile = VerifierProfile.objects.filter(user=user).first()
    tokens = ApiToken.objects.filter(user=user).only(
        "name", "prefix", "created_at", "last_used_at", "revoked_at", "user_id"
    )
    checks = Lookup.objects.filter(verifier=user).select_related("certificate").order_by("looked_up_at", "pk")
    jobs = BulkJob.objects.filter(verifier=user).defer("rows", "results", "header").order_by("created_at")
    return {
        "organisation": {"name": profile.organisation_name, "kind": profile.get_kind_display()} if profile else None,
        "api_tokens": [
            {
                "name": token.name,
                "starts_with": token.prefix,
                "created_at": token.created_at,
                "last_used_at": token.last_used_at,
                "revoked_at": token.revoked_at,
            }
            for token in tokens
        ],
        "checks_made": [
            {
                "certificate_number": check.certificate.number,
                "how": check.get_channel_display(),
                "when": check.looked_up_at,
                "for_organisation": check.organisation_name,
            }
            for check in checks
        ],
        "bulk_checks": [
            {
                "file_name": job.file_name,
                "uploaded_at": job.created_at,
                "state": job.get_state_display(),
                "rows": job.total,
                "checked": job.done,
                "results_by_status": job.summary,
                "finished_at": job.finished_at,
            }
            for job in jobs
        ],
        "note": "API tokens are listed by name and first characters; the tokens and their fingerprints are never "
        "exported. Bulk checks are summarised; their rows and results stay on the bulk check pages.",
    }
