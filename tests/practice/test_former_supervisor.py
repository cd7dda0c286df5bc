"""A supervisor sees a trainee's progress and hours while they supervise them, and no longer once it has ended.

An ended assignment with a batch still waiting for them keeps the way open until that batch is reviewed, so the
supervisor can finish the work the trainee sent them.
"""

from datetime import time, timedelta

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone

from lms.roles import SUPERVISOR, TRAINEE
from practice.models import SupervisorAssignment
from practice.review import APPROVE, Decision, batch_review
from practice.services import entries_submit, entry_create
from tests.factories import PASSWORD, UserFactory, build_assignment, entry_data

pytestmark = pytest.mark.django_db

PAGES = ("practice_trainee_progress", "practice_trainee_csv", "practice_trainee_pdf")


@pytest.fixture
def assignment():
    return build_assignment(
        trainee=UserFactory(first_name="Robin", last_name="Ash", roles=[TRAINEE]),
        supervisor=UserFactory(first_name="Sam", last_name="Okafor", roles=[SUPERVISOR]),
    )


def _end(assignment, days_ago=1):
    SupervisorAssignment.objects.filter(pk=assignment.pk).update(ends_on=timezone.localdate() - timedelta(days_ago))


def _send_a_batch(assignment):
    performed_on = timezone.localdate() - timedelta(days=10)
    entry = entry_create(
        trainee=assignment.trainee, data=entry_data(assignment, performed_on=performed_on, start_time=time(9))
    )
    (batch,) = entries_submit(trainee=assignment.trainee, entry_ids=[entry.pk])
    return batch, entry


def _statuses(client, assignment):
    client.login(username=assignment.supervisor.username, password=PASSWORD)
    return {page: client.get(reverse(page, args=[assignment.trainee.pk])).status_code for page in PAGES}


def _trainee_row(client):
    soup = BeautifulSoup(client.get(reverse("practice_review")).content, "html.parser")
    trainees = soup.find(id="trainees-title").find_parent("section")
    row = trainees.find("th", string="Robin Ash").find_parent("tr")
    return row.get_text(" ", strip=True), [a.get_text(" ", strip=True) for a in row.find_all("a")]


def test_a_current_supervisor_opens_progress_and_downloads(client, assignment):
    _send_a_batch(assignment)
    assert _statuses(client, assignment) == dict.fromkeys(PAGES, 200)
    _, links = _trainee_row(client)
    assert links == ["Progress of Robin Ash", "PDF summary for Robin Ash", "CSV of approved hours for Robin Ash"]


def test_an_assignment_ending_today_still_counts(client, assignment):
    _send_a_batch(assignment)
    _end(assignment, days_ago=0)
    assert _statuses(client, assignment) == dict.fromkeys(PAGES, 200)


def test_once_supervision_has_ended_the_former_supervisor_sees_nothing_more(client, assignment):
    batch, entry = _send_a_batch(assignment)
    batch_review(
        supervisor=assignment.supervisor, batch_id=batch.pk, decisions=[Decision(entry.pk, APPROVE)], attested=True
    )
    _end(assignment)
    assert _statuses(client, assignment) == dict.fromkeys(PAGES, 404)
    text, links = _trainee_row(client)
    assert links == [] and text.endswith("Supervision ended")


def test_a_batch_still_waiting_keeps_the_way_open_until_it_is_reviewed(client, assignment):
    batch, entry = _send_a_batch(assignment)
    _end(assignment)
    assert _statuses(client, assignment) == dict.fromkeys(PAGES, 200)
    batch_review(
        supervisor=assignment.supervisor, batch_id=batch.pk, decisions=[Decision(entry.pk, APPROVE)], attested=True
    )
    assert _statuses(client, assignment) == dict.fromkeys(PAGES, 404)


def test_a_new_assignment_with_the_same_trainee_opens_it_again(client, assignment):
    _end(assignment, days_ago=30)
    build_assignment(
        trainee=assignment.trainee, supervisor=assignment.supervisor, starts_on=timezone.localdate() - timedelta(5)
    )
    assert _statuses(client, assignment) == dict.fromkeys(PAGES, 200)
