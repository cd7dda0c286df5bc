"""A supervisor invites someone they already supervise to link up; the person accepts (an assignment) or declines."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lms.roles import PROGRAMME_ADMIN, SUPERVISOR, TRAINEE
from practice.invitations import (
    DAILY_LIMIT,
    OPEN_LIMIT,
    invitations_for,
    supervisor_invitation_accept,
    supervisor_invitation_create,
    supervisor_invitation_decline,
    supervisor_invitation_withdraw,
)
from practice.models import Organisation, SupervisorAssignment, SupervisorInvitation
from practice.services import PracticeError
from privacy.export import user_data
from tests.factories import UserFactory, build_assignment

pytestmark = pytest.mark.django_db

Status = SupervisorInvitation.Status


def verified(user, email=None):
    EmailAddress.objects.create(user=user, email=email or user.email, verified=True, primary=email is None)
    return user


@pytest.fixture
def supervisor():
    return verified(
        UserFactory(
            username="sam", first_name="Sam", last_name="Okafor", email="sam.okafor@example.org", roles=[SUPERVISOR]
        )
    )


@pytest.fixture
def trainee():
    return verified(UserFactory(username="nia", first_name="Nia", last_name="Brook", email="nia@example.org"))


@pytest.fixture
def placement():
    return Organisation.objects.create(name="Harbour Peer Centre")


def invite(supervisor, placement, email="nia@example.org", days_ago=7):
    return supervisor_invitation_create(
        supervisor=supervisor,
        email=email,
        organisation=placement,
        starts_on=timezone.localdate() - timedelta(days=days_ago),
    )


def expire(invitation) -> None:
    """Move the invitation 15 days into the past: sent then, expired yesterday."""
    SupervisorInvitation.objects.filter(pk=invitation.pk).update(
        created_at=timezone.now() - timedelta(days=15), expires_at=timezone.now() - timedelta(days=1)
    )


def refused(code, function, **kwargs) -> str:
    with pytest.raises(PracticeError) as caught:
        function(**kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value.message


def _html(response) -> str:
    return response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')


# The services


def test_inviting_emails_a_link_and_accepting_makes_the_assignment(
    supervisor, trainee, placement, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(supervisor, placement, email="  Nia@Example.org ")
    assert (invitation.email, invitation.status) == ("nia@example.org", Status.OPEN)
    assert invitation.expires_at - invitation.created_at == timedelta(days=14)
    (message,) = mail.outbox
    assert message.to == ["nia@example.org"]
    assert message.subject == "Sam Okafor invited you to link up on Peer Specialist Training"
    assert "Sam Okafor supervises you at Harbour Peer Centre" in message.body
    assert reverse("practice_invitation", args=[invitation.pk]) in message.body
    assert list(invitations_for(trainee)) == [invitation]

    with django_capture_on_commit_callbacks(execute=True):
        assignment = supervisor_invitation_accept(person=trainee, invitation_id=invitation.pk)
    assert (assignment.supervisor, assignment.trainee, assignment.organisation) == (supervisor, trainee, placement)
    assert assignment.starts_on == invitation.starts_on
    invitation.refresh_from_db()
    assert (invitation.status, invitation.invitee, invitation.assignment) == (Status.ACCEPTED, trainee, assignment)
    # Programme admins see the new link in the assignment's history, with who made it and why.
    (record,) = assignment.history.all()
    assert record.history_change_reason == "Invitation accepted by the trainee"
    to_supervisor = mail.outbox[-1]
    assert (to_supervisor.to, to_supervisor.subject) == (
        ["sam.okafor@example.org"],
        "Nia Brook accepted your invitation",
    )
    assert "you're now their supervisor on the site at Harbour Peer Centre" in to_supervisor.body
    assert list(invitations_for(trainee)) == []


def test_declining_tells_the_supervisor_and_makes_nothing(
    supervisor, trainee, placement, django_capture_on_commit_callbacks
):
    invitation = invite(supervisor, placement)
    with django_capture_on_commit_callbacks(execute=True):
        supervisor_invitation_decline(person=trainee, invitation_id=invitation.pk)
    invitation.refresh_from_db()
    assert (invitation.status, invitation.invitee) == (Status.DECLINED, trainee)
    assert not SupervisorAssignment.objects.exists()
    (message,) = mail.outbox
    assert message.subject == "Your invitation to nia@example.org was declined"
    message = refused("not_open_declined", supervisor_invitation_accept, person=trainee, invitation_id=invitation.pk)
    assert message == "You've already declined this invitation."


def test_only_supervisors_invite_and_nobody_invites_themselves(supervisor, trainee, placement):
    message = refused(
        "not_allowed",
        supervisor_invitation_create,
        supervisor=trainee,
        email="someone@example.org",
        organisation=placement,
        starts_on=timezone.localdate(),
    )
    assert message == "Only supervisors can invite trainees to link up."
    verified(supervisor, "sam.at.home@example.org")
    for own in ("sam.okafor@example.org", "SAM.AT.HOME@example.org"):
        message = refused("own_email", invite, supervisor=supervisor, placement=placement, email=own)
        assert message == "That's your own address: nobody can supervise themselves."
    assert refused("email_invalid", invite, supervisor=supervisor, placement=placement, email="not an address")
    placement.is_active = False
    placement.save()
    message = refused("inactive_organisation", invite, supervisor=supervisor, placement=placement)
    assert message == "Harbour Peer Centre is inactive, so it can't take new assignments."
    assert not SupervisorInvitation.objects.exists()


def test_the_start_date_is_within_a_year_back_and_90_days_ahead(supervisor, placement):
    today = timezone.localdate()
    for days_ago in (367, -91, 365 * 2025):
        message = refused(
            "start_out_of_range",
            supervisor_invitation_create,
            supervisor=supervisor,
            email="nia@example.org",
            organisation=placement,
            starts_on=today - timedelta(days=min(days_ago, 700000)),
        )
        assert message.startswith(f"Choose a start date between {today - timedelta(days=366):%-d %B %Y} and ")
    assert invite(supervisor, placement, days_ago=366).starts_on == today - timedelta(days=366)
    assert invite(supervisor, placement, email="kai@example.org", days_ago=-90).starts_on == today + timedelta(90)


def test_one_open_invitation_per_address_and_a_new_one_once_it_expired(supervisor, placement):
    first = invite(supervisor, placement)
    message = refused("already_invited", invite, supervisor=supervisor, placement=placement, email="NIA@example.org")
    assert "it's still waiting for an answer. Withdraw it first" in message
    expire(first)
    second = invite(supervisor, placement)
    first.refresh_from_db()
    assert (first.status, second.status) == (Status.EXPIRED, Status.OPEN)
    # Another supervisor may invite the same person.
    other = UserFactory(roles=[SUPERVISOR])
    assert invite(other, placement).status == Status.OPEN


def test_someone_already_linked_is_not_invited_again(supervisor, trainee, placement):
    build_assignment(supervisor=supervisor, trainee=trainee, organisation=placement)
    message = refused("already_linked", invite, supervisor=supervisor, placement=placement)
    assert message == "Nia Brook (nia@example.org) is already linked to you on the site."
    # An ended assignment is no link: they may be invited back.
    SupervisorAssignment.objects.update(ends_on=timezone.localdate() - timedelta(days=1))
    assert invite(supervisor, placement).status == Status.OPEN


def test_a_trainee_linked_since_the_invitation_is_told_so(supervisor, trainee, placement):
    invitation = invite(supervisor, placement)
    build_assignment(supervisor=supervisor, trainee=trainee, organisation=placement)
    message = refused("already_linked", supervisor_invitation_accept, person=trainee, invitation_id=invitation.pk)
    assert message == "You're already linked with Sam Okafor: there's nothing more to do."
    assert SupervisorAssignment.objects.count() == 1


def test_the_open_and_daily_limits_stop_a_flood(supervisor, placement):
    for number in range(OPEN_LIMIT):
        invite(supervisor, placement, email=f"person{number}@example.org")
    message = refused("too_many_open", invite, supervisor=supervisor, placement=placement, email="one@more.org")
    assert message.startswith(f"You have {OPEN_LIMIT} invitations waiting for an answer, the most at once.")
    for invitation in SupervisorInvitation.objects.all()[:5]:
        supervisor_invitation_withdraw(supervisor=supervisor, invitation_id=invitation.pk)
    assert invite(supervisor, placement, email="one@more.org").status == Status.OPEN
    # Withdrawing and sending again still counts against the day's limit.
    while SupervisorInvitation.objects.filter(supervisor=supervisor).count() < DAILY_LIMIT:
        invitation = SupervisorInvitation.objects.filter(status=Status.OPEN).first()
        supervisor_invitation_withdraw(supervisor=supervisor, invitation_id=invitation.pk)
        invite(supervisor, placement, email=f"again{invitation.pk}@example.org")
    SupervisorInvitation.objects.filter(status=Status.OPEN).update(status=Status.WITHDRAWN)
    message = refused("too_many_today", invite, supervisor=supervisor, placement=placement, email="last@example.org")
    assert message == f"You've sent {DAILY_LIMIT} invitations today, the most in a day. Please try tomorrow."


def test_only_a_verified_address_of_a_trainee_can_accept(supervisor, trainee, placement):
    invitation = invite(supervisor, placement)
    squatter = UserFactory(email="nia@example.org")  # same address on the account, never confirmed
    EmailAddress.objects.create(user=squatter, email="nia@example.org", verified=False, primary=True)
    for person in (squatter, UserFactory()):
        message = refused("not_found", supervisor_invitation_accept, person=person, invitation_id=invitation.pk)
        assert message == "That invitation doesn't exist, or it was sent to another address."
        assert refused("not_found", supervisor_invitation_decline, person=person, invitation_id=invitation.pk)
    colleague = verified(UserFactory(email="kim@example.org", roles=[SUPERVISOR]))  # no trainee role
    to_colleague = invite(supervisor, placement, email="kim@example.org")
    message = refused("not_allowed", supervisor_invitation_accept, person=colleague, invitation_id=to_colleague.pk)
    assert message == "Only trainee accounts can link up with a supervisor. Please sign in as the trainee."
    assert supervisor_invitation_accept(person=trainee, invitation_id=invitation.pk).trainee == trainee


def test_withdrawn_and_expired_invitations_cannot_be_answered(supervisor, trainee, placement):
    withdrawn = invite(supervisor, placement)
    refused(
        "not_found",
        supervisor_invitation_withdraw,
        supervisor=UserFactory(roles=[SUPERVISOR]),
        invitation_id=withdrawn.pk,
    )
    supervisor_invitation_withdraw(supervisor=supervisor, invitation_id=withdrawn.pk)
    message = refused("not_open_withdrawn", supervisor_invitation_accept, person=trainee, invitation_id=withdrawn.pk)
    assert message == "Your supervisor withdrew this invitation. Ask them to send a new one if it's needed."
    assert refused("not_open", supervisor_invitation_withdraw, supervisor=supervisor, invitation_id=withdrawn.pk)
    expired = invite(supervisor, placement)
    expire(expired)
    message = refused("not_open_expired", supervisor_invitation_accept, person=trainee, invitation_id=expired.pk)
    assert message == "This invitation has expired. Ask your supervisor to send a new one."
    assert list(invitations_for(trainee)) == []
    assert not SupervisorAssignment.objects.exists()


def test_invitations_are_in_both_peoples_data_export(supervisor, trainee, placement):
    invitation = invite(supervisor, placement)
    supervisor_invitation_accept(person=trainee, invitation_id=invitation.pk)
    (received,) = user_data(user=trainee)["practice"]["supervisor_invitations_received"]
    assert (received["from"], received["placement"], received["status"]) == ("Sam Okafor", placement.name, "Accepted")
    (sent,) = user_data(user=supervisor)["supervising"]["invitations_sent"]
    assert (sent["sent_to"], sent["answered_by"], sent["status"]) == ("nia@example.org", "Nia Brook", "Accepted")


# The pages


@pytest.fixture
def supervisor_client(client, supervisor):
    client.force_login(supervisor)
    return client


def test_the_supervisor_reaches_the_page_from_home_and_the_review_queue(supervisor_client):
    url = reverse("practice_invitations")
    for page in ("dashboard", "practice_review"):
        html = _html(supervisor_client.get(reverse(page)))
        assert f'<a href="{url}">Invite a trainee</a>' in html


def test_the_supervisor_invites_from_the_page_and_sees_it_listed(
    supervisor_client, placement, django_capture_on_commit_callbacks
):
    Organisation.objects.create(name="Closed Clinic", is_active=False)
    html = _html(supervisor_client.get(reverse("practice_invitations")))
    assert "Harbour Peer Centre" in html and "Closed Clinic" not in html
    with django_capture_on_commit_callbacks(execute=True):
        response = supervisor_client.post(
            reverse("practice_invitations"),
            {"email": "nia@example.org", "organisation": placement.pk, "starts_on": timezone.localdate().isoformat()},
            follow=True,
        )
    html = _html(response)
    assert "Invitation sent to nia@example.org." in html
    assert "Waiting for an answer" in html and "Withdraw<span" in html
    assert [message.to for message in mail.outbox] == [["nia@example.org"]]
    response = supervisor_client.post(
        reverse("practice_invitations"),
        {"email": "nia@example.org", "organisation": placement.pk, "starts_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 200
    assert "it's still waiting for an answer" in _html(response)


def test_a_form_with_nothing_in_it_says_what_is_missing(supervisor_client):
    html = _html(supervisor_client.post(reverse("practice_invitations"), {"email": "x"}))
    assert "Enter a valid email address." in html
    assert "Choose the placement where you supervise them." in html
    assert "Enter the day you started supervising them." in html


def test_withdrawing_from_the_page_and_others_get_404(client, supervisor, placement):
    invitation = invite(supervisor, placement)
    url = reverse("practice_invitation_withdraw", args=[invitation.pk])
    client.force_login(UserFactory(roles=[SUPERVISOR]))
    assert client.post(url).status_code == 404
    client.force_login(UserFactory())
    assert client.post(url).status_code == 403
    client.force_login(supervisor)
    assert client.get(url).status_code == 405
    html = _html(client.post(url, follow=True))
    assert "Invitation to nia@example.org withdrawn. Its link no longer works." in html
    invitation.refresh_from_db()
    assert invitation.status == Status.WITHDRAWN


@pytest.mark.parametrize("role", [TRAINEE, PROGRAMME_ADMIN])
def test_only_supervisors_see_the_invitation_page(client, role):
    client.force_login(UserFactory(roles=[role]))
    assert client.get(reverse("practice_invitations")).status_code == 403
    client.logout()
    assert client.get(reverse("practice_invitations")).status_code == 302


def test_the_trainee_sees_the_invitation_on_the_practice_log_and_accepts(client, supervisor, trainee, placement):
    invitation = invite(supervisor, placement)
    client.force_login(trainee)
    html = _html(client.get(reverse("practice_log")))
    assert "Sam Okafor invited you to link up" in html
    answer_url = reverse("practice_invitation", args=[invitation.pk])
    assert f'href="{answer_url}">Answer Sam Okafor\'s invitation</a>' in html
    html = _html(client.get(answer_url))
    assert "Accept and link up" in html and "Decline" in html
    html = _html(client.post(answer_url, {"answer": "accept"}, follow=True))
    assert "You're linked with Sam Okafor at Harbour Peer Centre." in html
    assert "Log practice" in html
    assert "invited you to link up" not in html
    # The supervisor now sees them.
    client.force_login(supervisor)
    html = _html(client.get(reverse("practice_invitations")))
    assert "<strong>Nia Brook</strong> at Harbour Peer Centre" in html
    assert "Accepted by Nia Brook" in html


def test_the_invitation_leads_the_trainees_home_and_stands_in_for_the_request_form(
    client, supervisor, trainee, placement
):
    invitation = invite(supervisor, placement)
    client.force_login(trainee)
    html = _html(client.get(reverse("dashboard")))
    assert "Sam Okafor invited you to link up at Harbour Peer Centre." in html
    assert f'href="{reverse("practice_invitation", args=[invitation.pk])}"' in html
    html = _html(client.get(reverse("practice_log")))
    assert "Accept your supervisor's invitation above" in html
    assert f'action="{reverse("practice_supervisor_request")}"' not in html
    supervisor_invitation_decline(person=trainee, invitation_id=invitation.pk)
    assert "invited you to link up" not in _html(client.get(reverse("dashboard")))
    assert f'action="{reverse("practice_supervisor_request")}"' in _html(client.get(reverse("practice_log")))


def test_someone_whose_address_does_not_match_gets_404_and_cannot_accept(client, supervisor, placement):
    invitation = invite(supervisor, placement)
    url = reverse("practice_invitation", args=[invitation.pk])
    unconfirmed = UserFactory(email="nia@example.org")  # the address on the account, never confirmed
    for person in (UserFactory(), unconfirmed, supervisor):
        client.force_login(person)
        assert client.get(url).status_code == 404
        assert client.post(url, {"answer": "accept"}).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to sign in
    assert not SupervisorAssignment.objects.exists()
    invitation.refresh_from_db()
    assert invitation.status == Status.OPEN


def test_declining_from_the_page(client, supervisor, trainee, placement):
    invitation = invite(supervisor, placement)
    client.force_login(trainee)
    url = reverse("practice_invitation", args=[invitation.pk])
    html = _html(client.post(url, {"answer": "decline"}, follow=True))
    assert "Invitation declined. We've let Sam Okafor know." in html
    html = _html(client.get(url))
    assert "This invitation is declined" in html and "Accept and link up" not in html


# Query counts


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_invitation_page_costs_the_same_for_1_or_15_invitations_and_links(supervisor_client, supervisor, placement):
    url = reverse("practice_invitations")
    invite(supervisor, placement, email="first@example.org")
    build_assignment(supervisor=supervisor, organisation=placement)
    _queries(supervisor_client, url)
    few = _queries(supervisor_client, url)
    for number in range(14):
        invitation = invite(supervisor, placement, email=f"p{number}@example.org")
        if number % 2:
            supervisor_invitation_accept(
                person=verified(UserFactory(email=invitation.email)), invitation_id=invitation.pk
            )
    assert _queries(supervisor_client, url) == few
    assert few == 8  # session, user, roles and permissions, placements, links, invitations, messages: none per row


def test_the_practice_log_costs_the_same_for_1_or_5_invitations(client, trainee, placement):
    client.force_login(trainee)
    url = reverse("practice_log")
    invite(UserFactory(roles=[SUPERVISOR]), placement)
    _queries(client, url)
    one = _queries(client, url)
    for _ in range(4):
        invite(UserFactory(roles=[SUPERVISOR]), placement)
    assert _queries(client, url) == one
    html = _html(client.get(url))
    assert html.count("invited you to link up") == 5


def test_the_answer_page_costs_a_fixed_number_of_queries(client, supervisor, trainee, placement):
    invitation = invite(supervisor, placement)
    client.force_login(trainee)
    assert _queries(client, reverse("practice_invitation", args=[invitation.pk])) == 4
