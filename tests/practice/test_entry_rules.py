"""The practice-log rules as the trainee meets them: through the service and on the form, with clear messages."""

from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from practice.models import PracticeEntry
from practice.services import EntryInvalid, entry_create, entry_update
from tests.factories import PASSWORD, build_assignment, entry_data, supervision_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def assignment():
    return build_assignment()


def _codes(assignment, **overrides) -> list[str]:
    try:
        entry_create(trainee=assignment.trainee, data=entry_data(assignment, **overrides))
    except EntryInvalid as error:
        return error.codes
    return []


@pytest.mark.parametrize(
    ("hours", "confirmed", "codes"),
    [
        (0, False, ["too_short"]),
        (0.25, False, []),
        (12, False, []),
        (12.25, False, ["needs_confirmation"]),
        (12.25, True, []),
        (24, True, []),
        (24.25, True, ["too_long"]),
    ],
)
def test_duration_boundaries(assignment, hours, confirmed, codes):
    assert _codes(assignment, minutes=int(hours * 60), long_day_confirmed=confirmed) == codes


def test_a_refused_entry_saves_nothing(assignment):
    assert _codes(assignment, minutes=0) == ["too_short"]
    assert not PracticeEntry.objects.exists()


def test_today_is_fine_and_tomorrow_is_refused(assignment):
    today = timezone.localdate()
    assert _codes(assignment, performed_on=today) == []
    assert _codes(assignment, performed_on=today + timedelta(days=1)) == ["future_date"]


def test_a_day_over_24_hours_is_refused(assignment):
    day = timezone.localdate() - timedelta(days=3)
    assert _codes(assignment, performed_on=day, minutes=20 * 60, long_day_confirmed=True) == []
    assert _codes(assignment, performed_on=day, minutes=4 * 60, long_day_confirmed=True) == []
    assert _codes(assignment, performed_on=day, minutes=15) == ["day_over_24h"]


def test_a_day_above_12_hours_asks_for_confirmation(assignment):
    day = timezone.localdate() - timedelta(days=3)
    assert _codes(assignment, performed_on=day, minutes=8 * 60) == []
    assert _codes(assignment, performed_on=day, minutes=5 * 60) == ["needs_confirmation"]
    assert _codes(assignment, performed_on=day, minutes=5 * 60, long_day_confirmed=True) == []


def test_overlaps_are_refused_but_touching_entries_are_fine(assignment):
    day = timezone.localdate() - timedelta(days=2)
    assert _codes(assignment, performed_on=day, start_time=time(9, 0), minutes=120) == []
    assert _codes(assignment, performed_on=day, start_time=time(10, 0), minutes=60) == ["overlap"]
    assert _codes(assignment, performed_on=day, start_time=time(8, 0), minutes=75) == ["overlap"]
    assert _codes(assignment, performed_on=day, start_time=time(11, 0), minutes=60) == []  # starts as one ends
    assert _codes(assignment, performed_on=day, start_time=time(8, 0), minutes=60) == []  # ends as one starts
    assert _codes(assignment, performed_on=day, minutes=60) == []  # no start time, nothing to overlap


def test_an_overlap_across_midnight_is_refused(assignment):
    day = timezone.localdate() - timedelta(days=2)
    assert _codes(assignment, performed_on=day, start_time=time(23, 0), minutes=120) == []
    assert _codes(assignment, performed_on=day + timedelta(days=1), start_time=time(0, 30), minutes=60) == ["overlap"]


def test_supervision_and_practice_cannot_overlap_either(assignment):
    day = timezone.localdate() - timedelta(days=2)
    entry_create(trainee=assignment.trainee, data=supervision_data(assignment, performed_on=day, start_time=time(9, 0)))
    assert _codes(assignment, performed_on=day, start_time=time(9, 30), minutes=60) == ["overlap"]


def test_another_trainees_entries_never_count_against_you(assignment):
    day = timezone.localdate() - timedelta(days=2)
    other = build_assignment()
    entry_create(
        trainee=other.trainee,
        data=entry_data(other, performed_on=day, start_time=time(9, 0), minutes=24 * 60, long_day_confirmed=True),
    )
    assert _codes(assignment, performed_on=day, start_time=time(9, 0)) == []


