"""The verification API at /api/v1/ (django-ninja): check one code, or up to 100 at once; tokens are optional."""

from datetime import date
from typing import Annotated, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Path, Schema, Status
from ninja.errors import HttpError, ValidationError
from ninja.security import HttpBearer
from pydantic import BaseModel, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

from lms.access import head_as_get, public
from lms.lookup_limits import address_lookups_refused, address_rate, token_lookups_refused, token_rate
from verification.models import ApiToken, Lookup
from verification.selectors import certificate_for_code, certificates_for_codes, public_facts
from verification.services import api_token_use, verification_lookup_record, verification_lookups_record

MAX_CODES = 100
MAX_DETAILS = 10  # of pydantic's error details, in a 422
ANONYMOUS = "anonymous"
NOT_FOUND = {"status": "not_found"}
DESCRIPTION = """
Check certificates issued on this site: whether each is valid today, whose it is, and who issued it.

**What you get.** Only what the certificate's public page shows: the holder's name, the credential, the certificate
number, its status and dates, the issuer, and the reason when a certificate is suspended, revoked or superseded.
Never an email address, scores or anything else about the holder.

**Codes** are the 28 letters and digits printed under the certificate's QR code. Case, spaces and hyphens don't
matter, and O, I and L are read as 0, 1 and 1. Unknown and malformed codes get the same answer: `not_found`.

**Tokens are optional.** Anyone may check certificates, up to a limit per client address (by default 60 lookups a
minute). Organisations with a verifier account can make a token at /verify/tokens/ and send it as
`Authorization: Bearer <token>`: each token has its own, higher limit (by default 600 a minute), and its checks are
logged for the certificate's holder to see. A token that is wrong or revoked gets 401, never a silent fallback.

**Rate limits.** Every code counts as one lookup, so a batch of 40 codes counts as 40. Over the limit you get 429
with a `Retry-After` header (seconds) and `{"status": "rate_limited", "retry_after": N}`. A batch bigger than the
whole limit could never pass, so it gets 422 saying so: split it, or use a token.
"""


# Schemas -----------------------------------------------------------------------------------------------------
# The answers are plain pydantic models: ninja's Schema reads each field through its getter for ORM objects, some
# 90 calls per answer that the dicts these endpoints return don't need. Their OpenAPI text is the same either way.


class CertificateCheck(BaseModel):
    """A certificate's public status: only what docs/privacy.md allows."""

    code: str = Field(description="The verification code in groups of four, as printed.")
    status: Literal["valid", "expired", "suspended", "revoked", "superseded"] = Field(
        description="The status today. `expired`: past `expires_on`; `superseded`: replaced by a newer certificate."
    )
    holder_name: str = Field(description="The holder's name as it stands on the certificate.")
    credential: str = Field(description="The credential's name, e.g. Certified Peer Specialist.")
    certificate_number: str = Field(description="e.g. CPS-2026-000123.")
    issued_on: date = Field(description="ISO 8601 date.")
    expires_on: date = Field(description="The last day it is valid; ISO 8601 date.")
    issuer: str = Field(description="The body that issued it.")
    reason: str | None = Field(
        description="Why it was suspended or revoked, or which certificate replaced it; null for valid and expired."
    )


class NotFound(BaseModel):
    """No certificate has that code (unknown and malformed codes alike)."""

    status: Literal["not_found"]


class CodeNotFound(BaseModel):
    """One code of a batch that names no certificate, as it was sent."""

    code: str
    status: Literal["not_found"]


class Unauthorized(BaseModel):
    """The Authorization header holds no working token."""

    status: Literal["unauthorized"]


class RateLimited(BaseModel):
    """Too many lookups: try again after `retry_after` seconds (also sent as the Retry-After header)."""

    status: Literal["rate_limited"]
    retry_after: int


class InvalidRequest(BaseModel):
    """The request body isn't what the endpoint takes; `message` says what to change."""

    status: Literal["invalid_request"]
    message: str
    detail: list[dict]


Code = Annotated[str, StringConstraints(max_length=100)]


