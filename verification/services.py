"""Writes for verification: verifier organisations, API tokens, the log of verifiers' checks, and bulk CSV checks."""

import hashlib
import logging
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from certificates.models import Certificate
from certificates.selectors import PublicCertificate
from lms.errors import ServiceError
from lms.lookup_limits import token_lookups_left, token_lookups_refused
from lms.roles import VERIFIER, has_role
from verification.csvcodes import CodesFile, result_cells
from verification.models import ApiToken, BulkJob, Lookup, VerifierProfile
from verification.selectors import certificates_for_codes, organisation_name_of, public_facts

logger = logging.getLogger(__name__)

# "peer specialist verification": tells a leaked token apart in logs and secret scanners (not a secret itself)
TOKEN_PREFIX = "psv_"  # noqa: S105
TOKEN_SHOWN = 12  # characters kept in clear to recognise a token: psv_ and 8 more
MAX_TOKEN_LENGTH = 100
MAX_ACTIVE_TOKENS = 20
LAST_USED_PRECISION = timedelta(minutes=1)  # "last used" is written at most once a minute, not on every call
CHUNK = 500
MAX_UNFINISHED_JOBS = 3
BUSY_WINDOW = timedelta(hours=1)
Channel = Lookup.Channel


class VerificationError(ServiceError):
    """A verification rule stopped the action.

    Codes: 'not_allowed', 'name_required', 'too_many_tokens', 'not_found', 'busy', 'not_failed'.
    """


def _is_verifier(user: AbstractBaseUser | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and has_role(user, VERIFIER))


def _require_verifier(user: AbstractBaseUser) -> None:
    if not _is_verifier(user):
        raise VerificationError("not_allowed", "Only verifier accounts of organisations can do this.")


def token_digest(raw: str) -> str:
    """The SHA-256 of a token, in hex: all that is stored of it."""
    return hashlib.sha256(raw.encode()).hexdigest()


# Verifier organisations --------------------------------------------------------------------------------------


@transaction.atomic
def verifier_profile_save(
    *,
    user: AbstractBaseUser,
    organisation_name: str,
    kind: str = VerifierProfile.Kind.EMPLOYER,
    by: AbstractBaseUser | None = None,
) -> VerifierProfile:
    """Set the organisation a verifier account checks for. Raises VerificationError 'not_allowed', 'name_required'."""
    _require_verifier(user)
    name = " ".join(organisation_name.split())
    if not name:
        raise VerificationError("name_required", "Give the organisation's name.")
    profile = VerifierProfile.objects.select_for_update().filter(user=user).first() or VerifierProfile(user=user)
    profile.organisation_name = name
    profile.kind = kind
    profile._history_user = by
    profile.save()
    return profile


# The lookup log ----------------------------------------------------------------------------------------------


def verification_lookup_record(
    *, certificate: Certificate | PublicCertificate, verifier: AbstractBaseUser | None, channel: str
) -> Lookup | None:
    """Log a verifier's check of a certificate, with their organisation as it stands now, for its holder to see.

    Only signed-in verifier accounts are logged: anyone else's check (anonymous, holders, admins) returns None.
    """
    if not _is_verifier(verifier):
        return None
    return Lookup.objects.create(
        certificate_id=certificate.pk,
        verifier=verifier,
        organisation_name=organisation_name_of(verifier),
        channel=channel,
    )


def verification_lookups_record(
    *, certificates: list[Certificate], verifier: AbstractBaseUser | None, channel: str
) -> int:
    """Log a verifier's checks of many certificates in one insert (as verification_lookup_record); returns how many.

    The insert is its own transaction, not one opened by the reads before it (see api_token_use on SQLite).
    """
    if not certificates or not _is_verifier(verifier):
        return 0
    organisation = organisation_name_of(verifier)
    now = timezone.now()
    Lookup.objects.bulk_create(
        [
            Lookup(
                certificate=certificate,
                verifier=verifier,
                organisation_name=organisation,
                channel=channel,
                looked_up_at=now,
            )
            for certificate in certificates
        ]
    )
    return len(certificates)


# API tokens --------------------------------------------------------------------------------------------------


