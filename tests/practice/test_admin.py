"""The practice models in the Wagtail admin: listings and filters, read-only entries, reopening, placements."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from lms.roles import PROGRAMME_ADMIN, SUPERVISOR
from practice.models import Batch, Organisation, PracticeEntry
from practice.services import PracticeError, entries_approve, entries_submit, entry_create
from practice.supervision import assignment_create
from tests.factories import UserFactory, build_assignment, entry_data, supervision_data

pytestmark = pytest.mark.django_db

Status = PracticeEntry.Status
DENIED = "Sorry, you do not have permission to access this area."
SNIPPETS = ["organisation", "supervisorassignment", "supervisorprofile", "practiceentry", "supervisionsession", "batch"]


def _url(model: str, view: str, *args) -> str:
    return reverse(f"wagtailsnippets_practice_{model}:{view}", args=args)


def _days_ago(days: int):
    return timezone.localdate() - timedelta(days=days)


@pytest.fixture
def programme_admin():
    return UserFactory(username="robin", first_name="Robin", last_name="Admin", roles=[PROGRAMME_ADMIN])


@pytest.fixture
def superuser():
    return UserFactory(username="root", roles=[], is_superuser=True, is_staff=True)


@pytest.fixture
def admin_client(client, programme_admin):
    client.force_login(programme_admin)
    return client


@pytest.fixture
def log():
    """A trainee's log: an approved practice entry and supervision session, plus a draft practice entry."""
    assignment = build_assignment()
    trainee = assignment.trainee
    approved = entry_create(trainee=trainee, data=entry_data(assignment, performed_on=_days_ago(3)))
    session = entry_create(trainee=trainee, data=supervision_data(assignment, performed_on=_days_ago(2)))
    (batch,) = entries_submit(trainee=trainee, entry_ids=[approved.pk, session.pk])
    entries_approve(supervisor=assignment.supervisor, batch_id=batch.pk, attested=True)
    draft = entry_create(trainee=trainee, data=entry_data(assignment, performed_on=_days_ago(1)))
    approved.refresh_from_db()
    session.refresh_from_db()
    batch.refresh_from_db()
    assert (approved.status, session.status, batch.status) == (Status.APPROVED, Status.APPROVED, "reviewed")
    return {"assignment": assignment, "approved": approved, "session": session, "draft": draft, "batch": batch}


def _listed_pks(response) -> set:
    return {obj.pk for obj in response.context["object_list"]}


def _messages(response) -> list[str]:
    return [str(message).strip() for message in get_messages(response.wsgi_request)]


def _state(entry) -> tuple:
    return (
        PracticeEntry.objects.filter(pk=entry.pk)
        .values_list("status", "minutes", "reflection", "attestation_id", "return_comment")
        .first(),
        entry.history.count(),
    )


def _assert_refused(response):
    """Wagtail's refusal for a signed-in admin user: back to the dashboard with 'permission denied'."""
    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_home")
    assert DENIED in _messages(response)


# Listings and filters


