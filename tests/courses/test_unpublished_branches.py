"""Every course page (course, module, lesson, quiz) is served only while the pages above it are published too."""

import pytest
from django.urls import reverse
from wagtail.models import Site

from courses.models import CourseIndexPage, Enrolment
from courses.services import CourseError, enrolment_create
from tests.factories import build_quiz

pytestmark = pytest.mark.django_db


def test_a_module_under_an_unpublished_course_is_gone(client, course):
    course_page, lessons = course
    module = lessons[0].get_parent()
    url = module.url
    assert client.get(url).status_code == 200
    course_page.unpublish()  # the course alone: its modules stay live below it
    response = client.get(url)
    assert response.status_code == 404
    assert "Objective of module 1" not in response.content.decode()


def test_a_course_under_an_unpublished_course_list_is_gone(client, course):
    course_page, _ = course
    url = course_page.url
    assert client.get(url).status_code == 200
    CourseIndexPage.objects.get().unpublish()
    assert client.get(url).status_code == 404


def test_a_quiz_and_lesson_under_an_unpublished_course_are_gone(client, course):
    course_page, lessons = course
    quiz = build_quiz(lessons[0].get_parent())
    urls = [quiz.url, lessons[0].url]
    course_page.unpublish()
    assert [client.get(url).status_code for url in urls] == [404, 404]


def test_nobody_enrols_in_a_course_under_an_unpublished_course_list(trainee, trainee_client, course):
    course_page, _ = course
    CourseIndexPage.objects.get().unpublish()
    course_page.refresh_from_db()
    assert trainee_client.post(reverse("course_enrol", args=[course_page.id])).status_code == 302
    assert not Enrolment.objects.exists()
    with pytest.raises(CourseError) as error:
        enrolment_create(user=trainee, course=course_page)
    assert error.value.code == "not_live"


def test_a_refused_enrolment_sends_the_person_back_on_the_site_they_came_from(trainee, trainee_client, course):
    course_page, _ = course
    Site.objects.create(hostname="other.example", port=80, root_page=course_page, site_name="Another site")
    CourseIndexPage.objects.get().unpublish()
    response = trainee_client.post(reverse("course_enrol", args=[course_page.id]))
    assert response.status_code == 302
    assert response["Location"] == "/courses/course/"
