"""Invitations: a programme admin invites by email, the invitee accepts once by the link, and bad links get a page."""

import hashlib
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import Invitation
from accounts.services import InvitationError, invitation_accept, invitation_create, invitation_revoke
from lms.roles import PROGRAMME_ADMIN, SUPERVISOR, TRAINEE, VERIFIER, has_role
from tests.accounts.conftest import last_email_to, links_in, log_in, signed_in_user_id, verified
from tests.factories import PASSWORD, UserFactory
from verification.models import VerifierProfile

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a calm river at dusk"


def _invite(client, capture, **data):
    """Post the invitation form, running the on-commit email; returns the response."""
    with capture(execute=True):
        return client.post("/invitations/", data)


def _token_from(message) -> str:
    (link,) = [link for link in links_in(message) if "/invitations/accept/" in link]
    return link.rstrip("/").rsplit("/", 1)[1]


def _accept(client, token: str, **overrides):
    data = {
        "first_name": "Jordan",
        "last_name": "Reyes",
        "username": "jordan",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    data.update(overrides)
    return client.post(f"/invitations/accept/{token}/", data)


def test_an_invited_supervisor_accepts_and_can_log_in(client, admin_client, django_capture_on_commit_callbacks):
    response = _invite(admin_client, django_capture_on_commit_callbacks, email="Jordan@Example.org", role=SUPERVISOR)
    assert response.status_code == 302 and response["Location"] == "/invitations/"
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.status) == ("jordan@example.org", SUPERVISOR, "pending")
    assert timedelta(days=6, hours=23) < invitation.expires_at - invitation.created_at <= timedelta(days=7)
    listing = admin_client.get("/invitations/").content.decode()
    assert "Invitation sent to jordan@example.org as supervisor." in listing
    assert "Waiting, until" in listing

    message = last_email_to("jordan@example.org")
    assert message.subject == "Pat Lee invited you to join Peer Specialist Training as supervisor"
    token = _token_from(message)
    assert f"http://127.0.0.1:8000/invitations/accept/{token}/" in message.body
    assert "The link works once" in message.body
    assert invitation.token_digest == hashlib.sha256(token.encode()).hexdigest()
    stored = [str(value) for value in Invitation.objects.values().get().values()]
    stored += [str(value) for row in Invitation.history.values() for value in row.values()]
    assert not any(token in value for value in stored)

    admin_client.logout()
    page = client.get(f"/invitations/accept/{token}/")
    html = page.content.decode()
    assert page.status_code == 200 and page["Cache-Control"] == "no-store" and page["Referrer-Policy"] == "no-referrer"
    assert "Make your account" in html and "jordan@example.org" in html
    assert '<label for="id_username">Username' in html and '<label for="id_password1">Password' in html
    assert "set up two-factor authentication" in html

    response = _accept(client, token)
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    user = get_user_model().objects.get(username="jordan")
    assert (user.email, user.get_full_name()) == ("jordan@example.org", "Jordan Reyes")
    assert list(user.groups.values_list("name", flat=True)) == [SUPERVISOR]
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.verified, address.primary) == ("jordan@example.org", True, True)
    invitation.refresh_from_db()
    assert invitation.status == "accepted" and invitation.accepted_user == user
    assert not VerifierProfile.objects.exists()

    welcome = client.get("/accounts/login/").content.decode()
    assert "Welcome, Jordan. Your account is ready" in welcome
    assert "set up two-factor authentication, which your role needs" in welcome
    for login in ("jordan", "Jordan@Example.org"):
        response = log_in(client, login, NEW_PASSWORD)
        assert response.status_code == 302 and response["Location"] == "/dashboard/", login
        assert signed_in_user_id(client) == user.pk
        client.logout()


