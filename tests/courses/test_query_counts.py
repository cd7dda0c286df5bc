"""Lesson pages and the dashboard cost the same number of queries whatever the size of course or site."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses.models import CoursePage, Enrolment
from courses.services import enrolment_create, lesson_complete
from lms.kept_home import home_changed
from tests.factories import PASSWORD, UserFactory, build_course

pytestmark = pytest.mark.django_db

LESSON_PAGE_QUERIES = 6
"""The page tree's version token, the lesson, the session, the user, their roles and permissions, their progress."""


def _site(*, lessons: int, trainees: int):
    """Build a course with `lessons` lessons over 3 modules, and `trainees` enrolled trainees part-way through."""
    course, lesson_pages = build_course(modules=3, lessons_per_module=lessons // 3)
    users = [UserFactory() for _ in range(trainees)]
    for user in users:
        enrolment_create(user=user, course=course)
        for lesson in lesson_pages[: len(lesson_pages) // 2]:
            lesson_complete(user=user, lesson=lesson)
    return lesson_pages, users[0]


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("page", ["lesson", "dashboard"])
def test_query_count_is_constant(client, page):
    counts = {}
    for lessons, trainees in [(3, 1), (30, 1), (3, 50), (30, 50)]:
        Enrolment.objects.all().delete()
        CoursePage.objects.all().delete()
        lesson_pages, user = _site(lessons=lessons, trainees=trainees)
        client.login(username=user.username, password=PASSWORD)
        url = lesson_pages[1].url if page == "lesson" else reverse("dashboard")
        _queries(client, url)  # warm per-process caches (content types, site root paths)
        home_changed(user.pk)  # the dashboard works the trainee's section out, as after a change (tests/dashboard)
        counts[(lessons, trainees)] = _queries(client, url)
        client.logout()
    assert len(set(counts.values())) == 1, counts
    if page == "lesson":
        assert set(counts.values()) == {LESSON_PAGE_QUERIES}, counts
