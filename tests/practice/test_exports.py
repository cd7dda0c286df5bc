"""Approved hours as CSV and as a printable PDF summary, for the trainee and for each of their supervisors."""

import csv
import io
import subprocess
from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from content.models import CompetencyDomain
from lms.roles import SUPERVISOR
from practice import exports
from practice.models import Attestation, Organisation, PracticeEntry
from practice.services import entries_approve, entries_return, entries_submit, entry_create
from tests.factories import PASSWORD, UserFactory, build_assignment, entry_data, supervision_data

pytestmark = pytest.mark.django_db

REFLECTION = "i noticed the quiet kestrel moment when the group went silent"
TOPICS = "boundaries around the marmalade question on the warm line"
FORMULA_ORGANISATION = '=HYPERLINK("http://evil.example","click me")'


def _day(days_ago: int):
    return timezone.localdate() - timedelta(days=days_ago)


def _approve(assignment, entries) -> Attestation:
    [batch] = entries_submit(trainee=assignment.trainee, entry_ids=[entry.pk for entry in entries])
    return entries_approve(supervisor=assignment.supervisor, batch_id=batch.pk, attested=True)


@pytest.fixture
def record():
    """A trainee with two placements and supervisors; approved, waiting, returned and draft entries.

    Under the first placement (Sam Lee, at an organisation whose name looks like a spreadsheet formula) three
    entries are approved: 90 min of practice, a 60 min supervision session and 30 min of practice. Under the
    second (Priya Shah) one 120 min practice entry is approved. Practice approved is 4 h, supervision 1 h.
    """
    trainee = UserFactory(first_name="Tamsin", last_name="Okafor")
    first = build_assignment(
        trainee=trainee,
        supervisor=UserFactory(roles=[SUPERVISOR], first_name="Sam", last_name="Lee"),
        organisation=Organisation.objects.create(name=FORMULA_ORGANISATION),
    )
    second = build_assignment(
        trainee=trainee,
        supervisor=UserFactory(roles=[SUPERVISOR], first_name="Priya", last_name="Shah"),
        organisation=Organisation.objects.create(name="Harbour Peer Centre"),
    )
    advocacy = CompetencyDomain.objects.get(slug="advocacy")
    ethics = CompetencyDomain.objects.get(slug="ethical-responsibility")

    def create(data):
        return entry_create(trainee=trainee, data=data)

    group = create(
        entry_data(
            first,
            performed_on=_day(3),
            start_time=time(9, 0),
            minutes=90,
            activity_type="group",
            contact="direct",
            domains=[ethics, advocacy],
            setting="peer_run",
            reflection=REFLECTION,
        )
    )
    session = create(supervision_data(first, performed_on=_day(4), start_time=time(14, 0), topics=TOPICS))
    paperwork = create(
        entry_data(
            first,
            performed_on=_day(5),
            minutes=30,
            activity_type="documentation",
            contact="indirect",
            domains=[],
            delivery="remote",
            reflection=REFLECTION,
        )
    )
    first_attestation = _approve(first, [group, session, paperwork])
    elsewhere = create(entry_data(second, performed_on=_day(9), start_time=time(10, 30), minutes=120))
    second_attestation = _approve(second, [elsewhere])

    create(entry_data(first, performed_on=_day(6), minutes=45, reflection=REFLECTION))  # stays a draft
    waiting = create(entry_data(first, performed_on=_day(7), minutes=75, reflection=REFLECTION))
    returned = create(entry_data(first, performed_on=_day(8), minutes=105, reflection=REFLECTION))
    [batch] = entries_submit(trainee=trainee, entry_ids=[waiting.pk, returned.pk])
    entries_return(supervisor=first.supervisor, batch_id=batch.pk, entry_ids=[returned.pk], comment="Add the setting.")
    return {
        "trainee": trainee,
        "first": first,
        "second": second,
        "attestations": {"first": first_attestation, "second": second_attestation},
    }


@pytest.fixture
def pdf_html(monkeypatch):
    """The HTML of each PDF summary rendered during the test, captured on its way to WeasyPrint."""
    rendered = []
    original = exports.render_to_string

    def capture(*args, **kwargs):
        rendered.append(original(*args, **kwargs))
        return rendered[-1]

    monkeypatch.setattr(exports, "render_to_string", capture)
    return rendered


def _rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    assert '.csv"' in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def _approved_at(attestation: Attestation) -> str:
    return timezone.localtime(attestation.signed_at).strftime("%Y-%m-%d %H:%M")


