"""Bulk CSV checks count against the verifier's lookup allowance, the one their API tokens share, and keep to it."""

import time

import pytest
from django.test import override_settings

from certificates.codes import new_code
from lms.models import RateCounter
from tests.tasks import run_ready_tasks, tasks_queued_in_database
from tests.verification.test_bulk import upload
from verification import services
from verification.csvcodes import read_codes_csv
from verification.models import BulkJob, Lookup
from verification.ratelimit import token_lookups_refused
from verification.services import api_token_create, bulk_job_create, bulk_job_pause

pytestmark = pytest.mark.django_db


def api_lookup(client, code: str, token: str):
    return client.get(f"/api/v1/verify/{code}", headers={"Authorization": f"Bearer {token}"})


def finish(job: BulkJob, *, within: float = 20) -> BulkJob:
    """The job once its task has run to the end: at once when tasks run in the request; from the database queue,
    as a worker would, waiting out each pause it was queued again for."""
    deadline = time.monotonic() + within
    job.refresh_from_db()
    while not job.is_finished and tasks_queued_in_database() and time.monotonic() < deadline:
        if not run_ready_tasks():
            time.sleep(0.1)
        job.refresh_from_db()
    return job


def csv_of(codes: list[str]) -> bytes:
    return "\n".join(codes).encode()


@override_settings(VERIFY_TOKEN_RATE_LIMIT="10/h")
def test_a_file_uses_the_allowance_its_api_tokens_share(
    verifier, verifier_client, certificate, django_capture_on_commit_callbacks
):
    _, token = api_token_create(user=verifier, name="HR system")
    assert api_lookup(verifier_client, certificate.code, token).status_code == 200
    upload(
        verifier_client,
        csv_of([certificate.code] + [new_code() for _ in range(8)]),
        capture=django_capture_on_commit_callbacks,
    )
    job = finish(BulkJob.objects.get())
    assert (job.state, job.done) == (BulkJob.State.DONE, 9)
    assert RateCounter.objects.get(key__startswith=f"verify-limit:account:{verifier.pk}:").used == 10
    refused = api_lookup(verifier_client, certificate.code, token)
    assert refused.status_code == 429 and refused.json()["status"] == "rate_limited"


@override_settings(VERIFY_TOKEN_RATE_LIMIT="10/h")
def test_a_file_waits_for_the_allowance_api_lookups_used_up(
    verifier, verifier_client, certificate, django_capture_on_commit_callbacks
):
    _, token = api_token_create(user=verifier, name="HR system")
    for _ in range(10):
        assert api_lookup(verifier_client, certificate.code, token).status_code == 200
    if not tasks_queued_in_database():  # in the request, the task would sleep for the rest of the hour
        job = bulk_job_create(
            verifier=verifier, file_name="staff.csv", upload=read_codes_csv(csv_of([certificate.code]))
        )
        from verification.services import _bulk_chunk_counted

        assert _bulk_chunk_counted(job_id=str(job.pk)) == (1, pytest.approx(3600, abs=3600))
        return
    upload(verifier_client, csv_of([certificate.code]), capture=django_capture_on_commit_callbacks)
    job = BulkJob.objects.get()
    assert (job.state, job.done) == (BulkJob.State.RUNNING, 0) and job.paused_until is not None
    assert Lookup.objects.filter(channel=Lookup.Channel.BULK).count() == 0
    status = verifier_client.get(f"/verify/bulk/{job.pk}/status").json()
    assert status["paused_until"] == job.paused_until.isoformat() and not status["finished"]


@override_settings(VERIFY_TOKEN_RATE_LIMIT="4/s")
def test_a_file_bigger_than_the_allowance_is_checked_at_its_pace(
    verifier, verifier_client, certificate, django_capture_on_commit_callbacks, monkeypatch
):
    counted = []  # (rows, seconds to wait or None), as the real counter answered each chunk

    def counting(user_id, *, cost):
        answer = token_lookups_refused(user_id, cost=cost)
        counted.append((cost, answer))
        return answer

    monkeypatch.setattr(services, "token_lookups_refused", counting)
    codes = [certificate.code] + [new_code() for _ in range(9)]
    started = time.monotonic()
    upload(verifier_client, csv_of(codes), capture=django_capture_on_commit_callbacks)
    job = finish(BulkJob.objects.get())
    assert (job.state, job.done, len(job.results), job.paused_until) == (BulkJob.State.DONE, 10, 10, None)
    assert [cost for cost, wait in counted if wait is None] == [4, 4, 2]  # chunks no bigger than one window's share
    assert any(wait == 1 for _, wait in counted)  # and at least one wait for the next second
    assert time.monotonic() - started >= 1


def test_the_job_page_says_why_it_is_paused_and_until_when(verifier, verifier_client, certificate):
    job = bulk_job_create(verifier=verifier, file_name="staff.csv", upload=read_codes_csv(csv_of([certificate.code])))
    html = verifier_client.get(f"/verify/bulk/{job.pk}/").content.decode()
    assert '<p class="callout" id="bulk-paused-note" hidden>' in html
    job = bulk_job_pause(job_id=str(job.pk), seconds=42)
    html = verifier_client.get(f"/verify/bulk/{job.pk}/").content.decode()
    assert '<p class="callout" id="bulk-paused-note">' in html
    assert f'Paused until <time id="bulk-paused-until" datetime="{job.paused_until.isoformat()}">' in html
    assert "your organisation's allowance is 600 lookups a minute, by API and CSV files together" in html
