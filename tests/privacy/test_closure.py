"""Closing an account: the person is anonymised everywhere, their certificates stay verifiable by code."""

from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.models import Invitation
from certificates.eligibility import add_months
from certificates.models import Certificate, EthicsAttestation
from courses.models import QuizAttempt
from lms.roles import PROGRAMME_ADMIN, SUPERVISOR, TRAINEE, VERIFIER
from practice.models import Attestation, PracticeEntry, SkillsCheckSignOff, SupervisorAssignment
from practice.skills import LISTENING
from privacy.models import ClosedAccount
from privacy.retention import RETENTION_YEARS
from privacy.services import PrivacyError, account_close
from tests.factories import PASSWORD, UserFactory, build_assignment, skills_check
from tests.privacy.conftest import COMMENT, EMAIL, FIRST, LAST, REFLECTION, TOPICS, USERNAME
from verification.models import ApiToken
from verification.services import api_token_create, verifier_profile_save

pytestmark = pytest.mark.django_db

# Tables allowed to keep the name printed on a certificate: the certificate, its history and its signed credential.
CERTIFICATE_TABLES = {
    Certificate._meta.db_table,
    Certificate.history.model._meta.db_table,
    "certificates_certificatecredential",
}


def tables_containing(*needles: str) -> dict[str, set[str]]:
    """Every table with a row containing any of the strings (case-insensitive), mapped to the strings found."""
    found = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - names from the schema
            text = "\n".join(str(value) for row in cursor.fetchall() for value in row).lower()
            hits = {needle for needle in needles if needle.lower() in text}
            if hits:
                found[table] = hits
    return found


def close(client, password=PASSWORD, confirm="close"):
    """POST the closure form."""
    return client.post("/my-data/close/", {"password": password, "confirm": confirm})


def test_the_page_says_exactly_what_happens_and_what_is_kept(record, record_client):
    response = record_client.get("/my-data/close/")
    assert response.status_code == 200
    html = response.content.decode()
    keep_until = add_months(record.certificate.expires_on, 12 * RETENTION_YEARS)
    assert record.certificate.number in html
    assert f"{keep_until:%-d %B %Y}" in html
    assert 'autocomplete="current-password"' in html
    assert 'name="confirm"' in html


def test_closing_anonymises_the_person_everywhere(record, record_client, other):
    trainee = record.trainee
    elsewhere = Client()
    assert elsewhere.login(username=USERNAME, password=PASSWORD)
    Authenticator.objects.create(user=trainee, type=Authenticator.Type.TOTP, data={"secret": "S3CRET"})
    certificate = record.certificate
    approved_ids = {entry.pk for entry in record.approved}

    response = close(record_client)

    assert response.status_code == 302 and response["Location"] == "/my-data/closed/"
    user = get_user_model().objects.get(pk=trainee.pk)
    assert user.username == f"closed-{user.pk}"
    assert (user.first_name, user.last_name, user.email) == ("", "", "")
    assert not user.is_active and not user.has_usable_password()
    assert not user.groups.exists()
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not Authenticator.objects.filter(user=user).exists()
    assert not [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user.pk)]
    closed = ClosedAccount.objects.get(user=user)
    assert closed.keep_until == add_months(certificate.expires_on, 12 * RETENTION_YEARS)

    # Names, email, username and every word they or their supervisor wrote are gone from every table...
    found = tables_containing(FIRST, LAST, EMAIL, USERNAME, REFLECTION, TOPICS, COMMENT)
    assert {table: hits for table, hits in found.items() if table not in CERTIFICATE_TABLES} == {}
    # ...except the name printed on the certificate, which is the retention rule.
    assert {hits.pop() for table, hits in found.items()} <= {FIRST, LAST}

    # The approved hours and sign-offs behind the certificate stay, without the words; the rest of the log goes.
    assert set(PracticeEntry.objects.filter(trainee=user).values_list("pk", flat=True)) == approved_ids
    assert not PracticeEntry.objects.filter(pk__in=[record.draft.pk, record.returned.pk]).exists()
    assert Attestation.objects.filter(entries__trainee=user).distinct().count() == 1
    assert EthicsAttestation.objects.get(user=user).signed_name == ""
    assert QuizAttempt.objects.filter(user=user).count() == 2
    assert SupervisorAssignment.objects.get(trainee=user).ends_on == timezone.localdate()

    # The other trainee is untouched.
    other.refresh_from_db()
    assert other.first_name == "Bartholomew" and other.is_active

    # Signed out here and everywhere, and nobody can sign in as them again.
    assert record_client.get("/dashboard/").status_code == 302
    assert elsewhere.get("/dashboard/").status_code == 302
    assert not Client().login(username=USERNAME, password=PASSWORD)
    assert not Client().login(username=user.username, password=PASSWORD)
    assert Client().get("/my-data/closed/").status_code == 200


