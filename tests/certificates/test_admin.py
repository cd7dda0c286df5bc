"""Certificates in the Wagtail admin: read-only listings, inspecting, status actions, the ZIP download, programmes."""

import io
import zipfile
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils.http import urlencode

from certificates.models import Certificate, CertificateFile, EthicsAttestation, Programme
from certificates.services import certificates_check
from content.models import CompetencyDomain
from lms.roles import PROGRAMME_ADMIN, SUPERVISOR, TRAINEE, VERIFIER
from tests.factories import (
    UserFactory,
    approve_programme_hours,
    build_assignment,
    build_programme,
)

pytestmark = pytest.mark.django_db

State = Certificate.State
DENIED = "Sorry, you do not have permission to access this area."
REQUIRED = "This field is required."


def _snippet_url(model: str, view: str, *args) -> str:
    return reverse(f"wagtailsnippets_certificates_{model}:{view}", args=args)


def _inspect(certificate) -> str:
    return _snippet_url("certificate", "inspect", certificate.pk)


def _action(name: str, certificate) -> str:
    return reverse(f"certificates_admin_{name}", args=[certificate.pk])


def _zip_url(programme) -> str:
    return reverse("certificates_admin_programme_zip", args=[programme.pk])


def _messages(response) -> list[str]:
    return [str(message).strip() for message in get_messages(response.wsgi_request)]


def _snapshot(certificate) -> tuple:
    """Everything an action could change: the row's status fields, its history, its successor and the mail sent."""
    row = Certificate.objects.filter(pk=certificate.pk).values_list("state", "state_reason", "rendering").get()
    return row, certificate.history.count(), Certificate.objects.count(), len(mail.outbox)


def _text(response) -> str:
    return response.content.decode()


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
def programme():
    return build_programme()


def _issue(django_capture_on_commit_callbacks, **trainee) -> Certificate:
    """Have a new trainee complete the programme's hours; the certificate is issued and rendered."""
    assignment = build_assignment(trainee=UserFactory(**trainee) if trainee else None)
    with django_capture_on_commit_callbacks(execute=True):
        approve_programme_hours(assignment)
    return Certificate.objects.get(holder=assignment.trainee)


@pytest.fixture
def certificate(programme, django_capture_on_commit_callbacks):
    """A valid certificate with both PDFs stored; the 'ready' email is cleared from the outbox."""
    issued = _issue(django_capture_on_commit_callbacks, first_name="Sam", last_name="Rivera")
    assert (issued.state, issued.rendering, issued.files.count()) == (State.VALID, "ready", 2)
    mail.outbox.clear()
    return issued


@pytest.fixture
def issue_another(programme, django_capture_on_commit_callbacks):
    """Issue a further rendered certificate of the programme, to a new trainee named Alex Morgan."""
    return lambda: _issue(django_capture_on_commit_callbacks, first_name="Alex", last_name="Morgan")


def _set_state(certificate, state: str, reason: str = "Set by the test") -> Certificate:
    Certificate.objects.filter(pk=certificate.pk).update(state=state, state_reason=reason)
    certificate.refresh_from_db()
    return certificate


