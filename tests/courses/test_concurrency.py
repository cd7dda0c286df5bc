"""Concurrent double clicks enrol and complete once (PostgreSQL: real parallel transactions)."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from courses.models import Enrolment, LessonCompletion
from courses.services import enrolment_create, lesson_complete
from tests.factories import UserFactory, build_course

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL for parallel transactions"),
]


def _in_threads(function, count: int = 8) -> list:
    def run(_):
        try:
            return function()[1]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def test_parallel_enrol_and_complete_record_once():
    course, lessons = build_course(modules=1, lessons_per_module=1)
    user = UserFactory()
    created = _in_threads(lambda: enrolment_create(user=user, course=course))
    assert created.count(True) == 1
    assert Enrolment.objects.filter(user=user).count() == 1
    created = _in_threads(lambda: lesson_complete(user=user, lesson=lessons[0]))
    assert created.count(True) == 1
    assert LessonCompletion.objects.filter(user=user).count() == 1
