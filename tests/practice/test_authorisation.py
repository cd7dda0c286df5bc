"""Who may see and change what in the practice log: trainees, supervisors, dual-role users and other roles."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone

from lms.roles import PROGRAMME_ADMIN, SUPERVISOR, TRAINEE, VERIFIER
from practice.models import Attestation, Batch, PracticeEntry, SupervisorAssignment, SupervisorProfile
from practice.services import (
    PracticeError,
    batch_withdraw,
    entries_approve,
    entries_return,
    entries_submit,
    entry_create,
    entry_delete,
    entry_reopen,
    entry_update,
)
from practice.supervision import assignment_create
from tests.factories import UserFactory, build_assignment, entry_data

pytestmark = pytest.mark.django_db

Status = PracticeEntry.Status
NOT_FOUND = "That entry doesn't exist."
NOT_YOUR_TRAINEE = "Only the supervisor this batch was sent to can review it."
OWN_ENTRIES = "Nobody can approve or return their own entries."


def _days_ago(days: int):
    return timezone.localdate() - timedelta(days=days)


class Side:
    """One trainee with their supervisor, a draft entry and a submitted batch of one entry."""

    def __init__(self, name: str):
        self.trainee = UserFactory(username=f"trainee_{name}")
        self.supervisor = UserFactory(username=f"supervisor_{name}", roles=[SUPERVISOR])
        self.assignment = build_assignment(trainee=self.trainee, supervisor=self.supervisor)
        self.draft = entry_create(trainee=self.trainee, data=entry_data(self.assignment, performed_on=_days_ago(1)))
        self.sent = entry_create(trainee=self.trainee, data=entry_data(self.assignment, performed_on=_days_ago(2)))
        (self.batch,) = entries_submit(trainee=self.trainee, entry_ids=[self.sent.pk])


@pytest.fixture
def a():
    return Side("a")


@pytest.fixture
def b():
    return Side("b")


def _state(*entries) -> list[tuple]:
    """What an entry looks like in the database, to compare before and after."""
    return list(
        PracticeEntry.objects.filter(pk__in=[entry.pk for entry in entries])
        .order_by("pk")
        .values_list("pk", "status", "minutes", "batch_id", "attestation_id", "return_comment")
    )


# Trainee A against trainee B: pages


@pytest.mark.parametrize("url_name", ["practice_entry", "practice_entry_edit", "practice_entry_delete"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_trainee_gets_404_for_another_trainees_entry_pages(client, a, b, url_name, method):
    client.force_login(b.trainee)
    before = _state(a.draft)
    response = getattr(client, method)(reverse(url_name, args=[a.draft.pk]), {"minutes": "120"})
    assert response.status_code == 404
    assert _state(a.draft) == before


@pytest.mark.parametrize("url_name", ["practice_entry", "practice_entry_edit"])
def test_trainee_can_open_their_own_entry_pages(client, a, url_name):
    client.force_login(a.trainee)
    assert client.get(reverse(url_name, args=[a.draft.pk])).status_code == 200


@pytest.mark.parametrize("method", ["get", "post"])
def test_trainee_gets_404_withdrawing_another_trainees_batch(client, a, b, method):
    client.force_login(b.trainee)
    response = getattr(client, method)(reverse("practice_batch_withdraw", args=[a.batch.pk]))
    assert response.status_code == 404
    a.batch.refresh_from_db()
    assert a.batch.status == Batch.Status.SUBMITTED
    assert _state(a.sent) == [(a.sent.pk, Status.SUBMITTED, 60, a.batch.pk, None, "")]


def test_practice_log_shows_only_the_trainees_own_entries(client, a, b):
    client.force_login(b.trainee)
    response = client.get(reverse("practice_log"))
    assert response.status_code == 200
    assert {entry.pk for entry in response.context["page"].object_list} == {b.draft.pk, b.sent.pk}
    assert [batch.pk for batch in response.context["batches"]] == [b.batch.pk]
    html = response.content.decode()
    for entry in (a.draft, a.sent):
        assert reverse("practice_entry", args=[entry.pk]) not in html
    assert reverse("practice_batch_withdraw", args=[a.batch.pk]) not in html


def test_submitting_another_trainees_entry_ids_changes_nothing(client, a, b):
    client.force_login(b.trainee)
    before = _state(a.draft, b.draft)
    batches = Batch.objects.count()
    response = client.post(reverse("practice_submit"), {"entries": [str(a.draft.pk)]})
    assert response.status_code == 200
    assert response.context["form"].errors["entries"]
    assert _state(a.draft, b.draft) == before
    assert Batch.objects.count() == batches


# Trainee A against trainee B: services


def test_entry_update_of_another_trainees_entry_is_not_found(a, b):
    before = _state(a.draft)
    with pytest.raises(PracticeError) as error:
        entry_update(trainee=b.trainee, entry_id=a.draft.pk, data=entry_data(b.assignment, minutes=120))
    assert (error.value.code, error.value.message) == ("not_found", NOT_FOUND)
    assert _state(a.draft) == before


def test_entry_delete_of_another_trainees_entry_is_not_found(a, b):
    with pytest.raises(PracticeError) as error:
        entry_delete(trainee=b.trainee, entry_id=a.draft.pk)
    assert (error.value.code, error.value.message) == ("not_found", NOT_FOUND)
    assert PracticeEntry.objects.filter(pk=a.draft.pk).exists()


def test_batch_withdraw_of_another_trainees_batch_is_not_found(a, b):
    with pytest.raises(PracticeError) as error:
        batch_withdraw(trainee=b.trainee, batch_id=a.batch.pk)
    assert (error.value.code, error.value.message) == ("not_found", "That batch doesn't exist.")
    a.batch.refresh_from_db()
    assert a.batch.status == Batch.Status.SUBMITTED
    assert _state(a.sent)[0][1] == Status.SUBMITTED


# Supervisor of A against supervisor of B: pages


def test_supervisor_gets_404_for_another_supervisors_batch(client, a, b):
    client.force_login(b.supervisor)
    assert client.get(reverse("practice_review_batch", args=[a.batch.pk])).status_code == 404


def test_supervisor_can_open_their_own_trainees_batch(client, a):
    client.force_login(a.supervisor)
    assert client.get(reverse("practice_review_batch", args=[a.batch.pk])).status_code == 200


def test_supervisor_gets_404_approving_another_supervisors_batch(client, a, b):
    client.force_login(b.supervisor)
    before = _state(a.sent)
    response = client.post(
        reverse("practice_review_batch", args=[a.batch.pk]),
        {f"decision_{a.sent.pk}": "approve", "attested": "on"},
    )
    assert response.status_code == 404
    assert _state(a.sent) == before
    assert not Attestation.objects.exists()
    a.batch.refresh_from_db()
    assert a.batch.status == Batch.Status.SUBMITTED


@pytest.mark.parametrize("url_name", ["practice_trainee_csv", "practice_trainee_pdf"])
def test_supervisor_gets_404_for_another_supervisors_trainee_hours(client, a, b, url_name):
    client.force_login(b.supervisor)
    assert client.get(reverse(url_name, args=[a.trainee.pk])).status_code == 404


def test_supervisor_downloads_their_own_trainees_hours(client, a):
    client.force_login(a.supervisor)
    response = client.get(reverse("practice_trainee_csv", args=[a.trainee.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")


def test_review_queue_shows_only_batches_sent_to_the_supervisor(client, a, b):
    client.force_login(b.supervisor)
    response = client.get(reverse("practice_review"))
    assert response.status_code == 200
    assert [batch.pk for batch in response.context["page"].object_list] == [b.batch.pk]
    assert [row["trainee_id"] for row in response.context["supervisees"]] == [b.trainee.pk]
    assert reverse("practice_review_batch", args=[a.batch.pk]) not in response.content.decode()


def test_bulk_approving_another_supervisors_batch_approves_nothing(client, a, b):
    client.force_login(b.supervisor)
    before = _state(a.sent, b.sent)
    response = client.post(reverse("practice_review"), {"batches": [str(a.batch.pk)], "attested": "on"})
    assert response.status_code == 200
    assert response.context["form"].errors["batches"]
    assert _state(a.sent, b.sent) == before
    assert not Attestation.objects.exists()


# Supervisor of A against supervisor of B: services


def test_entries_approve_by_another_supervisor_is_refused(a, b):
    before = _state(a.sent)
    with pytest.raises(PracticeError) as error:
        entries_approve(supervisor=b.supervisor, batch_id=a.batch.pk, attested=True)
    assert (error.value.code, error.value.message) == ("not_your_trainee", NOT_YOUR_TRAINEE)
    assert _state(a.sent) == before
    assert not Attestation.objects.exists()
    a.batch.refresh_from_db()
    assert a.batch.status == Batch.Status.SUBMITTED


def test_entries_return_by_another_supervisor_is_refused(a, b):
    before = _state(a.sent)
    with pytest.raises(PracticeError) as error:
        entries_return(supervisor=b.supervisor, batch_id=a.batch.pk, entry_ids=[a.sent.pk], comment="Add detail.")
    assert (error.value.code, error.value.message) == ("not_your_trainee", NOT_YOUR_TRAINEE)
    assert _state(a.sent) == before
    a.batch.refresh_from_db()
    assert a.batch.status == Batch.Status.SUBMITTED


def test_a_former_supervisor_who_lost_the_role_cannot_approve(a):
    a.supervisor.groups.clear()
    supervisor = type(a.supervisor).objects.get(pk=a.supervisor.pk)
    with pytest.raises(PracticeError) as error:
        entries_approve(supervisor=supervisor, batch_id=a.batch.pk, attested=True)
    assert error.value.code == "not_your_trainee"
    assert _state(a.sent)[0][1] == Status.SUBMITTED


# Approving your own entries


@pytest.fixture
def dual():
    """A user who is both a trainee (under another supervisor) and a supervisor, with one submitted batch."""
    user = UserFactory(username="dual", roles=[TRAINEE, SUPERVISOR])
    SupervisorProfile.objects.create(user=user, qualification="CPS", credential_number="D-1", jurisdiction="Here")
    assignment = build_assignment(trainee=user)
    entry = entry_create(trainee=user, data=entry_data(assignment))
    (batch,) = entries_submit(trainee=user, entry_ids=[entry.pk])
    return user, entry, batch


def test_dual_role_user_cannot_approve_their_own_batch(dual):
    user, entry, batch = dual
    with pytest.raises(PracticeError) as error:
        entries_approve(supervisor=user, batch_id=batch.pk, attested=True)
    assert (error.value.code, error.value.message) == ("own_entries", OWN_ENTRIES)
    assert _state(entry)[0][1] == Status.SUBMITTED
    assert not Attestation.objects.exists()


def test_dual_role_user_cannot_return_their_own_batch(dual):
    user, entry, batch = dual
    with pytest.raises(PracticeError) as error:
        entries_return(supervisor=user, batch_id=batch.pk, entry_ids=[entry.pk], comment="Fine by me.")
    assert error.value.code == "own_entries"
    assert _state(entry)[0][1] == Status.SUBMITTED


def test_dual_role_user_gets_404_reviewing_their_own_batch(client, dual):
    user, entry, batch = dual
    client.force_login(user)
    url = reverse("practice_review_batch", args=[batch.pk])
    assert client.get(url).status_code == 404
    response = client.post(url, {f"decision_{entry.pk}": "approve", "attested": "on"})
    assert response.status_code == 404
    assert _state(entry)[0][1] == Status.SUBMITTED
    queue = client.get(reverse("practice_review"))
    assert list(queue.context["page"].object_list) == []


def test_nobody_can_be_assigned_to_supervise_themselves():
    user = UserFactory(roles=[TRAINEE, SUPERVISOR])
    organisation = build_assignment().organisation
    with pytest.raises(PracticeError) as error:
        assignment_create(supervisor=user, trainee=user, organisation=organisation, starts_on=_days_ago(10))
    assert (error.value.code, error.value.message) == ("own_entries", "Nobody can supervise themselves.")
    assert not SupervisorAssignment.objects.filter(trainee=user).exists()


# Role checks


@pytest.mark.parametrize("url_name", ["practice_log", "practice_review"])
def test_anonymous_users_are_sent_to_login(client, db, url_name):
    url = reverse(url_name)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{resolve_url(settings.LOGIN_URL)}?next={url}"


@pytest.mark.parametrize("url_name", ["practice_log", "practice_review"])
def test_verifiers_are_refused_practice_pages(client, url_name):
    client.force_login(UserFactory(roles=[VERIFIER]))
    assert client.get(reverse(url_name)).status_code == 403


def test_trainee_is_refused_the_review_queue(client, trainee):
    client.force_login(trainee)
    assert client.get(reverse("practice_review")).status_code == 403
    assert client.get(reverse("practice_log")).status_code == 200


def test_supervisor_without_trainee_role_is_refused_the_practice_log(client):
    client.force_login(UserFactory(roles=[SUPERVISOR]))
    assert client.get(reverse("practice_log")).status_code == 403
    assert client.get(reverse("practice_review")).status_code == 200


# Reopening


@pytest.mark.parametrize("roles", [[TRAINEE], [SUPERVISOR], [VERIFIER], [TRAINEE, SUPERVISOR]])
def test_entry_reopen_needs_a_programme_admin(a, roles):
    entries_approve(supervisor=a.supervisor, batch_id=a.batch.pk, attested=True)
    before = _state(a.sent)
    assert before[0][1] == Status.APPROVED
    with pytest.raises(PracticeError) as error:
        entry_reopen(admin=UserFactory(roles=roles), entry_id=a.sent.pk, reason="Wrong date.")
    assert (error.value.code, error.value.message) == (
        "not_allowed",
        "Only programme admins can reopen approved entries.",
    )
    assert _state(a.sent) == before


def test_entry_reopen_by_a_programme_admin_succeeds(a):
    entries_approve(supervisor=a.supervisor, batch_id=a.batch.pk, attested=True)
    entry_reopen(admin=UserFactory(roles=[PROGRAMME_ADMIN]), entry_id=a.sent.pk, reason="Wrong date.")
    assert _state(a.sent)[0][1] == Status.RETURNED
