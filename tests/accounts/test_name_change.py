"""Correcting one's own name: the same rules as sign-up, recorded, and certificates left to the programme team."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.utils import timezone

from accounts.models import NameChange
from accounts.services import AccountError, user_name_change
from audit.trails import trail_page, trainee_trail
from certificates.codes import new_code
from certificates.models import Certificate
from lms.roles import PROGRAMME_ADMIN, SUPERVISOR, TRAINEE, VERIFIER
from privacy.export import user_data
from privacy.services import account_close
from tests.factories import PASSWORD, UserFactory, build_programme

pytestmark = pytest.mark.django_db

State = Certificate.State
FIRST_REQUIRED = "Tell us your first name, as it should appear on your certificate."
LAST_REQUIRED = "Tell us your last name, as it should appear on your certificate."
WHOLE_NAME_TOO_LONG = (
    "Keep your first and last names to 299 characters together, so the whole name fits on your certificate."
)
HIDDEN = "has a hidden control character in it, perhaps pasted in by accident. Please type it again."
RTL_OVERRIDE = "\u202e"


@pytest.fixture
def sam(db):
    """A trainee whose last name was mistyped at sign-up."""
    return UserFactory(username="sam", first_name="Sam", last_name="Rivers", email="sam@example.org")


@pytest.fixture
def admins(db):
    """Two programme admins and a superuser, who hear about reissues, and an inactive admin, who doesn't."""
    return [
        UserFactory(username="robin", first_name="Robin", last_name="Hughes", roles=[PROGRAMME_ADMIN]),
        UserFactory(username="kai", first_name="Kai", last_name="Moreno", roles=[PROGRAMME_ADMIN]),
        UserFactory(username="root", roles=[], is_superuser=True, is_staff=True),
        UserFactory(username="gone", roles=[PROGRAMME_ADMIN], is_active=False),
    ]


def _certificate(holder, *, abbreviation="CPS", name=None, state=State.VALID, expires_in=700, **fields):
    """A certificate of its own programme, issued a month ago under the holder's name as it stands (or `name`)."""
    programme = build_programme(name=f"Certified Peer Specialist ({abbreviation})", abbreviation=abbreviation)
    today = timezone.localdate()
    serial = Certificate.objects.count() + 1
    return Certificate.objects.create(
        programme=programme,
        holder=holder,
        holder_name=name if name is not None else holder.get_full_name(),
        number=f"{abbreviation}-{today.year}-{serial:06d}",
        year=today.year,
        serial=serial,
        code=new_code(),
        issued_on=today - timedelta(days=30),
        period_starts_on=today - timedelta(days=30),
        expires_on=today + timedelta(days=expires_in),
        state=state,
        **fields,
    )


def _change(user, capture, first_name="Sam", last_name="Rivera"):
    """Correct the user's name, sending the on-commit email; returns the result."""
    with capture(execute=True):
        return user_name_change(user=user, first_name=first_name, last_name=last_name)


def _team_mail() -> list:
    """The emails sent to anyone but Sam, whose own confirmation is checked on its own."""
    return [message for message in mail.outbox if message.to != ["sam@example.org"]]


