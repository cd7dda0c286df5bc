"""The audit trails: who changed what, when and why, per trainee and per certificate, for programme admins only."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.trails import PAGE_SIZE, trainee_trail
from certificates.codes import format_code
from certificates.status_changes import certificate_reissue, certificate_revoke, certificate_suspend
from lms.roles import PROGRAMME_ADMIN, SUPERVISOR, TRAINEE, VERIFIER
from practice.models import PracticeEntry
from practice.services import entries_approve, entries_return, entries_submit, entry_create, entry_update
from tests.factories import UserFactory, build_assignment, entry_data, issued_certificate

pytestmark = pytest.mark.django_db

REFLECTION = "Listened more than I spoke, and noticed the difference it made."
NEW_REFLECTION = "Sat with the silence instead of filling it."
COMMENT = "Please say which setting this was in."
MAX_QUERIES = 25  # sign-in, roles and the Wagtail user bar included


def _trainee_url(user) -> str:
    return reverse("audit_trainee", args=[user.pk])


def _certificate_url(certificate) -> str:
    return reverse("audit_certificate", args=[certificate.pk])


def _text(response) -> str:
    return response.content.decode()


@pytest.fixture
def programme_admin():
    return UserFactory(username="robin", first_name="Robin", last_name="Admin", roles=[PROGRAMME_ADMIN])


@pytest.fixture
def admin_client(client, programme_admin):
    client.force_login(programme_admin)
    return client


@pytest.fixture
def revoked(programme_admin):
    """A certificate issued by the system, suspended then revoked by the programme admin."""
    certificate = issued_certificate(first_name="Ada", last_name="Okoro")
    certificate_suspend(by=programme_admin, certificate=certificate, reason="A complaint is being looked into.")
    certificate_revoke(by=programme_admin, certificate=certificate, reason="The complaint was upheld.")
    return certificate


@pytest.fixture
def reviewed_entry():
    """A practice entry submitted, returned with a comment, its reflection edited, resubmitted and approved."""
    trainee = UserFactory(username="tamsin", first_name="Tamsin", last_name="Reyes")
    supervisor = UserFactory(username="sam", first_name="Sam", last_name="Baker", roles=[SUPERVISOR])
    assignment = build_assignment(trainee=trainee, supervisor=supervisor)
    entry = entry_create(trainee=trainee, data=entry_data(assignment, reflection=REFLECTION))
    (batch,) = entries_submit(trainee=trainee, entry_ids=[entry.pk])
    entries_return(supervisor=supervisor, batch_id=batch.pk, entry_ids=[entry.pk], comment=COMMENT)
    entry_update(trainee=trainee, entry_id=entry.pk, data=entry_data(assignment, reflection=NEW_REFLECTION))
    (batch,) = entries_submit(trainee=trainee, entry_ids=[entry.pk])
    entries_approve(supervisor=supervisor, batch_id=batch.pk, attested=True)
    return PracticeEntry.objects.get(pk=entry.pk)


# What the certificate's trail shows -----------------------------------------------------------------------------


def test_certificate_trail_shows_who_when_what_and_why_newest_first(admin_client, revoked):
    response = admin_client.get(_certificate_url(revoked))
    assert response.status_code == 200
    events = response.context["trail"].events
    reasons = [event.reason for event in events if event.record == f"Certificate {revoked.number}"]
    assert reasons[:2] == ["Revoked: The complaint was upheld.", "Suspended: A complaint is being looked into."]
    assert reasons[-1] == "Issued: every requirement met"
    revoke, suspend = events[0], events[1]
    assert (revoke.actor, revoke.roles, revoke.action) == ("Robin Admin", "Programme admin", "Changed")
    assert revoke.at >= suspend.at
    changes = {change.field: (change.old, change.new) for change in revoke.changes}
    assert changes["State"] == ("Suspended", "Revoked")
    assert changes["State reason"] == ("A complaint is being looked into.", "The complaint was upheld.")
    assert "State changed at" not in changes
    issue = next(event for event in events if event.reason.startswith("Issued"))
    assert (issue.actor, issue.action, issue.changes) == (None, "Created", ())
    text = _text(response)
    assert "Robin Admin" in text
    assert "Programme admin" in text
    assert "The system" in text
    assert "from Suspended to Revoked" in text
    assert "Revoked: The complaint was upheld." in text
    assert f'href="{_trainee_url(revoked.holder)}"' in text


def test_certificate_trail_includes_the_credential_signing_and_the_reissued_certificate(admin_client, programme_admin):
    from certificates.models import CertificateCredential, SigningKey

    old = issued_certificate(first_name="Ada", last_name="Okoro")
    key = SigningKey.objects.create(public_key_multibase="z6MkTestKeyForTheAuditTrail")
    CertificateCredential.objects.create(certificate=old, document="{}", signing_key=key)
    new = certificate_reissue(by=programme_admin, certificate=old, holder_name="Ada N. Okoro", reason="Name typo.")
    response = admin_client.get(_certificate_url(old))
    records = [event.record for event in response.context["trail"].events]
    assert f"Certificate {new.number}" in records
    assert f"The signed credential inside certificate {old.number}" in records
    superseded = next(event for event in response.context["trail"].events if event.reason.startswith("Superseded"))
    assert superseded.record == f"Certificate {old.number}"
    assert f'href="{_certificate_url(new)}"' in _text(response)


# What the trainee's trail shows ---------------------------------------------------------------------------------


def test_trainee_trail_follows_an_entry_through_review(admin_client, reviewed_entry):
    response = admin_client.get(_trainee_url(reviewed_entry.trainee))
    assert response.status_code == 200
    events = response.context["trail"].events
    about_entry = [event for event in events if event.record.startswith("Practice entry of")]
    reasons = [event.reason for event in about_entry]
    approved = next(event for event in about_entry if event.reason.startswith("Approved"))
    returned = next(event for event in about_entry if event.reason == "Returned (comment withheld)")
    edited = next(event for event in about_entry if event.reason == "Edited")
    assert reasons.index(approved.reason) < reasons.index(returned.reason) < reasons.index("Created")
    assert (approved.actor, approved.roles) == ("Sam Baker", "Supervisor")
    assert ("Status", "Submitted", "Approved") in [(c.field, c.old, c.new) for c in approved.changes]
    assert ("Status", "Submitted", "Returned") in [(c.field, c.old, c.new) for c in returned.changes]
    assert ("Return comment", "", "", True) in [(c.field, c.old, c.new, c.withheld) for c in returned.changes]
    assert (edited.actor, edited.roles) == ("Tamsin Reyes", "Trainee")
    assert ("Reflection", True) in [(c.field, c.withheld) for c in edited.changes]
    submitted = [event for event in about_entry if event.reason == "Submitted for review"]
    assert len(submitted) == 2
    assert all(event.actor == "Tamsin Reyes" for event in submitted)
    records = [event.record for event in events]
    assert any(record.startswith("Supervisor's attestation") for record in records)
    assert any(record.startswith("Review batch sent") for record in records)
    assert any(record.startswith("Supervision by Sam Baker at") for record in records)
    text = _text(response)
    assert "Reflection: changed" in text
    assert "Return comment: changed" in text
    assert "Returned (comment withheld)" in text and COMMENT not in text  # a supervisor's words are free text
    assert "Sam Baker" in text


def test_reflection_text_never_appears(admin_client, reviewed_entry):
    text = _text(admin_client.get(_trainee_url(reviewed_entry.trainee)))
    assert REFLECTION not in text
    assert NEW_REFLECTION not in text
    assert "Listened more than I spoke" not in text


def test_trainee_trail_lists_their_certificates(admin_client, revoked):
    response = admin_client.get(_trainee_url(revoked.holder))
    text = _text(response)
    assert f'href="{_certificate_url(revoked)}"' in text
    assert "Revoked: The complaint was upheld." in text


def test_trainee_trail_includes_enrolments_agreements_and_extra_attempts(admin_client, programme_admin):
    from certificates.ethics import ethics_attestation_sign
    from courses.models import QuizAttemptGrant
    from courses.services import enrolment_create
    from tests.factories import build_course, build_programme, build_quiz

    trainee = UserFactory(first_name="Noor", last_name="Haddad")
    course, lessons = build_course(title="Foundations of peer work")
    quiz = build_quiz(lessons[0].get_parent())
    enrolment_create(user=trainee, course=course)
    ethics_attestation_sign(user=trainee, programme=build_programme(ethics_attestation_required=True), agreed=True)
    QuizAttemptGrant.objects.create(user=trainee, quiz=quiz, granted_by=programme_admin, reason="Power cut mid-quiz.")
    events = admin_client.get(_trainee_url(trainee)).context["trail"].events
    by_record = {event.record: event for event in events}
    assert by_record["Enrolment in Foundations of peer work"].action == "Created"
    signed = by_record["Agreement to the CPS code of ethics, signed as Noor Haddad"]
    assert (signed.action, signed.actor, signed.roles) == ("Signed", "Noor Haddad", "Trainee")
    grant = by_record["An extra attempt at Module quiz"]
    assert (grant.action, grant.actor, grant.roles, grant.reason) == (
        "Granted",
        "Robin Admin",
        "Programme admin",
        "Power cut mid-quiz.",
    )


def test_secrets_are_never_shown(admin_client):
    from verification.models import ApiToken

    verifier = UserFactory(roles=[VERIFIER])
    token = ApiToken(user=verifier, name="HR system", prefix="abc", digest="d1" * 32)
    token.save()
    token.digest = "e2" * 32
    token._change_reason = "Rotated"
    token.save()
    response = admin_client.get(_trainee_url(verifier))
    rotated = response.context["trail"].events[0]
    assert (rotated.record, rotated.reason) == ("API token “HR system”", "Rotated")
    assert [(change.field, change.withheld) for change in rotated.changes] == [("Digest", True)]
    text = _text(response)
    assert "Digest: changed" in text
    assert "d1d1" not in text
    assert "e2e2" not in text


def test_a_person_with_no_history_gets_a_kind_empty_page(admin_client):
    person = UserFactory(first_name="Noor", last_name="Haddad")
    response = admin_client.get(_trainee_url(person))
    assert response.status_code == 200
    assert "Nothing has been recorded about Noor Haddad yet." in _text(response)


# Paging and cost ------------------------------------------------------------------------------------------------


def _history_rows(trainee, total: int) -> str:
    """Give the trainee exactly `total` history rows (an assignment, an entry, saves of it); returns the last reason."""
    assignment = build_assignment(trainee=trainee)
    entry = entry_create(trainee=trainee, data=entry_data(assignment))
    reason = "Created"
    for minutes in range(total - trainee_trail(person=trainee).count()):
        entry.minutes = 30 + minutes
        entry._change_reason = reason = f"Save {minutes}"
        entry.save()
    assert trainee_trail(person=trainee).count() == total
    return reason


def test_pages_hold_fifty_newest_first(admin_client):
    trainee = UserFactory()
    last = _history_rows(trainee, PAGE_SIZE + 3)
    first = admin_client.get(_trainee_url(trainee)).context["trail"]
    second = admin_client.get(_trainee_url(trainee), {"page": 2}).context["trail"]
    assert len(first.events) == PAGE_SIZE
    assert len(second.events) == 3
    times = [event.at for event in first.events + second.events]
    assert times == sorted(times, reverse=True)
    assert first.events[0].reason == last
    assert second.events[-1].record.startswith("Supervision by")  # the assignment came first
    assert 'rel="next"' in _text(admin_client.get(_trainee_url(trainee)))


def _queries(client, url) -> int:
    client.get(url)  # the first admin request of a session creates the Wagtail user profile
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_query_count_does_not_grow_with_the_rows(admin_client):
    few, many = UserFactory(), UserFactory()
    _history_rows(few, 5)
    _history_rows(many, PAGE_SIZE)
    assert len(admin_client.get(_trainee_url(many)).context["trail"].events) == PAGE_SIZE
    assert _queries(admin_client, _trainee_url(few)) == _queries(admin_client, _trainee_url(many)) <= MAX_QUERIES


def test_certificate_query_count_does_not_grow_with_the_rows(admin_client, programme_admin):
    from certificates.status_changes import certificate_reinstate

    certificate = issued_certificate(first_name="Ada", last_name="Okoro")
    counts = {}
    for total in (5, PAGE_SIZE):
        while certificate.history.count() < total:
            certificate.refresh_from_db()
            if certificate.state == certificate.State.VALID:
                certificate_suspend(by=programme_admin, certificate=certificate, reason="Checking a complaint.")
            else:
                certificate_reinstate(by=programme_admin, certificate=certificate, reason="Cleared.")
        counts[total] = _queries(admin_client, _certificate_url(certificate))
    assert counts[5] == counts[PAGE_SIZE] <= MAX_QUERIES


# Finding a trainee or a certificate -----------------------------------------------------------------------------


def test_search_finds_people_by_name_username_and_email(admin_client):
    person = UserFactory(username="kwame", first_name="Kwame", last_name="Mensah", email="km@example.net")
    for query in ("Mensah", "kwame", "km@example", "Kwame Mensah"):
        response = admin_client.get(reverse("audit_search"), {"q": query})
        assert [row[0] for row in response.context["people"]["rows"]] == [person], query
        assert f'href="{_trainee_url(person)}"' in _text(response)


def test_search_pages_people(admin_client):
    for number in range(30):
        UserFactory(username=f"pat{number:02d}", first_name="Pat", last_name=f"Lin{number:02d}")
    first = admin_client.get(reverse("audit_search"), {"q": "Pat"})
    second = admin_client.get(reverse("audit_search"), {"q": "Pat", "page": 2})
    assert len(first.context["people"]["rows"]) == 25
    assert len(second.context["people"]["rows"]) == 5
    assert "q=Pat&amp;page=2" in _text(first)


def test_search_finds_a_certificate_by_number_or_code(admin_client):
    certificate = issued_certificate(first_name="Ada", last_name="Okoro")
    for query in (certificate.number, certificate.number.lower(), format_code(certificate.code).lower()):
        response = admin_client.get(reverse("audit_search"), {"q": query})
        assert response.context["certificates"] == [certificate], query
        assert f'href="{_certificate_url(certificate)}"' in _text(response)


def test_search_page_without_a_query_just_asks(admin_client):
    response = admin_client.get(reverse("audit_search"))
    assert response.status_code == 200
    assert response.context["people"] is None
    assert 'role="search"' in _text(response)


# Who may look ---------------------------------------------------------------------------------------------------


def _all_urls(certificate) -> list[str]:
    return [reverse("audit_search"), _trainee_url(certificate.holder), _certificate_url(certificate)]


def test_anonymous_visitors_are_sent_to_log_in(client):
    certificate = issued_certificate(first_name="Ada", last_name="Okoro")
    for url in _all_urls(certificate):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("role", [TRAINEE, SUPERVISOR, VERIFIER])
def test_other_roles_are_refused(client, role):
    certificate = issued_certificate(first_name="Ada", last_name="Okoro")
    client.force_login(UserFactory(roles=[role]))
    for url in _all_urls(certificate):
        assert client.get(url).status_code == 403


def test_the_holder_cannot_read_their_own_trail(client):
    certificate = issued_certificate(first_name="Ada", last_name="Okoro")
    client.force_login(certificate.holder)
    assert client.get(_trainee_url(certificate.holder)).status_code == 403


def test_superusers_count_as_programme_admins(client):
    certificate = issued_certificate(first_name="Ada", last_name="Okoro")
    client.force_login(UserFactory(roles=[], is_superuser=True, is_staff=True))
    for url in _all_urls(certificate):
        assert client.get(url).status_code == 200


def test_unknown_ids_are_not_found(admin_client):
    assert admin_client.get(reverse("audit_trainee", args=[987654])).status_code == 404
    assert admin_client.get(reverse("audit_certificate", args=[987654])).status_code == 404


def test_every_audit_view_states_its_rule():
    from django.urls import get_resolver

    from lms.access import rule_for

    for pattern in get_resolver("audit.urls").url_patterns:
        assert rule_for(str(pattern.pattern), pattern.callback) == f"role: {PROGRAMME_ADMIN}"


def test_ids_too_large_for_the_database_are_not_found(admin_client):
    too_large = 2**63
    assert admin_client.get(f"/audit/trainees/{too_large}/").status_code == 404
    assert admin_client.get(f"/audit/certificates/{too_large}/").status_code == 404
