"""Views for checking certificates: public pages, verifiers' tokens and bulk checks, and who checked a holder's."""

import re
from datetime import timedelta
from functools import lru_cache
from pathlib import PurePath
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from certificates.codes import format_code, normalise_code
from certificates.credential_check import UNVOUCHED, credential_file_check
from certificates.credential_files import CredentialFileError
from certificates.models import Certificate
from certificates.selectors import PublicCertificate
from lms.access import public, role_required, signed_in
from lms.lookup_limits import address_lookups_refused, describe_rate, token_rate
from lms.roles import VERIFIER, has_role
from lms.security import csrf_token_valid
from verification.csvcodes import MAX_ROWS, results_csv
from verification.forms import BulkUploadForm, TokenForm
from verification.models import BulkJob, Lookup
from verification.selectors import (
    bulk_job_for_owner,
    bulk_jobs_for,
    certificate_checks,
    certificate_for_code,
    certificate_for_holder,
    organisation_name_of,
    token_for_owner,
    tokens_for,
)
from verification.services import (
    VerificationError,
    api_token_create,
    api_token_revoke,
    bulk_job_create,
    bulk_job_delete,
    bulk_job_resume_if_due,
    bulk_job_retry,
    bulk_job_run_task,
    verification_lookup_record,
)

PAGE_SIZE = 25


