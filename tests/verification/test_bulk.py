"""Bulk CSV checks: uploads of every shape, clear errors for bad files, the job's pages, results and lookup log."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.templatetags.static import static
from django.test.utils import CaptureQueriesContext

from certificates.codes import new_code
from certificates.status_changes import certificate_revoke
from lms.roles import PROGRAMME_ADMIN
from tests.factories import PASSWORD, UserFactory
from tests.verification.conftest import make_verifier
from verification import services
from verification.csvcodes import RESULT_COLUMNS
from verification.models import BulkJob, Lookup
from verification.services import bulk_job_run

pytestmark = pytest.mark.django_db


def upload(client, data: bytes, name="staff.csv", capture=None, execute=True):
    """POST a file to /verify/bulk/, running the background task straight after the commit unless told not to."""
    file = SimpleUploadedFile(name, data, content_type="text/csv")
    if capture is None:
        return client.post("/verify/bulk/", {"file": file})
    with capture(execute=execute):
        return client.post("/verify/bulk/", {"file": file})


def results(client, job) -> list[list[str]]:
    response = client.get(f"/verify/bulk/{job.pk}/results.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="staff-results.csv"'
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def form_error(response) -> str:
    assert response.status_code == 200
    assert not BulkJob.objects.exists()
    return response.content.decode()


def test_a_file_with_a_header_extra_columns_blank_rows_and_a_bom(
    verifier_client, verifier, certificate, django_capture_on_commit_callbacks
):
    unknown = new_code()
    buffer = io.StringIO()
    csv.writer(buffer).writerows(
        [
            ["Code", "employee_id", "note"],
            [certificate.display_code, "E-1", "first"],
            [],
            [unknown, "E-2", ""],
            ["", "", ""],
            ["not a code", "E-3", '=HYPERLINK("http://evil.example","click")'],
            [certificate.code.lower(), "+SUM(A1)", "@cmd"],
        ]
    )
    text = buffer.getvalue()
    response = upload(verifier_client, "\ufeff".encode() + text.encode(), capture=django_capture_on_commit_callbacks)
    job = BulkJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/verify/bulk/{job.pk}/"
    assert (job.state, job.total, job.done) == (BulkJob.State.DONE, 4, 4)
    rows = results(verifier_client, job)
    assert rows[0] == ["Code", "employee_id", "note", *RESULT_COLUMNS]
    assert len(rows) == 5  # blank rows skipped
    assert rows[1][:3] == [certificate.display_code, "E-1", "first"]
    assert rows[1][3:] == [
        "valid",
        "Robin Asante",
        "Certified Peer Specialist",
        certificate.number,
        certificate.issued_on.isoformat(),
        certificate.expires_on.isoformat(),
        "Peer Support Certification Board",
        "",
    ]
    assert rows[2][:4] == [unknown, "E-2", "", "not_found"] and rows[2][4:] == [""] * 7
    assert rows[3][:4] == ["not a code", "E-3", '\'=HYPERLINK("http://evil.example","click")', "not_found"]
    assert rows[4][:4] == [certificate.code.lower(), "'+SUM(A1)", "'@cmd", "valid"]
    assert job.summary == {"valid": 2, "not_found": 2}
    lookups = list(Lookup.objects.all())
    assert len(lookups) == 2
    assert {(lookup.certificate, lookup.verifier, lookup.channel) for lookup in lookups} == {
        (certificate, verifier, Lookup.Channel.BULK)
    }
    assert lookups[0].organisation_name == "Northfield Health Board"


def test_without_a_header_the_first_column_holds_the_codes(
    verifier_client, certificate, django_capture_on_commit_callbacks
):
    admin = UserFactory(roles=[PROGRAMME_ADMIN])
    certificate_revoke(by=admin, certificate=certificate, reason="Hours not supervised.")
    data = f"{certificate.display_code};Ward 4\n{new_code()};Ward 5\n".encode()  # semicolons, as some Excels write
    upload(verifier_client, data, capture=django_capture_on_commit_callbacks)
    rows = results(verifier_client, BulkJob.objects.get())
    assert rows[0] == ["code", "column 2", *RESULT_COLUMNS]
    assert rows[1][:3] == [certificate.display_code, "Ward 4", "revoked"]
    assert rows[1][-1] == "Hours not supervised."
    assert rows[2][2] == "not_found"


def test_a_code_column_anywhere_is_found_by_its_heading(
    verifier_client, certificate, django_capture_on_commit_callbacks
):
    data = f"Staff number,Verification code\n101,{certificate.display_code}\n102\n".encode()
    upload(verifier_client, data, capture=django_capture_on_commit_callbacks)
    rows = results(verifier_client, BulkJob.objects.get())
    assert rows[0][:2] == ["Staff number", "Verification code"]
    assert rows[1][:3] == ["101", certificate.display_code, "valid"]
    assert rows[2][:3] == ["102", "", "not_found"]  # a short row is padded, not dropped


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("code\nJosé,E-1\n".encode("latin-1"), "We couldn&#x27;t read this file as text."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "We couldn&#x27;t read this file as text."),
        (b"PK\x03\x04\x14\x00\x06\x00binary", "This looks like a spreadsheet workbook rather than a CSV file."),
        ("code\n".encode("utf-16"), "This file is saved as UTF-16 text"),
        (b"code\n\x00\x01\x02\n", "This doesn&#x27;t look like a CSV file"),
        (b"code\n\n\n", "We didn&#x27;t find any codes in this file."),
        (b"\n \n", "This file is empty."),
    ],
)
def test_files_that_aren_t_utf8_csv_get_a_clear_form_error(verifier_client, data, message):
    html = form_error(upload(verifier_client, data))
    assert message in html
    assert 'class="error-summary"' in html


def test_an_oversized_file_gets_a_clear_form_error(verifier_client):
    data = b"code\n" + b"0123456789ABCDEFGHJKMNPQRSTV,padding-padding-padding\n" * 45_000
    assert len(data) > 2 * 1024 * 1024
    html = form_error(upload(verifier_client, data))
    assert "MB. Please upload 2 MB or less at a time" in html


def test_too_many_rows_get_a_clear_form_error(verifier_client):
    data = b"code\n" + b"A\n" * 10_001
    html = form_error(upload(verifier_client, data))
    assert "This file has more than 10,000 rows." in html


def test_job_pages_and_results_are_for_their_owner_only(
    verifier_client, certificate, django_capture_on_commit_callbacks
):
    upload(verifier_client, f"{certificate.code}\n".encode(), capture=django_capture_on_commit_callbacks)
    job = BulkJob.objects.get()
    urls = [f"/verify/bulk/{job.pk}/", f"/verify/bulk/{job.pk}/status", f"/verify/bulk/{job.pk}/results.csv"]
    for url in urls:
        assert verifier_client.get(url).status_code == 200
    verifier_client.login(username=make_verifier("Eastbrook Clinic").username, password=PASSWORD)
    for url in urls:
        assert verifier_client.get(url).status_code == 404
    assert "staff.csv" not in verifier_client.get("/verify/bulk/").content.decode()
    verifier_client.login(username=UserFactory().username, password=PASSWORD)
    for url in urls:
        assert verifier_client.get(url).status_code == 403


def test_a_waiting_job_shows_progress_that_works_with_and_without_script(
    verifier_client, certificate, django_capture_on_commit_callbacks
):
    upload(
        verifier_client,
        f"{certificate.code}\n{new_code()}\n".encode(),
        capture=django_capture_on_commit_callbacks,
        execute=False,
    )
    job = BulkJob.objects.get()
    html = verifier_client.get(f"/verify/bulk/{job.pk}/").content.decode()
    assert '<progress class="preparing-bar" id="bulk-progress-bar" max="2" value="0"' in html
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in html
    assert f'href="/verify/bulk/{job.pk}/">Refresh</a>' in html
    assert f'data-status-url="/verify/bulk/{job.pk}/status"' in html
    assert f'src="{static("js/verify_bulk.js")}"' in html and "<script>" not in html
    status = verifier_client.get(f"/verify/bulk/{job.pk}/status").json()
    assert status == {
        "state": "queued",
        "state_label": "Waiting to start",
        "done": 0,
        "total": 2,
        "percent": 0,
        "finished": False,
        "paused_until": None,
        "paused_until_label": None,
        "results_url": None,
    }
    early = verifier_client.get(f"/verify/bulk/{job.pk}/results.csv")
    assert early.status_code == 302 and early["Location"] == f"/verify/bulk/{job.pk}/"
    bulk_job_run(job_id=str(job.pk))
    status = verifier_client.get(f"/verify/bulk/{job.pk}/status").json()
    assert status["finished"] and status["percent"] == 100
    assert status["results_url"] == f"/verify/bulk/{job.pk}/results.csv"
    html = verifier_client.get(f"/verify/bulk/{job.pk}/").content.decode()
    assert "All 2 rows checked." in html and "refresh" not in html and "verify_bulk.js" not in html
    assert "<dt>Valid</dt><dd>1</dd>" in html and "<dt>Not found</dt><dd>1</dd>" in html


def test_rows_are_checked_in_chunks_with_one_query_each(verifier, certificate, monkeypatch):
    from verification.csvcodes import read_codes_csv
    from verification.services import bulk_job_create

    monkeypatch.setattr(services, "CHUNK", 50)
    codes = [certificate.code] + [new_code() for _ in range(119)]
    job = bulk_job_create(verifier=verifier, file_name="big.csv", upload=read_codes_csv("\n".join(codes).encode()))
    with CaptureQueriesContext(connection) as queries:
        bulk_job_run(job_id=str(job.pk))
    lookups = [query for query in queries if 'FROM "certificates_certificate"' in query["sql"]]
    assert len(lookups) == 3  # 120 rows in chunks of 50
    job.refresh_from_db()
    assert (job.state, job.done, len(job.results)) == (BulkJob.State.DONE, 120, 120)
    assert bulk_job_run(job_id=str(job.pk)).done == 120  # running it again checks nothing twice
    assert Lookup.objects.count() == 1


def test_a_job_that_fails_says_so_and_keeps_its_rows(
    verifier_client, certificate, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(codes):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "certificates_for_codes", broken)
    upload(verifier_client, f"{certificate.code}\n".encode(), capture=django_capture_on_commit_callbacks)
    job = BulkJob.objects.get()
    assert job.state == BulkJob.State.FAILED and job.rows == [[certificate.code]]
    html = verifier_client.get(f"/verify/bulk/{job.pk}/").content.decode()
    assert "We couldn't finish checking this file." in html
    assert "database went away" not in html


def test_the_list_of_uploads_has_an_empty_state_and_pages(verifier_client, verifier):
    html = verifier_client.get("/verify/bulk/").content.decode()
    assert "You haven't uploaded any files yet." in html
    for number in range(30):
        BulkJob.objects.create(verifier=verifier, file_name=f"file-{number}.csv", total=1)
    html = verifier_client.get("/verify/bulk/").content.decode()
    assert "Page 1 of 2" in html and html.count(".csv</a></th>") == 25
    assert "Page 2 of 2" in verifier_client.get("/verify/bulk/", {"page": 2}).content.decode()


def test_three_files_at_a_time(verifier_client, verifier, certificate, django_capture_on_commit_callbacks):
    for _ in range(3):
        upload(
            verifier_client, f"{certificate.code}\n".encode(), capture=django_capture_on_commit_callbacks, execute=False
        )
    response = upload(verifier_client, f"{certificate.code}\n".encode())
    assert response.status_code == 200
    assert "You have 3 files still being checked." in response.content.decode()
    assert BulkJob.objects.count() == 3
