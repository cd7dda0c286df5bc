"""The programme's observed skills checks: how many different skills, counted inside the hours window, in one query."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certificates.eligibility import evidence_snapshot, programme_eligibility
from practice.minutes import skills_passed
from practice.skills import BOUNDARIES, LISTENING, VALIDATION
from tests.factories import build_assignment, build_programme, skills_check

pytestmark = pytest.mark.django_db


@pytest.fixture
def assignment():
    return build_assignment(starts_on=timezone.localdate() - timedelta(days=1200))


def _line(programme, user, on=None):
    eligibility = programme_eligibility(user=user, programme=programme, on=on or timezone.localdate())
    return next(line for line in eligibility.requirements if line.key == "skills"), eligibility


def test_a_programme_without_skills_checks_has_no_line(assignment):
    programme = build_programme(practice_hours=0, supervision_hours=0)
    eligibility = programme_eligibility(user=assignment.trainee, programme=programme, on=timezone.localdate())
    assert "skills" not in {line.key for line in eligibility.requirements}


def test_the_line_counts_different_skills_and_says_how_to_get_one(assignment):
    programme = build_programme(practice_hours=0, supervision_hours=0, skills_checks_required=3)
    skills_check(assignment, LISTENING)
    skills_check(assignment, LISTENING, days_ago=2)  # the same skill again counts once
    skills_check(assignment, VALIDATION, days_ago=3)
    skills_check(assignment, BOUNDARIES, days_ago=4, approve=False)  # waiting for the supervisor: not yet
    line, _ = _line(programme, assignment.trainee)
    assert (line.met, line.summary) == (False, "Observed skills checks: 2 of 3 skills")
    assert line.next_step == (
        "Ask your supervisor to watch you in a short role-play of a skill you haven't passed yet "
        "(boundary-setting, crisis hand-off), then log it as a skills check and send it to them."
    )
    assert line.next_url == reverse("practice_entry_new")
    assert line.percent == 66


def test_the_line_is_met_at_the_number_of_skills_and_goes_in_the_evidence(assignment):
    programme = build_programme(practice_hours=0, supervision_hours=0, skills_checks_required=2)
    skills_check(assignment, LISTENING)
    skills_check(assignment, VALIDATION, days_ago=2)
    line, eligibility = _line(programme, assignment.trainee)
    assert (line.met, line.summary, line.next_step) == (True, "Observed skills checks: 2 of 2 skills", "")
    evidence = evidence_snapshot(user=assignment.trainee, eligibility=eligibility)
    assert evidence["skills_checks_passed"] == [LISTENING, VALIDATION]
    assert {"key": "skills", "summary": "Observed skills checks: 2 of 2 skills", "met": True} in evidence[
        "requirements"
    ]


def test_only_checks_inside_the_hours_window_count(assignment):
    programme = build_programme(practice_hours=0, supervision_hours=0, skills_checks_required=2, hours_window_months=12)
    skills_check(assignment, LISTENING, days_ago=10)
    skills_check(assignment, VALIDATION, days_ago=400)  # more than 12 months ago
    line, _ = _line(programme, assignment.trainee)
    assert (line.met, line.summary) == (False, "Observed skills checks: 1 of 2 skills")
    line, _ = _line(programme, assignment.trainee, on=timezone.localdate() - timedelta(days=300))
    assert line.summary == "Observed skills checks: 1 of 2 skills"  # then: the older one counted, the newer not yet


def test_the_count_is_one_query(assignment):
    skills_check(assignment, LISTENING)
    with CaptureQueriesContext(connection) as captured:
        assert skills_passed(trainee=assignment.trainee, since=timezone.localdate() - timedelta(days=30)) == {LISTENING}
    assert len(captured) == 1


def test_a_programme_asks_for_at_most_the_four_skills():
    programme = build_programme(skills_checks_required=5)
    with pytest.raises(ValidationError) as caught:
        programme.full_clean()
    assert "skills_checks_required" in caught.value.message_dict