def _page(request: HttpRequest, queryset, size: int = PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def _noindex(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex"
    return response


def _form_context(request: HttpRequest, typed: str = "") -> dict:
    return {
        "typed": typed[:60],
        "is_verifier": has_role(request.user, VERIFIER),
        "upload_limit_mb": settings.CREDENTIAL_UPLOAD_MAX_BYTES // (1024 * 1024),
    }


# The public check --------------------------------------------------------------------------------------------


def _not_found(request: HttpRequest, typed: str = "") -> HttpResponse:
    """The one answer for unknown and malformed codes alike."""
    return _noindex(render(request, "verification/verify_not_found.html", _form_context(request, typed), status=404))


def _rate_limited(request: HttpRequest, seconds: int) -> HttpResponse:
    """429 with Retry-After and a page that says how long to wait."""
    response = render(
        request, "verification/rate_limited.html", {**_form_context(request), "seconds": seconds}, status=429
    )
    response["Retry-After"] = str(seconds)
    return _noindex(response)


def _lookup(request: HttpRequest, typed: str) -> Certificate | HttpResponse:
    """The certificate a code names, counted against the client's rate limit; else the page to answer with."""
    wait = address_lookups_refused(request)
    if wait is not None:
        return _rate_limited(request, wait)
    return certificate_for_code(typed) or _not_found(request, typed)


@public
@csrf_exempt  # scripts may POST a file to check; the lookup log is only written with a valid CSRF token
@require_http_methods(["GET", "HEAD", "POST"])
def verify_form(request):
    """The public form to check a certificate by its code (`?code=` checks it) or by uploading its PDF or JSON."""
    if request.method == "POST":
        return _verify_upload(request)
    typed = request.GET.get("code", "").strip()
    if typed:
        code = normalise_code(typed)
        if code is not None:  # the page it leads to looks it up, so one check counts once against the limit
            return redirect("verify_certificate", code=format_code(code))
        found = _lookup(request, typed)  # a malformed code: counted, and the same query and page as an unknown one
        return found if isinstance(found, HttpResponse) else redirect("verify_certificate", code=found.display_code)
    return _noindex(render(request, "verification/verify_form.html", _form_context(request)))


OUTCOME_LABELS = {
    "valid": ("valid", "Valid"),
    "expired": ("expired", "Expired"),
    "suspended": ("suspended", "Suspended"),
    "revoked": ("revoked", "Revoked"),
    "superseded": ("superseded", "Superseded"),
    "not_yet_valid": ("suspended", "Not valid yet"),
    "status_unknown": ("suspended", "Status unknown"),
    "tampered": ("revoked", "Not genuine"),
    "malformed": ("revoked", "Not in our form"),
    "pdf_changed": ("suspended", "PDF changed"),
    "not_ours": ("expired", "Not ours to check"),
}


def _verify_upload(request: HttpRequest) -> HttpResponse:
    """Check an uploaded certificate PDF or credential file: its proof, key, status and dates."""
    limit = settings.CREDENTIAL_UPLOAD_MAX_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    # Refuse an oversized upload before Django reads it into a temporary file.
    uploaded = None if declared > limit + 64 * 1024 else request.FILES.get("file")
    error = None
    if declared > limit + 64 * 1024:
        error = f"This file is {declared / 1024 / 1024:.1f} MB; a certificate or credential is much smaller."
    elif uploaded is None:
        error = "Choose a certificate PDF or credential file to check."
    elif uploaded.size > settings.CREDENTIAL_UPLOAD_MAX_BYTES:
        error = f"This file is {uploaded.size / 1024 / 1024:.1f} MB; a certificate or credential is much smaller."
    if error is None:
        wait = address_lookups_refused(request)
        if wait is not None:
            return _rate_limited(request, wait)
        try:
            result = credential_file_check(uploaded.read(settings.CREDENTIAL_UPLOAD_MAX_BYTES + 1))
        except CredentialFileError as problem:
            error = str(problem)
    wants_json = request.accepts("application/json") and not request.accepts("text/html")
    if error is not None:
        if wants_json:
            return _noindex(JsonResponse({"outcome": "unreadable", "headline": error}, status=400))
        context = {**_form_context(request), "upload_error": error}
        return _noindex(render(request, "verification/verify_form.html", context, status=400))
    if result.certificate is not None and result.outcome not in UNVOUCHED and csrf_token_valid(request):
        # Only from our own form: another site can make a verifier's browser post a file, never with a token.
        verification_lookup_record(certificate=result.certificate, verifier=request.user, channel=Lookup.Channel.FILE)
    if wants_json:
        return _noindex(JsonResponse(result.as_dict()))
    status_class, status_label = OUTCOME_LABELS[result.outcome]
    context = {
        "result": result,
        "status_class": status_class,
        "status_label": status_label,
        "show_reason": result.outcome in {"revoked", "suspended"} and result.certificate is not None,
    }
    return _noindex(render(request, "verification/credential_check.html", context))


@public
@require_http_methods(["GET", "HEAD", "POST"])
def verify_certificate(request, code: str):
    """A certificate's public status: only what docs/privacy.md allows, and never indexed.

    Opening it records nothing. A signed-in verifier records their check for the holder to see with the page's
    button: a POST, which needs the page's CSRF token, so no link or other site can record one in their name.
    """
    canonical = normalise_code(code)
    if canonical is not None and code != format_code(canonical):  # not counted: the canonical page counts
        return redirect("verify_certificate", code=format_code(canonical))
    if request.method == "POST" and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.method == "POST" and not has_role(request.user, VERIFIER):
        raise PermissionDenied
    found = _lookup(request, code)
    if isinstance(found, HttpResponse):
        return found
    if request.method == "POST":
        return _record_check(request, found)
    status = found.status
    status_label = _STATUS_LABELS.get(status, status)
    context = {
        "certificate": found,
        "status": status,
        "status_label": status_label,
        "checked_at": timezone.localtime(),
        "facts_html": _facts_html(found, status, status_label),
        "is_verifier": has_role(request.user, VERIFIER),
        "organisation": organisation_name_of(request.user) if has_role(request.user, VERIFIER) else "",
    }
    return _noindex(render(request, "verification/verify_certificate.html", context))


def _record_check(request: HttpRequest, certificate: PublicCertificate) -> HttpResponse:
    """Log the signed-in verifier's check of the certificate for its holder, then show the page again."""
    verification_lookup_record(certificate=certificate, verifier=request.user, channel=Lookup.Channel.PAGE)
    organisation = organisation_name_of(request.user) or "your organisation"
    messages.success(
        request, f"Recorded: {certificate.holder_name} will see that {organisation} checked this certificate today."
    )
    return redirect("verify_certificate", code=certificate.display_code)


_STATUS_LABELS = {**{state.value: state.label for state in Certificate.State}, Certificate.EXPIRED: "Expired"}


@lru_cache(maxsize=2048)
def _facts_html(certificate: PublicCertificate, status: str, status_label: str) -> str:
    """The body of a check page, memoised per process: it depends on nothing but these (hashable) arguments."""
    return render_to_string(
        "verification/includes/certificate_facts.html",
        {"certificate": certificate, "status": status, "status_label": status_label, "newer": certificate.replaced_by},
    )


# API tokens --------------------------------------------------------------------------------------------------


@role_required(VERIFIER)
@require_http_methods(["GET", "POST"])
def tokens(request):
    """The verifier's API tokens: make one (shown once, never again) and see which are in use."""
    form = TokenForm(request.POST if request.method == "POST" else None)
    created = secret = None
    if request.method == "POST" and form.is_valid():
        try:
            created, secret = api_token_create(user=request.user, name=form.cleaned_data["name"])
        except VerificationError as error:
            form.add_error("name" if error.code == "name_required" else None, error.message)
        else:
            form = TokenForm()
    response = render(
        request,
        "verification/tokens.html",
        {
            "form": form,
            "created": created,
            "secret": secret,
            "page": _page(request, tokens_for(user=request.user)),
            "api_url": request.build_absolute_uri(reverse("api-v1:verify_one", kwargs={"code": "CODE"})),
            "organisation": organisation_name_of(request.user),
        },
    )
    response["Cache-Control"] = "no-store"  # the new token is on this page once
    return response


@role_required(VERIFIER)
@require_http_methods(["GET", "POST"])
def token_revoke(request, pk: int):
    """Ask, then stop one of the verifier's tokens from working."""
    token = token_for_owner(user=request.user, pk=pk)
    if token is None:
        raise Http404
    if request.method == "POST":
        api_token_revoke(user=request.user, token_id=token.pk)
        messages.success(
            request, f"Revoked “{token.name}”. Programs using it can no longer check certificates with it."
        )
        return redirect("verify_tokens")
    if not token.is_active:
        messages.info(request, f"“{token.name}” was already revoked.")
        return redirect("verify_tokens")
    return render(request, "verification/token_confirm_revoke.html", {"token": token})


# Bulk CSV checks ---------------------------------------------------------------------------------------------


def _own_job(request: HttpRequest, job_id: UUID, *, with_rows: bool = False) -> BulkJob:
    job = bulk_job_for_owner(user=request.user, job_id=job_id, with_rows=with_rows)
    if job is None:
        raise Http404
    return job


@role_required(VERIFIER)
@require_http_methods(["GET", "POST"])
def bulk(request):
    """Upload a CSV of codes to check in the background, and the verifier's earlier uploads."""
    form = BulkUploadForm(
        request.POST if request.method == "POST" else None, request.FILES if request.method == "POST" else None
    )
    if request.method == "POST" and form.is_valid():
        try:
            job = bulk_job_create(verifier=request.user, file_name=form.cleaned_data["file"].name, upload=form.upload)
        except VerificationError as error:
            form.add_error("file", error.message)
        else:
            return redirect("verify_bulk_job", job_id=job.pk)
    return render(
        request,
        "verification/bulk.html",
        {
            "form": form,
            "page": _page(request, bulk_jobs_for(user=request.user)),
            "max_rows": MAX_ROWS,
            "organisation": organisation_name_of(request.user),
            "retention_days": settings.VERIFICATION_JOB_RETENTION_DAYS,
        },
    )


SUMMARY_LABELS = {
    "valid": "Valid",
    "expired": "Expired",
    "suspended": "Suspended",
    "revoked": "Revoked",
    "superseded": "Superseded",
    "not_found": "Not found",
}


@role_required(VERIFIER)
@require_safe
def bulk_job(request, job_id: UUID):
    """One bulk check: its progress while running, then a summary and the results file."""
    bulk_job_resume_if_due(verifier=request.user, job_id=job_id)
    job = _own_job(request, job_id)
    retention_days = settings.VERIFICATION_JOB_RETENTION_DAYS
    summary_lines = [
        (label, job.summary[status]) for status, label in SUMMARY_LABELS.items() if job.summary.get(status)
    ]
    return render(
        request,
        "verification/bulk_job.html",
        {
            "job": job,
            "summary_lines": summary_lines,
            "retention_days": retention_days,
            "kept_until": job.finished_at + timedelta(days=retention_days) if job.finished_at else None,
            "allowance": describe_rate(token_rate()),
            "tasks_can_wait": bulk_job_run_task.get_backend().supports_defer,
        },
    )


@role_required(VERIFIER)
@require_safe
def bulk_job_status(request, job_id: UUID):
    """A bulk check's progress as JSON, for the job page's script to poll (which takes up a paused check when due)."""
    bulk_job_resume_if_due(verifier=request.user, job_id=job_id)
    job = _own_job(request, job_id)
    response = JsonResponse(
        {
            "state": job.state,
            "state_label": job.get_state_display(),
            "done": job.done,
            "total": job.total,
            "percent": job.percent,
            "finished": job.is_finished,
            "paused_until": job.paused_until.isoformat() if job.paused_until else None,
            "paused_until_label": f"{timezone.localtime(job.paused_until):%H:%M:%S}" if job.paused_until else None,
            "results_url": reverse("verify_bulk_job_results", args=[job.pk])
            if job.state == BulkJob.State.DONE
            else None,
        }
    )
    response["Cache-Control"] = "no-store"
    return response


def _results_name(file_name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", PurePath(file_name).stem).strip("-")[:80] or "codes"
    return f"{stem}-results.csv"


@role_required(VERIFIER)
@require_safe
def bulk_job_results(request, job_id: UUID):
    """A finished bulk check's results as CSV: the uploaded columns, then each row's status and details."""
    job = _own_job(request, job_id, with_rows=True)
    if job.state != BulkJob.State.DONE:
        messages.info(request, "The results file will be ready once every row has been checked.")
        return redirect("verify_bulk_job", job_id=job.pk)
    response = HttpResponse(
        results_csv(header=job.header, rows=job.rows, results=job.results), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_results_name(job.file_name)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@role_required(VERIFIER)
@require_POST
def bulk_job_retry_view(request, job_id: UUID):
    """Check a file that stopped with an error again, from its first row."""
    job = _own_job(request, job_id)
    try:
        bulk_job_retry(verifier=request.user, job_id=job.pk)
    except VerificationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"We're checking “{job.file_name}” again, from the first row.")
    return redirect("verify_bulk_job", job_id=job.pk)


@role_required(VERIFIER)
@require_http_methods(["GET", "POST"])
def bulk_job_delete_view(request, job_id: UUID):
    """Ask, then delete one of the verifier's bulk checks with its uploaded rows and results."""
    job = _own_job(request, job_id)
    if request.method == "POST":
        try:
            file_name = bulk_job_delete(verifier=request.user, job_id=job.pk)
        except VerificationError:  # deleted in another tab a moment ago
            raise Http404 from None
        messages.success(request, f"Deleted the check of “{file_name}”, with what you uploaded and its results.")
        return redirect("verify_bulk")
    return render(
        request,
        "verification/bulk_job_confirm_delete.html",
        {"job": job, "organisation": organisation_name_of(request.user)},
    )


# The holder's view -------------------------------------------------------------------------------------------


@signed_in
@require_safe
def certificate_checks_view(request, pk: int):
    """Which organisations checked the holder's certificate, how and when; for the holder and nobody else."""
    certificate = certificate_for_holder(user=request.user, pk=pk)
    if certificate is None:
        raise Http404
    return render(
        request,
        "verification/certificate_checks.html",
        {"certificate": certificate, "page": _page(request, certificate_checks(certificate=certificate))},
    )
