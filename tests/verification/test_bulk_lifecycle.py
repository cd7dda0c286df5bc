"""Bulk checks' life: their owner deletes them, they're pruned after the retention period, a stopped one runs again."""

import io
import logging
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.utils import timezone

from certificates.codes import new_code
from certificates.models import Certificate
from tests.factories import PASSWORD, UserFactory
from tests.lms.test_settings import _settings_in_subprocess
from tests.verification.conftest import make_verifier
from tests.verification.test_bulk import upload
from verification import services
from verification.csvcodes import read_codes_csv
from verification.models import BulkJob, Lookup
from verification.services import (
    VerificationError,
    bulk_job_create,
    bulk_job_retry,
    bulk_job_run_task,
    bulk_job_step,
    bulk_jobs_prune,
)

pytestmark = pytest.mark.django_db

State = BulkJob.State


@pytest.fixture
def done_job(verifier_client, certificate, django_capture_on_commit_callbacks):
    """A finished check of staff.csv: the certificate's code and an unknown one."""
    upload(verifier_client, f"{certificate.code}\n{new_code()}\n".encode(), capture=django_capture_on_commit_callbacks)
    job = BulkJob.objects.get()
    assert job.state == State.DONE
    return job


def _failing_after_first_chunk(monkeypatch):
    """Make the second chunk of any check raise, as a database that went away would."""
    real = services.certificates_for_codes
    calls = []

    def flaky(codes):
        calls.append(codes)
        if len(calls) == 2:
            raise RuntimeError("database went away")
        return real(codes)

    monkeypatch.setattr(services, "CHUNK", 1)
    monkeypatch.setattr(services, "certificates_for_codes", flaky)


# Deleting ----------------------------------------------------------------------------------------------------


def test_a_one_row_check_is_described_in_the_singular(verifier_client, certificate, django_capture_on_commit_callbacks):
    upload(verifier_client, f"{certificate.code}\n".encode(), capture=django_capture_on_commit_callbacks)
    job = BulkJob.objects.get()
    html = verifier_client.get(f"/verify/bulk/{job.pk}/delete/").content.decode()
    assert "We'll delete the 1 row you uploaded and its result, so the results file can't be downloaded" in html


def test_the_owner_is_asked_then_deletes_the_rows_and_results(verifier_client, done_job, certificate):
    url = f"/verify/bulk/{done_job.pk}/delete/"
    confirm = verifier_client.get(url)
    html = confirm.content.decode()
    assert confirm.status_code == 200
    assert "<h1>Delete the check of “staff.csv”?</h1>" in html
    assert "We'll delete the 2 rows you uploaded and their results, so the results file can't be downloaded" in html
    assert "The certificates themselves aren't affected." in html
    assert "will still see that Northfield Health Board checked them, and when" in html
    assert "We're still checking this file" not in html
    assert '<button type="submit" class="button button-danger">Yes, delete it</button>' in html
    assert f'<a href="/verify/bulk/{done_job.pk}/">No, keep it</a>' in html
    assert BulkJob.objects.filter(pk=done_job.pk).exists()  # asking deletes nothing

    response = verifier_client.post(url, follow=True)
    assert response.redirect_chain == [("/verify/bulk/", 302)]
    html = response.content.decode()
    assert "Deleted the check of “staff.csv”, with what you uploaded and its results." in html
    assert "You haven't uploaded any files yet." in html
    assert not BulkJob.objects.exists()
    # The holder's record of the check, and the certificate, stay.
    assert list(Lookup.objects.values_list("certificate", "channel")) == [(certificate.pk, Lookup.Channel.BULK)]
    assert Certificate.objects.filter(pk=certificate.pk).exists()
    assert verifier_client.get(f"/verify/bulk/{done_job.pk}/results.csv").status_code == 404
    assert verifier_client.post(url).status_code == 404  # a second click finds nothing to delete


