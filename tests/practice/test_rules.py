"""Practice-log rules at their boundaries, and the privacy screen on true positives and ordinary reflections."""

from datetime import date, time

import pytest

from practice.rules import (
    assignment_problem,
    date_problem,
    day_total_problem,
    duration_problem,
    long_day_problem,
    overlap_problem,
    privacy_findings,
)


@pytest.mark.parametrize(
    ("hours", "confirmed", "code"),
    [
        (0, False, "too_short"),
        (0.25, False, None),
        (12, False, None),
        (12.25, False, "needs_confirmation"),
        (12.25, True, None),
        (24, True, None),
        (24.25, True, "too_long"),
    ],
)
def test_duration_boundaries(hours, confirmed, code):
    problem = duration_problem(int(hours * 60), confirmed=confirmed)
    assert (problem.code if problem else None) == code


def test_duration_must_be_quarter_hours():
    assert duration_problem(20).code == "not_quarter_hours"
    assert duration_problem(20).message == "Record time in quarter hours (15, 30 or 45 minutes past the hour)."


def test_today_is_fine_and_tomorrow_is_refused():
    today = date(2026, 11, 21)
    assert date_problem(today, today=today) is None
    problem = date_problem(date(2026, 11, 22), today=today)
    assert problem.code == "future_date"
    assert problem.message == "You can't log practice for a date that hasn't happened yet."


def test_a_day_may_total_24_hours_but_not_more():
    assert day_total_problem(minutes_already=20 * 60, minutes=4 * 60) is None
    problem = day_total_problem(minutes_already=20 * 60, minutes=4 * 60 + 15)
    assert problem.code == "day_over_24h"
    assert "already logged 20 hours on this day" in problem.message


def test_a_day_above_12_hours_needs_confirmation_but_not_at_12():
    assert long_day_problem(minutes_already=8 * 60, minutes=4 * 60, confirmed=False) is None
    problem = long_day_problem(minutes_already=8 * 60, minutes=4 * 60 + 15, confirmed=False)
    assert problem.code == "needs_confirmation"
    assert "12.25 hours on this day" in problem.message
    assert long_day_problem(minutes_already=8 * 60, minutes=4 * 60 + 15, confirmed=True) is None


DAY = date(2026, 11, 20)


@pytest.mark.parametrize(
    ("start", "minutes", "code"),
    [
        (time(9, 0), 60, "overlap"),  # the same slot
        (time(9, 45), 60, "overlap"),  # starts inside
        (time(8, 30), 60, "overlap"),  # ends inside
        (time(10, 0), 60, None),  # starts exactly when the other ends
        (time(8, 0), 60, None),  # ends exactly when the other starts
        (None, 60, None),  # untimed entries never overlap
    ],
)
def test_overlaps_touching_end_to_start_are_allowed(start, minutes, code):
    problem = overlap_problem(day=DAY, start=start, minutes=minutes, others=[(DAY, time(9, 0), 60)])
    assert (problem.code if problem else None) == code


def test_overlap_across_midnight():
    late = [(DAY, time(23, 0), 120)]
    assert overlap_problem(day=date(2026, 11, 21), start=time(0, 30), minutes=30, others=late).code == "overlap"
    assert overlap_problem(day=date(2026, 11, 21), start=time(1, 0), minutes=30, others=late) is None


def test_date_must_fall_inside_the_assignment():
    starts, ends = date(2026, 1, 1), date(2026, 6, 30)
    assert assignment_problem(date(2026, 1, 1), starts=starts, ends=ends) is None
    assert assignment_problem(date(2026, 6, 30), starts=starts, ends=ends) is None
    assert assignment_problem(date(2025, 12, 31), starts=starts, ends=ends).code == "outside_assignment"
    assert assignment_problem(date(2026, 7, 1), starts=starts, ends=ends).code == "outside_assignment"
    assert assignment_problem(date(2030, 1, 1), starts=starts, ends=None) is None