def test_the_date_must_fall_inside_the_assignment():
    today = timezone.localdate()
    assignment = build_assignment(starts_on=today - timedelta(days=30), ends_on=today - timedelta(days=10))
    assert _codes(assignment, performed_on=today - timedelta(days=30)) == []
    assert _codes(assignment, performed_on=today - timedelta(days=10), start_time=time(8, 0)) == []
    assert _codes(assignment, performed_on=today - timedelta(days=31)) == ["outside_assignment"]
    assert _codes(assignment, performed_on=today - timedelta(days=9)) == ["outside_assignment"]


def test_you_can_only_log_against_your_own_assignment(assignment):
    other = build_assignment()
    with pytest.raises(EntryInvalid) as caught:
        entry_create(trainee=assignment.trainee, data=entry_data(other))
    assert caught.value.codes == ["not_your_assignment"]


def test_quarter_hours_only(assignment):
    assert _codes(assignment, minutes=50) == ["not_quarter_hours"]


def test_editing_an_entry_does_not_overlap_with_itself(assignment):
    day = timezone.localdate() - timedelta(days=2)
    entry = entry_create(
        trainee=assignment.trainee, data=entry_data(assignment, performed_on=day, start_time=time(9, 0), minutes=60)
    )
    updated = entry_update(
        trainee=assignment.trainee,
        entry_id=entry.pk,
        data=entry_data(assignment, performed_on=day, start_time=time(9, 30), minutes=90),
    )
    assert (updated.start_time, updated.minutes) == (time(9, 30), 90)


# The privacy screen


@pytest.mark.parametrize(
    ("text", "found", "code"),
    [
        ("Met with client John Smith at the drop-in.", "John Smith", "privacy_names"),
        ("Followed up by email with sam.taylor@example.com about the group.", "sam.taylor@example.com", "privacy"),
        ("Called them back on 07700 900123 after the session.", "07700 900123", "privacy"),
        ("Walked with them to 42 Harbour Street for the appointment.", "42 Harbour Street", "privacy"),
        ("Their DOB: 12/03/1985 came up while filling in the form.", "12/03/1985", "privacy"),
    ],
)
def test_identifying_details_hold_the_entry_back(assignment, text, found, code):
    with pytest.raises(EntryInvalid) as caught:
        entry_create(trainee=assignment.trainee, data=entry_data(assignment, reflection=text))
    assert caught.value.codes == [code]
    assert "must not identify the people you support" in caught.value.message
    assert found in caught.value.message
    assert not PracticeEntry.objects.exists()


@pytest.mark.parametrize(
    "text",
    [
        "Supported a peer in their twenties to prepare for a housing appointment.",
        "Co-facilitated the Tuesday group at Harbour Peer Support Centre with my supervisor.",
        "Worked with the Recovery College team on the March timetable.",
        "A long day: 2 sessions, 3 phone check-ins and 45 minutes of notes.",
        "Reflected on boundaries after the meeting on 3 March 2026.",
    ],
)
def test_ordinary_reflections_pass_the_privacy_screen(assignment, text):
    entry = entry_create(trainee=assignment.trainee, data=entry_data(assignment, reflection=text))
    assert entry.reflection == text


def test_supervision_topics_are_screened_too(assignment):
    with pytest.raises(EntryInvalid) as caught:
        entry_create(
            trainee=assignment.trainee,
            data=supervision_data(assignment, topics="Talked about my work with peer Maria Lopez."),
        )
    assert caught.value.problems[0][0] == "topics"


# On the form


def _post(client, assignment, overrides=None, **more):
    data = {
        "assignment": assignment.pk,
        "performed_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "start_time": "",
        "duration_hours": "1",
        "activity_type": "individual",
        "contact": "direct",
        "domains": [domain.pk for domain in entry_data(assignment).domains],
        "setting": "community",
        "delivery": "in_person",
        "reflection": "Listened well today.",
    }
    data.update(overrides or {}, **more)
    client.login(username=assignment.trainee.username, password=PASSWORD)
    return client.post(reverse("practice_entry_new"), data)


