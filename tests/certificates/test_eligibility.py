"""Each programme requirement at its boundary: met exactly at the figure needed, unmet a quarter-hour below."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from certificates.eligibility import add_months, hours_text, programme_eligibility
from certificates.ethics import ethics_attestation_sign
from certificates.models import Certificate
from certificates.services import certificate_issue_if_eligible
from courses.services import enrolment_create, lesson_complete
from tests.courses.test_quiz_attempts import take
from tests.factories import (
    approve_hours,
    build_assignment,
    build_course,
    build_programme,
    build_quiz,
    entry_data,
    supervision_data,
)

pytestmark = pytest.mark.django_db
NO_MINIMUMS = {"practice_hours": 0, "supervision_hours": 0}


def line(eligibility, key):
    return next(requirement for requirement in eligibility.requirements if requirement.key == key)


def check(programme, user, on=None):
    return programme_eligibility(user=user, programme=programme, on=on or timezone.localdate())


def days_ago(n):
    return timezone.localdate() - timedelta(days=n)


@pytest.fixture
def assignment():
    return build_assignment(starts_on=timezone.localdate() - timedelta(days=1200))


def test_hours_text_reads_like_a_person_writes_hours():
    assert [hours_text(m) for m in (0, 15, 60, 90, 735, 1110, 1500)] == ["0", "0.25", "1", "1.5", "12.25", "18.5", "25"]


def test_add_months_clamps_to_the_end_of_short_months():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 2, 29), -12) == date(2027, 2, 28)
    assert add_months(date(2026, 11, 21), -36) == date(2023, 11, 21)


@pytest.mark.parametrize(("minutes", "met"), [(240, True), (225, False)])
def test_total_practice_hours_boundary(assignment, minutes, met):
    programme = build_programme(practice_hours=4, supervision_hours=0)
    approve_hours(assignment, [entry_data(assignment, minutes=minutes)])
    requirement = line(check(programme, assignment.trainee), "practice")
    assert requirement.met is met
    assert requirement.summary == f"Approved practice: {hours_text(minutes)} of 4 h"
    assert (requirement.next_step == "") is met
    if not met:
        assert requirement.next_step == "Log 0.25 more hours of practice and send them to your supervisor."


def test_hours_waiting_for_review_do_not_count(assignment):
    from practice.services import entries_submit, entry_create

    programme = build_programme(practice_hours=1, supervision_hours=0)
    entry = entry_create(trainee=assignment.trainee, data=entry_data(assignment, minutes=60))
    entries_submit(trainee=assignment.trainee, entry_ids=[entry.pk])
    assert line(check(programme, assignment.trainee), "practice").met is False


@pytest.mark.parametrize(("minutes", "met"), [(120, True), (105, False)])
def test_per_domain_minimum_boundary(assignment, minutes, met):
    from content.models import CompetencyDomain

    programme = build_programme(**NO_MINIMUMS, domain_hours={"advocacy": 2})
    advocacy = CompetencyDomain.objects.get(slug="advocacy")
    other = CompetencyDomain.objects.exclude(slug="advocacy").first()
    approve_hours(
        assignment,
        [
            entry_data(assignment, minutes=minutes, domains=[advocacy]),
            entry_data(assignment, minutes=600, domains=[other], performed_on=days_ago(2)),
        ],
    )
    requirement = line(check(programme, assignment.trainee), "domain:advocacy")
    assert requirement.met is met
    assert requirement.summary == f"{advocacy.name}: {hours_text(minutes)} of 2 h"


def test_an_entry_tagged_with_two_domains_counts_towards_both(assignment):
    from content.models import CompetencyDomain

    programme = build_programme(**NO_MINIMUMS, domain_hours={"advocacy": 1, "recovery-wellness": 1})
    domains = list(CompetencyDomain.objects.filter(slug__in=["advocacy", "recovery-wellness"]))
    approve_hours(assignment, [entry_data(assignment, minutes=60, domains=domains)])
    eligibility = check(programme, assignment.trainee)
    assert line(eligibility, "domain:advocacy").met and line(eligibility, "domain:recovery-wellness").met


@pytest.mark.parametrize(("minutes", "met"), [(180, True), (165, False)])
def test_per_activity_minimum_boundary(assignment, minutes, met):
    programme = build_programme(**NO_MINIMUMS, activity_hours={"group": 3})
    approve_hours(
        assignment,
        [
            entry_data(assignment, minutes=minutes, activity_type="group"),
            entry_data(assignment, minutes=300, activity_type="individual", performed_on=days_ago(2)),
        ],
    )
    requirement = line(check(programme, assignment.trainee), "activity:group")
    assert requirement.met is met
    assert requirement.summary == f"Group facilitation: {hours_text(minutes)} of 3 h"


@pytest.mark.parametrize(("minutes", "met"), [(90, True), (75, False)])
def test_supervision_hours_boundary(assignment, minutes, met):
    programme = build_programme(practice_hours=0, supervision_hours=Decimal("1.5"))
    approve_hours(assignment, [supervision_data(assignment, minutes=minutes)])
    requirement = line(check(programme, assignment.trainee), "supervision")
    assert requirement.met is met
    assert requirement.summary == f"Supervision: {hours_text(minutes)} of 1.5 h"


@pytest.mark.parametrize(("supervision", "met"), [(60, True), (45, False)])
def test_supervision_ratio_boundary(assignment, supervision, met):
    programme = build_programme(**NO_MINIMUMS, supervision_ratio_hours=1, supervision_ratio_per=20)
    approve_hours(
        assignment,
        [
            entry_data(assignment, minutes=600, performed_on=days_ago(1)),
            entry_data(assignment, minutes=600, performed_on=days_ago(2)),
            supervision_data(assignment, minutes=supervision, performed_on=days_ago(3)),
        ],
    )
    requirement = line(check(programme, assignment.trainee), "ratio")
    assert requirement.met is met
    assert requirement.summary == (
        f"Supervision ratio (1 h per 20 h of practice): {hours_text(supervision)} h of supervision; "
        "your 20 h of practice need 1 h"
    )


@pytest.mark.parametrize(("direct", "met"), [(120, True), (105, False)])
def test_direct_share_boundary(assignment, direct, met):
    programme = build_programme(**NO_MINIMUMS, direct_share_percent=50)
    approve_hours(
        assignment,
        [
            entry_data(assignment, minutes=direct, contact="direct"),
            entry_data(assignment, minutes=240 - direct, contact="indirect", performed_on=days_ago(2)),
        ],
    )
    requirement = line(check(programme, assignment.trainee), "direct")
    assert requirement.met is met
    assert requirement.summary.startswith(f"Direct service: {direct * 100 // 240}% of practice hours")


def test_direct_share_with_no_hours_is_not_met(assignment):
    programme = build_programme(**NO_MINIMUMS, direct_share_percent=50)
    assert line(check(programme, assignment.trainee), "direct").met is False


def test_hours_window_counts_the_first_day_of_the_window_and_not_the_day_before(assignment):
    programme = build_programme(practice_hours=1, supervision_hours=0, hours_window_months=12)
    today = timezone.localdate()
    first_day = add_months(today, -12)
    approve_hours(assignment, [entry_data(assignment, minutes=60, performed_on=first_day)])
    assert line(check(programme, assignment.trainee, on=today), "practice").met is True
    assert line(check(programme, assignment.trainee, on=today + timedelta(days=1)), "practice").met is False


def test_ethics_attestation_requirement(assignment):
    programme = build_programme(**NO_MINIMUMS, ethics_attestation_required=True)
    assert line(check(programme, assignment.trainee), "ethics").summary == "Code of ethics: not signed yet"
    ethics_attestation_sign(user=assignment.trainee, programme=programme, agreed=True)
    requirement = line(check(programme, assignment.trainee), "ethics")
    assert requirement.met is True
    assert requirement.summary.startswith("Code of ethics: signed on ")


def test_quiz_requirement_is_met_by_a_pass_and_not_by_a_fail(trainee, course):
    course_page, lessons = course
    enrolment_create(user=trainee, course=course_page)
    quiz = build_quiz(lessons[0].get_parent(), questions=5, pass_mark=80)
    programme = build_programme(**NO_MINIMUMS, quizzes=[quiz])
    take(trainee, quiz, right=3)
    assert line(check(programme, trainee), f"quiz:{quiz.pk}").summary == "Module quiz: not passed yet"
    take(trainee, quiz, right=4)
    requirement = line(check(programme, trainee), f"quiz:{quiz.pk}")
    assert requirement.met is True
    assert requirement.summary == "Module quiz: passed (80%)"


def test_course_requirement_needs_every_lesson_and_every_quiz(trainee):
    course_page, lessons = build_course(modules=1, lessons_per_module=2)
    enrolment_create(user=trainee, course=course_page)
    quiz = build_quiz(lessons[0].get_parent(), questions=5)
    programme = build_programme(**NO_MINIMUMS, courses=[course_page])
    for lesson in lessons:
        lesson_complete(user=trainee, lesson=lesson)
    requirement = line(check(programme, trainee), f"course:{course_page.pk}")
    assert (requirement.met, requirement.summary) == (False, "A course: 2 of 3 lessons and quizzes")
    take(trainee, quiz, right=5)
    assert line(check(programme, trainee), f"course:{course_page.pk}").met is True


def test_eligibility_takes_a_fixed_number_of_queries_whatever_the_hours(assignment, django_assert_max_num_queries):
    programme = build_programme(
        practice_hours=1,
        domain_hours={"advocacy": 1, "recovery-wellness": 1},
        activity_hours={"individual": 1},
        direct_share_percent=50,
        supervision_ratio_hours=1,
        supervision_ratio_per=20,
        ethics_attestation_required=True,
    )
    approve_hours(assignment, [entry_data(assignment, minutes=60, performed_on=days_ago(n)) for n in range(1, 4)])
    with django_assert_max_num_queries(12) as few:
        check(programme, assignment.trainee)
    approve_hours(assignment, [entry_data(assignment, minutes=60, performed_on=days_ago(n)) for n in range(4, 40)])
    with django_assert_max_num_queries(len(few.captured_queries)):
        check(programme, assignment.trainee)


def test_nothing_is_issued_while_a_requirement_is_unmet(assignment):
    programme = build_programme(practice_hours=4, supervision_hours=1)
    approve_hours(assignment, [entry_data(assignment, minutes=240)])
    assert certificate_issue_if_eligible(holder=assignment.trainee, programme=programme) is None
    assert not Certificate.objects.exists()
