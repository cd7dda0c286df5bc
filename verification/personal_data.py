"""What the verification app holds about a person, for their data export: their checks as a verifier."""

from django.contrib.auth.base_user import AbstractBaseUser

from lms.personal_data import ExportSection, People, export_section_register, not_exported_register
from verification.models import ApiToken, BulkJob, Lookup, VerifierProfile


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


def personal_data_register() -> None:
    """Tell the export which section the verification app gives and which of its models it leaves out."""
    export_section_register(
        ExportSection(
            "verifying",
            ("verification.VerifierProfile", "verification.ApiToken", "verification.Lookup", "verification.BulkJob"),
            read_verifying,
        )
    )
    not_exported_register(
        {
            "verification.HistoricalVerifierProfile": "Earlier organisation names of a verifier account; the current "
            "one is exported.",
            "verification.HistoricalApiToken": "Earlier states of the API tokens under 'verifying'; they hold the "
            "tokens' fingerprints, which are never exported.",
        }
    )
