"""Quiz reports for programme admins: figures, CSV, who may see them, extra attempts, and deleting quizzes."""

import csv
import io
from html import unescape

import pytest
from django.urls import reverse
from wagtail.blocks import StreamValue

from courses.models import QuizAttemptGrant, QuizPage
from courses.reports import question_stats, quiz_report_rows
from courses.services import enrolment_create, quiz_answers_save, quiz_attempt_start, quiz_attempt_submit
from lms.csvfiles import csv_safe
from lms.roles import PROGRAMME_ADMIN, SUPERVISOR
from tests.factories import PASSWORD, UserFactory, answer_key, build_course, build_quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiz_with_attempts():
    """A 2-question quiz (max 1 attempt): one trainee passes, one fails picking the first wrong choices."""
    course, lessons = build_course(modules=1, lessons_per_module=1)
    quiz = build_quiz(lessons[0].get_parent(), questions=2, max_attempts=1, shuffle_choices=False)
    passer, failer = UserFactory(username="passer"), UserFactory(username="failer")
    for user, right in ((passer, True), (failer, False)):
        enrolment_create(user=user, course=course)
        attempt, _ = quiz_attempt_start(user=user, quiz=quiz)
        quiz_answers_save(attempt=attempt, answers=answer_key(attempt, right=right))
        quiz_attempt_submit(attempt=attempt)
    return quiz, passer, failer


@pytest.fixture
def admin_client(client):
    admin = UserFactory(username="robin", roles=[PROGRAMME_ADMIN])
    client.login(username=admin.username, password=PASSWORD)
    return client


def test_quiz_figures(quiz_with_attempts):
    quiz, _, _ = quiz_with_attempts
    row = next(row for row in quiz_report_rows() if row.quiz.id == quiz.id)
    assert (row.attempts, row.trainees, row.pass_rate, row.trainees_passed, float(row.mean_score)) == (
        2,
        2,
        50,
        1,
        50.0,
    )


def test_question_figures_show_picks_per_choice(quiz_with_attempts):
    quiz, _, _ = quiz_with_attempts
    stats = question_stats(quiz)
    assert [stat.number for stat in stats] == [1, 2]
    first = stats[0]
    assert (first.asked, first.fully_correct, first.correct_share) == (2, 1, 50)
    assert [(c.text, c.correct, c.picks, c.share) for c in first.choices] == [
        ("Response 1.1", True, 1, 50),
        ("Response 1.2", False, 1, 50),
        ("Response 1.3", False, 0, 0),
    ]


def test_a_removed_question_stays_in_the_report(quiz_with_attempts):
    quiz, _, _ = quiz_with_attempts
    quiz.questions = StreamValue(quiz.questions.stream_block, list(quiz.questions.raw_data)[:1], is_lazy=True)
    quiz.save_revision().publish()
    stats = question_stats(QuizPage.objects.get(pk=quiz.pk))
    assert [stat.number for stat in stats] == [1, None]
    assert stats[1].asked == 2