@transaction.atomic
def api_token_create(*, user: AbstractBaseUser, name: str) -> tuple[ApiToken, str]:
    """Make an API token for a verifier; returns the stored row and the token itself, which is never stored.

    Only its SHA-256 and first few characters are kept, so the caller must show the token now or never.
    Raises VerificationError 'not_allowed', 'name_required', 'too_many_tokens' (more than 20 working ones).
    """
    _require_verifier(user)
    name = " ".join(name.split())
    if not name:
        raise VerificationError("name_required", "Give the token a name, so you can tell it apart later.")
    active = ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True)
    if len(active) >= MAX_ACTIVE_TOKENS:
        raise VerificationError(
            "too_many_tokens",
            f"You already have {MAX_ACTIVE_TOKENS} working tokens. Revoke one you no longer use, then try again.",
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, prefix=raw[:TOKEN_SHOWN], digest=token_digest(raw))
    token._history_user = user
    token.save()
    return token, raw


@transaction.atomic
def api_token_revoke(*, user: AbstractBaseUser, token_id: int) -> ApiToken:
    """Stop one of the user's tokens from working, at once. Harmless to repeat. Raises 'not_found'."""
    token = ApiToken.objects.select_for_update().filter(user=user, pk=token_id).first()
    if token is None:
        raise VerificationError("not_found", "That token doesn't exist, or isn't yours.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token._history_user = user
        token._change_reason = "Revoked"
        token.save()
    return token


def api_token_use(*, raw: str) -> ApiToken | None:
    """The working token `raw` is, of an active verifier account, marked as used (to the minute); else None.

    Not one transaction: on SQLite a transaction that reads and then writes fails at once ("database is locked")
    when another process wrote in between, so the mark is a statement of its own, which waits its turn instead.
    """
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > MAX_TOKEN_LENGTH:
        return None
    token = ApiToken.objects.select_related("user").filter(digest=token_digest(raw), revoked_at__isnull=True).first()
    if token is None or not _is_verifier(token.user):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        token.last_used_at = now
        stale = Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_PRECISION)
        ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now)  # no history row per use
    return token


# Bulk CSV checks ---------------------------------------------------------------------------------------------


@transaction.atomic
def bulk_job_create(*, verifier: AbstractBaseUser, file_name: str, upload: CodesFile) -> BulkJob:
    """Keep a verifier's uploaded rows and check them in the background once committed.

    Raises VerificationError 'not_allowed', or 'busy' while three of their files from the last hour are still
    being checked (older unfinished ones don't count, so a lost task can't block anyone for long).
    """
    _require_verifier(verifier)
    busy = _jobs_being_checked(verifier)
    if busy >= MAX_UNFINISHED_JOBS:
        raise VerificationError(
            "busy",
            f"You have {busy} files still being checked. Please wait for one of them to finish, then upload this "
            "file again.",
        )
    job = BulkJob.objects.create(
        verifier=verifier,
        file_name=file_name[:255],
        header=upload.header,
        code_column=upload.code_column,
        rows=upload.rows,
        total=len(upload.rows),
    )
    _enqueue_run(job)
    return job


def _jobs_being_checked(verifier: AbstractBaseUser) -> int:
    """How many of the verifier's files started (uploaded or run again) in the last hour are still unfinished."""
    return BulkJob.objects.filter(
        verifier=verifier,
        state__in=[BulkJob.State.QUEUED, BulkJob.State.RUNNING],
        queued_at__gte=timezone.now() - BUSY_WINDOW,
    ).count()


def _enqueue_run(job: BulkJob) -> None:
    """Start checking the job in the background once the current transaction commits."""
    job_id = str(job.pk)
    transaction.on_commit(lambda: bulk_job_run_task.enqueue(job_id=job_id))


@task()
def bulk_job_run_task(*, job_id: str) -> str:
    """Check a bulk job's rows in the background; returns its final state ('gone' if it was deleted)."""
    job = bulk_job_run(job_id=job_id)
    return job.state if job else "gone"