class CodesRequest(Schema):
    """Up to 100 codes to check at once."""

    codes: list[Code] = Field(
        description=f"1 to {MAX_CODES} verification codes, in any format people type them.",
        max_length=MAX_CODES,  # checked before any code is: a list of a million is refused at once
        json_schema_extra={"minItems": 1, "maxItems": MAX_CODES},
    )

    @field_validator("codes")
    @classmethod
    def one_to_a_hundred(cls, codes: list[str]) -> list[str]:
        """Between 1 and 100 codes, with a message that says so."""
        if not 1 <= len(codes) <= MAX_CODES:
            raise PydanticCustomError(
                "codes_count",
                "Send between 1 and {limit} codes in one request; this one had {count}.",
                {"limit": MAX_CODES, "count": len(codes)},
            )
        return codes


class BatchResults(BaseModel):
    """One result per code sent, in the same order."""

    results: list[CertificateCheck | CodeNotFound]


# Authentication and limits -----------------------------------------------------------------------------------


class TokenRejected(Exception):
    """An Authorization header was sent, but it holds no working token."""


class LookupsRefused(Exception):
    """Over the rate limit; `seconds` until the window resets."""

    def __init__(self, seconds: int):
        super().__init__(f"Try again in {seconds} seconds.")
        self.seconds = seconds


class VerifierToken(HttpBearer):
    """An organisation's API token from /verify/tokens/, sent as `Authorization: Bearer <token>`."""

    openapi_description = (
        "Optional. A verifier account's token, made at /verify/tokens/: its own higher rate limit, and its checks "
        "are shown to each certificate's holder with the organisation's name. A wrong or revoked token gets 401."
    )

    def __call__(self, request: HttpRequest):
        """No header: not this scheme (anonymous is next). A header without a working token: 401."""
        header = request.META.get("HTTP_AUTHORIZATION", "")  # request.headers would copy every header first
        if not header.strip():
            return None
        scheme, _, raw = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            raise TokenRejected
        return self.authenticate(request, raw.strip())

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        """The working token of an active verifier account, else 401."""
        found = api_token_use(raw=token)
        if found is None:
            raise TokenRejected
        return found


def anonymous(request: HttpRequest) -> str:
    """Anyone may check certificates without a token."""
    return ANONYMOUS


def _token(request: HttpRequest) -> ApiToken | None:
    return request.auth if isinstance(request.auth, ApiToken) else None


class BatchTooBig(Exception):
    """More codes in one batch than the caller's whole rate limit: waiting would never help."""

    def __init__(self, sent: int, limit: int, *, has_token: bool):
        super().__init__(
            f"This batch has {sent} codes, more than the {limit} lookups your rate limit allows at a time. "
            f"Send at most {limit} codes per request{'' if has_token else ', or use an API token'}."
        )


def _count_lookups(request: HttpRequest, token: ApiToken | None, cost: int) -> None:
    rate = token_rate() if token else address_rate()
    if rate is not None and cost > rate.count:
        raise BatchTooBig(cost, rate.count, has_token=token is not None)
    wait = token_lookups_refused(token.user_id, cost=cost) if token else address_lookups_refused(request, cost=cost)
    if wait is not None:
        raise LookupsRefused(wait)


# The API -----------------------------------------------------------------------------------------------------


RETRY_AFTER = {
    "description": "How many seconds to wait before trying again; the same number as `retry_after` in the body.",
    "required": True,
    "schema": {"type": "integer", "minimum": 1},
}


