"""Group supervision: a supervisor logs one session for several trainees; each confirms it (then it counts) or
declines it with a reason. The same rules as other entries: dates, durations, overlaps, privacy, who may do what."""

from datetime import date, time, timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from certificates.eligibility import programme_eligibility
from certificates.services import certificates_check
from lms.roles import PROGRAMME_ADMIN
from lms.trail import trail_sources
from practice.group import GroupSessionData, group_entry_confirm, group_entry_decline, group_session_create
from practice.minutes import approved_minutes
from practice.models import Attestation, Batch, GroupSession, Organisation, PracticeEntry
from practice.selectors import review_queue, trainee_entry_counts
from practice.services import EntryInvalid, PracticeError, entries_submit, entry_create, entry_delete, entry_update
from tests.factories import (
    UserFactory,
    approve_hours,
    build_assignment,
    build_programme,
    entry_data,
    supervision_data,
)

pytestmark = pytest.mark.django_db

Status = PracticeEntry.Status
TOPICS = "Boundaries on the warm line, and looking after ourselves after hard calls."


@pytest.fixture
def supervisor():
    return UserFactory(first_name="Sam", last_name="Okafor", roles=["Supervisor"])


@pytest.fixture
def assignments(supervisor):
    """Three current trainees of the supervisor's."""
    names = [("Robin", "Ash"), ("Kai", "Moreno"), ("Lee", "Park")]
    return [
        build_assignment(trainee=UserFactory(first_name=first, last_name=last), supervisor=supervisor)
        for first, last in names
    ]


def _yesterday() -> date:
    return timezone.localdate() - timedelta(days=1)


def _data(assignments, **overrides) -> GroupSessionData:
    values = {
        "trainee_ids": [assignment.trainee_id for assignment in assignments],
        "performed_on": _yesterday(),
        "start_time": time(14, 0),
        "minutes": 90,
        "delivery": "in_person",
        "topics": TOPICS,
    }
    values.update(overrides)
    return GroupSessionData(**values)


def _log(supervisor, assignments, capture=None, **overrides) -> GroupSession:
    if capture is None:
        return group_session_create(supervisor=supervisor, data=_data(assignments, **overrides))
    with capture(execute=True):
        return group_session_create(supervisor=supervisor, data=_data(assignments, **overrides))


def _entry(session, assignment) -> PracticeEntry:
    return PracticeEntry.objects.get(group_session=session, trainee=assignment.trainee)


def _invalid(supervisor, assignments, **overrides) -> list[tuple[str, str]]:
    with pytest.raises(EntryInvalid) as caught:
        _log(supervisor, assignments, **overrides)
    return [(problem.code, problem.message) for _, problem in caught.value.problems]


# Logging ------------------------------------------------------------------------------------------------------


def test_logging_makes_one_entry_per_trainee_waiting_for_them_and_emails_each(
    supervisor, assignments, django_capture_on_commit_callbacks
):
    session = _log(supervisor, assignments, django_capture_on_commit_callbacks)

    entries = list(session.entries.order_by("trainee__first_name"))
    assert [entry.trainee.first_name for entry in entries] == ["Kai", "Lee", "Robin"]
    for entry in entries:
        assert (entry.kind, entry.session_format, entry.status) == ("supervision", "group", Status.TO_CONFIRM)
        assert (entry.performed_on, entry.start_time, entry.minutes, entry.topics) == (
            _yesterday(),
            time(14, 0),
            90,
            TOPICS,
        )
        assert entry.assignment.supervisor == supervisor
        # Signed at logging, in a batch of its own that never reaches the review queue.
        assert entry.attestation.supervisor == supervisor
        assert entry.attestation.group_session == session
        assert entry.attestation.signed_name == "Sam Okafor"
        assert entry.attestation.credentials == "CPS Supervisor, Testland S-1"
        assert entry.batch.trainee == entry.trainee and entry.batch.status == Batch.Status.REVIEWED
        assert entry.attestation.batch == entry.batch
    assert list(review_queue(supervisor=supervisor)) == []
    assert sorted(message.to[0] for message in mail.outbox) == sorted(a.trainee.email for a in assignments)
    message = next(m for m in mail.outbox if m.to == [assignments[0].trainee.email])
    assert message.subject == "Sam Okafor logged a group supervision session for you to confirm"
    assert f"/practice/group-sessions/{session.pk}/" in message.body
    assert "Robin Ash" in message.body and "1.5 hours" in message.body
    assert TOPICS not in message.body  # the words stay on the site