def bulk_job_run(*, job_id: str) -> BulkJob | None:
    """Check a job's rows chunk by chunk, each chunk in its own transaction so the job page sees the progress.

    Every chunk is counted against the verifier account's lookup allowance (VERIFY_TOKEN_RATE_LIMIT, shared with its
    API tokens) before it is checked, and takes no more than is left in the window. When nothing is left the job
    pauses until the window resets: on a task queue that can wait (the database queue) this task is queued again for
    then; otherwise (tasks run in the request, the development default) the owner's job page takes it up again once
    that time has passed (bulk_job_resume_if_due). Nothing ever sleeps. Picks up where it stopped, so running it
    again (a retried task) checks nothing twice. Any error marks the job failed with a message for its owner; the
    rows and the results so far are kept. None if there's no such job.
    """
    try:
        while True:
            size, wait = _bulk_chunk_counted(job_id=job_id)
            if wait is not None:
                job = bulk_job_pause(job_id=job_id, seconds=wait)
                if job is not None and not job.is_finished and _tasks_can_wait():
                    bulk_job_run_task.using(run_after=job.paused_until).enqueue(job_id=str(job_id))
                return job
            job = bulk_job_step(job_id=job_id, size=size)
            if job is None or job.is_finished:
                return job
    except Exception:  # the owner must see the job stop rather than wait forever
        if not BulkJob.objects.filter(pk=job_id).exists():  # deleted by its owner mid-chunk (SQLite's lock): no fault
            logger.info("Bulk verification job %s was deleted while a chunk was being checked", job_id)
            return None
        logger.exception("Bulk verification job %s failed", job_id)
        return bulk_job_fail(job_id=job_id)


def _tasks_can_wait() -> bool:
    """Whether the task backend can hold a task until a given time (the database queue can; running at once can't)."""
    return bulk_job_run_task.get_backend().supports_defer


def _bulk_chunk_counted(*, job_id: str) -> tuple[int, int | None]:
    """How many of the job's next rows to check now, counted against its verifier's allowance: (rows, seconds to
    wait). Takes what is left of the allowance in this window, at most CHUNK rows; waits only when none is left.

    Counted outside any transaction (lms/ratelimit.py).
    """
    job = BulkJob.objects.only("verifier_id", "done", "total", "state").filter(pk=job_id).first()
    if job is None or job.is_finished or job.done >= job.total:
        return 0, None
    left = token_lookups_left(job.verifier_id)
    size = min(CHUNK, job.total - job.done, CHUNK if left is None else left)
    wait = token_lookups_refused(job.verifier_id, cost=max(size, 1))
    return (0, wait) if wait is not None else (size, None)


@transaction.atomic
def bulk_job_pause(*, job_id: str, seconds: int) -> BulkJob | None:
    """Note on the job that it waits `seconds` for its verifier's allowance; None if it's gone."""
    job = BulkJob.objects.select_for_update().defer("rows", "results").filter(pk=job_id).first()
    if job is None or job.is_finished:
        return job
    job.paused_until = timezone.now() + timedelta(seconds=seconds)
    job.state = BulkJob.State.RUNNING
    job.save(update_fields=["paused_until", "state"])
    return job


@transaction.atomic
def bulk_job_step(*, job_id: str, size: int) -> BulkJob | None:
    """Check the next `size` rows of a job (already counted) with one query, log the lookups, record the progress."""
    job = BulkJob.objects.select_for_update().filter(pk=job_id).first()
    if job is None or job.is_finished:
        return job
    chunk = job.rows[job.done : job.done + size]
    certificates = certificates_for_codes([row[job.code_column] if job.code_column < len(row) else "" for row in chunk])
    today = timezone.localdate()
    summary = dict(job.summary)
    for certificate in certificates:
        facts = public_facts(certificate, today=today) if certificate else None
        job.results.append(result_cells(facts))
        status = facts["status"] if facts else "not_found"
        summary[status] = summary.get(status, 0) + 1
    verification_lookups_record(
        certificates=[certificate for certificate in certificates if certificate],
        verifier=job.verifier,
        channel=Channel.BULK,
    )
    job.summary = summary
    job.done += len(chunk)
    job.paused_until = None
    job.state = BulkJob.State.DONE if job.done >= job.total else BulkJob.State.RUNNING
    if job.state == BulkJob.State.DONE:
        job.finished_at = timezone.now()
    job.save(update_fields=["results", "summary", "done", "paused_until", "state", "finished_at"])
    return job


