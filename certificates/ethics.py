"""The ethics attestation: a trainee's signed agreement to a programme's code of ethics."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from certificates.models import EthicsAttestation, Programme
from certificates.service_base import CertificateError
from lms.names import display_name
from lms.signals import progress_recorded_on_commit


@transaction.atomic
def ethics_attestation_sign(*, user: AbstractBaseUser, programme: Programme, agreed: bool) -> EthicsAttestation:
    """Record the user's agreement to the programme's code of ethics, with their name and the time.

    Signing again returns the first attestation. Raises CertificateError 'agreement_required' when the box
    wasn't ticked, 'not_required' when the programme asks for none, 'inactive' for an inactive programme.
    May complete the programme, so the certificate check runs once this commits.
    """
    if not programme.is_active:
        raise CertificateError("inactive", "This programme isn't taking new candidates.")
    if not programme.ethics_attestation_required:
        raise CertificateError("not_required", "This programme doesn't ask for an ethics attestation.")
    if not agreed:
        raise CertificateError("agreement_required", "Tick the box to show you agree to the code of ethics.")
    attestation, created = EthicsAttestation.objects.get_or_create(
        user=user,
        programme=programme,
        defaults={"statement": programme.ethics_statement, "signed_name": display_name(user)},
    )
    if created:
        progress_recorded_on_commit(user=user)
    return attestation
