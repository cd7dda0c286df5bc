"""Downloading one's data: everything the site holds about the person, nothing secret, nobody else's."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lms.roles import VERIFIER
from privacy.export import user_data
from tests.factories import PASSWORD, UserFactory, approve_hours, entry_data
from tests.privacy.conftest import COMMENT, EMAIL, FIRST, LAST, OTHER_REFLECTION, REFLECTION, TOPICS
from verification.models import ApiToken
from verification.services import api_token_create, verifier_profile_save

pytestmark = pytest.mark.django_db


def download(client) -> tuple[zipfile.ZipFile, dict, bytes]:
    """GET the export and return the ZIP, its data.json and the raw bytes."""
    response = client.get("/my-data/export.zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    assert "no-store" in response["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    return archive, json.loads(archive.read("data.json")), response.content


def all_text(archive: zipfile.ZipFile) -> str:
    """Every member of the ZIP as text (PDFs decoded loosely), for searching."""
    return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())


def test_the_page_explains_the_download_and_links_to_closing(record_client):
    response = record_client.get("/my-data/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/my-data/export.zip"' in html
    assert 'href="/my-data/close/"' in html
    assert "reflections" in html and "Never included" in html


def test_the_export_holds_the_whole_record(record, record_client):
    archive, data, _ = download(record_client)
    account = data["account"]
    assert account["first_name"] == FIRST
    assert account["email"] == EMAIL
    assert account["roles"] == ["Trainee"]
    assert account["email_addresses"] == [{"email": EMAIL, "verified": True, "primary": True}]

    assert data["courses"]["enrolments"][0]["course"] == "A course"
    assert data["courses"]["lessons_completed"][0]["lesson"] == "Lesson 1.1"
    attempts = data["quizzes"]["attempts"]
    assert [attempt["attempt"] for attempt in attempts] == [1, 2]
    assert attempts[1]["passed"] is True and float(attempts[1]["score_percent"]) == 100
    assert len(attempts[0]["questions"]) == 3
    assert all(question["your_answers"] for question in attempts[0]["questions"])
    assert "Reasoning" not in json.dumps(data["quizzes"])  # the answer key's rationale stays private

    practice = data["practice"]
    assert practice["placements"][0]["placement"] == "Test Placement"
    reflections = [entry["reflection"] for entry in practice["practice_entries"]]
    assert reflections.count(REFLECTION) == 3  # approved, draft and returned
    assert practice["supervision_sessions"][0]["topics"] == TOPICS
    approved = next(entry for entry in practice["practice_entries"] if entry["status"] == "Approved")
    assert approved["sign_off"]["signed_by"] == record.supervisor.get_full_name()
    changes = [step["change"] for step in approved["history"]]
    assert changes[0] == "Created" and "Submitted for review" in changes
    assert changes[-1].startswith("Approved: I supervised these hours")
    returned = next(entry for entry in practice["practice_entries"] if entry["status"] == "Returned")
    assert returned["supervisor_comment"] == COMMENT
    assert returned["history"][-1]["who"] == record.supervisor.get_full_name()
    assert {batch["status"] for batch in practice["review_batches"]} == {"Reviewed"}

    (certificate,) = data["certificates"]["certificates"]
    assert certificate["number"] == record.certificate.number
    assert certificate["name_on_certificate"] == f"{FIRST} {LAST}"
    assert certificate["status"] == "valid"
    assert certificate["evidence"]["hours"]["practice"] == "4"
    assert certificate["checked_by_organisations"][0]["organisation"] == "Northfield Health Board"
    assert [step["change"] for step in certificate["status_history"]] == [
        "Issued: every requirement met",
        "PDF rendered and stored",
    ]
    assert data["certificates"]["ethics_attestations"][0]["signed_name"] == f"{FIRST} {LAST}"
    assert data["two_factor_authentication"]["enabled"] is False

    stored = {item["paper"]: item["file"] for item in certificate["files"]}
    assert set(stored) == {"A4", "US Letter"}
    for paper_file in record.certificate.files.all():
        name = f"certificates/{record.certificate.number}-{paper_file.paper}.pdf"
        with paper_file.file.open("rb") as handle:
            assert archive.read(name) == handle.read()
    assert json.loads(archive.read(certificate["signed_credential"]))["type"][-1] == "OpenBadgeCredential"


def test_deleted_entries_still_in_history_are_listed(record, record_client):
    from practice.services import entry_delete

    entry_delete(trainee=record.trainee, entry_id=record.draft.pk)
    _, data, _ = download(record_client)
    (deleted,) = data["practice"]["deleted_entries_still_in_history"]
    assert deleted["id"] == record.draft.pk
    assert deleted["last_recorded"]["reflection"] == REFLECTION
    assert deleted["history"][-1]["change"] == "Deleted by the trainee"


def test_no_password_hash_or_secret_anywhere_in_the_zip(record, record_client):
    Authenticator.objects.create(
        user=record.trainee, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXPSECRETSEED"}
    )
    archive, data, raw = download(record_client)
    text = all_text(archive)
    record.trainee.refresh_from_db()
    assert record.trainee.password not in text
    assert record.trainee.password.split("$")[-1] not in text
    assert "JBSWY3DPEHPK3PXPSECRETSEED" not in text
    assert b"JBSWY3DPEHPK3PXPSECRETSEED" not in raw
    assert "password" not in data["account"]
    assert data["two_factor_authentication"]["enabled"] is True
    assert data["two_factor_authentication"]["methods"][0]["type"] == "TOTP Authenticator"


def test_a_verifiers_tokens_are_listed_without_the_token_or_its_fingerprint(client):
    verifier = UserFactory(roles=[VERIFIER])
    verifier_profile_save(user=verifier, organisation_name="Harbour Trust")
    token, raw = api_token_create(user=verifier, name="HR system")
    assert client.login(username=verifier.username, password=PASSWORD)
    archive, data, _ = download(client)
    text = all_text(archive)
    assert raw not in text
    assert ApiToken.objects.get(pk=token.pk).digest not in text
    assert data["verifying"]["organisation"]["name"] == "Harbour Trust"
    assert data["verifying"]["api_tokens"][0] == {
        "name": "HR system",
        "starts_with": token.prefix,
        "created_at": data["verifying"]["api_tokens"][0]["created_at"],
        "last_used_at": None,
        "revoked_at": None,
    }


def test_another_trainees_data_is_absent(record, other, record_client):
    archive, _, _ = download(record_client)
    text = all_text(archive)
    assert OTHER_REFLECTION not in text
    assert "Bartholomew" not in text and "Oddington" not in text
    assert other.email not in text


def test_a_supervisors_export_lists_their_trainees_and_sign_offs(record, client):
    assert client.login(username=record.supervisor.username, password=PASSWORD)
    _, data, _ = download(client)
    supervising = data["supervising"]
    assert supervising["profile"]["qualification"] == "CPS Supervisor"
    assert supervising["trainees_supervised"][0]["trainee"] == f"{FIRST} {LAST}"
    assert supervising["sign_offs_given"][0]["entries_approved_now"] == 2
    assert REFLECTION not in json.dumps(data)  # the trainee's words are theirs, not the supervisor's


def _queries_for_export(user) -> int:
    with CaptureQueriesContext(connection) as queries:
        user_data(user=user)
    return len(queries)


def test_the_query_count_does_not_grow_with_the_number_of_entries(record):
    assignment = record.trainee.supervisor_assignments.first()
    few = _queries_for_export(record.trainee)
    today = timezone.localdate()
    approve_hours(assignment, [entry_data(assignment, performed_on=today - timedelta(days=10 + n)) for n in range(6)])
    assert _queries_for_export(record.trainee) == few


@pytest.mark.parametrize("path", ["/my-data/", "/my-data/export.zip", "/my-data/close/"])
def test_anonymous_visitors_are_sent_to_log_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_someone_with_no_records_gets_an_empty_export(client):
    user = UserFactory()
    assert client.login(username=user.username, password=PASSWORD)
    _, data, _ = download(client)
    assert data["practice"]["practice_entries"] == []
    assert data["certificates"]["certificates"] == []
