"""Reads for verification: certificates by code, what a check may say, verifiers' tokens and jobs, holders' checks."""

from datetime import date

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import QuerySet
from django.utils import timezone

from certificates.codes import ALPHABET, LENGTH, normalise_code
from certificates.models import Certificate
from certificates.selectors import PublicCertificate, public_certificate_by_code
from lms.ids import MAX_ID
from verification.models import ApiToken, BulkJob, Lookup, VerifierProfile

# Looked up in place of a malformed code, so unknown and malformed codes cost the same single-row query;
# whatever it finds is thrown away.
DECOY_CODE = ALPHABET[0] * LENGTH
State = Certificate.State


def certificate_for_code(typed: str) -> PublicCertificate | None:
    """The public facts of the certificate a typed code names (any case, with or without separators), else None.

    A malformed code runs the same one-row query as an unknown one, so the two take as long.
    """
    code = normalise_code(typed)
    certificate = public_certificate_by_code(code or DECOY_CODE)
    return certificate if code is not None else None


def certificates_for_codes(typed_codes: list[str]) -> list[Certificate | None]:
    """The certificate each typed code names, in order (None where none does), from one query."""
    codes = [normalise_code(typed) for typed in typed_codes]
    wanted = {code for code in codes if code}
    found = {}
    if wanted:
        certificates = Certificate.objects.select_related("programme", "replaced_by").filter(code__in=wanted)
        found = {certificate.code: certificate for certificate in certificates}
    return [found.get(code) if code else None for code in codes]


def status_reason(certificate: Certificate, status: str) -> str | None:
    """Why a certificate is suspended, revoked or superseded (None otherwise); superseded names the newer one."""
    if status in (State.SUSPENDED, State.REVOKED):
        return certificate.state_reason or None
    if status == State.SUPERSEDED:
        newer = getattr(certificate, "replaced_by", None)
        return f"Replaced by {newer.number}." if newer else "Replaced by a newer certificate."
    return None


def public_facts(certificate: Certificate, *, today: date | None = None) -> dict:
    """What a check may say about a certificate (docs/privacy.md): the API's object, and the CSV's columns."""
    status = certificate.status_on(today or timezone.localdate())
    return {
        "code": certificate.display_code,
        "status": status,
        "holder_name": certificate.holder_name,
        "credential": certificate.programme.name,
        "certificate_number": certificate.number,
        "issued_on": certificate.issued_on,
        "expires_on": certificate.expires_on,
        "issuer": certificate.programme.issuing_body,
        "reason": status_reason(certificate, status),
    }


def organisation_name_of(user: AbstractBaseUser) -> str:
    """The organisation a verifier account checks for now ('' if none is set), read fresh from the database."""
    if not user.is_authenticated:
        return ""
    return VerifierProfile.objects.filter(user=user).values_list("organisation_name", flat=True).first() or ""


# A verifier's tokens and bulk checks ---------------------------------------------------------------------------


def tokens_for(*, user: AbstractBaseUser) -> QuerySet[ApiToken]:
    """The user's API tokens, working ones first, newest first."""
    return ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at", "-pk")


def token_for_owner(*, user: AbstractBaseUser, pk: int) -> ApiToken | None:
    """One of the user's tokens, else None."""
    return ApiToken.objects.filter(user=user, pk=pk).first() if pk <= MAX_ID else None


def bulk_jobs_for(*, user: AbstractBaseUser) -> QuerySet[BulkJob]:
    """The user's bulk checks, newest first, without their rows and results."""
    return BulkJob.objects.filter(verifier=user).defer("rows", "results")


def bulk_job_for_owner(*, user: AbstractBaseUser, job_id, with_rows: bool = False) -> BulkJob | None:
    """One of the user's bulk checks (with its rows and results if asked), else None."""
    jobs = BulkJob.objects.filter(verifier=user, pk=job_id)
    return (jobs if with_rows else jobs.defer("rows", "results")).first()


def recent_checks_by(*, user: AbstractBaseUser, limit: int) -> list[Lookup]:
    """The last `limit` checks this account made, newest first, with each certificate's number (one query)."""
    return list(
        Lookup.objects.filter(verifier=user)
        .select_related("certificate")
        .only("channel", "looked_up_at", "certificate__number")
        .order_by("-looked_up_at", "-pk")[:limit]
    )


# A holder's view of who checked their certificate ----------------------------------------------------------------


def certificate_for_holder(*, user: AbstractBaseUser, pk: int) -> Certificate | None:
    """The certificate with this id if the user holds it; None for everyone else, programme admins included."""
    if not user.is_authenticated or pk > MAX_ID:
        return None
    return Certificate.objects.select_related("programme").filter(pk=pk, holder=user).first()


def certificate_checks(*, certificate: Certificate) -> QuerySet[Lookup]:
    """The organisations' checks of a certificate, newest first (no verifier names or emails)."""
    return Lookup.objects.filter(certificate=certificate).only(
        "organisation_name", "channel", "looked_up_at", "certificate_id"
    )