def bulk_job_resume_if_due(*, verifier: AbstractBaseUser, job_id) -> bool:
    """Take up a paused job of the verifier's whose wait is over, where no task was queued for then; whether it was.

    Only needed when tasks run at once in the request (development): the database queue runs the task it was given
    for that time. Of two pages asking at once, one resumes it.
    """
    if _tasks_can_wait():
        return False
    now = timezone.now()
    resumed = BulkJob.objects.filter(
        verifier=verifier, pk=job_id, paused_until__lte=now, state=BulkJob.State.RUNNING
    ).update(paused_until=None)
    if resumed:
        transaction.on_commit(lambda: bulk_job_run_task.enqueue(job_id=str(job_id)))
    return bool(resumed)


@transaction.atomic
def bulk_job_fail(*, job_id: str) -> BulkJob | None:
    """Mark a job as stopped by an error, keeping its rows and the results so far."""
    job = BulkJob.objects.select_for_update().filter(pk=job_id).first()
    if job is None:
        return None
    job.state = BulkJob.State.FAILED
    job.error = "Something went wrong on our side while checking this file. We've been told."
    job.finished_at = timezone.now()
    job.save(update_fields=["state", "error", "finished_at"])
    return job


@transaction.atomic
def bulk_job_retry(*, verifier: AbstractBaseUser, job_id) -> BulkJob:
    """Check a job that was stopped by an error again, from its first row, in the background once committed.

    The results, summary and error of the stopped run are cleared; the uploaded rows are kept. Raises
    VerificationError 'not_allowed', 'not_found' (no such job of theirs), 'not_failed' (only a stopped job can be
    run again) or 'busy' (as bulk_job_create: three of their files are still being checked).
    """
    _require_verifier(verifier)
    job = BulkJob.objects.select_for_update().defer("rows").filter(verifier=verifier, pk=job_id).first()
    if job is None:
        raise VerificationError("not_found", "That check doesn't exist, or isn't yours.")
    if job.state == BulkJob.State.DONE:
        raise VerificationError(
            "not_failed", "This file has already been checked in full: its results are ready to download."
        )
    if job.state != BulkJob.State.FAILED:
        raise VerificationError("not_failed", "This file is still being checked. Its results will be ready soon.")
    busy = _jobs_being_checked(verifier)
    if busy >= MAX_UNFINISHED_JOBS:
        raise VerificationError(
            "busy",
            f"You have {busy} files still being checked. Please wait for one of them to finish, then try again.",
        )
    job.state = BulkJob.State.QUEUED
    job.results = []
    job.summary = {}
    job.done = 0
    job.error = ""
    job.finished_at = None
    job.paused_until = None
    job.queued_at = timezone.now()  # the retention and the busy window count from this run; the upload time stays
    job.save(update_fields=["state", "results", "summary", "done", "error", "finished_at", "paused_until", "queued_at"])
    _enqueue_run(job)
    return job


@transaction.atomic
def bulk_job_delete(*, verifier: AbstractBaseUser, job_id) -> str:
    """Delete one of the verifier's bulk checks, with its uploaded rows and results; returns its file name.

    The lookups it logged stay: they are each holder's record that the organisation checked their certificate.
    A job still being checked may be deleted too: the row lock waits for the chunk in hand to be saved, and the
    task stops at its next chunk when it finds the job gone (bulk_job_step). Raises VerificationError 'not_found'.
    """
    job = BulkJob.objects.select_for_update().only("pk", "file_name").filter(verifier=verifier, pk=job_id).first()
    if job is None:
        raise VerificationError("not_found", "That check doesn't exist, or isn't yours.")
    BulkJob.objects.filter(pk=job.pk).delete()
    return job.file_name


def bulk_jobs_prune(*, now: datetime | None = None) -> int:
    """Delete the bulk checks past VERIFICATION_JOB_RETENTION_DAYS; returns how many.

    Finished ones (done or stopped by an error) go that many days after they finished; unfinished ones that many
    days after they were uploaded or last run again, since a check waiting or running that long is dead.
    """
    cutoff = (now or timezone.now()) - timedelta(days=settings.VERIFICATION_JOB_RETENTION_DAYS)
    expired = BulkJob.objects.filter(Q(finished_at__lt=cutoff) | Q(finished_at__isnull=True, queued_at__lt=cutoff))
    _, deleted = expired.delete()
    return deleted.get(BulkJob._meta.label, 0)