def test_admin_sees_reports_and_downloads_csv(admin_client, quiz_with_attempts):
    quiz, _, _ = quiz_with_attempts
    index = admin_client.get(reverse("courses_quiz_reports"))
    assert index.status_code == 200
    assert "50%" in index.content.decode()
    download = admin_client.get(reverse("courses_quiz_reports") + "?export=csv")
    assert download["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert rows[0][:3] == ["Quiz", "Module", "Submitted attempts"]
    assert rows[1][:5] == ["Module quiz", "Module 1", "2", "2", "50"]
    detail = admin_client.get(reverse("courses_quiz_report", args=[quiz.id]) + "?export=csv")
    rows = list(csv.reader(io.StringIO(detail.content.decode())))
    assert len(rows) == 1 + 2 * 3  # a header, then one row per choice
    assert rows[1][0] == "1" and rows[1][6] == "Response 1.1" and rows[1][7] == "yes"


@pytest.mark.parametrize("roles", [[], [SUPERVISOR]])
def test_others_may_not_see_reports(client, quiz_with_attempts, roles):
    quiz, passer, _ = quiz_with_attempts
    user = UserFactory(roles=roles)
    client.login(username=user.username, password=PASSWORD)
    for url in (reverse("courses_quiz_reports"), reverse("courses_quiz_report", args=[quiz.id])):
        assert client.get(url).status_code in (302, 403)
    assert client.post(
        reverse("courses_quiz_grant", args=[quiz.id]), {"user": passer.pk, "reason": "x"}
    ).status_code in (
        302,
        403,
    )
    assert not QuizAttemptGrant.objects.exists()


def test_admin_grants_another_attempt_from_the_report(admin_client, quiz_with_attempts):
    quiz, _, failer = quiz_with_attempts
    page = admin_client.get(reverse("courses_quiz_report", args=[quiz.id])).content.decode()
    assert "Trainees out of attempts" in page and failer.get_full_name() in page
    refused = admin_client.post(
        reverse("courses_quiz_grant", args=[quiz.id]), {"user": failer.pk, "reason": ""}, follow=True
    )
    assert "Give a reason for the extra attempt" in refused.content.decode()
    response = admin_client.post(
        reverse("courses_quiz_grant", args=[quiz.id]), {"user": failer.pk, "reason": "Agreed at supervision"}
    )
    assert response.status_code == 302
    grant = QuizAttemptGrant.objects.get()
    assert (grant.user, grant.reason, grant.granted_by.username) == (failer, "Agreed at supervision", "robin")
    attempt, created = quiz_attempt_start(user=failer, quiz=quiz)
    assert created and attempt.number == 2


def test_a_quiz_with_attempts_cannot_be_deleted_in_the_admin(client, quiz_with_attempts):
    quiz, _, _ = quiz_with_attempts
    superuser = UserFactory(is_superuser=True, is_staff=True, roles=[PROGRAMME_ADMIN])
    client.login(username=superuser.username, password=PASSWORD)
    for page in (quiz, quiz.get_parent()):
        response = client.post(reverse("wagtailadmin_pages:delete", args=[page.id]), follow=True)
        assert "can&#x27;t be deleted: trainees have made 2 quiz attempt(s) here" in response.content.decode()
    assert QuizPage.objects.filter(pk=quiz.pk).exists()


def test_csv_cells_cannot_run_as_formulas():
    assert csv_safe("=HYPERLINK()") == "'=HYPERLINK()"
    assert csv_safe("@SUM(1)") == "'@SUM(1)"
    assert csv_safe("Plain") == "Plain"
    assert csv_safe(None) == ""


def test_answer_key_preview_is_for_editors_only(admin_client, client, quiz_with_attempts):
    quiz, passer, _ = quiz_with_attempts
    preview = admin_client.get(reverse("wagtailadmin_pages:view_draft", args=[quiz.id]) + "?mode=answer_key")
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "Correct answer" in html and "Reasoning 1.2" in html
    client.login(username=passer.username, password=PASSWORD)
    assert client.get(reverse("wagtailadmin_pages:view_draft", args=[quiz.id]) + "?mode=answer_key").status_code in (
        302,
        403,
    )
    live = client.get(quiz.url + "?mode=answer_key").content.decode()
    assert "Reasoning 1.2" not in live


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"user": "abc", "reason": "x"}, "Choose a trainee from the list."),
        ({"user": "1", "reason": "x" * 501}, "Ensure this value has at most 500 characters"),
        ({"user": "1", "reason": ""}, "Give a reason for the extra attempt"),
    ],
)
def test_a_bad_grant_form_gets_a_message_not_an_error(admin_client, quiz_with_attempts, data, message):
    quiz, _, _ = quiz_with_attempts
    response = admin_client.post(reverse("courses_quiz_grant", args=[quiz.id]), data, follow=True)
    assert response.status_code == 200
    assert message in unescape(response.content.decode())
    assert not QuizAttemptGrant.objects.exists()


def test_bulk_delete_of_a_quiz_with_attempts_is_refused(client, quiz_with_attempts):
    quiz, _, _ = quiz_with_attempts
    superuser = UserFactory(is_superuser=True, is_staff=True, roles=[PROGRAMME_ADMIN])
    client.login(username=superuser.username, password=PASSWORD)
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "delete"]) + f"?id={quiz.id}"
    response = client.post(url, follow=True)
    assert "can't be deleted: trainees have made 2 quiz attempt(s) here" in unescape(response.content.decode())
    assert QuizPage.objects.filter(pk=quiz.pk).exists()
