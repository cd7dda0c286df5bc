"""The trainee dashboard: sign-in, progress bars and where to continue."""

import pytest
from django.urls import reverse

from courses.services import enrolment_create, lesson_complete
from tests.factories import build_course

pytestmark = pytest.mark.django_db


def test_logged_out_user_is_sent_to_login(client):
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/dashboard/"


def test_empty_dashboard_points_to_courses(trainee_client):
    html = trainee_client.get(reverse("dashboard")).content.decode()
    assert "You're not enrolled in any courses yet." in html
    assert 'href="/courses/"' in html


def test_continue_link_goes_to_next_incomplete_lesson(trainee_client, trainee, course):
    course_page, lessons = course
    enrolment_create(user=trainee, course=course_page)
    lesson_complete(user=trainee, lesson=lessons[0])
    lesson_complete(user=trainee, lesson=lessons[1])
    html = trainee_client.get(reverse("dashboard")).content.decode()
    assert f'class="button continue-link" href="{lessons[2].url}"' in html
    assert 'aria-valuenow="50"' in html
    assert "2 of 4 steps · 50%" in html
    assert "Module 1" in html and "2 of 2 steps · 100%" in html


def test_finished_course_says_well_done(trainee_client, trainee, course):
    course_page, lessons = course
    enrolment_create(user=trainee, course=course_page)
    for lesson in lessons:
        lesson_complete(user=trainee, lesson=lesson)
    html = trainee_client.get(reverse("dashboard")).content.decode()
    assert "You've completed every lesson. Well done." in html
    assert "continue-link" not in html


def test_dashboard_shows_only_own_courses(trainee_client, trainee):
    mine, _ = build_course(slug="mine", title="Mine")
    build_course(slug="other", title="Someone else's")
    enrolment_create(user=trainee, course=mine)
    html = trainee_client.get(reverse("dashboard")).content.decode()
    assert "Mine" in html
    assert "Someone else" not in html
