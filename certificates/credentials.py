"""A certificate as an Open Badges 3.0 OpenBadgeCredential (VC Data Model 2.0), signed with eddsa-rdfc-2022."""

import uuid
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from certificates.eligibility import figure_text
from certificates.models import Certificate, Programme
from certificates.sharing import badge_url
from certificates.signing import issuer_did
from certificates.status_lists import status_entry

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
OPEN_BADGES_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


def local_timestamp(moment: datetime) -> str:
    """A moment as a date-time string in the site's time zone, to the second ("Z" when that is UTC).

    Written in local time so that its date is the one the PDF and the API give.
    """
    text = moment.astimezone(ZoneInfo(settings.TIME_ZONE)).replace(microsecond=0).isoformat()
    return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text


def issue_moment(certificate: Certificate) -> datetime:
    """The moment a certificate was issued, as its credential states it (validFrom and awardedDate).

    The rule: its issue date (issued_on, printed on the PDF and given by the API) at the time of day its row was
    made (issued_at), when that was on the same day in the site's time zone; otherwise (a backdated issue, such
    as the demo's, or one dated ahead) the first moment of the issue date. So the moment always falls on the issue
    date, and never after validUntil, the last second of the expiry date, which is never before the issue date.
    """
    made = certificate.issued_at.astimezone(ZoneInfo(settings.TIME_ZONE))
    if made.date() == certificate.issued_on:
        return made.replace(microsecond=0)
    return start_of_day(certificate.issued_on)


def start_of_day(day) -> datetime:
    """The first moment of a day in the site's time zone (in UTC, so that arithmetic on it is plain)."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE)).astimezone(UTC)


def end_of_day(day) -> datetime:
    """The last second of a day in the site's time zone (a certificate is valid through its expiry date)."""
    return start_of_day(day + timedelta(days=1)) - timedelta(seconds=1)


def credential_url(certificate: Certificate) -> str:
    """Where the certificate's signed credential is published."""
    return f"{settings.SITE_URL}/credentials/{certificate.display_code}.json"


def achievement_id(programme: Programme) -> str:
    """A stable identifier for the programme's achievement on this site."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"{settings.SITE_URL}/programmes/{programme.abbreviation}").urn


def criteria_narrative(programme: Programme) -> str:
    """What a person did to earn the credential, in plain words from the programme's requirements."""
    parts = ["Completed the programme's required courses and passed its scenario quizzes"]
    if programme.practice_hours:
        parts.append(f"logged at least {figure_text(programme.practice_hours)} hours of approved, supervised practice")
    if programme.supervision_hours:
        parts.append(f"received at least {figure_text(programme.supervision_hours)} hours of supervision")
    if programme.ethics_attestation_required:
        parts.append("signed the code of ethics")
    return "; ".join(parts) + "."


def credential_document(certificate: Certificate) -> dict:
    """The unsigned credential: issuer, holder name as an IdentityObject, achievement (with its badge image), dates
    and its status entry.

    Only what public verification may show (docs/privacy.md): never the email, scores or hours.
    """
    programme = certificate.programme
    return {
        "@context": [CREDENTIALS_V2, OPEN_BADGES_V3],
        "id": credential_url(certificate),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{programme.name} ({programme.abbreviation})",
        "description": f"Certificate {certificate.number}. Its current status: {certificate.verify_url}",
        "issuer": {"id": issuer_did(), "type": ["Profile"], "name": programme.issuing_body, "url": settings.SITE_URL},
        "validFrom": local_timestamp(issue_moment(certificate)),
        "awardedDate": local_timestamp(issue_moment(certificate)),
        "validUntil": local_timestamp(end_of_day(certificate.expires_on)),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": certificate.holder_name,
                    "identityType": "name",
                    "hashed": False,
                }
            ],
            "achievement": {
                "id": achievement_id(programme),
                "type": ["Achievement"],
                "achievementType": "Certification",
                "name": f"{programme.name} ({programme.abbreviation})",
                "description": programme.description or f"{programme.name}, issued by {programme.issuing_body}.",
                "criteria": {"narrative": criteria_narrative(programme)},
                "image": {"id": badge_url(programme.abbreviation, "png"), "type": "Image"},
            },
        },
        "credentialStatus": status_entry(certificate),
    }