def _post(client, url, data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(url, data)


# Confirmation pages say what will happen, to whom


def test_suspend_page_explains_the_consequence(admin_client, certificate):
    response = admin_client.get(_action("suspend", certificate))
    assert response.status_code == 200
    html = _text(response)
    assert f"Anyone who checks {certificate.number} will see 'Suspended' and this reason until it's reinstated." in html
    assert "Suspending can be undone." in html
    assert certificate.holder_name in html
    assert certificate.holder.email in html
    assert 'name="reason"' in html
    assert "csrfmiddlewaretoken" in html


def test_revoke_page_explains_the_consequence(admin_client, certificate):
    response = admin_client.get(_action("revoke", certificate))
    assert response.status_code == 200
    html = _text(response)
    assert "Revoking is permanent." in html
    assert f"Anyone who checks {certificate.number} will see 'Revoked' and this reason." in html
    assert f"Revoke {certificate.number} permanently" in html


def test_reissue_page_prefills_the_holders_current_name(admin_client, certificate):
    holder = certificate.holder
    holder.first_name, holder.last_name = "Samira", "Rivera-Lopez"
    holder.save()
    response = admin_client.get(_action("reissue", certificate))
    assert response.status_code == 200
    html = _text(response)
    assert response.context["form"]["holder_name"].value() == "Samira Rivera-Lopez"
    assert 'value="Samira Rivera-Lopez"' in html
    assert "Name as it should appear" in html
    assert f"{certificate.number} will be marked 'Superseded'" in html
    assert f"valid until {certificate.expires_on:%-d %b %Y}" in html


def test_reinstate_page_explains_the_consequence(admin_client, certificate):
    _set_state(certificate, State.SUSPENDED, "Complaint under review")
    response = admin_client.get(_action("reinstate", certificate))
    assert response.status_code == 200
    html = _text(response)
    assert f"Anyone who checks {certificate.number} will see 'Valid' again" in html
    assert "Complaint under review" in html


def test_retry_page_shows_the_error_and_what_is_kept(admin_client, certificate):
    Certificate.objects.filter(pk=certificate.pk).update(rendering="failed", render_error="FontError: no glyph")
    response = admin_client.get(_action("render_retry", certificate))
    assert response.status_code == 200
    html = _text(response)
    assert "FontError: no glyph" in html
    assert "Retrying renders only the paper sizes not stored yet" in html


# Each action changes the state, records who and why, and emails the holder


def test_suspending_records_the_reason_and_emails_the_holder(
    admin_client, programme_admin, certificate, django_capture_on_commit_callbacks
):
    response = _post(
        admin_client,
        _action("suspend", certificate),
        {"reason": "Complaint under review."},
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 302
    assert response.url == _inspect(certificate)
    assert _messages(response) == [f"Suspended {certificate.number}. Sam Rivera has been emailed."]
    certificate.refresh_from_db()
    assert (certificate.state, certificate.state_reason) == (State.SUSPENDED, "Complaint under review.")
    latest = certificate.history.first()
    assert latest.history_change_reason == "Suspended: Complaint under review."
    assert latest.history_user == programme_admin
    assert [message.to for message in mail.outbox] == [[certificate.holder.email]]
    assert "has been suspended" in mail.outbox[0].subject
    assert "Complaint under review." in mail.outbox[0].body


def test_reinstating_lifts_the_suspension(
    admin_client, programme_admin, certificate, django_capture_on_commit_callbacks
):
    _set_state(certificate, State.SUSPENDED, "Complaint under review.")
    response = _post(
        admin_client,
        _action("reinstate", certificate),
        {"reason": "Complaint withdrawn."},
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 302
    assert response.url == _inspect(certificate)
    certificate.refresh_from_db()
    assert (certificate.state, certificate.state_reason) == (State.VALID, "")
    latest = certificate.history.first()
    assert latest.history_change_reason == "Reinstated: Complaint withdrawn."
    assert _messages(response) == [
        f"Reinstated {certificate.number}; it now shows as valid. Sam Rivera has been emailed."
    ]
    assert latest.history_user == programme_admin
    assert [message.to for message in mail.outbox] == [[certificate.holder.email]]
    assert "is valid again" in mail.outbox[0].subject


def test_reinstating_needs_no_reason(admin_client, certificate, django_capture_on_commit_callbacks):
    _set_state(certificate, State.SUSPENDED)
    response = _post(
        admin_client, _action("reinstate", certificate), {"reason": ""}, django_capture_on_commit_callbacks
    )
    assert response.status_code == 302
    assert certificate.history.first().history_change_reason == "Reinstated"


@pytest.mark.parametrize("start", [State.VALID, State.SUSPENDED])
def test_revoking_is_recorded_and_emailed(
    admin_client, programme_admin, certificate, start, django_capture_on_commit_callbacks
):
    _set_state(certificate, start)
    response = _post(
        admin_client,
        _action("revoke", certificate),
        {"reason": "Obtained by fraud."},
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 302
    assert response.url == _inspect(certificate)
    assert _messages(response) == [f"Revoked {certificate.number}. Sam Rivera has been emailed."]
    certificate.refresh_from_db()
    assert (certificate.state, certificate.state_reason) == (State.REVOKED, "Obtained by fraud.")
    latest = certificate.history.first()
    assert (latest.history_change_reason, latest.history_user) == ("Revoked: Obtained by fraud.", programme_admin)
    assert [message.to for message in mail.outbox] == [[certificate.holder.email]]
    assert "has been revoked" in mail.outbox[0].subject


def test_reissuing_makes_a_new_certificate_and_supersedes_the_old(
    admin_client, programme_admin, certificate, django_capture_on_commit_callbacks
):
    response = _post(
        admin_client,
        _action("reissue", certificate),
        {"holder_name": "  Samira   Rivera ", "reason": "Name changed by deed poll."},
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 302
    new = Certificate.objects.get(replaces=certificate)
    assert response.url == _inspect(new)
    assert (new.holder_name, new.origin, new.expires_on) == ("Samira Rivera", "reissue", certificate.expires_on)
    assert new.rendering == "ready"
    certificate.refresh_from_db()
    assert certificate.state == State.SUPERSEDED
    assert certificate.state_reason == f"Reissued as {new.number}: Name changed by deed poll."
    old_latest, new_latest = certificate.history.first(), new.history.order_by("history_date", "history_id").first()
    assert old_latest.history_user == new_latest.history_user == programme_admin
    assert old_latest.history_change_reason == (f"Superseded: Reissued as {new.number}: Name changed by deed poll.")
    assert new_latest.history_change_reason == f"Reissued from {certificate.number}: Name changed by deed poll."
    assert [message.to for message in mail.outbox] == [[certificate.holder.email]]
    assert "reissued" in mail.outbox[0].subject
    assert _messages(response)[0].startswith(f"Reissued {certificate.number} as {new.number} for Samira Rivera.")


def test_retry_renders_a_failed_certificate_again_keeping_what_is_stored(
    admin_client, programme_admin, certificate, django_capture_on_commit_callbacks
):
    a4 = certificate.files.get(paper="a4")
    certificate.files.filter(paper="letter").delete()
    Certificate.objects.filter(pk=certificate.pk).update(rendering="failed", render_error="OSError: disk full")
    response = _post(admin_client, _action("render_retry", certificate), {}, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response.url == _inspect(certificate)
    certificate.refresh_from_db()
    assert (certificate.rendering, certificate.render_error) == ("ready", "")
    assert sorted(certificate.files.values_list("paper", flat=True)) == ["a4", "letter"]
    assert certificate.files.get(paper="a4").sha256 == a4.sha256
    assert certificate.files.get(paper="a4").file.name == a4.file.name
    retried = certificate.history.filter(history_change_reason="Rendering retried").get()
    assert retried.history_user == programme_admin
    assert [message.to for message in mail.outbox] == [[certificate.holder.email]]
    # The test client's request ends before the captured on-commit callbacks run, so the view saw it queued.
    assert _messages(response) == [f"Rendering {certificate.number} again. This page shows the result once it's done."]


# Invalid transitions say why and change nothing


@pytest.mark.parametrize(
    ("state", "action", "data", "message"),
    [
        (State.VALID, "reinstate", {"reason": ""}, "Only a suspended certificate can be reinstated."),
        (State.REVOKED, "revoke", {"reason": "Again."}, "This certificate is already revoked."),
        (
            State.REVOKED,
            "reissue",
            {"holder_name": "Sam Rivera", "reason": "Typo."},
            "Only a valid certificate can be reissued; this one is revoked.",
        ),
        (
            State.SUSPENDED,
            "suspend",
            {"reason": "Again."},
            "Only a valid certificate can be suspended; this one is suspended.",
        ),
        (
            State.SUPERSEDED,
            "revoke",
            {"reason": "Fraud."},
            "This certificate was replaced by a newer one; revoke that one instead.",
        ),
        (State.VALID, "render_retry", {}, "This certificate's PDFs are ready; there is nothing to retry."),
    ],
)
def test_an_action_that_does_not_apply_is_refused_with_a_message(
    admin_client, certificate, state, action, data, message, django_capture_on_commit_callbacks
):
    _set_state(certificate, state)
    before = _snapshot(certificate)
    response = _post(admin_client, _action(action, certificate), data, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [message]
    assert message.replace("'", "&#x27;") in _text(response)
    assert _snapshot(certificate) == before


def test_revoking_twice_through_the_page_is_refused(admin_client, certificate, django_capture_on_commit_callbacks):
    url = _action("revoke", certificate)
    assert _post(admin_client, url, {"reason": "Fraud."}, django_capture_on_commit_callbacks).status_code == 302
    before = _snapshot(certificate)
    response = _post(admin_client, url, {"reason": "Fraud, again."}, django_capture_on_commit_callbacks)
    assert response.context["form"].non_field_errors() == ["This certificate is already revoked."]
    assert _snapshot(certificate) == before
    assert Certificate.objects.get(pk=certificate.pk).state_reason == "Fraud."


@pytest.mark.parametrize(
    ("state", "action", "note"),
    [
        (State.VALID, "reinstate", "Only a suspended certificate can be reinstated"),
        (State.REVOKED, "revoke", "is already revoked"),
        (State.REVOKED, "reissue", "Only a valid certificate can be reissued"),
        (State.REVOKED, "suspend", "Only a valid certificate can be suspended"),
    ],
)
def test_a_page_for_an_action_that_does_not_apply_offers_no_form(admin_client, certificate, state, action, note):
    _set_state(certificate, state)
    response = admin_client.get(_action(action, certificate))
    assert response.status_code == 200
    html = _text(response)
    assert note in html
    assert '<form method="post"' not in html
    assert _inspect(certificate) in html


def test_an_expired_certificate_cannot_be_reissued(admin_client, certificate, django_capture_on_commit_callbacks):
    Certificate.objects.filter(pk=certificate.pk).update(
        issued_on=certificate.issued_on.replace(year=certificate.issued_on.year - 3),
        expires_on=certificate.issued_on.replace(year=certificate.issued_on.year - 1),
    )
    before = _snapshot(certificate)
    response = _post(
        admin_client,
        _action("reissue", certificate),
        {"holder_name": "Sam Rivera", "reason": "Typo."},
        django_capture_on_commit_callbacks,
    )
    assert response.context["form"].non_field_errors() == [
        "Only a valid certificate can be reissued; this one is expired."
    ]
    assert _snapshot(certificate) == before


# Missing reasons re-show the form with the error, keeping what was typed


@pytest.mark.parametrize("action", ["suspend", "revoke"])
def test_a_missing_reason_reshows_the_form(admin_client, certificate, action, django_capture_on_commit_callbacks):
    before = _snapshot(certificate)
    response = _post(admin_client, _action(action, certificate), {"reason": "   "}, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == [REQUIRED]
    assert REQUIRED in _text(response)
    assert _snapshot(certificate) == before


def test_a_reissue_without_a_reason_keeps_the_typed_name(admin_client, certificate, django_capture_on_commit_callbacks):
    before = _snapshot(certificate)
    response = _post(
        admin_client,
        _action("reissue", certificate),
        {"holder_name": "Samira Q. Rivera", "reason": ""},
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"reason": [REQUIRED]}
    assert 'value="Samira Q. Rivera"' in _text(response)
    assert _snapshot(certificate) == before


def test_a_reissue_without_a_name_keeps_the_typed_reason(admin_client, certificate, django_capture_on_commit_callbacks):
    before = _snapshot(certificate)
    response = _post(
        admin_client,
        _action("reissue", certificate),
        {"holder_name": " ", "reason": "Spelling of the surname."},
        django_capture_on_commit_callbacks,
    )
    assert response.context["form"].errors == {"holder_name": [REQUIRED]}
    assert "Spelling of the surname." in _text(response)
    assert _snapshot(certificate) == before


def test_a_reissue_refuses_a_name_with_a_hidden_direction_mark(
    admin_client, certificate, django_capture_on_commit_callbacks
):
    before = _snapshot(certificate)
    response = _post(
        admin_client,
        _action("reissue", certificate),
        {"holder_name": "Sam Rivera\u202e", "reason": "Spelling of the surname."},
        django_capture_on_commit_callbacks,
    )
    assert response.context["form"].errors == {
        "holder_name": [
            "The name has a hidden control character in it, perhaps pasted in by accident. Please type it again."
        ]
    }
    assert "Spelling of the surname." in _text(response)
    assert _snapshot(certificate) == before


# Who may


ACTION_POSTS = [
    ("suspend", {"reason": "Let me."}),
    ("revoke", {"reason": "Let me."}),
    ("reissue", {"holder_name": "Someone Else", "reason": "Let me."}),
    ("render_retry", {}),
]


@pytest.mark.parametrize("roles", [[TRAINEE], [SUPERVISOR], [VERIFIER]])
@pytest.mark.parametrize(("action", "data"), ACTION_POSTS)
def test_trainees_supervisors_and_verifiers_are_sent_to_the_admin_login(client, certificate, roles, action, data):
    client.force_login(UserFactory(roles=roles))
    url = _action(action, certificate)
    before = _snapshot(certificate)
    for response in (client.get(url), client.post(url, data)):
        assert response.status_code == 302
        assert response.url == f"{reverse('admin_login_elsewhere')}?next={url}"
        assert client.get(response.url).status_code == 403  # signed in already: refused there, not sent round again
    assert _snapshot(certificate) == before


def test_the_holder_cannot_act_on_their_own_certificate(client, certificate):
    client.force_login(certificate.holder)
    before = _snapshot(certificate)
    response = client.post(_action("reissue", certificate), {"holder_name": "Dr Sam Rivera", "reason": "Promoted."})
    assert response.url.startswith(reverse("admin_login_elsewhere"))
    assert _snapshot(certificate) == before


@pytest.mark.parametrize(("action", "data"), ACTION_POSTS)
def test_an_admin_user_who_is_not_a_programme_admin_is_refused(client, certificate, action, data):
    editor = UserFactory(roles=[])
    editor.groups.add(Group.objects.get(name="Editors"))  # Wagtail's own group: admin access, no certificates
    client.force_login(editor)
    before = _snapshot(certificate)
    for response in (client.get(_action(action, certificate)), client.post(_action(action, certificate), data)):
        assert response.status_code == 302
        assert response.url == reverse("wagtailadmin_home")
        assert DENIED in _messages(response)
    assert _snapshot(certificate) == before


def test_anonymous_visitors_are_sent_to_the_admin_login(client, certificate):
    url = _action("revoke", certificate)
    response = client.post(url, {"reason": "Nope."})
    assert response.status_code == 302
    assert response.url == f"{reverse('admin_login_elsewhere')}?next={url}"
    assert client.get(response.url).url == f"{reverse('account_login')}?{urlencode({'next': url})}"
    assert Certificate.objects.get(pk=certificate.pk).state == State.VALID


@pytest.mark.parametrize("who", ["programme_admin", "superuser"])
def test_programme_admins_and_superusers_may_suspend(
    client, certificate, who, request, django_capture_on_commit_callbacks
):
    user = request.getfixturevalue(who)
    client.force_login(user)
    assert client.get(_action("suspend", certificate)).status_code == 200
    response = _post(
        client, _action("suspend", certificate), {"reason": "Checking."}, django_capture_on_commit_callbacks
    )
    assert response.status_code == 302
    assert Certificate.objects.get(pk=certificate.pk).state == State.SUSPENDED
    assert certificate.history.first().history_user == user


# Certificates and attestations are read-only in the admin, for everyone


def _assert_refused(response):
    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_home")
    assert DENIED in _messages(response)


@pytest.mark.parametrize("who", ["programme_admin", "superuser"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_certificates_cannot_be_added_edited_or_deleted(client, certificate, who, method, request):
    client.force_login(request.getfixturevalue(who))
    before = _snapshot(certificate)
    send = getattr(client, method)
    _assert_refused(send(_snippet_url("certificate", "add"), {"holder_name": "Forged", "number": "CPS-1"}))
    _assert_refused(
        send(_snippet_url("certificate", "edit", certificate.pk), {"holder_name": "Forged", "state": "valid"})
    )
    _assert_refused(send(_snippet_url("certificate", "delete", certificate.pk)))
    assert _snapshot(certificate) == before
    assert Certificate.objects.get(pk=certificate.pk).holder_name == "Sam Rivera"


@pytest.mark.parametrize("who", ["programme_admin", "superuser"])
def test_ethics_attestations_are_listed_but_cannot_be_changed(client, programme, who, request):
    client.force_login(request.getfixturevalue(who))
    trainee = UserFactory(first_name="Ada", last_name="Lovelace")
    attestation = EthicsAttestation.objects.create(
        programme=programme, user=trainee, statement="I agree.", signed_name="Ada Lovelace"
    )
    listing = client.get(_snippet_url("ethicsattestation", "list"))
    assert listing.status_code == 200
    assert "Ada Lovelace" in _text(listing)
    assert client.get(_snippet_url("ethicsattestation", "inspect", attestation.pk)).status_code == 200
    _assert_refused(client.post(_snippet_url("ethicsattestation", "edit", attestation.pk), {"signed_name": "Bob"}))
    _assert_refused(client.post(_snippet_url("ethicsattestation", "delete", attestation.pk)))
    _assert_refused(client.get(_snippet_url("ethicsattestation", "add")))
    assert EthicsAttestation.objects.get(pk=attestation.pk).signed_name == "Ada Lovelace"


@pytest.mark.parametrize("who", ["programme_admin", "superuser"])
def test_the_certificate_listing_offers_the_actions_that_apply_and_no_edits(
    client, certificate, issue_another, who, request
):
    client.force_login(request.getfixturevalue(who))
    suspended = _set_state(issue_another(), State.SUSPENDED)
    response = client.get(_snippet_url("certificate", "list"))
    assert response.status_code == 200
    html = _text(response)
    for column in (certificate.number, "Sam Rivera", "Certified Peer Specialist (CPS)", "Valid", "Suspended", "Ready"):
        assert column in html
    assert _snippet_url("certificate", "add") not in html
    for shown in (certificate, suspended):
        assert _snippet_url("certificate", "edit", shown.pk) not in html
        assert _snippet_url("certificate", "delete", shown.pk) not in html
        assert _inspect(shown) in html
    for action in ("suspend", "revoke", "reissue"):
        assert _action(action, certificate) in html
        assert (_action(action, suspended) in html) == (action == "revoke")
    assert _action("reinstate", suspended) in html
    assert _action("reinstate", certificate) not in html
    assert _action("render_retry", certificate) not in html


def test_the_listing_filters_and_searches(admin_client, certificate, issue_another):
    other = issue_another()
    _set_state(other, State.REVOKED)
    by_state = admin_client.get(_snippet_url("certificate", "list"), {"state": "revoked"})
    assert {c.pk for c in by_state.context["object_list"]} == {other.pk}
    by_rendering = admin_client.get(_snippet_url("certificate", "list"), {"rendering": "failed"})
    assert list(by_rendering.context["object_list"]) == []
    by_number = admin_client.get(_snippet_url("certificate", "list"), {"q": certificate.number})
    assert {c.pk for c in by_number.context["object_list"]} == {certificate.pk}
    by_name = admin_client.get(_snippet_url("certificate", "list"), {"q": "rivera"})
    assert {c.pk for c in by_name.context["object_list"]} == {certificate.pk}
    elsewhere = build_programme(name="Peer Supervisor", abbreviation="CPSS")
    by_programme = admin_client.get(_snippet_url("certificate", "list"), {"programme": elsewhere.pk})
    assert list(by_programme.context["object_list"]) == []
    issued = certificate.issued_on.isoformat()
    by_date = admin_client.get(_snippet_url("certificate", "list"), {"issued_on_from": issued, "issued_on_to": issued})
    assert by_date.status_code == 200
    assert {c.pk for c in by_date.context["object_list"]} == {certificate.pk, other.pk}


# Inspecting a certificate


def test_inspect_shows_evidence_status_and_history(
    admin_client, programme_admin, certificate, django_capture_on_commit_callbacks
):
    _post(
        admin_client,
        _action("suspend", certificate),
        {"reason": "Complaint under review."},
        django_capture_on_commit_callbacks,
    )
    response = admin_client.get(_inspect(certificate))
    assert response.status_code == 200
    html = _text(response)
    assert "Complaint under review." in html
    assert "Suspended" in html
    assert "Approved hours" in html
    assert "Requirements" in html
    assert "Issued: every requirement met" in html
    assert "Suspended: Complaint under review." in html
    assert "Robin Admin" in html  # who suspended it, in the history
    assert certificate.files.get(paper="a4").sha256 in html
    assert _action("reinstate", certificate) in html
    assert _action("revoke", certificate) in html
    assert _action("suspend", certificate) not in html


def test_inspect_links_a_reissued_certificate_both_ways(admin_client, certificate, django_capture_on_commit_callbacks):
    _post(
        admin_client,
        _action("reissue", certificate),
        {"holder_name": "Samira Rivera", "reason": "Name change."},
        django_capture_on_commit_callbacks,
    )
    new = Certificate.objects.get(replaces=certificate)
    old_html = _text(admin_client.get(_inspect(certificate)))
    assert "Replaced by" in old_html
    assert _inspect(new) in old_html
    assert f"Reissued as {new.number}: Name change." in old_html
    new_html = _text(admin_client.get(_inspect(new)))
    assert "Replaces" in new_html
    assert _inspect(certificate) in new_html
    assert "Reason for reissue" in new_html


def test_inspect_shows_a_render_failure_and_a_retry_button(admin_client, certificate):
    Certificate.objects.filter(pk=certificate.pk).update(rendering="failed", render_error="RenderError: font missing")
    html = _text(admin_client.get(_inspect(certificate)))
    assert "Rendering failed" in html
    assert "RenderError: font missing" in html
    assert f'href="{_action("render_retry", certificate)}"' in html
    assert "Retry rendering" in html


def test_inspect_offers_no_actions_to_a_reader_without_the_role(client, certificate):
    reader = UserFactory(roles=[])
    reader.groups.add(Group.objects.get(name="Editors"))
    reader.user_permissions.add(Permission.objects.get(codename="view_certificate"))
    client.force_login(reader)
    response = client.get(_inspect(certificate))
    assert response.status_code == 200
    assert _action("suspend", certificate) not in _text(response)


# A programme's certificates as a ZIP


@pytest.fixture
def three_certificates(certificate, issue_another):
    """Two rendered certificates and one issued but not rendered yet."""
    second = issue_another()
    assignment = build_assignment()
    approve_programme_hours(assignment)
    (unrendered,) = certificates_check(holder=assignment.trainee)  # its render callback never runs
    assert unrendered.rendering == "pending"
    assert not unrendered.files.exists()
    return certificate, second, unrendered


def test_zip_page_counts_the_certificates_and_offers_both_papers(admin_client, programme, three_certificates):
    response = admin_client.get(_zip_url(programme))
    assert response.status_code == 200
    html = _text(response)
    assert "3 certificates" in html
    assert "2 of 3 PDFs stored, 1 not rendered yet" in html
    assert 'value="a4"' in html
    assert 'value="letter"' in html
    assert "US Letter" in html


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_zip_holds_exactly_the_stored_pdfs_and_lists_the_unrendered(admin_client, programme, three_certificates, paper):
    first, second, unrendered = three_certificates
    response = admin_client.post(_zip_url(programme), {"paper": paper})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert f"CPS-certificates-{paper}-" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert sorted(archive.namelist()) == sorted([f"{first.number}.pdf", f"{second.number}.pdf", "README.txt"])
    for certificate in (first, second):
        info = archive.getinfo(f"{certificate.number}.pdf")
        assert info.compress_type == zipfile.ZIP_DEFLATED
        stored = certificate.files.get(paper=paper)
        with stored.file.open("rb") as source:
            assert archive.read(info) == source.read()
    readme = archive.read("README.txt").decode()
    assert f"{unrendered.number}  {unrendered.holder_name}: not rendered yet" in readme
    assert "2 of 3 certificates included" in readme
    assert first.number not in readme


def test_zip_never_renders(admin_client, programme, three_certificates, django_capture_on_commit_callbacks):
    _, _, unrendered = three_certificates
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        admin_client.post(_zip_url(programme), {"paper": "a4"})
    assert callbacks == []
    assert CertificateFile.objects.filter(certificate=unrendered).count() == 0
    assert Certificate.objects.get(pk=unrendered.pk).rendering == "pending"


def test_zip_with_every_certificate_rendered_says_so(admin_client, programme, certificate):
    response = admin_client.post(_zip_url(programme), {"paper": "a4"})
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert "Every certificate is included." in archive.read("README.txt").decode()


def test_zip_for_a_programme_without_certificates_shows_the_empty_state(admin_client):
    empty = build_programme(name="Peer Supervisor", abbreviation="CPSS")
    response = admin_client.get(_zip_url(empty))
    assert response.status_code == 200
    assert "No certificates have been issued under Peer Supervisor yet" in _text(response)
    assert 'name="paper"' not in _text(response)
    posted = admin_client.post(_zip_url(empty), {"paper": "a4"})
    assert posted.status_code == 200
    assert posted["Content-Type"].startswith("text/html")


def test_zip_needs_a_paper(admin_client, programme, certificate):
    response = admin_client.post(_zip_url(programme), {"paper": "a3"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.context["form"].errors["paper"][0]


@pytest.mark.parametrize("roles", [[TRAINEE], [SUPERVISOR], [VERIFIER]])
def test_zip_is_for_programme_admins_only(client, programme, certificate, roles):
    client.force_login(UserFactory(roles=roles))
    url = _zip_url(programme)
    response = client.post(url, {"paper": "a4"})
    assert response.status_code == 302
    assert response.url == f"{reverse('admin_login_elsewhere')}?next={url}"


# Programmes


def test_programme_listing_counts_certificates_and_offers_the_zip(admin_client, programme, certificate):
    build_programme(name="Peer Supervisor", abbreviation="CPSS")
    response = admin_client.get(_snippet_url("programme", "list"))
    assert response.status_code == 200
    counts = {p.abbreviation: p.certificate_count for p in response.context["object_list"]}
    assert counts == {"CPS": 1, "CPSS": 0}
    assert _zip_url(programme) in _text(response)


def _programme_form(**changes) -> dict:
    domain = CompetencyDomain.objects.order_by("pk").first()
    values = {
        "name": "Certified Family Peer Specialist",
        "abbreviation": "CFPS",
        "description": "For parents and carers.",
        "is_active": "on",
        "issuing_body": "Peer Support Certification Board",
        "signatory_name": "Dr Amara Okafor",
        "signatory_title": "Chair of the Board",
        "signature_image": "",
        "practice_hours": "40",
        "supervision_hours": "10",
        "supervision_ratio_hours": "1",
        "supervision_ratio_per": "10",
        "direct_share_percent": "50",
        "skills_checks_required": "2",
        "hours_window_months": "",
        "ethics_attestation_required": "on",
        "ethics_code_page": "",
        "ethics_statement": "I agree to the code.",
        "validity_months": "24",
        "renewal_ce_hours": "6",
        "renewal_opens_days": "90",
        "domain_hours-TOTAL_FORMS": "1",
        "domain_hours-INITIAL_FORMS": "0",
        "domain_hours-MIN_NUM_FORMS": "0",
        "domain_hours-MAX_NUM_FORMS": "1000",
        "domain_hours-0-domain": str(domain.pk),
        "domain_hours-0-hours": "5",
        "domain_hours-0-ORDER": "1",
        "domain_hours-0-id": "",
        "activity_hours-TOTAL_FORMS": "1",
        "activity_hours-INITIAL_FORMS": "0",
        "activity_hours-MIN_NUM_FORMS": "0",
        "activity_hours-MAX_NUM_FORMS": "1000",
        "activity_hours-0-activity_type": "individual",
        "activity_hours-0-hours": "8",
        "activity_hours-0-ORDER": "1",
        "activity_hours-0-id": "",
    }
    values.update(changes)
    return values


def test_a_programme_admin_creates_and_edits_a_programme(admin_client):
    response = admin_client.post(_snippet_url("programme", "add"), _programme_form())
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    programme = Programme.objects.get(abbreviation="CFPS")
    assert (programme.practice_hours, programme.direct_share_percent) == (Decimal(40), 50)
    assert programme.skills_checks_required == 2
    domain_hours = programme.domain_hours.get()
    assert domain_hours.hours == Decimal(5)
    assert programme.activity_hours.get().activity_type == "individual"

    edit = _programme_form(
        name="Certified Family Peer Specialist (2026)",
        practice_hours="60",
        **{
            "domain_hours-INITIAL_FORMS": "1",
            "domain_hours-0-id": str(domain_hours.pk),
            "domain_hours-0-hours": "7.5",
            "activity_hours-INITIAL_FORMS": "1",
            "activity_hours-0-id": str(programme.activity_hours.get().pk),
            "activity_hours-0-DELETE": "on",
        },
    )
    response = admin_client.post(_snippet_url("programme", "edit", programme.pk), edit)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    programme.refresh_from_db()
    assert (programme.name, programme.practice_hours) == ("Certified Family Peer Specialist (2026)", Decimal(60))
    assert programme.domain_hours.get().hours == Decimal("7.5")
    assert not programme.activity_hours.exists()


def test_the_programme_form_rejects_a_bad_abbreviation(admin_client):
    response = admin_client.post(_snippet_url("programme", "add"), _programme_form(abbreviation="cf ps"))
    assert response.status_code == 200
    assert "Use 2 to 12 capital letters or digits, e.g. CPS." in _text(response)
    assert not Programme.objects.filter(name="Certified Family Peer Specialist").exists()


def test_the_programme_form_asks_for_at_most_the_four_skills(admin_client):
    response = admin_client.post(_snippet_url("programme", "add"), _programme_form(skills_checks_required="5"))
    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 4." in _text(response)
    assert "Observed skills checks" in _text(admin_client.get(_snippet_url("programme", "add")))
    assert not Programme.objects.filter(abbreviation="CFPS").exists()


def test_trainees_cannot_reach_the_programme_form(client):
    client.force_login(UserFactory(roles=[TRAINEE]))
    url = _snippet_url("programme", "add")
    response = client.post(url, _programme_form())
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin_login_elsewhere"))
    assert not Programme.objects.filter(abbreviation="CFPS").exists()