def _message_text(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# The service ------------------------------------------------------------------------------------------------


def test_the_name_is_tidied_saved_and_recorded(sam, django_capture_on_commit_callbacks):
    result = _change(sam, django_capture_on_commit_callbacks, first_name="  Sam ", last_name=" Rivera   Lopez ")
    sam.refresh_from_db()
    assert (sam.first_name, sam.last_name) == ("Sam", "Rivera Lopez")
    assert (result.changed, result.old_name, result.new_name) == (True, "Sam Rivers", "Sam Rivera Lopez")
    assert (result.to_reissue, result.team_asked) == ((), False)
    (change,) = NameChange.objects.filter(user=sam)
    assert (change.old_first_name, change.old_last_name, change.new_first_name, change.new_last_name) == (
        "Sam",
        "Rivers",
        "Sam",
        "Rivera Lopez",
    )
    assert change.reissue_asked_for == []


def test_the_same_name_after_tidying_changes_nothing(sam, admins, django_capture_on_commit_callbacks):
    certificate = _certificate(sam)
    result = _change(sam, django_capture_on_commit_callbacks, first_name=" Sam ", last_name="Rivers  ")
    assert (result.changed, result.old_name, result.new_name, result.to_reissue) == (
        False,
        "Sam Rivers",
        "Sam Rivers",
        (),
    )
    assert not NameChange.objects.exists()
    assert mail.outbox == []
    certificate.refresh_from_db()
    assert certificate.holder_name == "Sam Rivers"


def test_a_change_of_case_is_a_change(sam, django_capture_on_commit_callbacks):
    assert _change(sam, django_capture_on_commit_callbacks, first_name="sam", last_name="rivers").changed
    sam.refresh_from_db()
    assert sam.get_full_name() == "sam rivers"


@pytest.mark.parametrize(
    ("first_name", "last_name", "code", "message"),
    [
        ("", "Rivera", "first_name_required", FIRST_REQUIRED),
        ("Sam", "   ", "last_name_required", LAST_REQUIRED),
        ("S" * 151, "Rivera", "name_too_long", "Keep your first name to 150 characters or fewer."),
        ("Sam", "R" * 151, "name_too_long", "Keep your last name to 150 characters or fewer."),
        ("S" * 150, "R" * 150, "name_too_long", WHOLE_NAME_TOO_LONG),
        (f"Sam{RTL_OVERRIDE}", "Rivera", "name_invalid", f"Your first name {HIDDEN}"),
        ("Sam", "Rivera\x00", "name_invalid", f"Your last name {HIDDEN}"),
    ],
)
def test_a_name_breaking_the_sign_up_rules_is_refused_and_nothing_changes(
    sam, admins, first_name, last_name, code, message, django_capture_on_commit_callbacks
):
    _certificate(sam)
    with pytest.raises(AccountError) as caught:
        _change(sam, django_capture_on_commit_callbacks, first_name=first_name, last_name=last_name)
    assert (caught.value.code, caught.value.message) == (code, message)
    sam.refresh_from_db()
    assert sam.get_full_name() == "Sam Rivers"
    assert not NameChange.objects.exists()
    assert mail.outbox == []


def test_the_change_is_in_the_audit_trail_with_the_old_and_new_name(sam, admins, django_capture_on_commit_callbacks):
    certificate = _certificate(sam)
    _change(sam, django_capture_on_commit_callbacks)
    events = trail_page(trainee_trail(person=sam), 1).events
    corrected = next(event for event in events if event.action == "Corrected")
    assert (corrected.actor, corrected.roles, corrected.record, corrected.reason) == (
        "Sam Rivera",
        "Trainee",
        "Their name, from Sam Rivers to Sam Rivera",
        f"Asked the programme team to reissue {certificate.number}",
    )


def test_programme_admins_and_nobody_else_are_asked_to_reissue(sam, admins, django_capture_on_commit_callbacks):
    UserFactory(roles=[SUPERVISOR])
    UserFactory(roles=[VERIFIER])
    UserFactory(roles=[TRAINEE])
    certificate = _certificate(sam)
    result = _change(sam, django_capture_on_commit_callbacks)
    assert result.team_asked
    assert result.to_reissue == (certificate,)
    (message,) = _team_mail()
    assert sorted(message.to) == ["kai@example.org", "robin@example.org", "root@example.org"]
    assert message.subject == "Sam Rivera corrected their name: 1 certificate may need reissuing"
    body = message.body
    assert "Sam Rivers has corrected the name on their account to Sam Rivera (username sam)." in body
    assert f"{certificate.number}, Certified Peer Specialist (CPS) (valid)" in body
    assert "Name on it: Sam Rivers\n  New name:   Sam Rivera" in body
    inspect = f"http://127.0.0.1:8000/admin/snippets/certificates/certificate/inspect/{certificate.pk}/"
    assert f"In the admin: {inspect}" in body
    assert f"Reissue it: http://127.0.0.1:8000/admin/certificates/{certificate.pk}/reissue/" in body
    assert f"http://127.0.0.1:8000/audit/trainees/{sam.pk}/" in body
    assert "whether to reissue is the programme team's decision" in body


def test_the_links_in_the_email_open_the_certificate_and_its_reissue_page(
    client, sam, admins, django_capture_on_commit_callbacks
):
    certificate = _certificate(sam)
    _change(sam, django_capture_on_commit_callbacks)
    body = _team_mail()[0].body
    client.force_login(admins[0])
    for label in ("In the admin: ", "Reissue it: "):
        link = body.split(label, 1)[1].split()[0].removeprefix("http://127.0.0.1:8000")
        response = client.get(link)
        assert response.status_code == 200
        assert certificate.number in response.content.decode()
    reissue_form = client.get(f"/admin/certificates/{certificate.pk}/reissue/").context["form"]
    assert reissue_form["holder_name"].value() == "Sam Rivera"  # the reissue starts from the corrected name


def test_only_live_certificates_under_another_name_are_listed(sam, admins, django_capture_on_commit_callbacks):
    valid = _certificate(sam, abbreviation="AAA")
    suspended = _certificate(sam, abbreviation="BBB", state=State.SUSPENDED, state_reason="A complaint.")
    _certificate(sam, abbreviation="CCC", state=State.REVOKED, state_reason="Upheld.")
    _certificate(sam, abbreviation="DDD", state=State.SUPERSEDED)
    _certificate(sam, abbreviation="EEE", expires_in=-1)  # expired yesterday: nothing left to reissue
    _certificate(sam, abbreviation="FFF", name="Sam Rivera")  # already carries the new name
    _certificate(UserFactory(first_name="Sam", last_name="Rivers"), abbreviation="GGG")  # someone else's
    result = _change(sam, django_capture_on_commit_callbacks)
    assert result.to_reissue == (valid, suspended)
    assert NameChange.objects.get(user=sam).reissue_asked_for == [valid.number, suspended.number]
    (message,) = _team_mail()
    assert message.subject == "Sam Rivera corrected their name: 2 certificates may need reissuing"
    listed = [line.split(",")[0] for line in message.body.splitlines() if line[:3] in {"AAA", "BBB", "CCC", "DDD"}]
    assert listed == [valid.number, suspended.number]
    assert all(abbreviation not in message.body for abbreviation in ("EEE-", "FFF-", "GGG-"))
    assert f"/admin/certificates/{valid.pk}/reissue/" in message.body
    assert f"/admin/certificates/{suspended.pk}/reissue/" not in message.body
    assert "It's suspended, so it can be reissued only once it's reinstated." in message.body


def test_the_person_is_told_of_the_change_in_case_it_was_not_them(sam, admins, django_capture_on_commit_callbacks):
    first = _certificate(sam, abbreviation="AAA")
    second = _certificate(sam, abbreviation="BBB")
    _change(sam, django_capture_on_commit_callbacks)
    (own,) = [message for message in mail.outbox if message.to == ["sam@example.org"]]
    assert own.subject == "The name on your account is now Sam Rivera"
    assert own.body.startswith("Hello Sam Rivera,\n\nThe name on your account has been changed from Sam Rivers to Sam")
    assert f"Your certificates {first.number}, {second.number} still show the name they were issued with." in own.body
    assert "We've asked the programme team to reissue them with your new name" in own.body
    assert "please change your password straight away (http://127.0.0.1:8000/accounts/password/change/)" in own.body
    assert "under Your data: http://127.0.0.1:8000/my-data/name/" in own.body
    assert own.body.endswith("\n\nPeer Specialist Training\n")  # no blank lines trailing after the signature
    (team,) = _team_mail()
    assert team.body.endswith("\n\nThank you.\n\nPeer Specialist Training\n")


def test_the_person_is_told_a_suspended_certificate_waits_for_reinstatement(
    sam, admins, django_capture_on_commit_callbacks
):
    valid = _certificate(sam, abbreviation="AAA")
    suspended = _certificate(sam, abbreviation="BBB", state=State.SUSPENDED, state_reason="A complaint.")
    _change(sam, django_capture_on_commit_callbacks)
    (own,) = [message for message in mail.outbox if message.to == ["sam@example.org"]]
    text = " ".join(own.body.split())
    assert (
        f"Your certificates {valid.number}, {suspended.number} still show the name they were issued with. "
        f"We've asked the programme team to reissue {valid.number} with your new name; they may get in touch to check "
        f"the details. Certificate {suspended.number} is suspended, so it can be reissued only once it's reinstated."
    ) in text
    assert "reissue them" not in text


@pytest.mark.parametrize(
    ("team", "told"),
    [
        (True, "It's suspended, so it can be reissued only once it's reinstated. We've let the programme team know."),
        (
            False,
            "It's suspended, so it can be reissued only once it's reinstated. Please ask the programme team to reissue "
            "it with your new name then.",
        ),
    ],
)
def test_when_the_only_certificate_is_suspended_nobody_promises_a_reissue_now(
    sam, team, told, django_capture_on_commit_callbacks
):
    if team:
        UserFactory(username="robin", roles=[PROGRAMME_ADMIN])
    suspended = _certificate(sam, state=State.SUSPENDED, state_reason="A complaint.")
    result = _change(sam, django_capture_on_commit_callbacks)
    assert result.team_asked is team
    (own,) = [message for message in mail.outbox if message.to == ["sam@example.org"]]
    text = " ".join(own.body.split())
    assert f"Your certificate {suspended.number} still shows the name it was issued with. {told}" in text
    assert "We've asked" not in text


def test_no_email_at_all_when_nothing_changed(sam, admins, django_capture_on_commit_callbacks):
    _certificate(sam)
    _change(sam, django_capture_on_commit_callbacks, first_name="Sam", last_name="Rivers")
    assert mail.outbox == []


def test_certificates_are_never_changed(sam, admins, django_capture_on_commit_callbacks):
    certificate = _certificate(sam)
    before = Certificate.objects.values().get(pk=certificate.pk)
    _change(sam, django_capture_on_commit_callbacks)
    assert Certificate.objects.values().get(pk=certificate.pk) == before
    assert Certificate.objects.count() == 1
    assert certificate.history.count() == 1  # only its creation


def test_no_email_to_the_team_when_the_person_holds_no_certificate(sam, admins, django_capture_on_commit_callbacks):
    result = _change(sam, django_capture_on_commit_callbacks)
    assert result.changed and not result.team_asked
    assert _team_mail() == []
    assert [message.to for message in mail.outbox] == [["sam@example.org"]]
    assert NameChange.objects.filter(user=sam).count() == 1


def test_with_no_programme_admin_to_ask_the_result_says_so(sam, django_capture_on_commit_callbacks):
    certificate = _certificate(sam)
    result = _change(sam, django_capture_on_commit_callbacks)
    assert (result.to_reissue, result.team_asked) == ((certificate,), False)
    assert _team_mail() == []
    (own,) = mail.outbox
    assert f"Your certificate {certificate.number} still shows the name it was issued with." in own.body
    assert "Please ask the programme team to reissue it with your new name." in own.body


@pytest.mark.parametrize("nobody", ["no admin", "an admin without an address"])
def test_when_nobody_was_asked_the_record_and_audit_trail_do_not_say_so(
    sam, nobody, django_capture_on_commit_callbacks
):
    if nobody == "an admin without an address":
        UserFactory(username="robin", email="", roles=[PROGRAMME_ADMIN])
    _certificate(sam)
    assert not _change(sam, django_capture_on_commit_callbacks).team_asked
    assert NameChange.objects.get(user=sam).reissue_asked_for == []
    corrected = next(e for e in trail_page(trainee_trail(person=sam), 1).events if e.action == "Corrected")
    assert (corrected.record, corrected.reason) == ("Their name, from Sam Rivers to Sam Rivera", "")
    assert _team_mail() == []


def test_the_email_waits_for_the_commit(sam, admins, django_capture_on_commit_callbacks):
    _certificate(sam)
    with django_capture_on_commit_callbacks(execute=True):
        user_name_change(user=sam, first_name="Sam", last_name="Rivera")
        assert mail.outbox == []
    assert len(mail.outbox) == 2  # the team's email and Sam's own


def test_corrections_are_in_the_data_download_and_go_when_the_account_closes(sam, django_capture_on_commit_callbacks):
    _change(sam, django_capture_on_commit_callbacks, last_name="Quillfeather")
    (correction,) = user_data(user=sam)["account"]["name_corrections"]
    assert (correction["from"], correction["to"]) == ("Sam Rivers", "Sam Quillfeather")
    with django_capture_on_commit_callbacks(execute=True):
        account_close(user=sam, password=PASSWORD)
    assert not NameChange.objects.filter(user=sam).exists()


TOO_MANY = (
    "You've changed your name 5 times today. Please try again tomorrow, or ask the programme team if something's wrong."
)
FIVE_NAMES = ["Rivera", "Rivero", "Riviera", "Rivers-Lee", "Rivas"]


def test_a_sixth_change_in_a_day_is_refused_and_nothing_is_saved_or_sent(
    sam, admins, django_capture_on_commit_callbacks
):
    _certificate(sam)
    for last_name in FIVE_NAMES:
        assert _change(sam, django_capture_on_commit_callbacks, last_name=last_name).changed
    mail.outbox.clear()
    with pytest.raises(AccountError) as caught:
        _change(sam, django_capture_on_commit_callbacks, last_name="Quill")
    assert (caught.value.code, caught.value.message) == ("too_many_changes", TOO_MANY)
    sam.refresh_from_db()
    assert sam.last_name == "Rivas"
    assert NameChange.objects.filter(user=sam).count() == 5
    assert mail.outbox == []
    # Saving the name already held isn't a change, so it still just says so.
    assert not _change(sam, django_capture_on_commit_callbacks, last_name="Rivas").changed


@pytest.mark.parametrize(
    ("age", "allowed"), [(timedelta(hours=23, minutes=59), False), (timedelta(hours=24, minutes=1), True)]
)
def test_changes_count_for_24_hours(sam, age, allowed, django_capture_on_commit_callbacks):
    for last_name in FIVE_NAMES:
        _change(sam, django_capture_on_commit_callbacks, last_name=last_name)
    NameChange.objects.filter(user=sam, new_last_name="Rivera").update(changed_at=timezone.now() - age)
    if allowed:
        assert _change(sam, django_capture_on_commit_callbacks, last_name="Quill").changed
    else:
        with pytest.raises(AccountError, match="5 times today"):
            _change(sam, django_capture_on_commit_callbacks, last_name="Quill")


def test_the_limit_is_each_persons_own(sam, django_capture_on_commit_callbacks):
    other = UserFactory(username="jo", first_name="Jo", last_name="Park")
    for last_name in FIVE_NAMES:
        _change(other, django_capture_on_commit_callbacks, first_name="Jo", last_name=last_name)
    assert _change(sam, django_capture_on_commit_callbacks).changed


# The page ---------------------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/my-data/name/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/my-data/name/"
    assert client.post("/my-data/name/", {"first_name": "Sam", "last_name": "Rivera"}).status_code == 302


def test_the_page_starts_from_the_current_name_and_stays_out_of_caches(client, sam):
    client.force_login(sam)
    response = client.get("/my-data/name/")
    assert response.status_code == 200
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex"
    page = BeautifulSoup(response.content, "html.parser")
    assert page.find("h1").get_text(strip=True) == "Correct your name"
    assert page.find("input", attrs={"name": "first_name"})["value"] == "Sam"
    assert page.find("input", attrs={"name": "last_name"})["value"] == "Rivers"
    assert "printed on any certificate you're issued from now on" in page.get_text(" ", strip=True)
    assert page.find(id="certificates-keep-their-name") is None  # no certificates, nothing to say about them
    assert client.head("/my-data/name/").status_code == 200
    assert client.put("/my-data/name/").status_code == 405


def test_the_page_says_certificates_keep_their_name_until_reissued(client, sam):
    certificate = _certificate(sam)
    _certificate(sam, abbreviation="OLD", state=State.REVOKED)
    client.force_login(sam)
    note = BeautifulSoup(client.get("/my-data/name/").content, "html.parser").find(id="certificates-keep-their-name")
    text = " ".join(note.get_text(" ", strip=True).split())
    assert "Your certificate keeps the name it was issued with" in text
    assert f"{certificate.number}, Certified Peer Specialist (CPS): issued to Sam Rivers" in text
    assert "When you save a new name, we'll ask the programme team to reissue it under your new name." in text
    assert "OLD-" not in text  # revoked: nothing to reissue


@pytest.mark.parametrize("role", [TRAINEE, SUPERVISOR, VERIFIER, PROGRAMME_ADMIN])
def test_everyone_signed_in_can_correct_their_own_name(client, role):
    person = UserFactory(first_name="Alex", last_name="Smiht", roles=[role])
    client.force_login(person)
    response = client.post("/my-data/name/", {"first_name": "Alex", "last_name": "Smith"})
    assert response.status_code == 302 and response["Location"] == "/my-data/"
    person.refresh_from_db()
    assert person.get_full_name() == "Alex Smith"
    page = client.get("/my-data/")
    assert _message_text(page) == ["Your name is now Alex Smith."]
    assert "We have your name as <strong>Alex Smith</strong>" in page.content.decode()


def test_only_the_signed_in_persons_name_changes(client, sam):
    other = UserFactory(username="other", first_name="Jo", last_name="Park")
    client.force_login(sam)
    data = {"first_name": "Sam", "last_name": "Rivera", "user": other.pk, "user_id": other.pk, "username": "other"}
    client.post("/my-data/name/", data)
    client.post(f"/my-data/name/?user={other.pk}", data)
    other.refresh_from_db()
    sam.refresh_from_db()
    assert (other.get_full_name(), other.username) == ("Jo Park", "other")
    assert (sam.get_full_name(), sam.username) == ("Sam Rivera", "sam")
    assert list(NameChange.objects.values_list("user_id", flat=True)) == [sam.pk]


@pytest.mark.parametrize(
    ("first_name", "last_name", "field", "message"),
    [
        (f"Sam{RTL_OVERRIDE}", "Rivera", "first_name", f"Your first name {HIDDEN}"),
        ("Sam", "", "last_name", LAST_REQUIRED),
        ("S" * 150, "R" * 150, "last_name", WHOLE_NAME_TOO_LONG),
    ],
)
def test_a_refused_name_is_shown_again_with_the_reason(client, sam, first_name, last_name, field, message):
    client.force_login(sam)
    response = client.post("/my-data/name/", {"first_name": first_name, "last_name": last_name})
    assert response.status_code == 400
    assert "no-store" in response["Cache-Control"]
    page = BeautifulSoup(response.content, "html.parser")
    summary = page.find(id="error-summary")
    assert summary.find("h2").get_text(strip=True) == "Your name hasn't been changed yet"
    label = "First name" if field == "first_name" else "Last name"
    assert [item.get_text(strip=True) for item in summary.find_all("li")] == [f"{label}: {message}"]
    assert summary.find("a")["href"] == f"#id_{field}"
    assert page.find("input", attrs={"name": "first_name"})["value"] == first_name  # what was typed is kept
    assert page.find("input", attrs={"name": "last_name"}).get("value", "") == last_name
    sam.refresh_from_db()
    assert sam.get_full_name() == "Sam Rivers"
    assert not NameChange.objects.exists()


def test_a_sixth_change_in_a_day_is_refused_on_the_page_with_what_was_typed_kept(
    client, sam, django_capture_on_commit_callbacks
):
    client.force_login(sam)
    for last_name in FIVE_NAMES:
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post("/my-data/name/", {"first_name": "Sam", "last_name": last_name}).status_code == 302
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/my-data/name/", {"first_name": "Samuel", "last_name": "Quill"})
    assert response.status_code == 400
    page = BeautifulSoup(response.content, "html.parser")
    summary = page.find(id="error-summary")
    assert summary.find("h2").get_text(strip=True) == "Your name hasn't been changed yet"
    assert [item.get_text(strip=True) for item in summary.find_all("li")] == [TOO_MANY]
    assert page.find("input", attrs={"name": "first_name"})["value"] == "Samuel"
    assert page.find("input", attrs={"name": "last_name"})["value"] == "Quill"
    sam.refresh_from_db()
    assert sam.get_full_name() == "Sam Rivas"
    assert NameChange.objects.filter(user=sam).count() == 5
    assert mail.outbox == []


def test_after_a_change_with_certificates_the_person_is_told_the_team_was_asked(
    client, sam, admins, django_capture_on_commit_callbacks
):
    certificate = _certificate(sam)
    client.force_login(sam)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/my-data/name/", {"first_name": "Sam", "last_name": "Rivera"}, follow=True)
    assert _message_text(response) == [
        "Your name is now Sam Rivera. We've asked the programme team to reissue your certificate with it."
    ]
    assert len(_team_mail()) == 1
    certificate.refresh_from_db()
    assert certificate.holder_name == "Sam Rivers"


def test_after_a_change_the_person_is_told_a_suspended_certificate_waits(
    client, sam, admins, django_capture_on_commit_callbacks
):
    _certificate(sam, state=State.SUSPENDED, state_reason="A complaint.")
    client.force_login(sam)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/my-data/name/", {"first_name": "Sam", "last_name": "Rivera"}, follow=True)
    assert _message_text(response) == [
        "Your name is now Sam Rivera. We've asked the programme team to reissue your certificate with it. It's "
        "suspended, so it can be reissued only once it's reinstated."
    ]


def test_when_nobody_can_be_asked_the_person_is_told_to_ask(client, sam):
    _certificate(sam)
    client.force_login(sam)
    response = client.post("/my-data/name/", {"first_name": "Sam", "last_name": "Rivera"}, follow=True)
    assert _message_text(response) == [
        "Your name is now Sam Rivera. Your certificate keeps the name it was issued with: please ask the programme "
        "team to reissue it."
    ]


def test_saving_the_same_name_says_nothing_changed(client, sam):
    client.force_login(sam)
    response = client.post("/my-data/name/", {"first_name": "Sam ", "last_name": " Rivers"}, follow=True)
    assert response.redirect_chain == [("/my-data/", 302)]
    assert _message_text(response) == ["Your name was already Sam Rivers, so nothing has changed."]
    assert not NameChange.objects.exists()


def test_my_data_links_to_the_page(client, sam):
    client.force_login(sam)
    page = BeautifulSoup(client.get("/my-data/").content, "html.parser")
    section = page.find(id="name-title").parent
    assert "We have your name as Sam Rivers." in " ".join(section.get_text(" ", strip=True).split()).replace(" .", ".")
    link = section.find("a", href="/my-data/name/")
    assert link.get_text(strip=True) == "Correct your name"
