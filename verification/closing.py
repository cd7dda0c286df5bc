"""What closing an account does to a verifier's records: the organisation, tokens, checks made and bulk checks."""

from lms.closing import Closer, ClosingContext, closer_register, delete_with_history
from verification.models import ApiToken, BulkJob, Lookup, VerifierProfile
from verification.services import api_token_revoke


def verifying_forget(context: ClosingContext) -> None:
    """Remove the organisation details and bulk checks, stop the tokens; checks made stay without the verifier."""
    user = context.user
    delete_with_history(VerifierProfile.objects.filter(user=user))
    for token_id in ApiToken.objects.filter(user=user, revoked_at__isnull=True).values_list("pk", flat=True):
        api_token_revoke(user=user, token_id=token_id)
    Lookup.objects.filter(verifier=user).update(verifier=None)  # the holders keep the organisation's name
    BulkJob.objects.filter(verifier=user).delete()


def closers_register() -> None:
    """Register what closing an account does to the person's checks as a verifier."""
    closer_register(Closer("verifying", close=verifying_forget))