def test_history_says_who_logged_it(supervisor, assignments):
    session = _log(supervisor, assignments)
    entry = _entry(session, assignments[0])
    (record,) = entry.history.all()
    assert record.history_user == supervisor
    assert record.history_change_reason == "Group session logged by Sam Okafor, waiting for the trainee to confirm it"
    (logged,) = session.history.all()
    assert (logged.history_user, logged.history_change_reason) == (supervisor, "Logged for 3 trainees")


def test_a_waiting_group_entry_must_be_attested_and_linked_to_its_session(supervisor, assignments):
    entry = _entry(_log(supervisor, assignments), assignments[0])
    with pytest.raises(IntegrityError), transaction.atomic():
        PracticeEntry.objects.filter(pk=entry.pk).update(attestation=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        PracticeEntry.objects.filter(pk=entry.pk).update(group_session=None)


def test_only_current_trainees_can_be_included(supervisor, assignments):
    stranger = build_assignment()  # someone else's trainee
    with pytest.raises(PracticeError) as caught:
        _log(supervisor, [*assignments, stranger])
    assert caught.value.code == "not_your_trainee"
    assert caught.value.message == "You can only include trainees you supervise now. Check the list and try again."
    assert not GroupSession.objects.exists() and not PracticeEntry.objects.exists()


def test_a_trainee_whose_assignment_ended_cant_be_included(supervisor, assignments):
    today = timezone.localdate()
    ended = build_assignment(
        supervisor=supervisor, starts_on=today - timedelta(days=100), ends_on=today - timedelta(days=1)
    )
    with pytest.raises(PracticeError) as caught:
        _log(supervisor, [assignments[0], ended], performed_on=today - timedelta(days=5))
    assert caught.value.code == "not_your_trainee"


def test_a_supervisor_never_includes_themselves(supervisor, assignments):
    with pytest.raises(PracticeError) as caught:
        _log(supervisor, assignments, trainee_ids=[assignments[0].trainee_id, supervisor.pk])
    assert caught.value.code == "own_entries"
    assert caught.value.message == "You can't include yourself: the session is logged for your trainees."


def test_someone_without_the_supervisor_role_cant_log_one(assignments):
    trainee = assignments[1].trainee
    with pytest.raises(PracticeError) as caught:
        _log(trainee, assignments[:1])
    assert caught.value.code == "not_allowed"


def test_nobody_chosen_is_refused(supervisor, assignments):
    with pytest.raises(PracticeError) as caught:
        _log(supervisor, assignments, trainee_ids=[])
    assert (caught.value.code, caught.value.message) == (
        "nobody_chosen",
        "Choose the trainees who were at the session.",
    )


def test_a_supervisor_without_a_profile_cant_sign(assignments):
    bare = UserFactory(roles=["Supervisor"])
    mine = build_assignment(supervisor=bare, profile=False)
    with pytest.raises(PracticeError) as caught:
        _log(bare, [mine])
    assert caught.value.code == "no_profile"


def test_the_date_must_have_happened_and_fall_in_each_trainees_assignment(supervisor, assignments):
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert _invalid(supervisor, assignments, performed_on=tomorrow) == [
        ("future_date", "You can't log practice for a date that hasn't happened yet.")
    ]
    recent = build_assignment(
        trainee=UserFactory(first_name="Ola", last_name="Berg"),
        supervisor=supervisor,
        starts_on=timezone.localdate() - timedelta(days=3),
    )
    ten_days_ago = timezone.localdate() - timedelta(days=10)
    assert _invalid(supervisor, [assignments[0], recent], performed_on=ten_days_ago) == [
        (
            "outside_assignment",
            f"You supervise Ola Berg from {recent.starts_on:%-d %b %Y}, and this date falls before that.",
        )
    ]


def test_durations_follow_the_entry_rules(supervisor, assignments):
    assert _invalid(supervisor, assignments, minutes=50)[0][0] == "not_quarter_hours"
    assert _invalid(supervisor, assignments, minutes=13 * 60)[0][0] == "needs_confirmation"
    session = _log(supervisor, assignments[:1], minutes=13 * 60, long_day_confirmed=True, start_time=None)
    assert session.minutes == 13 * 60


def test_an_overlap_with_an_entry_sent_to_the_supervisor_is_refused_naming_the_trainee(supervisor, assignments):
    sent = entry_create(
        trainee=assignments[1].trainee,
        data=entry_data(assignments[1], performed_on=_yesterday(), start_time=time(15, 0), minutes=60),
    )
    entries_submit(trainee=assignments[1].trainee, entry_ids=[sent.pk])
    problems = _invalid(supervisor, assignments)
    assert problems == [
        (
            "overlap",
            f"Kai Moreno already has an entry from 15:00 to 16:00 on {_yesterday():%-d %b %Y}, which overlaps this "
            "session. Check the time, or leave Kai Moreno out and ask them to log it themselves.",
        )
    ]
    session = _log(supervisor, [assignments[0], assignments[2]])  # without Kai, it's fine
    assert session.entries.count() == 2


def test_a_day_past_24_hours_is_refused(supervisor, assignments):
    sent = [
        entry_create(
            trainee=assignments[2].trainee,
            data=entry_data(assignments[2], minutes=hours * 60, long_day_confirmed=True, start_time=None),
        ).pk
        for hours in (12, 11)
    ]
    entries_submit(trainee=assignments[2].trainee, entry_ids=sent)
    assert _invalid(supervisor, assignments) == [
        (
            "day_over_24h",
            "Lee Park has already logged 23 hours on this day, so this session would take it past 24 hours.",
        )
    ]


def test_a_trainees_drafts_and_other_supervisors_entries_stay_theirs_until_they_confirm(supervisor, assignments):
    kai = assignments[1]
    entry_create(trainee=kai.trainee, data=entry_data(kai, performed_on=_yesterday(), start_time=time(15, 0)))
    elsewhere = build_assignment(trainee=kai.trainee)
    entry_create(
        trainee=kai.trainee, data=entry_data(elsewhere, performed_on=_yesterday(), start_time=time(14, 0), minutes=30)
    )
    session = _log(supervisor, assignments)  # nothing about Kai's day the supervisor hasn't been sent
    with pytest.raises(EntryInvalid) as caught:
        group_entry_confirm(trainee=kai.trainee, entry_id=_entry(session, kai).pk)
    assert caught.value.codes == ["overlap"]  # Kai sees the clash with their own entry when they answer


def test_the_same_session_cant_be_logged_twice(supervisor, assignments):
    _log(supervisor, assignments, start_time=None, minutes=120)
    problems = _invalid(supervisor, assignments[:1], start_time=None, minutes=120)
    assert problems == [
        (
            "repeated",
            f"You've already logged a group session for Robin Ash on {_yesterday():%-d %b %Y}. Open it from your "
            "list of sessions rather than logging it again.",
        )
    ]
    _log(supervisor, assignments[1:], start_time=time(14, 0))  # a timed session the same day is another one
    assert [code for code, _ in _invalid(supervisor, assignments[1:], start_time=time(14, 0))] == ["overlap"] * 2


def test_someone_without_the_trainee_role_is_never_included(supervisor):
    admin = build_assignment(trainee=UserFactory(roles=[PROGRAMME_ADMIN]), supervisor=supervisor)
    with pytest.raises(PracticeError) as caught:
        _log(supervisor, [admin])
    assert caught.value.code == "not_your_trainee"


def test_invisible_characters_dont_hide_contact_details_or_names(supervisor, assignments):
    for topics in ("Talked through a call from 07700\u200b900123.", "Emailed maria\u200b@example.org about it."):
        assert [code for code, _ in _invalid(supervisor, assignments, topics=topics)] == ["privacy"]
    assert [code for code, _ in _invalid(supervisor, assignments, topics="Worked with \u200bMaria Lopez.")] == [
        "privacy_names"
    ]


def test_one_word_of_a_placement_is_not_a_known_name(supervisor, assignments):
    Organisation.objects.filter(pk=assignments[0].organisation_id).update(name="Harbour Peer Centre")
    problems = _invalid(supervisor, assignments, topics="Planned the rota with Harbour.")
    assert [code for code, _ in problems] == ["privacy_names"]
    session = _log(supervisor, assignments, topics="Planned the rota with Harbour Peer Centre staff.")
    assert session.privacy_confirmation == ""


def test_topics_that_identify_someone_are_held_back(supervisor, assignments):
    problems = _invalid(supervisor, assignments, topics="Talked through a call from 07700 900123.")
    assert [code for code, _ in problems] == ["privacy"]
    assert "A phone number" in problems[0][1]


def test_names_of_the_trainees_and_the_supervisor_may_be_written(supervisor, assignments):
    session = _log(supervisor, assignments, topics="Robin led a role play with Kai; Sam Okafor gave feedback.")
    assert session.privacy_confirmation == ""


def test_another_name_needs_a_reason_which_every_entry_keeps(supervisor, assignments):
    assert [code for code, _ in _invalid(supervisor, assignments, topics="Role play with Jordan.")] == ["privacy_names"]
    session = _log(supervisor, assignments, topics="Role play with Jordan.", privacy_reason="my co-facilitator")
    expected = "“Jordan”: not a person I support (my co-facilitator)"
    assert session.privacy_confirmation == expected
    assert {entry.privacy_confirmation for entry in session.entries.all()} == {expected}


# Confirming --------------------------------------------------------------------------------------------------


def test_it_counts_only_once_the_trainee_confirms(supervisor, assignments):
    robin = assignments[0]
    approve_hours(robin, [entry_data(robin, minutes=240, performed_on=_yesterday() - timedelta(days=1))])
    programme = build_programme()
    session = _log(supervisor, assignments, minutes=60)
    entry = _entry(session, robin)

    assert approved_minutes(trainee=robin.trainee).supervision == 0
    assert trainee_entry_counts(trainee=robin.trainee).to_confirm == 1
    assert certificates_check(holder=robin.trainee) == []
    assert not programme_eligibility(user=robin.trainee, programme=programme, on=timezone.localdate()).met

    confirmed = group_entry_confirm(trainee=robin.trainee, entry_id=entry.pk)

    assert confirmed.status == Status.APPROVED and confirmed.attestation.group_session == session
    assert approved_minutes(trainee=robin.trainee).supervision == 60
    assert trainee_entry_counts(trainee=robin.trainee).to_confirm == 0
    assert programme_eligibility(user=robin.trainee, programme=programme, on=timezone.localdate()).met
    assert [certificate.holder for certificate in certificates_check(holder=robin.trainee)] == [robin.trainee]
    # The others still have theirs to confirm; nothing of theirs counts yet.
    assert approved_minutes(trainee=assignments[1].trainee).supervision == 0


def test_confirming_writes_history_in_the_trainees_name(supervisor, assignments):
    entry = _entry(_log(supervisor, assignments), assignments[0])
    group_entry_confirm(trainee=assignments[0].trainee, entry_id=entry.pk)
    latest = entry.history.order_by("-history_date", "-history_id").first()
    assert latest.history_user == assignments[0].trainee
    assert latest.status == Status.APPROVED
    assert latest.history_change_reason.startswith("Confirmed by the trainee: I was at this group session.")


def test_nobody_confirms_for_someone_else(supervisor, assignments):
    entry = _entry(_log(supervisor, assignments), assignments[0])
    for someone in (assignments[1].trainee, supervisor, UserFactory()):
        with pytest.raises(PracticeError) as caught:
            group_entry_confirm(trainee=someone, entry_id=entry.pk)
        assert caught.value.code == "not_found"
        with pytest.raises(PracticeError):
            group_entry_decline(trainee=someone, entry_id=entry.pk, reason="Not me.")
    assert PracticeEntry.objects.get(pk=entry.pk).status == Status.TO_CONFIRM


def test_an_ordinary_entry_cant_be_confirmed_this_way(assignments):
    own = entry_create(trainee=assignments[0].trainee, data=supervision_data(assignments[0]))
    with pytest.raises(PracticeError) as caught:
        group_entry_confirm(trainee=assignments[0].trainee, entry_id=own.pk)
    assert caught.value.code == "not_found"


def test_answering_twice_is_refused(supervisor, assignments):
    session = _log(supervisor, assignments)
    first, second = _entry(session, assignments[0]), _entry(session, assignments[1])
    group_entry_confirm(trainee=assignments[0].trainee, entry_id=first.pk)
    with pytest.raises(PracticeError) as caught:
        group_entry_decline(trainee=assignments[0].trainee, entry_id=first.pk, reason="Changed my mind.")
    assert (caught.value.code, caught.value.message) == ("already_answered", "You've already confirmed this session.")
    group_entry_decline(trainee=assignments[1].trainee, entry_id=second.pk, reason="I was on leave.")
    with pytest.raises(PracticeError) as caught:
        group_entry_confirm(trainee=assignments[1].trainee, entry_id=second.pk)
    assert caught.value.message == "You've already said you weren't at this session."


def test_confirming_checks_the_trainees_day_again(supervisor, assignments):
    robin = assignments[0]
    entry = _entry(_log(supervisor, assignments, minutes=120, start_time=None), robin)
    # Logged since: 11 hours the same day, so confirming makes a day above 12 hours.
    entry_create(
        trainee=robin.trainee,
        data=entry_data(robin, performed_on=_yesterday(), minutes=11 * 60, start_time=None, long_day_confirmed=True),
    )
    with pytest.raises(EntryInvalid) as caught:
        group_entry_confirm(trainee=robin.trainee, entry_id=entry.pk)
    assert caught.value.codes == ["needs_confirmation"]
    assert group_entry_confirm(trainee=robin.trainee, entry_id=entry.pk, long_day_confirmed=True).long_day_confirmed


def test_confirming_refuses_an_overlap_that_slipped_in(supervisor, assignments):
    robin = assignments[0]
    entry = _entry(_log(supervisor, assignments), robin)
    # The trainee's own saves refuse the overlap (the waiting session counts); one written past the services is
    # still caught when they confirm.
    with pytest.raises(EntryInvalid) as caught:
        entry_create(trainee=robin.trainee, data=entry_data(robin, performed_on=_yesterday(), start_time=time(15, 0)))
    assert caught.value.codes == ["overlap"]
    PracticeEntry.objects.create(
        trainee=robin.trainee,
        assignment=robin,
        performed_on=_yesterday(),
        start_time=time(15, 0),
        minutes=60,
        activity_type="outreach",
        contact="direct",
        delivery="in_person",
    )
    with pytest.raises(EntryInvalid) as caught:
        group_entry_confirm(trainee=robin.trainee, entry_id=entry.pk)
    assert caught.value.codes == ["overlap"]


def test_a_group_entry_cant_be_edited_or_deleted_while_waiting(supervisor, assignments):
    robin = assignments[0]
    entry = _entry(_log(supervisor, assignments), robin)
    with pytest.raises(PracticeError) as caught:
        entry_update(trainee=robin.trainee, entry_id=entry.pk, data=supervision_data(robin, session_format="group"))
    assert caught.value.message == "Your supervisor logged this group session: confirm it, or say you weren't there."
    with pytest.raises(PracticeError):
        entry_delete(trainee=robin.trainee, entry_id=entry.pk)


# Declining ---------------------------------------------------------------------------------------------------


def test_declining_keeps_the_reason_for_the_supervisor_and_emails_them(
    supervisor, assignments, django_capture_on_commit_callbacks
):
    session = _log(supervisor, assignments)
    entry = _entry(session, assignments[1])
    with django_capture_on_commit_callbacks(execute=True):
        declined = group_entry_decline(trainee=assignments[1].trainee, entry_id=entry.pk, reason="  I was on leave. ")

    assert (declined.status, declined.decline_reason, declined.attestation) == (
        Status.DECLINED,
        "I was on leave.",
        None,
    )
    assert Attestation.objects.filter(group_session=session).count() == 3  # the signature stays on record
    latest = declined.history.order_by("-history_date", "-history_id").first()
    assert (latest.history_user, latest.history_change_reason) == (assignments[1].trainee, "Declined: I was on leave.")
    assert approved_minutes(trainee=assignments[1].trainee).supervision == 0
    (message,) = mail.outbox
    assert message.to == [supervisor.email]
    assert message.subject == f"Kai Moreno wasn't at your group session of {_yesterday():%-d %b %Y}"
    assert f"/practice/review/group-sessions/{session.pk}/" in message.body
    assert "I was on leave" not in message.body


def test_declining_needs_a_reason_without_identifying_details(supervisor, assignments):
    entry = _entry(_log(supervisor, assignments), assignments[0])
    trainee = assignments[0].trainee
    for reason, code in [
        (" \u200b ", "reason_required"),
        ("Call me on 07700 900123", "privacy"),
        ("x" * 301, "too_long"),
    ]:
        with pytest.raises(PracticeError) as caught:
            group_entry_decline(trainee=trainee, entry_id=entry.pk, reason=reason)
        assert caught.value.code == code
    assert PracticeEntry.objects.get(pk=entry.pk).status == Status.TO_CONFIRM


def test_a_declined_session_takes_no_time_from_the_trainees_day(supervisor, assignments):
    robin = assignments[0]
    entry = _entry(_log(supervisor, assignments), robin)
    group_entry_decline(trainee=robin.trainee, entry_id=entry.pk, reason="I wasn't there.")
    own = entry_create(trainee=robin.trainee, data=entry_data(robin, performed_on=_yesterday(), start_time=time(14, 0)))
    assert own.status == Status.DRAFT


def test_the_audit_trail_withholds_the_reason_and_the_topics():
    sources = trail_sources()
    assert "decline_reason" in sources["entry"].withheld and "Declined:" in sources["entry"].comment_reasons
    assert {"topics", "privacy_confirmation"} <= sources["group_session"].withheld
    assert sources["group_session"].person == "supervisor_id"


# The data export and closing an account ------------------------------------------------------------------------


def test_each_trainees_export_holds_their_entry_and_the_supervisors_holds_the_session(supervisor, assignments):
    from privacy.export import user_data

    session = _log(supervisor, assignments)
    entry = _entry(session, assignments[1])
    group_entry_decline(trainee=assignments[1].trainee, entry_id=entry.pk, reason="I was on leave.")

    (exported,) = user_data(user=assignments[1].trainee)["practice"]["supervision_sessions"]
    assert exported["group_session_logged_by_your_supervisor"] == session.pk
    assert (exported["status"], exported["your_reason_for_declining"]) == ("Declined", "I was on leave.")
    assert exported["history"][-1]["who"] == "You"

    supervising = user_data(user=supervisor)["supervising"]
    (logged,) = supervising["group_sessions_logged"]
    assert (logged["id"], logged["topics"], logged["trainees_included"]) == (session.pk, TOPICS, 3)
    assert {sign_off["group_session"] for sign_off in supervising["sign_offs_given"]} == {session.pk}


def test_a_trainee_with_a_session_to_confirm_can_close_their_account(supervisor, assignments):
    from privacy.services import account_close
    from tests.factories import PASSWORD

    session = _log(supervisor, assignments)
    robin = assignments[0].trainee
    group_entry_decline(
        trainee=assignments[1].trainee, entry_id=_entry(session, assignments[1]).pk, reason="I was on leave."
    )
    account_close(user=robin, password=PASSWORD)

    assert not PracticeEntry.objects.filter(trainee=robin).exists()
    assert not Attestation.objects.filter(batch__trainee=robin).exists()
    assert session.entries.count() == 2  # the others' entries, and the session itself, stay
    kai = assignments[1].trainee
    account_close(user=kai, password=PASSWORD)
    assert not PracticeEntry.history.filter(trainee_id=kai.pk).exclude(decline_reason="").exists()
    assert not PracticeEntry.history.filter(trainee_id=kai.pk, history_change_reason__startswith="Declined:").exists()
