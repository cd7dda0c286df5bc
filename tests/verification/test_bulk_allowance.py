"""Bulk CSV checks count against the verifier account's lookup allowance, the one its API tokens share, and keep to it.

Nothing sleeps: a check with no allowance left pauses. On the database queue its task is queued again for the end of
the window; where tasks run in the request (the first pass, development) the job page's polling takes it up again.
"""

import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import override_settings

from certificates.codes import new_code
from lms.lookup_limits import token_lookups_refused
from lms.models import RateCounter
from tests.tasks import run_ready_tasks, tasks_queued_in_database
from tests.verification.conftest import make_verifier
from tests.verification.test_bulk import upload
from verification import services
from verification.csvcodes import read_codes_csv
from verification.models import BulkJob, Lookup
from verification.services import api_token_create, bulk_job_create, bulk_job_pause, bulk_job_resume_if_due

pytestmark = pytest.mark.django_db

TOP_OF_THE_HOUR = datetime(2026, 12, 7, 10, 0, 5, tzinfo=UTC)  # a window's first seconds, for 10/h


def api_lookup(client, code: str, token: str):
    return client.get(f"/api/v1/verify/{code}", headers={"Authorization": f"Bearer {token}"})


def poll(client, job: BulkJob, capture) -> dict:
    """What the job page's script asks every 1.5 seconds (committing what the request does, as a server would)."""
    with capture(execute=True):
        return client.get(f"/verify/bulk/{job.pk}/status").json()


def finish(client, job: BulkJob, capture, *, within: float = 20) -> BulkJob:
    """The job as its owner's open page sees it once checked to the end (or `within` seconds): a worker runs the
    database queue, waiting out each pause it was queued again for, or the page's polling takes a paused check up."""
    deadline = time.monotonic() + within
    while True:
        ran = run_ready_tasks() if tasks_queued_in_database() else 0
        finished = poll(client, job, capture)["finished"]
        job.refresh_from_db()
        if finished or time.monotonic() >= deadline:
            return job
        if not ran:
            time.sleep(0.2)


def csv_of(codes: list[str]) -> bytes:
    return "\n".join(codes).encode()


@override_settings(VERIFY_TOKEN_RATE_LIMIT="10/h")
def test_a_file_uses_the_allowance_its_api_tokens_share(
    verifier, verifier_client, certificate, django_capture_on_commit_callbacks
):
    _, token = api_token_create(user=verifier, name="HR system")
    with time_machine.travel(TOP_OF_THE_HOUR, tick=False):
        assert api_lookup(verifier_client, certificate.code, token).status_code == 200
        codes = [certificate.code] + [new_code() for _ in range(8)]
        upload(verifier_client, csv_of(codes), capture=django_capture_on_commit_callbacks)
        job = BulkJob.objects.get()
        assert (job.state, job.done) == (BulkJob.State.DONE, 9)
        assert RateCounter.objects.get(key__startswith=f"verify-limit:account:{verifier.pk}:").used == 10
        refused = api_lookup(verifier_client, certificate.code, token)
    assert refused.status_code == 429 and refused.json()["status"] == "rate_limited"


@override_settings(VERIFY_TOKEN_RATE_LIMIT="10/h")
def test_a_file_takes_what_is_left_then_waits_for_the_next_window(
    verifier, verifier_client, certificate, django_capture_on_commit_callbacks
):
    _, token = api_token_create(user=verifier, name="HR system")
    with time_machine.travel(TOP_OF_THE_HOUR, tick=False):
        for _ in range(7):
            assert api_lookup(verifier_client, certificate.code, token).status_code == 200
        codes = [certificate.code] + [new_code() for _ in range(5)]
        upload(verifier_client, csv_of(codes), capture=django_capture_on_commit_callbacks)
        job = BulkJob.objects.get()
        assert (job.state, job.done) == (BulkJob.State.RUNNING, 3)  # the 3 lookups left this hour, no more
        assert job.paused_until == TOP_OF_THE_HOUR.replace(minute=0, second=0) + timedelta(hours=1)
        status = poll(verifier_client, job, django_capture_on_commit_callbacks)
        assert status["paused_until"] == job.paused_until.isoformat() and not status["finished"]
        assert status["paused_until_label"] == "11:00:00"
        assert poll(verifier_client, job, django_capture_on_commit_callbacks)["done"] == 3  # not before the hour
    with time_machine.travel(TOP_OF_THE_HOUR + timedelta(hours=1), tick=False):
        job = finish(verifier_client, job, django_capture_on_commit_callbacks, within=0)
    assert (job.state, job.done, job.paused_until) == (BulkJob.State.DONE, 6, None)
    assert Lookup.objects.filter(channel=Lookup.Channel.BULK).count() == 1


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
    upload(verifier_client, csv_of(codes), capture=django_capture_on_commit_callbacks)
    job = finish(verifier_client, BulkJob.objects.get(), django_capture_on_commit_callbacks)
    assert (job.state, job.done, len(job.results), job.paused_until) == (BulkJob.State.DONE, 10, 10, None)
    checked = [cost for cost, wait in counted if wait is None]
    assert sum(checked) == 10 and max(checked) <= 4  # never more than one second's share at a time
    assert any(wait is not None for _, wait in counted)  # and it waited for the next second at least once


def test_a_paused_check_is_taken_up_only_by_its_owner_and_only_once_due(verifier, certificate):
    job = bulk_job_create(verifier=verifier, file_name="staff.csv", upload=read_codes_csv(csv_of([certificate.code])))
    bulk_job_pause(job_id=str(job.pk), seconds=60)
    assert not bulk_job_resume_if_due(verifier=verifier, job_id=job.pk)  # not yet
    later = time_machine.travel(datetime.now(UTC) + timedelta(seconds=61), tick=False)
    with later:
        assert not bulk_job_resume_if_due(verifier=make_verifier(), job_id=job.pk)  # not theirs
        assert bulk_job_resume_if_due(verifier=verifier, job_id=job.pk) is not tasks_queued_in_database()
        assert not bulk_job_resume_if_due(verifier=verifier, job_id=job.pk)  # the second asker finds nothing to do


def test_the_job_page_says_why_it_is_paused_and_until_when(verifier, verifier_client, certificate):
    job = bulk_job_create(verifier=verifier, file_name="staff.csv", upload=read_codes_csv(csv_of([certificate.code])))
    html = verifier_client.get(f"/verify/bulk/{job.pk}/").content.decode()
    assert '<p class="callout" id="bulk-paused-note" hidden>' in html
    job = bulk_job_pause(job_id=str(job.pk), seconds=42)
    html = verifier_client.get(f"/verify/bulk/{job.pk}/").content.decode()
    assert '<p class="callout" id="bulk-paused-note">' in html
    assert f'Paused until <time id="bulk-paused-until" datetime="{job.paused_until.isoformat()}">' in html
    assert "your account's allowance is 600 lookups a minute, by API and CSV files together, and none is left" in html
    tail = "Checking goes on by itself then." if tasks_queued_in_database() else "while this page is open."
    assert tail in html
