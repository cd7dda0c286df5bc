"""Parallel submits grade an attempt once, and parallel starts open one attempt (PostgreSQL: real transactions)."""

import pytest
from django.db import connection

from courses.models import AttemptQuestion, QuizAttempt
from courses.services import enrolment_create, quiz_answers_save, quiz_attempt_start, quiz_attempt_submit
from tests.factories import UserFactory, answer_key, build_course, build_quiz
from tests.parallel import in_parallel

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL for parallel transactions"),
]
THREADS = 8


@pytest.fixture
def quiz_and_trainee():
    course, lessons = build_course(modules=1, lessons_per_module=1)
    user = UserFactory()
    enrolment_create(user=user, course=course)
    return build_quiz(lessons[0].get_parent(), questions=5), user


def test_a_concurrent_double_submit_produces_one_graded_attempt(quiz_and_trainee):
    quiz, user = quiz_and_trainee
    attempt, _ = quiz_attempt_start(user=user, quiz=quiz)
    quiz_answers_save(attempt=attempt, answers=answer_key(attempt))
    results = in_parallel(lambda: quiz_attempt_submit(attempt=QuizAttempt.objects.get(pk=attempt.pk)), threads=THREADS)
    assert [graded for _, graded in results].count(True) == 1
    assert {result.score for result, _ in results} == {100}
    attempt.refresh_from_db()
    assert attempt.history.filter(status=QuizAttempt.SUBMITTED).count() == 1
    assert QuizAttempt.objects.filter(user=user).count() == 1


def test_concurrent_starts_open_one_attempt(quiz_and_trainee):
    quiz, user = quiz_and_trainee
    results = in_parallel(lambda: quiz_attempt_start(user=user, quiz=quiz), threads=THREADS)
    assert [created for _, created in results].count(True) == 1
    assert len({attempt.pk for attempt, _ in results}) == 1
    assert QuizAttempt.objects.filter(user=user).count() == 1
    assert AttemptQuestion.objects.count() == 5