class VerificationAPI(NinjaAPI):
    """NinjaAPI whose answers are never cached, which answers HEAD as GET, and whose docs are complete."""

    def _get_urls(self):
        """ninja's URL patterns, each answering HEAD exactly as GET (ninja itself answers HEAD with 405)."""
        patterns = super()._get_urls()
        for pattern in patterns:
            pattern.callback = head_as_get(pattern.callback)
        return patterns

    def create_response(self, request: HttpRequest, data, *args, **kwargs) -> HttpResponse:
        """A status can change at any moment (a revocation), so no cache may keep an answer."""
        response = super().create_response(request, data, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        return response

    def get_openapi_schema(self, **kwargs):
        """The schema, tokens shown as optional (`{}` added to each security list), Retry-After on every 429."""
        schema = super().get_openapi_schema(**kwargs)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                if operation.get("security"):
                    operation["security"] = [{}, *operation["security"]]
                for status, response in operation.get("responses", {}).items():
                    if str(status) == "429":
                        response["headers"] = {"Retry-After": RETRY_AFTER}
        return schema


api = VerificationAPI(
    title="Certificate verification API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=[VerifierToken(), anonymous],
    docs_decorator=public,
)


@api.exception_handler(TokenRejected)
def token_rejected(request: HttpRequest, exc: TokenRejected) -> HttpResponse:
    """401 with one plain body, whatever was wrong with the token."""
    response = api.create_response(request, {"status": "unauthorized"}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="verification"'
    return response


@api.exception_handler(LookupsRefused)
def lookups_refused(request: HttpRequest, exc: LookupsRefused) -> HttpResponse:
    """429 with Retry-After."""
    response = api.create_response(request, {"status": "rate_limited", "retry_after": exc.seconds}, status=429)
    response["Retry-After"] = str(exc.seconds)
    return response


def _message(errors: list[dict]) -> str:
    parts = []
    for error in errors[:3]:
        where = ".".join(str(part) for part in error.get("loc", ()) if part not in ("body", "payload"))
        message = str(error.get("msg"))
        if error.get("type") == "too_long" and where == "codes":
            count = (error.get("ctx") or {}).get("actual_length", "more")
            message = f"Send between 1 and {MAX_CODES} codes in one request; this one had {count}."
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts) or "The request isn't valid."


@api.exception_handler(BatchTooBig)
def batch_too_big(request: HttpRequest, exc: BatchTooBig) -> HttpResponse:
    """422: a batch bigger than the whole rate limit, which no amount of waiting would let through."""
    return api.create_response(request, {"status": "invalid_request", "message": str(exc), "detail": []}, status=422)


def _refused_for_bad_requests(request: HttpRequest) -> HttpResponse | None:
    """Count a request we couldn't read as one lookup (so bad requests can't be sent without limit): 429, or None."""
    try:
        _count_lookups(request, _token(request), cost=1)
    except LookupsRefused as refused:
        return lookups_refused(request, refused)
    return None


@api.exception_handler(ValidationError)
def invalid_request(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """422 with a message people can act on, and the first of pydantic's details for programs (counted as one)."""
    body = {"status": "invalid_request", "message": _message(exc.errors), "detail": exc.errors[:MAX_DETAILS]}
    return _refused_for_bad_requests(request) or api.create_response(request, body, status=422)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """Other client errors (a body that isn't JSON, or far too large) in the same shape, counted as one lookup."""
    body = {"status": "invalid_request", "message": str(exc), "detail": []}
    return _refused_for_bad_requests(request) or api.create_response(request, body, status=exc.status_code)


COMMON_ERRORS = {401: Unauthorized, 429: RateLimited}


@api.get(
    "/verify/{code}",
    response={200: CertificateCheck, 404: NotFound, **COMMON_ERRORS},
    summary="Check one certificate",
    operation_id="verify_certificate",
    tags=["Verification"],
)
def verify_one(
    request: HttpRequest,
    code: str = Path(..., description="The verification code, in any case, with or without spaces or hyphens."),
):
    """The certificate's status today, or 404 `{"status": "not_found"}` for an unknown or malformed code."""
    token = _token(request)
    _count_lookups(request, token, cost=1)
    certificate = certificate_for_code(code)
    if certificate is None:
        return Status(404, NOT_FOUND)
    if token:
        verification_lookup_record(certificate=certificate, verifier=token.user, channel=Lookup.Channel.API)
    return public_facts(certificate)


@api.post(
    "/verify",
    response={200: BatchResults, 400: InvalidRequest, 422: InvalidRequest, **COMMON_ERRORS},
    summary="Check up to 100 certificates at once",
    operation_id="verify_certificates",
    tags=["Verification"],
)
def verify_many(request: HttpRequest, payload: CodesRequest):
    """One result per code, in order: the same object as the single check, or `{"code", "status": "not_found"}`.

    Each code counts as one lookup against the rate limit.
    """
    token = _token(request)
    _count_lookups(request, token, cost=len(payload.codes))
    certificates = certificates_for_codes(payload.codes)
    if token:
        verification_lookups_record(
            certificates=[certificate for certificate in certificates if certificate],
            verifier=token.user,
            channel=Lookup.Channel.API,
        )
    return {
        "results": [
            public_facts(certificate) if certificate else {"code": typed, "status": "not_found"}
            for typed, certificate in zip(payload.codes, certificates, strict=True)
        ]
    }