def test_the_certificate_still_verifies_with_the_printed_name(record, record_client):
    certificate = record.certificate
    close(record_client)
    page = Client().get(f"/verify/{certificate.display_code}/")
    assert page.status_code == 200
    assert f"{FIRST} {LAST}" in page.content.decode()
    api = Client().get(f"/api/v1/verify/{certificate.display_code}")
    assert api.status_code == 200
    assert api.json()["holder_name"] == f"{FIRST} {LAST}"
    assert api.json()["status"] == "valid"
    assert api.json()["certificate_number"] == certificate.number


def test_a_confirmation_email_goes_to_the_old_address_without_their_words(
    record, record_client, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        close(record_client)
    (message,) = mail.outbox
    assert message.to == [EMAIL]
    assert message.subject == "Your account has been closed"
    assert record.certificate.number in message.body
    assert REFLECTION not in message.body and TOPICS not in message.body and COMMENT not in message.body


def _unchanged(record) -> None:
    user = get_user_model().objects.get(pk=record.trainee.pk)
    assert (user.username, user.first_name, user.email, user.is_active) == (USERNAME, FIRST, EMAIL, True)
    assert user.check_password(PASSWORD)
    assert EmailAddress.objects.filter(user=user).exists()
    assert PracticeEntry.objects.filter(trainee=user, reflection=REFLECTION).count() == 3
    assert not ClosedAccount.objects.exists()


def test_a_wrong_password_is_refused_and_nothing_changes(record, record_client, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = close(record_client, password="not-my-password")
    assert response.status_code == 400
    assert "That isn't your current password" in unescape(response.content.decode())
    assert mail.outbox == []
    _unchanged(record)
    assert record_client.get("/dashboard/").status_code == 200


def test_the_confirmation_word_is_required(record, record_client):
    response = close(record_client, confirm="yes")
    assert response.status_code == 400
    assert "Type the word CLOSE" in response.content.decode()
    _unchanged(record)


def test_repeated_wrong_passwords_are_slowed_down(record, record_client):
    with time_machine.travel(datetime(2026, 12, 7, 9, 0, 1, tzinfo=UTC), tick=False):  # a window's first second
        for _ in range(5):
            close(record_client, password="guess")
        response = close(record_client)  # even the right password waits now
    assert "Please wait 15 minutes and try again" in response.content.decode()
    _unchanged(record)


def test_the_wait_after_wrong_passwords_counts_down(record, record_client):
    with time_machine.travel(datetime(2026, 12, 7, 9, 14, 0, tzinfo=UTC), tick=False):  # a minute before it resets
        for _ in range(5):
            close(record_client, password="guess")
        assert "Please wait 1 minute and try again" in close(record_client).content.decode()
    with time_machine.travel(datetime(2026, 12, 7, 9, 15, 0, tzinfo=UTC), tick=False):
        response = close(record_client)
    assert "Please wait" not in response.content.decode()
    assert not get_user_model().objects.get(pk=record.trainee.pk).is_active


def test_a_programme_admin_is_told_to_ask_another_admin(client):
    admin = UserFactory(roles=[PROGRAMME_ADMIN])
    assert client.login(username=admin.username, password=PASSWORD)
    page = client.get("/my-data/close/").content.decode()
    assert "Please ask another programme admin" in page
    assert 'name="password"' not in page
    response = close(client)
    assert "ask another programme admin" in response.content.decode()
    admin.refresh_from_db()
    assert admin.is_active and admin.first_name
    with pytest.raises(PrivacyError) as refused:
        account_close(user=admin, password=PASSWORD)
    assert refused.value.code == "programme_admin"


def test_a_supervisor_with_trainees_is_told_to_ask_an_admin_first(client):
    assignment = build_assignment()
    supervisor = assignment.supervisor
    assert client.login(username=supervisor.username, password=PASSWORD)
    page = client.get("/my-data/close/").content.decode()
    assert "Please ask a programme admin first" in page
    assert "1 trainee assigned to you" in page
    with pytest.raises(PrivacyError) as refused:
        account_close(user=supervisor, password=PASSWORD)
    assert refused.value.code == "supervising"
    supervisor.refresh_from_db()
    assert supervisor.is_active


def test_a_former_supervisors_sign_offs_stay_with_their_trainees(record):
    supervisor = record.supervisor
    signed_name = supervisor.get_full_name()
    SupervisorAssignment.objects.filter(supervisor=supervisor).update(ends_on=timezone.localdate() - timedelta(days=1))
    account_close(user=supervisor, password=PASSWORD)
    attestation = Attestation.objects.get(supervisor=supervisor)
    assert attestation.signed_name == signed_name
    assert attestation.entries.count() == 2
    assert not hasattr(get_user_model().objects.get(pk=supervisor.pk), "supervisor_profile")
    # The trainee's record is untouched by their supervisor leaving.
    assert PracticeEntry.objects.filter(trainee=record.trainee, reflection=REFLECTION).count() == 3


def test_a_verifiers_tokens_stop_working_and_their_invitation_forgets_the_address(client):
    from accounts.services import invitation_accept, invitation_create

    admin = UserFactory(roles=[PROGRAMME_ADMIN])
    invitation, token = invitation_create(
        invited_by=admin, email="ottoline.verifier@example.org", role=VERIFIER, organisation_name="Harbour Trust"
    )
    verifier = invitation_accept(
        token=token, username="ottoline", password="a-long-enough-password-77", first_name="Ottoline"
    )
    verifier_profile_save(user=verifier, organisation_name="Harbour Trust")
    stored, raw = api_token_create(user=verifier, name="HR system")
    account_close(user=verifier, password="a-long-enough-password-77")
    assert ApiToken.objects.get(pk=stored.pk).revoked_at is not None
    assert Client().get("/api/v1/verify/ABCD", headers={"Authorization": f"Bearer {raw}"}).status_code == 401
    assert Invitation.objects.get(pk=invitation.pk).email == ""
    assert tables_containing("ottoline.verifier@example.org", "Ottoline") == {}


def test_a_trainee_without_certificates_keeps_nothing_with_their_name(db):
    trainee = UserFactory(username="plainleaver", first_name="Peregrine", last_name="Nightjarwood", roles=[TRAINEE])
    from practice.services import entry_create
    from tests.factories import entry_data

    assignment = build_assignment(trainee=trainee)
    entry_create(trainee=trainee, data=entry_data(assignment, reflection=REFLECTION))
    closed = account_close(user=trainee, password=PASSWORD)
    assert closed.keep_until is None
    assert not PracticeEntry.objects.filter(trainee=trainee).exists()
    assert not SupervisorAssignment.objects.filter(trainee=trainee).exists()
    assert tables_containing("Peregrine", "Nightjarwood", "plainleaver", REFLECTION) == {}


def test_a_trainee_with_a_signed_off_skills_check_can_close_their_account(db):
    trainee = UserFactory(username="roleplayer", first_name="Isolde", last_name="Fernsworth", roles=[TRAINEE])
    assignment = build_assignment(trainee=trainee)
    entry = skills_check(assignment, LISTENING)
    assert SkillsCheckSignOff.objects.filter(entry=entry).exists()
    closed = account_close(user=trainee, password=PASSWORD)
    assert closed.keep_until is None  # no certificate: nothing is kept
    assert not PracticeEntry.objects.filter(trainee=trainee).exists()
    assert not SkillsCheckSignOff.objects.exists()
    assert not SkillsCheckSignOff.history.exists()
    assert tables_containing("Isolde", "Fernsworth", "roleplayer") == {}


def test_closing_twice_is_refused(record):
    account_close(user=record.trainee, password=PASSWORD)
    with pytest.raises(PrivacyError) as refused:
        account_close(user=record.trainee, password=PASSWORD)
    assert refused.value.code == "closed"


def test_a_supervisor_role_alone_does_not_block(client):
    supervisor = UserFactory(roles=[SUPERVISOR])
    assert client.login(username=supervisor.username, password=PASSWORD)
    assert close(client).status_code == 302
