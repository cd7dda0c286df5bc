"""Public, machine-readable trust documents: signed credentials, status lists and the issuer's DID document."""

import json
import logging

from django.http import Http404, HttpResponse, JsonResponse
from django.utils.cache import patch_cache_control
from django.utils.http import parse_etags
from django.views.decorators.http import require_safe

from certificates.pdf_storage import certificate_credential_sign
from certificates.selectors import certificate_by_code, programme_for_badge
from certificates.sharing import badge_png, badge_svg
from certificates.signing import SigningKeyMissing, did_document
from certificates.status_lists import (
    LEGACY_PURPOSES,
    legacy_list_count,
    legacy_status_list_credential,
    list_count,
    status_list_credential,
)
from lms.access import public
from lms.lookup_limits import address_lookups_refused

logger = logging.getLogger(__name__)

LD_JSON = "application/ld+json"


def _shared(response: HttpResponse, *, seconds: int) -> HttpResponse:
    """Any site may read it (verifiers run in browsers too); never indexed; cacheable for a while."""
    response["Access-Control-Allow-Origin"] = "*"
    response["X-Robots-Tag"] = "noindex"
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, public=True, max_age=seconds)
    return response


def _unavailable(error: SigningKeyMissing) -> JsonResponse:
    logger.error("Signing key unavailable: %s", error)
    return JsonResponse(
        {"status": "unavailable", "message": "Signed credentials are unavailable just now."}, status=503
    )


@public
@require_safe
def credential_json(request, code: str):
    """A certificate's signed Open Badges 3.0 credential; its current status is in the status lists it names.

    A lookup like any other: it names the holder, so it counts against the client address's limit (VERIFY_RATE_LIMIT).
    """
    wait = address_lookups_refused(request)
    if wait is not None:
        response = JsonResponse({"status": "rate_limited", "retry_after": wait}, status=429)
        response["Retry-After"] = str(wait)
        response["Cache-Control"] = "no-store"
        return response
    certificate = certificate_by_code(code)
    if certificate is None:
        return JsonResponse({"status": "not_found"}, status=404)
    try:
        credential = certificate_credential_sign(certificate=certificate)
    except SigningKeyMissing as error:
        return _unavailable(error)
    response = HttpResponse(credential.document, content_type=LD_JSON)
    response["Content-Disposition"] = f'inline; filename="{certificate.number}.json"'
    return _shared(response, seconds=3600)


@public
@require_safe
def status_list(request, list_number: int):
    """One signed Bitstring Status List credential: every certificate's two-bit status (valid, revoked, suspended)."""
    if not 1 <= list_number <= list_count():
        return JsonResponse({"status": "not_found"}, status=404)
    return _status_list_response(request, lambda: status_list_credential(list_number))


@public
@require_safe
def legacy_status_list(request, list_number: int, purpose: str):
    """A legacy per-purpose list (revoked, or suspended, places), still named by credentials with two entries."""
    if purpose not in LEGACY_PURPOSES or not 1 <= list_number <= legacy_list_count():
        return JsonResponse({"status": "not_found"}, status=404)
    return _status_list_response(request, lambda: legacy_status_list_credential(list_number, purpose))


def _status_list_response(request, signed_list) -> HttpResponse:
    """The signed list, or 304 when the client's ETag still matches; cacheable for five minutes."""
    try:
        text, etag = signed_list()
    except SigningKeyMissing as error:
        return _unavailable(error)
    if etag in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(text, content_type=LD_JSON)
    response["ETag"] = etag
    return _shared(response, seconds=300)


@public
@require_safe
def did_json(request):
    """The issuer's DID document (did:web): every signing key, current and retired, as a Multikey."""
    response = HttpResponse(json.dumps(did_document(), indent=2), content_type="application/did+ld+json")
    return _shared(response, seconds=300)


def _badge_programme(abbreviation: str):
    programme = programme_for_badge(abbreviation)
    if programme is None:
        raise Http404
    return {"name": programme.name, "abbreviation": programme.abbreviation, "issuing_body": programme.issuing_body}


@public
@require_safe
def badge_svg_view(request, abbreviation: str):
    """A programme's badge as SVG: the image its credentials' achievement names; it shows only the programme."""
    response = HttpResponse(badge_svg(**_badge_programme(abbreviation)), content_type="image/svg+xml")
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return _shared(response, seconds=86400)


@public
@require_safe
def badge_png_view(request, abbreviation: str):
    """A programme's badge as PNG, for wallets and sites that don't show SVG."""
    return _shared(HttpResponse(badge_png(**_badge_programme(abbreviation)), content_type="image/png"), seconds=86400)