@pytest.mark.parametrize("model", SNIPPETS)
@pytest.mark.parametrize("who", ["programme_admin", "superuser"])
def test_practice_listings_load(client, log, model, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.get(_url(model, "list"))
    assert response.status_code == 200


def test_entry_listing_shows_practice_entries_only(admin_client, log):
    response = admin_client.get(_url("practiceentry", "list"))
    assert _listed_pks(response) == {log["approved"].pk, log["draft"].pk}


def test_supervision_listing_shows_sessions_only(admin_client, log):
    response = admin_client.get(_url("supervisionsession", "list"))
    assert _listed_pks(response) == {log["session"].pk}


@pytest.mark.parametrize(("status", "key"), [("approved", "approved"), ("draft", "draft")])
def test_entry_listing_filters_by_status(admin_client, log, status, key):
    response = admin_client.get(_url("practiceentry", "list"), {"status": status})
    assert response.status_code == 200
    assert _listed_pks(response) == {log[key].pk}


def test_batch_listing_filters_by_status(admin_client, log):
    entries_submit(trainee=log["draft"].trainee, entry_ids=[log["draft"].pk])
    reviewed = admin_client.get(_url("batch", "list"), {"status": "reviewed"})
    assert _listed_pks(reviewed) == {log["batch"].pk}
    waiting = admin_client.get(_url("batch", "list"), {"status": "submitted"})
    assert _listed_pks(waiting) == set(Batch.objects.filter(status="submitted").values_list("pk", flat=True))
    assert log["batch"].pk not in _listed_pks(waiting)


def test_organisation_listing_filters_by_active(admin_client, log):
    closed = Organisation.objects.create(name="Closed Clinic", is_active=False)
    response = admin_client.get(_url("organisation", "list"), {"is_active": "false"})
    assert _listed_pks(response) == {closed.pk}


# Entries are read-only in the admin, for everyone


@pytest.mark.parametrize("who", ["programme_admin", "superuser"])
@pytest.mark.parametrize("key", ["approved", "draft"])
def test_entry_edit_page_is_refused(client, log, who, key, request):
    client.force_login(request.getfixturevalue(who))
    _assert_refused(client.get(_url("practiceentry", "edit", log[key].pk)))


@pytest.mark.parametrize("who", ["programme_admin", "superuser"])
def test_posting_an_edit_to_an_approved_entry_changes_nothing(client, log, who, request):
    client.force_login(request.getfixturevalue(who))
    entry = log["approved"]
    before = _state(entry)
    response = client.post(
        _url("practiceentry", "edit", entry.pk),
        {"minutes": "600", "status": "draft", "reflection": "Rewritten after approval.", "delivery": "remote"},
    )
    _assert_refused(response)
    assert _state(entry) == before


@pytest.mark.parametrize("who", ["programme_admin", "superuser"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_deleting_an_approved_entry_is_refused(client, log, who, method, request):
    client.force_login(request.getfixturevalue(who))
    entry = log["approved"]
    before = _state(entry)
    _assert_refused(getattr(client, method)(_url("practiceentry", "delete", entry.pk)))
    assert _state(entry) == before


@pytest.mark.parametrize("who", ["programme_admin", "superuser"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_adding_an_entry_is_refused(client, log, who, method, request):
    client.force_login(request.getfixturevalue(who))
    count = PracticeEntry.objects.count()
    data = {
        "trainee": log["approved"].trainee_id,
        "assignment": log["assignment"].pk,
        "performed_on": _days_ago(5).isoformat(),
        "minutes": "60",
        "delivery": "in_person",
        "activity_type": "individual",
        "contact": "direct",
        "status": "approved",
    }
    _assert_refused(getattr(client, method)(_url("practiceentry", "add"), data))
    assert PracticeEntry.objects.count() == count


@pytest.mark.parametrize("who", ["programme_admin", "superuser"])
@pytest.mark.parametrize(("model", "key"), [("supervisionsession", "session"), ("batch", "batch")])
def test_sessions_and_batches_cannot_be_edited_or_deleted(client, log, who, model, key, request):
    client.force_login(request.getfixturevalue(who))
    pk = log[key].pk
    _assert_refused(client.post(_url(model, "edit", pk), {"status": "submitted"}))
    _assert_refused(client.post(_url(model, "delete", pk)))
    assert log[key].__class__.objects.filter(pk=pk).exists()
    assert Batch.objects.get(pk=log["batch"].pk).status == Batch.Status.REVIEWED


def test_entry_listing_offers_no_edit_or_delete_links(admin_client, log):
    html = admin_client.get(_url("practiceentry", "list")).content.decode()
    for entry in (log["approved"], log["draft"]):
        assert _url("practiceentry", "edit", entry.pk) not in html
        assert _url("practiceentry", "delete", entry.pk) not in html
    assert _url("practiceentry", "add") not in html


# Inspecting


@pytest.mark.parametrize("who", ["programme_admin", "superuser"])
def test_inspect_shows_the_entry(client, log, who, request):
    client.force_login(request.getfixturevalue(who))
    entry = log["approved"]
    response = client.get(_url("practiceentry", "inspect", entry.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert entry.reflection in html
    assert entry.assignment.organisation.name in html
    assert entry.attestation.signed_name in html


# Reopening an approved entry


def test_reopen_page_shows_the_form_for_an_approved_entry(admin_client, log):
    response = admin_client.get(reverse("practice_entry_reopen", args=[log["approved"].pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="reason"' in html
    assert "Reopen this entry" in html


def test_reopen_page_has_no_form_for_a_draft(admin_client, log):
    response = admin_client.get(reverse("practice_entry_reopen", args=[log["draft"].pk]))
    assert response.status_code == 200
    assert 'name="reason"' not in response.content.decode()


def test_reopen_without_a_reason_shows_an_error_and_changes_nothing(
    admin_client, log, django_capture_on_commit_callbacks
):
    entry = log["approved"]
    before = _state(entry)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("practice_entry_reopen", args=[entry.pk]), {"reason": "  "})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["This field is required."]
    assert _state(entry) == before
    assert mail.outbox == []


def test_reopen_with_a_reason_returns_the_entry_and_emails_the_trainee(
    admin_client, programme_admin, log, django_capture_on_commit_callbacks
):
    entry = log["approved"]
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("practice_entry_reopen", args=[entry.pk]), {"reason": "The date was a week out."}
        )
    assert response.status_code == 302
    assert response.url == _url("practiceentry", "list")
    entry.refresh_from_db()
    assert entry.status == Status.RETURNED
    assert entry.attestation_id is None
    assert entry.return_comment == "Reopened by a programme admin: The date was a week out."
    latest = entry.history.first()
    assert latest.status == Status.RETURNED
    assert latest.history_change_reason == "Reopened: The date was a week out."
    assert latest.history_user == programme_admin
    assert [message.to for message in mail.outbox] == [[entry.trainee.email]]


def test_reopened_entry_keeps_its_approval_in_history(admin_client, log, django_capture_on_commit_callbacks):
    entry = log["approved"]
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("practice_entry_reopen", args=[entry.pk]), {"reason": "Wrong placement."})
    statuses = list(entry.history.order_by("history_date", "history_id").values_list("status", flat=True))
    assert statuses[-2:] == [Status.APPROVED, Status.RETURNED]


def test_reopening_a_draft_is_refused_with_a_message(admin_client, log):
    entry = log["draft"]
    before = _state(entry)
    response = admin_client.post(reverse("practice_entry_reopen", args=[entry.pk]), {"reason": "Just because."})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["Only approved entries can be reopened."]
    assert _state(entry) == before


def test_reopen_of_a_missing_entry_is_404(admin_client, log):
    assert admin_client.get(reverse("practice_entry_reopen", args=[999999])).status_code == 404


@pytest.mark.parametrize("roles", [["Trainee"], [SUPERVISOR]])
@pytest.mark.parametrize("method", ["get", "post"])
def test_trainees_and_supervisors_cannot_reopen(client, log, roles, method):
    client.force_login(UserFactory(roles=roles))
    entry = log["approved"]
    before = _state(entry)
    url = reverse("practice_entry_reopen", args=[entry.pk])
    response = client.post(url, {"reason": "Let me fix it."}) if method == "post" else client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('admin_login_elsewhere')}?next={url}"
    assert client.get(response.url).status_code == 403  # signed in already: refused there, not sent round again
    assert _state(entry) == before


def test_the_entry_supervisor_cannot_reopen(client, log):
    client.force_login(log["assignment"].supervisor)
    entry = log["approved"]
    before = _state(entry)
    response = client.post(reverse("practice_entry_reopen", args=[entry.pk]), {"reason": "I made a mistake."})
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin_login_elsewhere"))
    assert _state(entry) == before


def test_listing_offers_reopen_for_approved_entries_only(admin_client, log):
    html = admin_client.get(_url("practiceentry", "list")).content.decode()
    assert reverse("practice_entry_reopen", args=[log["approved"].pk]) in html
    assert reverse("practice_entry_reopen", args=[log["draft"].pk]) not in html


# Placements


def test_programme_admin_adds_an_organisation(admin_client, db):
    response = admin_client.post(
        _url("organisation", "add"), {"name": "Harbour Warm Line", "location": "Portsmouth", "is_active": "on"}
    )
    assert response.status_code == 302
    organisation = Organisation.objects.get(name="Harbour Warm Line")
    assert (organisation.location, organisation.is_active) == ("Portsmouth", True)


def _assignment_form(assignment, **changes) -> dict:
    values = {
        "trainee": assignment.trainee_id,
        "supervisor": assignment.supervisor_id,
        "organisation": assignment.organisation_id,
        "starts_on": assignment.starts_on.isoformat(),
        "ends_on": "",
    }
    values.update(changes)
    return values


def test_an_assignment_with_logged_hours_keeps_its_people_place_and_period(admin_client, log):
    assignment = log["assignment"]
    other_trainee = UserFactory()
    url = _url("supervisorassignment", "edit", assignment.pk)
    response = admin_client.post(url, _assignment_form(assignment, trainee=other_trainee.pk))
    assert response.status_code == 200
    assert "Hours have been logged under this assignment, so this can&#x27;t change." in response.content.decode()
    response = admin_client.post(url, _assignment_form(assignment, starts_on=_days_ago(2).isoformat()))
    assert "Hours are logged from" in response.content.decode()
    response = admin_client.post(url, _assignment_form(assignment, ends_on=_days_ago(2).isoformat()))
    assert "Hours are logged up to" in response.content.decode()
    assignment.refresh_from_db()
    assert (assignment.trainee_id, assignment.ends_on) == (log["approved"].trainee_id, None)
    response = admin_client.post(url, _assignment_form(assignment, ends_on=_days_ago(1).isoformat()))
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.ends_on == _days_ago(1)


def test_an_inactive_placement_takes_no_new_assignments(admin_client):
    closed = Organisation.objects.create(name="Closed Placement", is_active=False)
    supervisor, trainee = UserFactory(roles=[SUPERVISOR]), UserFactory()
    form = {"trainee": trainee.pk, "supervisor": supervisor.pk, "organisation": closed.pk}
    response = admin_client.post(
        _url("supervisorassignment", "add"), {**form, "starts_on": _days_ago(5).isoformat(), "ends_on": ""}
    )
    assert "This placement is inactive, so it can&#x27;t take new assignments." in response.content.decode()
    with pytest.raises(PracticeError) as caught:
        assignment_create(supervisor=supervisor, trainee=trainee, organisation=closed, starts_on=_days_ago(5))
    assert caught.value.code == "inactive_organisation"


def test_a_competency_domain_with_logged_hours_cannot_be_deleted(client, superuser, log):
    domain = log["approved"].domains.get()
    client.force_login(superuser)
    response = client.post(reverse("wagtailsnippets_content_competencydomain:delete", args=[domain.pk]), follow=True)
    assert "can&#x27;t be deleted: practice hours are tagged with it" in response.content.decode()
    assert list(PracticeEntry.objects.get(pk=log["approved"].pk).domains.all()) == [domain]
