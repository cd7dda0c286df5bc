"""The quiz pages and grading cost the same number of queries whatever the size of the question pool."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses.models import CoursePage, Enrolment, QuizAttempt
from courses.services import enrolment_create, quiz_answers_save, quiz_attempt_start, quiz_attempt_submit
from tests.factories import PASSWORD, UserFactory, answer_key, build_course, build_quiz

pytestmark = pytest.mark.django_db


def _count(function) -> int:
    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured)


def _measure(client, pool: int) -> dict:
    QuizAttempt.objects.all().delete()
    Enrolment.objects.all().delete()
    CoursePage.objects.all().delete()
    course, lessons = build_course(modules=1, lessons_per_module=2)
    quiz = build_quiz(lessons[0].get_parent(), questions=pool, kinds=["single", "multiple", "true_false"] * (pool // 3))
    user = UserFactory()
    enrolment_create(user=user, course=course)
    client.login(username=user.username, password=PASSWORD)
    client.get(quiz.url)  # warm per-process caches (content types, site root paths)
    counts = {"quiz page": _count(lambda: client.get(quiz.url))}
    counts["start"] = _count(lambda: quiz_attempt_start(user=user, quiz=quiz))
    attempt = QuizAttempt.objects.get(user=user)
    url = reverse("quiz_attempt", args=[attempt.id])
    counts["attempt page"] = _count(lambda: client.get(url))
    counts["save"] = _count(lambda: quiz_answers_save(attempt=attempt, answers=answer_key(attempt)))
    counts["grade"] = _count(lambda: quiz_attempt_submit(attempt=attempt))
    counts["result page"] = _count(lambda: client.get(reverse("quiz_attempt_result", args=[attempt.id])))
    counts["dashboard"] = _count(lambda: client.get(reverse("dashboard")))
    client.logout()
    return counts


def test_query_counts_do_not_grow_with_the_pool(client):
    small, large = _measure(client, 3), _measure(client, 60)
    assert small == large