@pytest.mark.parametrize(
    ("text", "kind", "found"),
    [
        ("Followed up by phone on 07700 900123 after the group.", "phone", "07700 900123"),
        ("Gave him the crisis line and his number +1 (555) 123-4567.", "phone", "+1 (555) 123-4567"),
        ("Sent resources to jo.bloggs@example.com afterwards.", "email", "jo.bloggs@example.com"),
        ("Visited her at 42 Mill Lane to help with forms.", "address", "42 Mill Lane"),
        ("Met near 1600 Pennsylvania Avenue for coffee.", "address", "1600 Pennsylvania Avenue"),
        ("Helped with a benefits form for SW1A 1AA.", "postcode", "SW1A 1AA"),
        ("Checked ID, DOB 12/03/1985, for the housing form.", "birth_date", "DOB 12/03/1985"),
        ("His date of birth: 3 March 1990 was on the form.", "birth_date", "date of birth: 3 March 1990"),
        ("Sat with John Smith while he waited for the appointment.", "name", "John Smith"),
        ("My peer Maria Lopez talked about her sister.", "name", "Maria Lopez"),
        ("The client Ahmed Khan asked about the group.", "name", "Ahmed Khan"),
    ],
)
def test_privacy_screen_finds_identifying_details(text, kind, found):
    assert (kind, found) in [(finding.kind, finding.text) for finding in privacy_findings(text)]


@pytest.mark.parametrize(
    "text",
    [
        "Co-facilitated a 90-minute group from 10:30 to 12:00 with Housing Services.",
        "Reflected on validation with my supervisor; I rushed to reassure again.",
        "Sat with a peer who had a difficult week; we practised grounding together.",
        "Group of 12 people; the third of 4 sessions in 2026.",
        "Session on 12/03/2025 about boundaries and self-disclosure.",
        "Worked through steps 1-3 of the wellness plan with a peer in her twenties.",
        "Attended the Hearing Voices Network meeting with Peer Support Team colleagues.",
        "Spent 1.5 hours on notes and a referral to the Crisis Team.",
        "",
    ],
)
def test_ordinary_reflections_pass_the_privacy_screen(text):
    assert privacy_findings(text) == []


def test_finding_messages_say_what_was_found():
    (finding,) = privacy_findings("email me at a@b.org")
    assert finding.message == "An email address: “a@b.org”"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Talked with Sarah about her week.", "name"),
        ("My client Marcus came in early.", "name"),
        ("Tel:07700900123", "phone"),
        ("phone:0412 345 678", "phone"),
        ("They asked me to call 555-1234.", "phone"),
        ("D.O.B. 12/03/1985", "birth_date"),
        ("DOB 1985-03-04", "birth_date"),
        ("They were born in March 1990.", "birth_date"),
        ("dob 3rd of March 1990", "birth_date"),
        ("Met them at 123 N. Main St for coffee.", "address"),
    ],
)
def test_privacy_screen_catches_single_names_and_other_forms(text, kind):
    assert kind in [finding.kind for finding in privacy_findings(text)]


@pytest.mark.parametrize(
    "text",
    [
        "Helped with Universal Credit forms.",
        "Shared with Lived Experience in mind.",
        "Practised with Motivational Interviewing techniques.",
        "Went along with Jobcentre Plus staff.",
        "A form to do with Social Security.",
        "A group called Open Minds met today.",
        "Prepared them for 1 Family Court hearing.",
        "We spent 2 Hours In Court waiting.",
        "The 5 Ways To Wellbeing walk went well.",
        "Shifts were 9.00-12.00 13.00-17.00 today.",
        "Talked with my supervisor about boundaries.",
        "Spent the evening with Mum after a hard shift.",
        "Shift from 10:30 to 12:00, then notes.",
        "Met with peers from the Hearing Voices group.",
    ],
)
def test_privacy_screen_lets_everyday_phrases_through(text):
    assert privacy_findings(text) == []