def test_an_invited_verifier_gets_their_organisation(client, programme_admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = invitation_create(
            invited_by=programme_admin,
            email="checks@board.example",
            role=VERIFIER,
            organisation_name="  Peer   Support Board ",
            organisation_kind=VerifierProfile.Kind.BOARD,
        )
    assert "as verifier for Peer Support Board." in last_email_to("checks@board.example").body
    user = invitation_accept(token=token, username="board", password=NEW_PASSWORD, first_name="Ada")
    assert has_role(user, VERIFIER) and not has_role(user, SUPERVISOR)
    profile = VerifierProfile.objects.get(user=user)
    assert (profile.organisation_name, profile.kind) == ("Peer Support Board", VerifierProfile.Kind.BOARD)
    assert log_in(client, "checks@board.example", NEW_PASSWORD)["Location"] == "/dashboard/"


def test_an_invited_programme_admin_can_reach_the_admin(client, programme_admin):
    _, token = invitation_create(invited_by=programme_admin, email="second@example.org", role=PROGRAMME_ADMIN)
    user = invitation_accept(token=token, username="second", password=NEW_PASSWORD, first_name="Sol")
    assert has_role(user, PROGRAMME_ADMIN) and user.has_perm("wagtailadmin.access_admin")


def test_a_used_link_is_refused_with_a_friendly_page(client, programme_admin):
    _, token = invitation_create(invited_by=programme_admin, email="once@example.org", role=SUPERVISOR)
    assert _accept(client, token).status_code == 302
    client.logout()
    for response in (client.get(f"/invitations/accept/{token}/"), _accept(client, token, username="twice")):
        html = response.content.decode()
        assert response.status_code == 410
        assert "This invitation has already been used" in html
        assert "You can log in with that account." in html
    assert get_user_model().objects.filter(email__iexact="once@example.org").count() == 1
    with pytest.raises(InvitationError) as error:
        invitation_accept(token=token, username="thrice", password=NEW_PASSWORD, first_name="X")
    assert error.value.code == "used"


def test_an_expired_link_is_refused(client, programme_admin):
    invitation, token = invitation_create(invited_by=programme_admin, email="late@example.org", role=SUPERVISOR)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    for response in (client.get(f"/invitations/accept/{token}/"), _accept(client, token)):
        html = response.content.decode()
        assert response.status_code == 410
        assert "This invitation has expired" in html and "links work for 7 days" in html
    assert not get_user_model().objects.filter(username="jordan").exists()


def test_revoking_asks_first_then_the_link_stops_working(client, admin_client, programme_admin):
    invitation, token = invitation_create(
        invited_by=programme_admin, email="maybe@example.org", role=VERIFIER, organisation_name="Eastbrook Clinic"
    )
    confirm = admin_client.get(f"/invitations/{invitation.pk}/revoke/")
    assert confirm.status_code == 200
    assert "Revoke the invitation for maybe@example.org?" in confirm.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == "pending"
    response = admin_client.post(f"/invitations/{invitation.pk}/revoke/", follow=True)
    html = response.content.decode()
    assert "Revoked the invitation for maybe@example.org. Its link no longer works." in html
    assert "Revoked on" in html
    invitation.refresh_from_db()
    assert invitation.status == "revoked"
    assert invitation.history.first().history_change_reason == "Revoked"
    again = admin_client.get(f"/invitations/{invitation.pk}/revoke/", follow=True)
    assert "is revoked: nothing to revoke" in again.content.decode()

    admin_client.logout()
    response = _accept(client, token)
    assert response.status_code == 410
    assert "This invitation was withdrawn" in response.content.decode()
    assert not get_user_model().objects.filter(username="jordan").exists()


def test_an_accepted_invitation_cannot_be_revoked(admin_client, programme_admin):
    invitation, token = invitation_create(invited_by=programme_admin, email="in@example.org", role=SUPERVISOR)
    invitation_accept(token=token, username="inside", password=NEW_PASSWORD, first_name="In")
    with pytest.raises(InvitationError) as error:
        invitation_revoke(invitation_id=invitation.pk, by=programme_admin)
    assert error.value.code == "used"
    response = admin_client.post(f"/invitations/{invitation.pk}/revoke/", follow=True)
    assert "in@example.org has already accepted this invitation" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_an_unknown_link_gets_a_friendly_404(client):
    for token in ("not-a-real-token", "x" * 500):
        response = client.get(f"/invitations/accept/{token}/")
        assert response.status_code == 404
        assert "We don&#x27;t recognise this invitation" in response.content.decode()
    assert _accept(client, "not-a-real-token").status_code == 404


@pytest.mark.parametrize("role", [TRAINEE, SUPERVISOR, VERIFIER])
def test_only_programme_admins_can_invite_or_revoke(client, programme_admin, role):
    invitation, _ = invitation_create(invited_by=programme_admin, email="x@example.org", role=SUPERVISOR)
    client.login(username=UserFactory(roles=[role]).username, password=PASSWORD)
    assert client.get("/invitations/").status_code == 403
    assert client.post("/invitations/", {"email": "y@example.org", "role": SUPERVISOR}).status_code in (403, 303)
    assert client.get(f"/invitations/{invitation.pk}/revoke/").status_code == 403
    assert Invitation.objects.count() == 1
    invitation.refresh_from_db()
    assert invitation.status == "pending"
    with pytest.raises(InvitationError) as error:
        invitation_create(invited_by=UserFactory(roles=[role]), email="z@example.org", role=SUPERVISOR)
    assert (error.value.code, error.value.message) == ("not_allowed", "Only programme admins can invite people.")


def test_anonymous_people_are_asked_to_log_in(client):
    response = client.get("/invitations/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_superusers_can_invite(client, django_capture_on_commit_callbacks):
    from tests.factories import superuser

    client.force_login(superuser(username="root"))
    response = _invite(client, django_capture_on_commit_callbacks, email="new@example.org", role=SUPERVISOR)
    assert response.status_code == 302
    assert Invitation.objects.get().invited_by.username == "root"
    assert len(mail.outbox) == 1


def test_an_address_with_an_account_or_a_pending_invitation_is_refused(
    admin_client, django_capture_on_commit_callbacks
):
    UserFactory(email="taken@example.org")
    response = _invite(admin_client, django_capture_on_commit_callbacks, email="TAKEN@example.org", role=SUPERVISOR)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Please check this before sending the invitation" in html
    assert "taken@example.org already belongs to an account." in html
    assert 'href="#id_email"' in html

    UserFactory(email="gone@example.org", is_active=False)
    response = _invite(admin_client, django_capture_on_commit_callbacks, email="gone@example.org", role=SUPERVISOR)
    assert "belongs to an account that has been deactivated" in response.content.decode()

    assert _invite(admin_client, django_capture_on_commit_callbacks, email="new@example.org", role=SUPERVISOR)
    response = _invite(
        admin_client,
        django_capture_on_commit_callbacks,
        email="New@Example.org",
        role=VERIFIER,
        organisation_name="Eastbrook",
    )
    assert "new@example.org already has an invitation waiting" in response.content.decode()
    assert "Revoke it first if you want to send a new one." in response.content.decode()
    assert Invitation.objects.count() == 1 and len(mail.outbox) == 1


def test_a_new_invitation_can_follow_an_expired_or_revoked_one(programme_admin):
    old, _ = invitation_create(invited_by=programme_admin, email="again@example.org", role=SUPERVISOR)
    invitation_revoke(invitation_id=old.pk, by=programme_admin)
    newer, _ = invitation_create(invited_by=programme_admin, email="again@example.org", role=SUPERVISOR)
    Invitation.objects.filter(pk=newer.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    invitation_create(invited_by=programme_admin, email="again@example.org", role=SUPERVISOR)
    assert sorted(i.status for i in Invitation.objects.all()) == ["expired", "pending", "revoked"]


def test_the_invitation_form_explains_its_mistakes(admin_client, django_capture_on_commit_callbacks):
    response = _invite(admin_client, django_capture_on_commit_callbacks, email="", role="")
    html = response.content.decode()
    assert "Enter the email address to send the invitation to." in html
    assert "Choose the role they&#x27;ll have." in html
    response = _invite(admin_client, django_capture_on_commit_callbacks, email="not an email", role="Trainee")
    html = response.content.decode()
    assert "Enter a valid email address, like name@example.org." in html
    assert "Select a valid choice." in html
    response = _invite(admin_client, django_capture_on_commit_callbacks, email="v@example.org", role=VERIFIER)
    assert "Give the name of the organisation this verifier checks certificates for." in response.content.decode()
    assert not Invitation.objects.exists() and not mail.outbox


def test_accepting_checks_the_name_username_and_password(client, programme_admin):
    UserFactory(username="taken")
    _, token = invitation_create(invited_by=programme_admin, email="careful@example.org", role=SUPERVISOR)
    cases = [
        ({"password1": "12345678", "password2": "12345678"}, "This password is entirely numeric."),
        ({"password1": "short", "password2": "short"}, "This password is too short."),
        ({"password1": "password", "password2": "password"}, "This password is too common."),
        ({"password2": "something else entirely"}, "The two passwords don&#x27;t match."),
        ({"username": "Taken"}, "That username is taken. Please choose another."),
        ({"username": "has space"}, "Enter a valid username."),
        ({"first_name": "  "}, "Tell us your first name."),
        ({"first_name": "Sam\u202eleber"}, "Your first name has a hidden control character in it"),
        ({"first_name": "A" * 150, "last_name": "B" * 150}, "Keep your first and last names to 299 characters"),
    ]
    for overrides, expected in cases:
        response = _accept(client, token, **overrides)
        html = response.content.decode()
        assert response.status_code == 200, overrides
        assert "Please check this before making your account" in html, overrides
        assert expected in html, (overrides, expected)
    assert not get_user_model().objects.filter(email="careful@example.org").exists()
    assert Invitation.objects.get().status == "pending"
    response = _accept(client, token, password1="careful", password2="careful", username="careful")
    assert "The password is too similar to the username." in response.content.decode()


def test_an_address_taken_after_the_invitation_was_sent_is_refused(client, programme_admin):
    _, token = invitation_create(invited_by=programme_admin, email="race@example.org", role=SUPERVISOR)
    UserFactory(email="race@example.org")
    response = _accept(client, token)
    assert response.status_code == 410
    assert "race@example.org already belongs to an account." in response.content.decode()
    assert not get_user_model().objects.filter(username="jordan").exists()


def test_someone_signed_in_is_asked_to_log_out_first(client, programme_admin):
    _, token = invitation_create(invited_by=programme_admin, email="fresh@example.org", role=SUPERVISOR)
    client.login(username=UserFactory(username="already").username, password=PASSWORD)
    response = client.get(f"/invitations/accept/{token}/")
    html = response.content.decode()
    assert "You're logged in as already" in html and "Log out and continue" in html
    assert f'name="next" value="/invitations/accept/{token}/"' in html
    _accept(client, token)
    assert not get_user_model().objects.filter(username="jordan").exists()


def test_the_list_pages_and_shows_every_status(admin_client, programme_admin):
    for number in range(27):
        invitation_create(invited_by=programme_admin, email=f"p{number}@example.org", role=SUPERVISOR)
    first = admin_client.get("/invitations/")
    assert first.content.decode().count("Waiting, until") == 25
    assert "Page 1 of 2" in first.content.decode()
    second = admin_client.get("/invitations/?page=2").content.decode()
    assert "p0@example.org" in second and "p26@example.org" not in second


def test_the_wagtail_admin_menu_links_to_invitations(admin_client):
    html = admin_client.get("/admin/").content.decode()
    assert "/invitations/" in html and "Invitations" in html
    trainee = UserFactory(roles=[TRAINEE])
    assert not trainee.has_perm("wagtailadmin.access_admin")


def test_an_unverified_address_on_someone_elses_account_does_not_block_an_invitation(
    client, admin_client, django_capture_on_commit_callbacks
):
    """A trainee who adds the invitee's address without confirming it neither blocks the invitation nor keeps it."""
    squatter = verified(UserFactory(username="squatter"))
    squatter_client = Client()
    squatter_client.force_login(squatter)
    with django_capture_on_commit_callbacks(execute=True):
        squatter_client.post("/accounts/email/", {"action_add": "", "email": "wanted@example.org"})
    assert EmailAddress.objects.filter(user=squatter, email="wanted@example.org", verified=False).exists()

    response = _invite(admin_client, django_capture_on_commit_callbacks, email="wanted@example.org", role=SUPERVISOR)
    assert response.status_code == 302, response.content.decode()
    assert "already belongs to an account" not in admin_client.get("/invitations/").content.decode()
    token = _token_from(last_email_to("wanted@example.org"))

    admin_client.logout()
    assert _accept(client, token).status_code == 302
    invitee = get_user_model().objects.get(username="jordan")
    assert list(EmailAddress.objects.filter(email="wanted@example.org").values_list("user", "verified")) == [
        (invitee.pk, True)
    ]
    squatter.refresh_from_db()
    assert squatter.email == "squatter@example.org"
    response = log_in(client, "wanted@example.org", NEW_PASSWORD)
    assert response["Location"] == "/dashboard/" and signed_in_user_id(client) == invitee.pk


def test_a_sign_up_never_confirmed_does_not_block_an_invitation(client, programme_admin):
    """Someone who signs up with the invitee's address but never confirms it loses the address to the invitee."""
    stranger = UserFactory(username="stranger", email="pending@example.org")
    EmailAddress.objects.create(user=stranger, email="pending@example.org", verified=False, primary=True)
    _, token = invitation_create(
        invited_by=programme_admin, email="pending@example.org", role=VERIFIER, organisation_name="Eastbrook"
    )
    user = invitation_accept(token=token, username="rightful", password=NEW_PASSWORD, first_name="Ada")
    assert EmailAddress.objects.get(email="pending@example.org").user == user
    stranger.refresh_from_db()
    assert stranger.email == ""
    assert log_in(client, "pending@example.org", NEW_PASSWORD)["Location"] == "/dashboard/"
    assert signed_in_user_id(client) == user.pk


def test_a_verified_address_on_another_account_still_blocks_an_invitation(programme_admin):
    """An address someone has confirmed is theirs: the admin is told to give that account the role instead."""
    owner = UserFactory(username="owner")
    EmailAddress.objects.create(user=owner, email="second@owner.example", verified=True, primary=False)
    with pytest.raises(InvitationError) as error:
        invitation_create(invited_by=programme_admin, email="Second@Owner.example", role=SUPERVISOR)
    assert error.value.code == "email_in_use"
    assert error.value.message.startswith("second@owner.example already belongs to an account.")
