"""Every kind of certificate the site can issue, each with its signed credential: for schema and spelling tests."""

import copy
import json
from datetime import timedelta

from django.utils import timezone

from certificates.credentials import credential_document
from certificates.models import Certificate, CertificateCredential, SigningKey
from certificates.pdf_storage import certificate_credential_sign
from certificates.services import certificate_renew_if_due, certificates_check
from certificates.signing import current_signing_key, loader, timestamp, verification_method_id
from certificates.status_changes import certificate_reissue, certificate_revoke, certificate_suspend
from dataintegrity.eddsa_rdfc_2022 import add_proof
from lms.roles import PROGRAMME_ADMIN, TRAINEE
from tests.factories import UserFactory, approve_hours, build_assignment, build_programme, entry_data, supervision_data

KINDS = ("valid", "backdated", "expired", "suspended", "revoked", "superseded", "reissued", "renewed", "renewal's old")


def ago(days: int):
    """A date that many days before today, in the site's calendar."""
    return timezone.localdate() - timedelta(days=days)


def certificate_issued(*, days_ago: int = 0) -> Certificate:
    """A new trainee's certificate of the one programme, issued (backdated) that many days ago."""
    assignment = build_assignment(trainee=UserFactory(roles=[TRAINEE]), starts_on=ago(days_ago + 100))
    day = ago(days_ago + 1)
    approve_hours(
        assignment,
        [entry_data(assignment, minutes=240, performed_on=day), supervision_data(assignment, performed_on=day)],
    )
    (certificate,) = certificates_check(holder=assignment.trainee, today=ago(days_ago))
    certificate.assignment = assignment
    return certificate


def every_kind() -> dict[str, Certificate]:
    """One certificate of every kind in KINDS, under one programme (renewed with an hour of training)."""
    admin = UserFactory(roles=[PROGRAMME_ADMIN])
    build_programme(renewal_ce_hours=1)
    kinds = {"valid": certificate_issued(), "backdated": certificate_issued(days_ago=200)}
    kinds["expired"] = certificate_issued(days_ago=800)
    kinds["suspended"] = certificate_suspend(by=admin, certificate=certificate_issued(), reason="Under review.")
    kinds["revoked"] = certificate_revoke(by=admin, certificate=certificate_issued(), reason="Not supervised.")
    kinds["superseded"] = certificate_issued(days_ago=100)
    kinds["reissued"] = certificate_reissue(
        by=admin, certificate=kinds["superseded"], holder_name="Ada Q. Reissued", reason="Name corrected."
    )
    kinds["renewal's old"] = certificate_issued(days_ago=700)
    training = entry_data(kinds["renewal's old"].assignment, minutes=60, performed_on=ago(3), activity_type="training")
    approve_hours(kinds["renewal's old"].assignment, [training])
    kinds["renewed"] = certificate_renew_if_due(certificate=kinds["renewal's old"])
    kinds = {kind: kinds[kind] for kind in KINDS}
    for certificate in kinds.values():
        certificate.refresh_from_db()
    assert [certificate.status for certificate in kinds.values()] == [
        "valid",
        "valid",
        "expired",
        "suspended",
        "revoked",
        "superseded",
        "valid",
        "valid",
        "superseded",
    ]
    return kinds


def signed(certificate: Certificate) -> dict:
    """The certificate's signed credential, as served and embedded in its PDF."""
    return json.loads(certificate_credential_sign(certificate=certificate).document)


def legacy_credential(certificate: Certificate) -> dict:
    """Sign and keep the credential as the site signed it before one status entry: the form of credentials out there.

    Two one-bit entries (revocation, suspension) at the certificate's place in the per-purpose lists, validFrom the
    row's creation time, identityType ext:name, no awardedDate, and a single proof object.
    """
    document = copy.deepcopy(credential_document(certificate))
    del document["awardedDate"]
    document["validFrom"] = timestamp(certificate.issued_at)
    document["credentialSubject"]["identifier"][0]["identityType"] = "ext:name"
    list_number, position = divmod(certificate.status_index, 131_072)
    entries = []
    for purpose in ("revocation", "suspension"):
        url = f"{document['id'].split('/credentials/')[0]}/credentials/status/{list_number + 1}/{purpose}.json"
        entries.append(
            {
                "id": f"{url}#{position}",
                "type": "BitstringStatusListEntry",
                "statusPurpose": purpose,
                "statusListIndex": str(position),
                "statusListCredential": url,
            }
        )
    document["credentialStatus"] = entries
    private_key, key = current_signing_key()
    legacy = add_proof(
        document,
        private_key=private_key,
        verification_method=verification_method_id(key.public_key_multibase),
        created=timestamp(certificate.issued_at),
        loader=loader(),
    )
    CertificateCredential.objects.update_or_create(
        certificate=certificate,
        defaults={
            "document": json.dumps(legacy, ensure_ascii=False, indent=2) + "\n",
            "signing_key": SigningKey.objects.get(public_key_multibase=key.public_key_multibase),
        },
    )
    return legacy