def test_another_verifier_gets_404_and_other_accounts_are_refused(client, done_job):
    urls = [f"/verify/bulk/{done_job.pk}/delete/", f"/verify/bulk/{done_job.pk}/retry/"]
    client.login(username=make_verifier("Eastbrook Clinic").username, password=PASSWORD)
    assert client.get(urls[0]).status_code == 404
    for url in urls:
        assert client.post(url).status_code == 404
    client.login(username=UserFactory().username, password=PASSWORD)
    for url in urls:
        assert client.post(url).status_code == 403
    client.logout()
    for url in urls:
        response = client.post(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    done_job.refresh_from_db()
    assert done_job.state == State.DONE and len(done_job.results) == 2


def test_a_check_still_running_can_be_deleted_and_its_task_stops_quietly(
    verifier_client, verifier, certificate, monkeypatch, caplog
):
    """The task finds the job gone at its next chunk and stops, logging nothing."""
    monkeypatch.setattr(services, "CHUNK", 1)
    codes = [certificate.code, new_code(), certificate.code]
    job = bulk_job_create(verifier=verifier, file_name="staff.csv", upload=read_codes_csv("\n".join(codes).encode()))
    assert bulk_job_step(job_id=str(job.pk), size=1).state == State.RUNNING  # one row of three checked

    page = verifier_client.get(f"/verify/bulk/{job.pk}/").content.decode()
    assert f'<a href="/verify/bulk/{job.pk}/delete/">Delete it now</a>' in page
    html = verifier_client.get(f"/verify/bulk/{job.pk}/delete/").content.decode()
    assert "We're still checking this file: deleting it stops the check." in html
    assert "We'll delete the 3 rows you uploaded and any results so far." in html
    assert verifier_client.post(f"/verify/bulk/{job.pk}/delete/").status_code == 302
    assert not BulkJob.objects.exists()

    with caplog.at_level(logging.INFO, logger="verification.services"):
        assert bulk_job_run_task.call(job_id=str(job.pk)) == "gone"
    assert [record for record in caplog.records if record.name.startswith("verification")] == []
    assert Lookup.objects.count() == 1  # the row checked before the deletion; no more
    assert verifier_client.get(f"/verify/bulk/{job.pk}/status").status_code == 404  # the page's script reloads


def test_a_deletion_landing_mid_chunk_is_not_reported_as_a_fault(verifier, certificate, monkeypatch, caplog):
    """On SQLite the owner's delete can make the chunk in hand fail ("database is locked"): that's no error."""
    job = bulk_job_create(verifier=verifier, file_name="staff.csv", upload=read_codes_csv(certificate.code.encode()))

    def step_while_the_owner_deletes(job_id, size):
        BulkJob.objects.filter(pk=job_id).delete()  # the owner's delete commits on its own connection ...
        raise OperationalError("database is locked")  # ... and this chunk's save fails on the lock

    monkeypatch.setattr(services, "bulk_job_step", step_while_the_owner_deletes)
    with caplog.at_level(logging.INFO, logger="verification.services"):
        assert services.bulk_job_run(job_id=str(job.pk)) is None
    assert [(record.levelname, record.getMessage()) for record in caplog.records] == [
        ("INFO", f"Bulk verification job {job.pk} was deleted while a chunk was being checked")
    ]
    assert not BulkJob.objects.exists()


def test_a_real_fault_still_stops_the_check_and_is_logged(verifier, certificate, monkeypatch, caplog):
    job = bulk_job_create(verifier=verifier, file_name="staff.csv", upload=read_codes_csv(certificate.code.encode()))
    monkeypatch.setattr(services, "certificates_for_codes", lambda codes: 1 / 0)
    with caplog.at_level(logging.INFO, logger="verification.services"):
        assert services.bulk_job_run(job_id=str(job.pk)).state == State.FAILED
    assert [(record.levelname, record.getMessage()) for record in caplog.records] == [
        ("ERROR", f"Bulk verification job {job.pk} failed")
    ]


def test_the_uploads_list_links_each_check_to_its_deletion_and_says_how_long_checks_are_kept(
    verifier_client, done_job, settings
):
    settings.VERIFICATION_JOB_RETENTION_DAYS = 30
    html = verifier_client.get("/verify/bulk/").content.decode()
    assert "We keep each check and its results for 30 days after it finishes, then delete them." in html
    assert (
        f'<a href="/verify/bulk/{done_job.pk}/delete/">Delete<span class="visually-hidden"> the check of staff.csv'
        "</span></a>" in html
    )
    kept_until = timezone.localtime(done_job.finished_at + timedelta(days=30))
    page = verifier_client.get(f"/verify/bulk/{done_job.pk}/").content.decode()
    assert f'We\'ll keep this check and its results until about <time datetime="{kept_until.isoformat()}">' in page
    assert f">{kept_until.day} {kept_until:%B %Y}</time>, then delete them." in page


# Retention ---------------------------------------------------------------------------------------------------


def _job(verifier, name: str, state: str, *, created_days_ago: float, finished_days_ago: float | None, now):
    return BulkJob.objects.create(
        verifier=verifier,
        file_name=name,
        state=state,
        created_at=now - timedelta(days=created_days_ago),
        queued_at=now - timedelta(days=created_days_ago),
        finished_at=None if finished_days_ago is None else now - timedelta(days=finished_days_ago),
    )


def test_pruning_deletes_only_checks_past_the_retention_period(verifier, settings):
    settings.VERIFICATION_JOB_RETENTION_DAYS = 30
    now = timezone.now()
    thirty_days_and_a_second = 30 + 1 / 86_400
    other = make_verifier("Eastbrook Clinic")
    _job(verifier, "done-long-ago", State.DONE, created_days_ago=32, finished_days_ago=31, now=now)
    _job(
        other,
        "another-organisation",
        State.DONE,
        created_days_ago=40,
        finished_days_ago=thirty_days_and_a_second,
        now=now,
    )
    _job(verifier, "failed-long-ago", State.FAILED, created_days_ago=31, finished_days_ago=31, now=now)
    _job(verifier, "stuck-queued", State.QUEUED, created_days_ago=31, finished_days_ago=None, now=now)
    _job(
        verifier,
        "stuck-running",
        State.RUNNING,
        created_days_ago=thirty_days_and_a_second,
        finished_days_ago=None,
        now=now,
    )
    # Kept: finished within the period (however long ago uploaded), or uploaded within it and not finished yet.
    _job(verifier, "slow-but-recent", State.DONE, created_days_ago=45, finished_days_ago=29, now=now)
    _job(verifier, "exactly-thirty-days", State.FAILED, created_days_ago=30, finished_days_ago=30, now=now)
    _job(verifier, "still-running", State.RUNNING, created_days_ago=29, finished_days_ago=None, now=now)
    _job(verifier, "waiting", State.QUEUED, created_days_ago=0, finished_days_ago=None, now=now)

    assert bulk_jobs_prune(now=now) == 5
    kept = set(BulkJob.objects.values_list("file_name", flat=True))
    assert kept == {"slow-but-recent", "exactly-thirty-days", "still-running", "waiting"}
    assert bulk_jobs_prune(now=now) == 0

    settings.VERIFICATION_JOB_RETENTION_DAYS = 7
    assert bulk_jobs_prune(now=now) == 3
    assert list(BulkJob.objects.values_list("file_name", flat=True)) == ["waiting"]


def test_the_command_says_how_many_checks_it_deleted(verifier, settings):
    settings.VERIFICATION_JOB_RETENTION_DAYS = 30
    now = timezone.now()
    _job(verifier, "old", State.DONE, created_days_ago=40, finished_days_ago=40, now=now)
    _job(verifier, "new", State.DONE, created_days_ago=1, finished_days_ago=1, now=now)
    out = io.StringIO()
    call_command("prune_verification_jobs", stdout=out)
    assert out.getvalue() == "Deleted 1 bulk check(s) kept for more than 30 days.\n"
    assert list(BulkJob.objects.values_list("file_name", flat=True)) == ["new"]
    out = io.StringIO()
    call_command("prune_verification_jobs", stdout=out)
    assert out.getvalue() == "Deleted 0 bulk check(s) kept for more than 30 days.\n"


def test_the_retention_period_comes_from_the_environment():
    result = _settings_in_subprocess({"DEBUG": "1"}, "s.VERIFICATION_JOB_RETENTION_DAYS")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "30"
    result = _settings_in_subprocess(
        {"DEBUG": "1", "VERIFICATION_JOB_RETENTION_DAYS": "7"}, "s.VERIFICATION_JOB_RETENTION_DAYS"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "7"
    for wrong in ("0", "-5", "thirty"):
        result = _settings_in_subprocess(
            {"DEBUG": "1", "VERIFICATION_JOB_RETENTION_DAYS": wrong}, "s.VERIFICATION_JOB_RETENTION_DAYS"
        )
        assert result.returncode != 0
        assert (
            f"VERIFICATION_JOB_RETENTION_DAYS must be a whole number of days, 1 or more, not {wrong!r}."
            in result.stderr
        )


# Running a stopped check again ---------------------------------------------------------------------------------


def test_a_stopped_check_runs_again_from_the_first_row_to_done(
    verifier_client, verifier, certificate, monkeypatch, django_capture_on_commit_callbacks
):
    _failing_after_first_chunk(monkeypatch)
    unknown = new_code()
    upload(verifier_client, f"{certificate.code}\n{unknown}\n".encode(), capture=django_capture_on_commit_callbacks)
    job = BulkJob.objects.get()
    assert (job.state, job.done, len(job.results)) == (State.FAILED, 1, 1)
    html = verifier_client.get(f"/verify/bulk/{job.pk}/").content.decode()
    assert "1 of 2 rows were checked before it stopped." in html
    assert f'action="/verify/bulk/{job.pk}/retry/"' in html
    assert '<button type="submit" class="button">Check it again</button>' in html

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = verifier_client.post(f"/verify/bulk/{job.pk}/retry/")
    assert len(callbacks) == 1  # the same background task as an upload, enqueued once committed
    assert response.status_code == 302 and response["Location"] == f"/verify/bulk/{job.pk}/"
    html = verifier_client.get(response["Location"]).content.decode()
    assert "We&#x27;re checking “staff.csv” again, from the first row." in html
    assert "All 2 rows checked." in html
    job.refresh_from_db()
    assert (job.state, job.done, job.total, job.error) == (State.DONE, 2, 2, "")
    assert job.summary == {"valid": 1, "not_found": 1}
    assert [row[0] for row in job.results] == ["valid", "not_found"]  # cleared, not appended to the stopped run's
    assert job.finished_at is not None
    # Checked twice, so logged twice: once by the run that stopped and once by this one.
    assert Lookup.objects.filter(certificate=certificate, channel=Lookup.Channel.BULK).count() == 2


def test_running_again_resets_the_job_before_its_task_starts(verifier, certificate, monkeypatch):
    _failing_after_first_chunk(monkeypatch)
    job = bulk_job_create(
        verifier=verifier, file_name="staff.csv", upload=read_codes_csv(f"{certificate.code}\nX\n".encode())
    )
    services.bulk_job_run(job_id=str(job.pk))
    job.refresh_from_db()
    assert job.state == State.FAILED and job.error and job.finished_at
    retried = bulk_job_retry(verifier=verifier, job_id=job.pk)
    job.refresh_from_db()
    assert retried.pk == job.pk
    assert (job.state, job.results, job.summary, job.done, job.error, job.finished_at) == (
        State.QUEUED,
        [],
        {},
        0,
        "",
        None,
    )
    assert job.rows == [[certificate.code], ["X"]]  # the upload is kept


def test_only_a_stopped_check_can_run_again(verifier_client, verifier, done_job, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = verifier_client.post(f"/verify/bulk/{done_job.pk}/retry/", follow=True)
    assert callbacks == []
    assert response.redirect_chain == [(f"/verify/bulk/{done_job.pk}/", 302)]
    assert "This file has already been checked in full: its results are ready to download." in response.content.decode()
    unchanged = BulkJob.objects.get(pk=done_job.pk)
    assert (unchanged.state, unchanged.results, unchanged.finished_at) == (
        State.DONE,
        done_job.results,
        done_job.finished_at,
    )
    with pytest.raises(VerificationError) as refused:
        bulk_job_retry(verifier=verifier, job_id=done_job.pk)
    assert refused.value.code == "not_failed"

    queued = BulkJob.objects.create(verifier=verifier, file_name="waiting.csv", total=1, rows=[["X"]])
    with pytest.raises(VerificationError) as refused:
        bulk_job_retry(verifier=verifier, job_id=queued.pk)
    assert (refused.value.code, refused.value.message) == (
        "not_failed",
        "This file is still being checked. Its results will be ready soon.",
    )
    assert verifier_client.get(f"/verify/bulk/{done_job.pk}/retry/").status_code == 405


def test_running_again_counts_towards_three_files_at_a_time(verifier):
    failed = BulkJob.objects.create(verifier=verifier, file_name="stopped.csv", state=State.FAILED, total=1)
    for number in range(3):
        BulkJob.objects.create(verifier=verifier, file_name=f"waiting-{number}.csv", total=1)
    with pytest.raises(VerificationError) as refused:
        bulk_job_retry(verifier=verifier, job_id=failed.pk)
    assert refused.value.code == "busy"
    assert "You have 3 files still being checked." in refused.value.message
    assert BulkJob.objects.get(pk=failed.pk).state == State.FAILED


def test_an_old_stopped_check_run_again_is_not_pruned_while_it_waits(verifier, settings):
    settings.VERIFICATION_JOB_RETENTION_DAYS = 30
    now = timezone.now()
    stopped = _job(verifier, "stopped-long-ago", State.FAILED, created_days_ago=29, finished_days_ago=29, now=now)
    stopped.rows, stopped.total = [["X"]], 1
    stopped.save(update_fields=["rows", "total"])
    uploaded_at = stopped.created_at
    bulk_job_retry(verifier=verifier, job_id=stopped.pk)  # its task waits for a commit that never comes here
    stopped.refresh_from_db()
    assert stopped.created_at == uploaded_at  # the page and the list still say when it was uploaded
    assert stopped.queued_at > now
    # Two days later it would be 31 days since upload; the retention counts from the run again, so it stays.
    assert bulk_jobs_prune(now=now + timedelta(days=2)) == 0
    assert BulkJob.objects.filter(pk=stopped.pk, state=State.QUEUED).exists()
    assert bulk_jobs_prune(now=timezone.now() + timedelta(days=31)) == 1