def test_trainee_csv_has_one_row_per_approved_entry_and_no_reflections(client, record):
    _login(client, record["trainee"])
    response = client.get(reverse("practice_hours_csv"))
    rows = _rows(response)

    assert rows[0] == exports.CSV_HEADER
    assert rows[0][:4] == ["Date", "Start", "Hours", "Type"]
    first, second = record["attestations"]["first"], record["attestations"]["second"]
    formula_cell = "'" + FORMULA_ORGANISATION
    assert rows[1:] == [
        [
            _day(9).isoformat(),
            "10:30",
            "2",
            "Practice",
            "Individual peer support",
            "Direct (with people supported)",
            "Advocacy",
            "Community",
            "In person",
            "Harbour Peer Centre",
            "Priya Shah",
            "Priya Shah",
            _approved_at(second),
        ],
        [
            _day(5).isoformat(),
            "",
            "0.5",
            "Practice",
            "Documentation and other indirect work",
            "Indirect",
            "",
            "Community",
            "Remote",
            formula_cell,
            "Sam Lee",
            "Sam Lee",
            _approved_at(first),
        ],
        [
            _day(4).isoformat(),
            "14:00",
            "1",
            "Supervision session",
            "Individual",
            "",
            "",
            "",
            "Remote",
            formula_cell,
            "Sam Lee",
            "Sam Lee",
            _approved_at(first),
        ],
        [
            _day(3).isoformat(),
            "09:00",
            "1.5",
            "Practice",
            "Group facilitation",
            "Direct (with people supported)",
            "Advocacy; Ethical responsibility",
            "Peer-run service",
            "In person",
            formula_cell,
            "Sam Lee",
            "Sam Lee",
            _approved_at(first),
        ],
    ]
    assert len(rows) - 1 == PracticeEntry.objects.filter(trainee=record["trainee"], status="approved").count()
    text = response.content.decode("utf-8")
    assert "kestrel" not in text and "marmalade" not in text
    assert "Add the setting" not in text
    # The waiting (75 min), returned (105 min) and draft (45 min) entries are left out.
    assert [row[2] for row in rows[1:]] == ["2", "0.5", "1", "1.5"]


def test_trainee_pdf_summary_shows_name_attestations_and_approved_totals(client, record, pdf_html):
    _login(client, record["trainee"])
    response = client.get(reverse("practice_hours_pdf"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"].startswith("inline;")
    info = subprocess.run(["pdfinfo", "-"], input=response.content, capture_output=True, check=True).stdout  # noqa: S607
    assert b"Tagged:          yes" in info  # PDF/UA: a structure tree for screen readers
    assert b"Title:           Supervised practice hours: Tamsin Okafor" in info
    [html] = pdf_html
    text = _pdf_text(response.content)
    for source in (html, text):
        assert "Tamsin Okafor" in source
        assert "Sam Lee" in source and "Priya Shah" in source
        assert "CPS Supervisor, Testland S-1" in source
        assert Attestation.STATEMENT in source
        assert "kestrel" not in source and "marmalade" not in source
    assert "<strong>Sam Lee</strong>, CPS Supervisor, Testland S-1" in html
    assert "<strong>Priya Shah</strong>, CPS Supervisor, Testland S-1" in html
    assert "Practice 4 " in text  # practice approved: 90 + 30 + 120 min
    assert "Supervision 1 " in text  # supervision approved: 60 min
    assert "for 3 entries, 3 hours" in text  # Sam Lee's attestation: 90 + 60 + 30 min
    assert "for 1 entry, 2 hours" in text  # Priya Shah's attestation
    assert "1.25" not in text and "1.75" not in text  # the waiting (75 min) and returned (105 min) entries


def _pdf_text(pdf: bytes) -> str:
    """The text of a PDF as pdftotext reads it (poppler-utils), whitespace folded."""
    result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True)  # noqa: S607
    return " ".join(result.stdout.decode("utf-8").split()) + " "


def test_supervisor_csv_holds_only_entries_under_their_own_assignments(client, record):
    trainee = record["trainee"]
    url = reverse("practice_trainee_csv", args=[trainee.pk])

    _login(client, record["first"].supervisor)
    rows = _rows(client.get(url))
    assert rows[0] == exports.CSV_HEADER
    assert [row[0] for row in rows[1:]] == [_day(5).isoformat(), _day(4).isoformat(), _day(3).isoformat()]
    assert {row[10] for row in rows[1:]} == {"Sam Lee"}
    assert all("Harbour" not in cell and "Priya" not in cell for row in rows for cell in row)
    client.logout()

    _login(client, record["second"].supervisor)
    rows = _rows(client.get(url))
    assert [row[0] for row in rows[1:]] == [_day(9).isoformat()]
    assert rows[1][9:12] == ["Harbour Peer Centre", "Priya Shah", "Priya Shah"]
    client.logout()

    _login(client, UserFactory(roles=[SUPERVISOR]))
    assert client.get(url).status_code == 404


def test_supervisor_pdf_summary_holds_only_their_own_hours(client, record, pdf_html):
    _login(client, record["second"].supervisor)
    response = client.get(reverse("practice_trainee_pdf", args=[record["trainee"].pk]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    [html] = pdf_html
    text = _pdf_text(response.content)
    assert "Priya Shah" in text and "Sam Lee" not in text
    assert "Practice 2 " in text and "Supervision 0 " in text


def test_a_trainee_without_approved_hours_gets_a_header_only_csv_and_a_pdf(client, pdf_html):
    assignment = build_assignment()
    entry_create(trainee=assignment.trainee, data=entry_data(assignment))  # a draft only
    _login(client, assignment.trainee)

    response = client.get(reverse("practice_hours_csv"))
    assert _rows(response) == [exports.CSV_HEADER]
    assert response.content.decode("utf-8").count("\n") == 1

    response = client.get(reverse("practice_hours_pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    [html] = pdf_html
    text = _pdf_text(response.content)
    assert "No hours have been approved yet." in text
    assert "No approved entries yet." in text
    assert "Practice 0 " in text


def test_a_supervisor_cannot_download_the_trainee_csv_route(client, record):
    _login(client, record["first"].supervisor)
    assert client.get(reverse("practice_hours_csv")).status_code == 403
