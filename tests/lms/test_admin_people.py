"""The Wagtail admin's lists and detail pages name people by their full names, never by usernames alone."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from courses.services import enrolment_create
from lms.roles import PROGRAMME_ADMIN, SUPERVISOR, TRAINEE
from practice.models import Batch, PracticeEntry
from practice.services import entries_submit, entry_create
from tests.factories import UserFactory, build_assignment, build_course, entry_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    trainee = UserFactory(username="tr_4471", first_name="Robin", last_name="Ash", roles=[TRAINEE])
    assignment = build_assignment(
        trainee=trainee,
        supervisor=UserFactory(username="su_0932", first_name="Sam", last_name="Okafor", roles=[SUPERVISOR]),
    )
    entry = entry_create(trainee=trainee, data=entry_data(assignment))
    entries_submit(trainee=trainee, entry_ids=[entry.pk])
    return trainee, assignment


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(roles=[PROGRAMME_ADMIN]))
    return client


def _text(response) -> str:
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser").get_text(" ", strip=True)


@pytest.mark.parametrize(
    "listing", ["supervisorassignment", "supervisorprofile", "practiceentry", "batch"], ids=lambda name: name
)
def test_practice_lists_name_people(admin_client, people, listing):
    text = _text(admin_client.get(reverse(f"wagtailsnippets_practice_{listing}:list")))
    assert "Robin Ash" in text or "Sam Okafor" in text
    assert "tr_4471" not in text and "su_0932" not in text


def test_detail_pages_name_people_with_their_address(admin_client, people):
    trainee, _ = people
    entry = PracticeEntry.objects.get()
    for url in (
        reverse("wagtailsnippets_practice_practiceentry:inspect", args=[entry.pk]),
        reverse("wagtailsnippets_practice_batch:inspect", args=[Batch.objects.get().pk]),
    ):
        text = _text(admin_client.get(url))
        assert f"Robin Ash ({trainee.email})" in text and "tr_4471" not in text.replace(trainee.email, "")


def test_an_enrolment_names_its_person(admin_client, people):
    trainee, _ = people
    enrolment, _ = enrolment_create(user=trainee, course=build_course()[0])
    assert str(enrolment).startswith("Robin Ash in ")
    for url in (
        reverse("wagtailsnippets_courses_enrolment:list"),
        reverse("wagtailsnippets_courses_enrolment:inspect", args=[enrolment.pk]),
    ):
        text = _text(admin_client.get(url))
        assert "Robin Ash" in text and "tr_4471" not in text.replace(trainee.email, "")
