"""A trainee without a supervisor asks for one; a programme admin finds a supervisor, assigns them, and both hear."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lms.roles import PROGRAMME_ADMIN, SUPERVISOR
from practice.models import Organisation, SupervisorAssignment, SupervisorRequest
from practice.services import PracticeError
from practice.supervision import supervisor_request_assign, supervisor_request_close, supervisor_request_create
from privacy.export import user_data
from tests.factories import PASSWORD, UserFactory, build_assignment

pytestmark = pytest.mark.django_db

Status = SupervisorRequest.Status


@pytest.fixture
def newcomer():
    return UserFactory(username="nia", first_name="Nia", last_name="Brook", email="nia@example.org")


@pytest.fixture
def programme_admin():
    return UserFactory(username="robin", first_name="Robin", last_name="Admin", roles=[PROGRAMME_ADMIN])


@pytest.fixture
def supervisor():
    return UserFactory(
        username="sam", first_name="Sam", last_name="Okafor", email="sam.okafor@example.org", roles=[SUPERVISOR]
    )


@pytest.fixture
def admin_client(client, programme_admin):
    client.force_login(programme_admin)
    return client


def _sign_in(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _html(response) -> str:
    return response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')


# The service


def test_a_request_needs_the_placement_and_supervisor_or_a_tick(newcomer):
    with pytest.raises(PracticeError) as caught:
        supervisor_request_create(trainee=newcomer, placement="Harbour Peer Centre")
    assert caught.value.code == "details_required"
    assert "tick “help me find one”" in caught.value.message
    request = supervisor_request_create(trainee=newcomer, help_me_find=True)
    assert (request.status, request.help_me_find, request.placement) == (Status.OPEN, True, "")


def test_one_open_request_at_a_time(newcomer):
    supervisor_request_create(trainee=newcomer, placement="Harbour", supervisor_name="Sam Okafor")
    with pytest.raises(PracticeError) as caught:
        supervisor_request_create(trainee=newcomer, help_me_find=True)
    assert caught.value.code == "already_open"
    assert SupervisorRequest.objects.filter(trainee=newcomer).count() == 1


def test_only_trainees_ask(supervisor):
    with pytest.raises(PracticeError) as caught:
        supervisor_request_create(trainee=supervisor, help_me_find=True)
    assert caught.value.code == "not_allowed"


def test_a_trainee_whose_supervision_has_not_ended_is_told_they_have_one(newcomer):
    today = timezone.localdate()
    assignment = build_assignment(trainee=newcomer, starts_on=today - timedelta(days=60), ends_on=today)
    with pytest.raises(PracticeError) as caught:
        supervisor_request_create(trainee=newcomer, help_me_find=True)
    assert caught.value.code == "has_supervisor"
    assert caught.value.message.startswith("You already have a supervisor, so there's no need to ask for one.")
    assert not SupervisorRequest.objects.exists()
    # Once it has ended, they may ask again.
    SupervisorAssignment.objects.filter(pk=assignment.pk).update(ends_on=today - timedelta(days=1))
    assert supervisor_request_create(trainee=newcomer, help_me_find=True).status == Status.OPEN


def test_assigning_closes_the_request_and_emails_both(
    newcomer, supervisor, programme_admin, django_capture_on_commit_callbacks
):
    request = supervisor_request_create(trainee=newcomer, placement="Harbour Peer Centre", supervisor_name="Sam Okafor")
    starts = timezone.localdate() - timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        assignment = supervisor_request_assign(
            admin=programme_admin,
            request_id=request.pk,
            supervisor=supervisor,
            starts_on=starts,
            new_organisation_name="Harbour Peer Centre",
        )
    request.refresh_from_db()
    assert (request.status, request.assignment, request.resolved_by) == (Status.ASSIGNED, assignment, programme_admin)
    assert (assignment.trainee, assignment.supervisor, assignment.starts_on) == (newcomer, supervisor, starts)
    assert assignment.organisation == Organisation.objects.get(name="Harbour Peer Centre")
    assert request.history.first().history_change_reason == "Assigned Sam Okafor at Harbour Peer Centre"
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {"nia@example.org", "sam.okafor@example.org"}
    to_trainee, to_supervisor = by_recipient["nia@example.org"], by_recipient["sam.okafor@example.org"]
    assert to_trainee.subject == "Sam Okafor is now your supervisor"
    assert "Hello Nia Brook," in to_trainee.body
    assert f"Sam Okafor is now your supervisor at Harbour Peer Centre, from {starts:%-d %B %Y}." in to_trainee.body
    assert "/practice/" in to_trainee.body
    assert to_supervisor.subject == "Nia Brook is now one of your supervisees"
    assert "Thank you for supervising Nia Brook at Harbour Peer Centre" in to_supervisor.body
    assert "/practice/review/" in to_supervisor.body


def test_an_existing_placement_is_reused_by_name(newcomer, supervisor, programme_admin):
    existing = Organisation.objects.create(name="Harbour Peer Centre")
    request = supervisor_request_create(trainee=newcomer, help_me_find=True)
    assignment = supervisor_request_assign(
        admin=programme_admin,
        request_id=request.pk,
        supervisor=supervisor,
        starts_on=timezone.localdate(),
        new_organisation_name="harbour peer centre",
    )
    assert assignment.organisation == existing
    assert Organisation.objects.count() == 1


def test_a_request_is_answered_once_and_only_by_programme_admins(newcomer, supervisor, programme_admin):
    request = supervisor_request_create(trainee=newcomer, help_me_find=True)
    organisation = Organisation.objects.create(name="Harbour")
    with pytest.raises(PracticeError) as caught:
        supervisor_request_assign(
            admin=supervisor,
            request_id=request.pk,
            supervisor=supervisor,
            starts_on=timezone.localdate(),
            organisation=organisation,
        )
    assert caught.value.code == "not_allowed"
    supervisor_request_assign(
        admin=programme_admin,
        request_id=request.pk,
        supervisor=supervisor,
        starts_on=timezone.localdate(),
        organisation=organisation,
    )
    with pytest.raises(PracticeError) as caught:
        supervisor_request_close(admin=programme_admin, request_id=request.pk, note="Duplicate")
    assert caught.value.code == "not_open"
    assert SupervisorAssignment.objects.filter(trainee=newcomer).count() == 1


def test_closing_tells_the_trainee_why(newcomer, programme_admin, django_capture_on_commit_callbacks):
    request = supervisor_request_create(trainee=newcomer, help_me_find=True)
    with pytest.raises(PracticeError) as caught:
        supervisor_request_close(admin=programme_admin, request_id=request.pk, note="  ")
    assert caught.value.code == "note_required"
    with django_capture_on_commit_callbacks(execute=True):
        supervisor_request_close(
            admin=programme_admin, request_id=request.pk, note="Your placement has set this up with us directly."
        )
    request.refresh_from_db()
    assert request.status == Status.CLOSED
    (message,) = mail.outbox
    assert message.subject == "About your request for a supervisor"
    assert "Your placement has set this up with us directly." in message.body
    assert "you can ask again from your practice log" in message.body


# The trainee's pages


def test_the_practice_log_offers_the_request_form_to_a_trainee_without_a_supervisor(client, newcomer):
    html = _html(_sign_in(client, newcomer).get(reverse("practice_log")))
    assert "Ask for a supervisor" in html
    assert f'action="{reverse("practice_supervisor_request")}"' in html
    assert "Your supervisor's email (if you know it)" in html
    assert "I don't have a supervisor yet: please help me find one" in html


def test_a_trainee_sends_a_request_and_sees_it_waiting(client, newcomer):
    _sign_in(client, newcomer)
    response = client.post(
        reverse("practice_supervisor_request"),
        {"placement": "Harbour Peer Centre", "supervisor_name": "Sam Okafor", "supervisor_email": "sam@example.org"},
        follow=True,
    )
    html = _html(response)
    assert "Thank you: your request is with a programme admin." in html
    assert "Your request for a supervisor is with us" in html
    assert "for Sam Okafor at Harbour Peer Centre" in html
    assert f'action="{reverse("practice_supervisor_request")}"' not in html  # no second form
    request = SupervisorRequest.objects.get(trainee=newcomer)
    assert (request.placement, request.supervisor_email, request.status) == (
        "Harbour Peer Centre",
        "sam@example.org",
        Status.OPEN,
    )


def test_an_incomplete_request_says_what_is_missing(client, newcomer):
    response = _sign_in(client, newcomer).post(reverse("practice_supervisor_request"), {"supervisor_email": "x"})
    html = _html(response)
    assert response.status_code == 200
    assert "Tell us where you practise, or tick “help me find one”." in html
    assert "Tell us your supervisor's name, or tick “help me find one”." in html
    assert "Enter a valid email address." in html
    assert not SupervisorRequest.objects.exists()


def test_a_trainee_with_a_supervisor_is_not_offered_the_form(client):
    assignment = build_assignment()
    html = _html(_sign_in(client, assignment.trainee).get(reverse("practice_log")))
    assert f'action="{reverse("practice_supervisor_request")}"' not in html
    assert "Log practice" in html


def test_a_trainee_with_a_supervisor_gets_no_request_form_and_cannot_post_one(client):
    trainee = build_assignment().trainee
    _sign_in(client, trainee)
    response = client.get(reverse("practice_supervisor_request"), follow=True)
    html = _html(response)
    assert response.redirect_chain[-1][0] == reverse("practice_log")
    assert "You already have a supervisor, so there's no need to ask for one." in html
    assert f'action="{reverse("practice_supervisor_request")}"' not in html
    response = client.post(reverse("practice_supervisor_request"), {"help_me_find": "on"}, follow=True)
    assert "You already have a supervisor" in _html(response)
    assert not SupervisorRequest.objects.exists()


# The programme admin's pages


def test_open_requests_are_listed_for_programme_admins_in_the_menu(admin_client, newcomer):
    supervisor_request_create(trainee=newcomer, placement="Harbour", supervisor_name="Sam Okafor")
    answered = supervisor_request_create(trainee=UserFactory(), help_me_find=True)
    answered.status = Status.CLOSED
    answered.save()
    assert "Supervisor requests" in _html(admin_client.get(reverse("wagtailadmin_home")))
    html = _html(admin_client.get(reverse("practice_supervisor_requests")))
    assert "Nia Brook" in html and "nia@example.org" in html and "Sam Okafor" in html
    assert reverse("practice_supervisor_request_assign", args=[answered.pk]) not in html
    assert html.count("Assign a supervisor<span") == 1


def test_an_empty_list_says_so(admin_client):
    assert "No trainee is waiting for a supervisor right now." in _html(
        admin_client.get(reverse("practice_supervisor_requests"))
    )


@pytest.mark.parametrize("role", [SUPERVISOR, "Trainee"])
def test_others_may_not_see_or_answer_requests(client, newcomer, role):
    request = supervisor_request_create(trainee=newcomer, help_me_find=True)
    client.force_login(UserFactory(roles=[role]))
    assert client.get(reverse("practice_supervisor_requests")).status_code in (302, 403)
    url = reverse("practice_supervisor_request_assign", args=[request.pk])
    assert client.post(url, {"action": "close", "note": "no"}).status_code in (302, 403)
    request.refresh_from_db()
    assert request.status == Status.OPEN


def test_the_picker_searches_supervisors_by_name_or_email_on_the_server(admin_client, newcomer, supervisor):
    UserFactory(first_name="Sam", last_name="Okafor", email="other.sam@example.org", roles=[SUPERVISOR])
    UserFactory(first_name="Alex", last_name="Reed", email="alex.reed@example.org", roles=[SUPERVISOR])
    UserFactory(first_name="Sam", last_name="Trainee", email="sam.trainee@example.org")  # not a supervisor
    request = supervisor_request_create(
        trainee=newcomer, placement="Harbour", supervisor_name="Sam Okafor", supervisor_email="sam.okafor@example.org"
    )
    url = reverse("practice_supervisor_request_assign", args=[request.pk])
    html = _html(admin_client.get(url))  # searches for the email the trainee gave
    assert "Sam Okafor (sam.okafor@example.org)" in html
    assert "other.sam@example.org" not in html
    html = _html(admin_client.get(url, {"q": "sam"}))
    assert "Sam Okafor (sam.okafor@example.org)" in html and "Sam Okafor (other.sam@example.org)" in html
    assert "alex.reed@example.org" not in html and "sam.trainee@example.org" not in html
    html = _html(admin_client.get(url, {"q": "nobody-like-this"}))
    assert "No supervisor matches “nobody-like-this”." in html


def test_assigning_from_the_admin_emails_both_and_closes_the_request(
    admin_client, newcomer, supervisor, django_capture_on_commit_callbacks
):
    request = supervisor_request_create(trainee=newcomer, placement="Harbour Peer Centre", supervisor_name="Sam")
    url = reverse("practice_supervisor_request_assign", args=[request.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            url,
            {
                "action": "assign",
                "supervisor": supervisor.pk,
                "new_organisation_name": "Harbour Peer Centre",
                "starts_on": timezone.localdate().isoformat(),
            },
            follow=True,
        )
    assert "Sam Okafor now supervises Nia Brook at Harbour Peer Centre. Both have been emailed." in _html(response)
    request.refresh_from_db()
    assert request.status == Status.ASSIGNED
    assert sorted(message.subject for message in mail.outbox) == [
        "Nia Brook is now one of your supervisees",
        "Sam Okafor is now your supervisor",
    ]
    assert "This request has been dealt with" in _html(admin_client.get(url))


def test_assigning_without_a_supervisor_or_placement_explains(admin_client, newcomer):
    request = supervisor_request_create(trainee=newcomer, help_me_find=True)
    url = reverse("practice_supervisor_request_assign", args=[request.pk])
    html = _html(admin_client.post(url, {"action": "assign", "starts_on": timezone.localdate().isoformat()}))
    assert "Choose a supervisor. Search above if they aren't listed." in html
    assert "Choose the placement, or type the name of a new one." in html
    request.refresh_from_db()
    assert request.status == Status.OPEN


def test_the_request_is_in_the_trainees_data_export(newcomer):
    supervisor_request_create(trainee=newcomer, placement="Harbour", supervisor_name="Sam Okafor")
    (exported,) = user_data(user=newcomer)["practice"]["supervisor_requests"]
    assert exported["placement"] == "Harbour"
    assert exported["supervisor_name"] == "Sam Okafor"
    assert exported["status"] == "Open"


# Query counts


def _queries(client, url: str, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured)


def test_the_request_list_costs_the_same_for_1_or_25_requests(admin_client):
    url = reverse("practice_supervisor_requests")
    supervisor_request_create(trainee=UserFactory(), help_me_find=True)
    _queries(admin_client, url)
    one = _queries(admin_client, url)
    for _ in range(24):
        supervisor_request_create(trainee=UserFactory(), placement="Harbour", supervisor_name="Someone")
    assert _queries(admin_client, url) == one


def test_the_assign_page_costs_the_same_for_2_or_30_supervisors(admin_client, newcomer):
    request = supervisor_request_create(trainee=newcomer, help_me_find=True)
    url = reverse("practice_supervisor_request_assign", args=[request.pk])
    for _ in range(2):
        UserFactory(roles=[SUPERVISOR])
    _queries(admin_client, url, q="")
    few = _queries(admin_client, url, q="")
    for _ in range(28):
        UserFactory(roles=[SUPERVISOR])
    assert _queries(admin_client, url, q="") == few


def test_the_practice_log_without_a_supervisor_costs_a_fixed_number_of_queries(client, newcomer):
    _sign_in(client, newcomer)
    url = reverse("practice_log")
    _queries(client, url)
    before = _queries(client, url)
    for _ in range(5):
        UserFactory()  # other trainees, and their requests, cost nothing here
        supervisor_request_create(trainee=UserFactory(), help_me_find=True)
    assert _queries(client, url) == before