def test_the_form_saves_a_draft(client, assignment):
    response = _post(client, assignment, duration_hours="1.25")
    assert response.status_code == 302
    entry = PracticeEntry.objects.get()
    assert (entry.minutes, entry.status, entry.trainee) == (75, "draft", assignment.trainee)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"duration_hours": "0"}, "The duration must be more than 0."),
        ({"duration_hours": "0.3"}, "Record time in quarter hours"),
        ({"duration_hours": "25"}, "can&#x27;t be longer than 24 hours"),
        ({"duration_hours": "12.25"}, "tick the box to confirm"),
        ({"performed_on": (timezone.localdate() + timedelta(days=1)).isoformat()}, "hasn&#x27;t happened yet"),
        ({"reflection": "Sat with client Jane Doe all afternoon."}, "must not identify the people you support"),
        ({"duration_hours": "abc"}, "Enter a number."),
        ({"performed_on": "31/31/2026"}, "Enter a valid date."),
        ({"assignment": "999999"}, "Select a valid choice."),
    ],
)
def test_the_form_explains_each_refusal_and_keeps_what_was_typed(client, assignment, overrides, message):
    response = _post(client, assignment, overrides)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "Please check" in html
    assert "Listened well today." in html or "reflection" in overrides
    assert not PracticeEntry.objects.exists()


def test_the_confirmation_box_appears_and_then_lets_a_long_entry_through(client, assignment):
    response = _post(client, assignment, duration_hours="13")
    assert 'name="long_day_confirmed"' in response.content.decode()
    assert not PracticeEntry.objects.exists()
    response = _post(client, assignment, duration_hours="13", long_day_confirmed="on")
    assert response.status_code == 302
    assert PracticeEntry.objects.get().minutes == 13 * 60


def test_overlap_is_shown_on_the_start_time(client, assignment):
    day = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert _post(client, assignment, performed_on=day, start_time="09:00").status_code == 302
    response = _post(client, assignment, performed_on=day, start_time="09:30")
    assert "This overlaps another entry from 09:00 to 10:00" in response.content.decode()
    assert response.context["form"].errors["start_time"]


def test_a_trainee_without_an_assignment_is_told_why(client):
    from tests.factories import UserFactory

    trainee = UserFactory()
    client.login(username=trainee.username, password=PASSWORD)
    response = client.get(reverse("practice_entry_new"))
    assert response.status_code == 200
    html = response.content.decode().replace("&#x27;", "'")
    assert "you don't have one yet" in html
    assert f'href="{reverse("practice_supervisor_request")}">Ask for a supervisor</a>' in html


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"performed_on": "0001-01-01"}, "that date is too far in the past"),
        ({"performed_on": "9999-12-31"}, "hasn&#x27;t happened yet"),
        ({"duration_hours": "0.26"}, "Record time in quarter hours"),
        ({"duration_hours": "1.01"}, "Record time in quarter hours"),
        ({"duration_hours": "-1"}, "Ensure this value is greater than or equal to 0."),
        ({"duration_hours": "99999999"}, "Ensure that there are no more than"),
        ({"reflection": "x" * 5001}, "Ensure this value has at most 5000 characters"),
        ({"reflection": "Null\x00byte"}, "Null characters are not allowed."),
    ],
)
def test_hostile_input_gets_a_clear_error_not_a_500(client, assignment, overrides, message):
    response = _post(client, assignment, overrides)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not PracticeEntry.objects.exists()


def test_editing_a_returned_entry_takes_it_out_of_its_old_batch(client, assignment):
    from practice.services import entries_return, entries_submit

    entry = entry_create(trainee=assignment.trainee, data=entry_data(assignment))
    (batch,) = entries_submit(trainee=assignment.trainee, entry_ids=[entry.pk])
    entries_return(supervisor=assignment.supervisor, batch_id=batch.pk, entry_ids=[entry.pk], comment="Say more.")
    entry_update(
        trainee=assignment.trainee,
        entry_id=entry.pk,
        data=entry_data(assignment, reflection="A fuller reflection, now for my new supervisor."),
    )
    entry.refresh_from_db()
    assert (entry.status, entry.batch) == ("returned", None)
    client.login(username=assignment.supervisor.username, password=PASSWORD)
    page = client.get(reverse("practice_review_batch", args=[batch.pk])).content.decode()
    assert "now for my new supervisor" not in page


def test_a_huge_trainee_id_is_not_found(client, assignment):
    client.login(username=assignment.supervisor.username, password=PASSWORD)
    for name in ("practice_trainee_csv", "practice_trainee_pdf"):
        assert client.get(reverse(name, args=[10**30])).status_code == 404
