"""Enrolment happens only by POST with CSRF, and only for signed-in users."""

import pytest
from django.test import Client
from django.urls import reverse

from courses.models import Enrolment
from courses.services import CourseError, enrolment_create
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_get_does_not_enrol(trainee_client, trainee, course):
    course_page, _ = course
    response = trainee_client.get(reverse("course_enrol", args=[course_page.id]))
    assert response.status_code == 405
    assert not Enrolment.objects.filter(user=trainee).exists()


def test_post_enrols_and_says_so(trainee_client, trainee, course):
    course_page, _ = course
    response = trainee_client.post(reverse("course_enrol", args=[course_page.id]), follow=True)
    assert Enrolment.objects.filter(user=trainee, course=course_page).count() == 1
    assert "You&#x27;re enrolled in A course" in response.content.decode()
    assert "Start the first lesson" in response.content.decode()


def test_post_twice_enrols_once(trainee_client, trainee, course):
    course_page, _ = course
    url = reverse("course_enrol", args=[course_page.id])
    trainee_client.post(url)
    response = trainee_client.post(url, follow=True)
    assert Enrolment.objects.filter(user=trainee).count() == 1
    assert "already enrolled" in response.content.decode()


def test_post_without_csrf_token_is_refused(trainee, course):
    course_page, _ = course
    client = Client(enforce_csrf_checks=True)
    client.login(username=trainee.username, password=PASSWORD)
    response = client.post(reverse("course_enrol", args=[course_page.id]))
    assert response.status_code == 403
    assert not Enrolment.objects.exists()


def test_anonymous_post_goes_to_login(client, course):
    course_page, _ = course
    response = client.post(reverse("course_enrol", args=[course_page.id]))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not Enrolment.objects.exists()


def test_unpublished_course_cannot_be_enrolled(trainee_client, trainee, course):
    course_page, _ = course
    course_page.unpublish()
    response = trainee_client.post(reverse("course_enrol", args=[course_page.id]))
    assert response.status_code == 404
    with pytest.raises(CourseError) as error:
        enrolment_create(user=trainee, course=course_page)
    assert error.value.code == "not_live"


def test_course_page_offers_enrol_form_only_to_signed_in_users(client, trainee_client, course):
    course_page, _ = course
    anonymous = client.__class__().get(course_page.url).content.decode()
    assert "Log in to enrol" in anonymous
    assert "Enrol in this course" not in anonymous
    signed_in = trainee_client.get(course_page.url).content.decode()
    assert f'action="{reverse("course_enrol", args=[course_page.id])}"' in signed_in
    assert "Enrol in this course" in signed_in
