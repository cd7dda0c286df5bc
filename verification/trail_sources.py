"""The verification records whose changes belong in the audit trails: verifier organisations and API tokens."""

from lms.trail import HistorySource, trail_source_register
from verification.models import ApiToken, VerifierProfile


def trail_sources_register() -> None:
    """Tell the audit trails how to read and describe verifier profiles and API tokens."""
    trail_source_register(
        HistorySource(
            "verifier_profile",
            VerifierProfile,
            lambda r, n: f"Verifier organisation {r.organisation_name}",
            person="user_id",
        )
    )
    # A token's fingerprint is a secret: the trail only says it changed.
    trail_source_register(
        HistorySource(
            "api_token",
            ApiToken,
            lambda r, n: f"API token “{r.name}”",
            person="user_id",
            withheld=frozenset({"digest"}),
        )
    )
