"""Every credential the site can issue passes 1EdTech's Open Badges 3.0 JSON Schema, and its dates hold together."""

import json
import random
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from jsonschema import Draft201909Validator

from certificates.credential_form import check_form
from certificates.credentials import credential_document
from certificates.models import Certificate, Programme
from tests.certificates.credential_kinds import KINDS, certificate_issued, every_kind, legacy_credential, signed
from tests.factories import build_programme

SCHEMA_FILE = (
    Path(__file__).resolve().parents[2] / "certificates" / "schemas" / "ob_v3p0_achievementcredential_schema.json"
)


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    Draft201909Validator.check_schema(schema)
    return Draft201909Validator(schema, format_checker=Draft201909Validator.FORMAT_CHECKER)


def errors(validator, credential: dict) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in validator.iter_errors(credential)
    ]


def test_the_vendored_schema_is_1edtechs_and_checks_dates(validator):
    assert validator.schema["$id"] == (
        "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential-jsonschema1.json"
    )
    assert "date-time" in validator.format_checker.checkers  # rfc3339-validator is installed: formats are checked
    assert not validator.is_valid({"@context": [], "validFrom": "yesterday"})


@pytest.mark.django_db
def test_every_kind_of_credential_passes_the_schema_with_zero_errors_and_round_trips(validator):
    kinds = every_kind()
    assert tuple(kinds) == KINDS
    for kind, certificate in kinds.items():
        credential = signed(certificate)
        assert errors(validator, credential) == [], kind
        check_form(credential)  # in the exact form we issue, and equal to its own re-compaction
        assert credential["validFrom"] == credential["awardedDate"], kind
        assert credential["validFrom"][:10] == certificate.issued_on.isoformat(), kind
        assert credential["validFrom"] <= credential["validUntil"], kind


@pytest.mark.django_db
def test_the_schema_refuses_what_credentials_used_to_be(validator):
    build_programme()
    certificate = certificate_issued()
    legacy = legacy_credential(certificate)
    problems = errors(validator, legacy)
    assert any(problem.startswith("credentialStatus: ") for problem in problems), problems
    assert any(problem.startswith("proof: ") for problem in problems), problems


def unsaved_certificate(*, issued_at: datetime, issued_on: date, expires_on: date) -> Certificate:
    """A certificate as credential_document reads it, without a database."""
    programme = Programme(name="Certified Peer Specialist", abbreviation="CPS", issuing_body="Board")
    return Certificate(
        programme=programme,
        holder_name="Ada Lovelace",
        number="CPS-2026-000001",
        code="0" * 28,
        status_index=12,
        issued_at=issued_at,
        issued_on=issued_on,
        expires_on=expires_on,
    )


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


EDGE_CASES = {
    "issued today, the usual case": ("UTC", "2026-03-01T10:15:30.5+00:00", "2026-03-01", "2028-02-29"),
    "reissued in the last second of its last day": ("UTC", "2026-03-01T23:59:59.999+00:00", "2026-03-01", "2026-03-01"),
    "backdated": ("UTC", "2026-03-01T10:00:00+00:00", "2024-01-31", "2026-01-30"),
    "dated ahead, expiring that day": ("UTC", "2026-03-01T10:00:00+00:00", "2026-03-05", "2026-03-05"),
    "a day ahead of UTC (UTC+14)": ("Pacific/Kiritimati", "2026-03-01T20:00:00+00:00", "2026-03-02", "2026-03-02"),
    "a day behind UTC (UTC-11)": ("Pacific/Pago_Pago", "2026-03-02T05:00:00+00:00", "2026-03-01", "2026-03-01"),
    "backdated to a day whose midnight doesn't exist": (
        "America/Santiago",
        "2026-03-01T12:00:00+00:00",
        "2024-09-08",
        "2024-09-08",
    ),
    "expiring on a day whose last hour happens twice": (
        "America/Santiago",
        "2024-04-06T12:00:00+00:00",
        "2024-04-06",
        "2024-04-06",
    ),
}


@pytest.mark.parametrize("case", EDGE_CASES)
def test_valid_from_is_the_issue_moment_on_the_issue_date_and_never_after_valid_until(case):
    zone, issued_at, issued_on, expires_on = EDGE_CASES[case]
    with override_settings(TIME_ZONE=zone, SITE_URL="https://lms.example"):
        document = credential_document(
            unsaved_certificate(
                issued_at=datetime.fromisoformat(issued_at),
                issued_on=date.fromisoformat(issued_on),
                expires_on=date.fromisoformat(expires_on),
            )
        )
    valid_from, valid_until = moment(document["validFrom"]), moment(document["validUntil"])
    assert document["awardedDate"] == document["validFrom"]
    assert document["validFrom"][:10] == issued_on  # the date the PDF and the API give
    assert document["validUntil"][:10] == expires_on
    assert valid_from <= valid_until
    made = datetime.fromisoformat(issued_at)
    if made.astimezone(ZoneInfo(zone)).date().isoformat() == issued_on:
        assert valid_from == made.replace(microsecond=0)  # the moment of issue, to the second
    else:
        assert valid_from.astimezone(ZoneInfo(zone)).time() <= time(1)  # the first moment of the issue date


def test_valid_from_never_follows_valid_until_in_any_zone_or_date():
    rng = random.Random(17)
    zones = ["UTC", "Europe/London", "America/Santiago", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Kathmandu"]
    for _ in range(400):
        zone = rng.choice(zones)
        issued_at = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randrange(8 * 365 * 86_400))
        issued_on = issued_at.date() + timedelta(days=rng.randrange(-800, 3))
        expires_on = issued_on + timedelta(days=rng.choice([0, 1, 30, 729]))
        with override_settings(TIME_ZONE=zone, SITE_URL="https://lms.example"):
            document = credential_document(
                unsaved_certificate(issued_at=issued_at, issued_on=issued_on, expires_on=expires_on)
            )
        assert moment(document["validFrom"]) <= moment(document["validUntil"]), (zone, issued_at, issued_on)
        assert document["validFrom"][:10] == issued_on.isoformat(), (zone, issued_at, issued_on)
