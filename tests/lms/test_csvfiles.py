"""CSV files people open in spreadsheets: no cell can start a formula, however the spreadsheet splits the line.

A spreadsheet set to a language whose list separator is ';' (or one told to split on tabs) splits an unquoted cell
such as `Harbour;=HYPERLINK(…)` in two, and the second part runs as a formula; some skip leading spaces first. The
checker below opens each file as such spreadsheets would and looks at every cell they would see.
"""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from courses.services import enrolment_create, quiz_answers_save, quiz_attempt_start, quiz_attempt_submit
from lms.csvfiles import csv_safe, to_csv
from lms.roles import SUPERVISOR, VERIFIER
from practice.models import Organisation
from tests.factories import (
    UserFactory,
    answer_key,
    approve_hours,
    build_assignment,
    build_course,
    build_quiz,
    entry_data,
    issued_certificate,
)
from verification.models import BulkJob
from verification.services import verifier_profile_save

pytestmark = pytest.mark.django_db

FORMULA_STARTS = tuple("=+-@\t\r") + ("＝", "＋", "－", "＠")
NUMBER = re.compile(r"-?\d+(\.\d+)?")
# What people type that a spreadsheet could run, and where it hides: first, after spaces, after a separator.
SNEAKY = [
    '=HYPERLINK("http://evil.example","click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1)",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
    "\u00a0=1+1",
    'Harbour;=HYPERLINK("http://evil.example")',
    "Harbour,=1+1",
    "Harbour; @SUM(1)",
    "first line\n=1+1",
    "Harbour\t-2+3",
    "＝1+1",
]
HARMLESS = ["Plain", "Mary-Jane O'Neill", "D1VC-YPNS-PHEA", "2026-01-01", "1.5", "A; B; C", "x = y", "a-b+c@d", ""]


def formula_cells(text: str) -> list[str]:
    """Every cell a spreadsheet splitting lines on ',', ';' or tab (quotes honoured) would run as a formula."""
    found = []
    for delimiter in (",", ";", "\t"):
        for row in csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=delimiter):
            for cell in row:
                shown = cell.lstrip()
                if shown.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(shown):
                    found.append(f"{delimiter!r}: {cell!r}")
    return found


@pytest.mark.parametrize("value", SNEAKY)
def test_a_cell_that_could_run_as_a_formula_is_marked_as_text(value):
    safe = csv_safe(value)
    assert safe != value and safe.replace("'", "") == value.replace("'", "")  # only apostrophes were added
    assert formula_cells(to_csv(["value"], [[value]])) == []


def test_the_apostrophe_goes_where_the_formula_could_start():
    assert csv_safe("=1+1") == "'=1+1"
    assert csv_safe("  =1+1") == "'  =1+1"
    assert csv_safe('Harbour;=HYPERLINK("x")') == 'Harbour;\'=HYPERLINK("x")'
    assert csv_safe("Harbour; @SUM(1)") == "Harbour;' @SUM(1)"
    assert csv_safe("first line\n-2+3") == "first line\n'-2+3"


@pytest.mark.parametrize("value", HARMLESS)
def test_other_text_is_left_alone(value):
    assert csv_safe(value) == value
    (row,) = list(csv.reader(io.StringIO(to_csv(["value"], [[value]]))))[1:]
    assert row == [value]


def test_numbers_stay_numbers_that_spreadsheets_can_compute_with():
    assert [csv_safe(value) for value in (3, -2, Decimal("-1.50"), 0.25, None)] == [3, -2, Decimal("-1.50"), 0.25, ""]
    text = to_csv(["count", "change", "share", "name"], [[3, -2, Decimal("-1.50"), "-2"]])
    assert text.splitlines()[1] == "3,-2,-1.50,'-2"  # the numbers as numbers, the text marked as text
    assert formula_cells(text) == []


def test_the_header_row_is_made_safe_too():
    assert formula_cells(to_csv(["name;=1+1", "@cmd"], [])) == []


def test_practice_hours_csv_for_the_trainee_and_for_the_supervisor():
    trainee = UserFactory(first_name="Tamsin", last_name="Okafor")
    supervisor = UserFactory(roles=[SUPERVISOR], first_name="Sam", last_name="Lee;@SUM(1)")
    organisation = Organisation.objects.create(name='Harbour;=HYPERLINK("http://evil.example","click")')
    assignment = build_assignment(trainee=trainee, supervisor=supervisor, organisation=organisation)
    approve_hours(assignment, [entry_data(assignment, minutes=90)])
    for user, url in (
        (trainee, reverse("practice_hours_csv")),
        (supervisor, reverse("practice_trainee_csv", args=[trainee.pk])),
    ):
        client = Client()
        client.force_login(user)
        text = client.get(url).content.decode()
        assert "Harbour;'=HYPERLINK" in text and "Lee;'@SUM(1)" in text, text
        assert formula_cells(text) == [], url
        assert ",1.5," in text  # the hours stay a number


def test_quiz_report_csvs(client):
    course, lessons = build_course(modules=1, lessons_per_module=1)
    quiz = build_quiz(lessons[0].get_parent(), questions=1, title="Quiz;-2+3", max_attempts=1)
    trainee = UserFactory()
    enrolment_create(user=trainee, course=course)
    attempt, _ = quiz_attempt_start(user=trainee, quiz=quiz)
    quiz_answers_save(attempt=attempt, answers=answer_key(attempt))
    quiz_attempt_submit(attempt=attempt)
    client.force_login(UserFactory(is_superuser=True, roles=[]))
    overview = client.get(reverse("courses_quiz_reports") + "?export=csv").content.decode()
    assert "Quiz;'-2+3" in overview and formula_cells(overview) == []
    assert ",1,1,100," in overview  # attempts, trainees and the pass rate stay numbers
    detail = client.get(reverse("courses_quiz_report", args=[quiz.pk]) + "?export=csv").content.decode()
    assert formula_cells(detail) == []


def test_bulk_check_results_csv(client, django_capture_on_commit_callbacks):
    certificate = issued_certificate(first_name="Robin", last_name="Asante")
    verifier = UserFactory(roles=[VERIFIER])
    verifier_profile_save(user=verifier, organisation_name="Northfield")
    buffer = io.StringIO()
    csv.writer(buffer).writerows(
        [
            ["code", "note;=1+1", " @who"],
            [certificate.display_code, 'ok;=HYPERLINK("http://evil.example")', "Ann, -2+3"],
            ["not a code", " =1+1", "\t@SUM(1)"],
        ]
    )
    client.force_login(verifier)
    upload = SimpleUploadedFile("staff.csv", buffer.getvalue().encode(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/verify/bulk/", {"file": upload})
    job = BulkJob.objects.get()
    text = client.get(f"/verify/bulk/{job.pk}/results.csv").content.decode()
    assert "valid" in text and "not_found" in text
    assert formula_cells(text) == []
