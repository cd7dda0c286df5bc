"""Demo verifier organisation: the `verifier` account checks certificates for Northfield Health Board."""

from django.db import transaction

from demo.site import LoadReport
from verification.models import Lookup, VerifierProfile
from verification.services import verification_lookup_record, verifier_profile_save

DEMO_ORGANISATION = "Northfield Health Board"


@transaction.atomic
def ensure_demo_verifier(*, users: dict, report: LoadReport, certificates: list | None = None) -> VerifierProfile:
    """Give the demo `verifier` account its organisation, and log one check of the first given certificate.

    Pass seed_demo's certificates (graduate's first) so the graduate's "Who has checked it" page has an entry.
    An account that already has an organisation, and a certificate already checked, are left alone.
    """
    verifier = users["verifier"]
    profile = VerifierProfile.objects.filter(user=verifier).first()
    if profile is None:
        profile = verifier_profile_save(
            user=verifier, organisation_name=DEMO_ORGANISATION, kind=VerifierProfile.Kind.EMPLOYER
        )
        report.created.append(f"verifier organisation {DEMO_ORGANISATION}")
    if certificates and not Lookup.objects.filter(certificate=certificates[0]).exists():
        verification_lookup_record(certificate=certificates[0], verifier=verifier, channel=Lookup.Channel.PAGE)
        report.created.append(f"a check of {certificates[0].number} by {profile.organisation_name}")
    return profile
