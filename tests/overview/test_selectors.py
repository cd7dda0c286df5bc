"""The overview's lists and figures, from made-up data, and their query counts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from certificates.eligibility import programme_eligibility
from certificates.ethics import ethics_attestation_sign
from certificates.models import Certificate
from courses.models import Enrolment
from courses.services import enrolment_create, lesson_complete
from lms.roles import SUPERVISOR, TRAINEE
from overview.selectors import (
    Funnel,
    certificates_expiring,
    certification_funnel,
    hours_waiting_by_supervisor,
    overview_summary,
    programme_lines,
    time_to_certificate,
    trainees_near_eligibility,
    trainees_with_requirements,
    trainees_without_supervisor,
    waiting_totals,
)
from tests.courses.test_quiz_attempts import take
from tests.factories import (
    UserFactory,
    approve_hours,
    build_assignment,
    build_course,
    build_programme,
    build_quiz,
    entry_data,
    supervision_data,
)
from tests.overview.builders import certificate_row, certify, days_from_today, submit_hours

pytestmark = pytest.mark.django_db


def names(users) -> list[str]:
    return [user.get_full_name() for user in users]


# Hours waiting for review ---------------------------------------------------------------------------------------


def test_hours_waiting_are_summed_per_supervisor_most_first():
    busy = UserFactory(first_name="Bea", last_name="Busy", roles=[SUPERVISOR])
    calm = UserFactory(first_name="Cal", last_name="Calm", roles=[SUPERVISOR])
    first = build_assignment(supervisor=busy)
    second = build_assignment(supervisor=busy)
    other = build_assignment(supervisor=calm)
    submit_hours(first, [60, 30])
    submit_hours(second, [120])
    submit_hours(other, [45])
    approve_hours(other, [entry_data(other, minutes=300, performed_on=days_from_today(-9))])  # approved: not waiting
    entry_create_draft = entry_data(first, minutes=90, performed_on=days_from_today(-9))
    from practice.services import entry_create

    entry_create(trainee=first.trainee, data=entry_create_draft)  # a draft: not waiting either

    rows = list(hours_waiting_by_supervisor())
    assert names(rows) == ["Bea Busy", "Cal Calm"]
    assert [(r.waiting_minutes, r.waiting_entries, r.waiting_trainees) for r in rows] == [(210, 3, 2), (45, 1, 1)]
    assert all(row.waiting_since is not None for row in rows)
    totals = waiting_totals()
    assert (totals.minutes, totals.entries, totals.supervisors) == (255, 4, 2)


def test_no_hours_waiting_gives_an_empty_list():
    build_assignment()
    assert list(hours_waiting_by_supervisor()) == []
    assert waiting_totals().minutes == 0


# Trainees without a supervisor -----------------------------------------------------------------------------------


def test_trainees_without_a_supervisor_running_today():
    today = timezone.localdate()
    supervised = UserFactory(first_name="Sid", last_name="Supervised")
    build_assignment(trainee=supervised, starts_on=today - timedelta(days=30))
    ended = UserFactory(first_name="Eve", last_name="Ended")
    build_assignment(trainee=ended, starts_on=today - timedelta(days=60), ends_on=today - timedelta(days=1))
    ends_today = UserFactory(first_name="Tod", last_name="Today")
    build_assignment(trainee=ends_today, starts_on=today - timedelta(days=60), ends_on=today)
    later = UserFactory(first_name="Lou", last_name="Later")
    build_assignment(trainee=later, starts_on=today + timedelta(days=5))
    never = UserFactory(first_name="Nia", last_name="Never")
    UserFactory(first_name="Ina", last_name="Inactive", is_active=False)
    UserFactory(first_name="Sue", last_name="Supervisor", roles=[SUPERVISOR])

    rows = list(trainees_without_supervisor(on=today))
    assert names(rows) == ["Eve Ended", "Lou Later", "Nia Never"]
    by_name = {row.get_full_name(): row for row in rows}
    assert by_name["Eve Ended"].last_assignment_ended == today - timedelta(days=1)
    assert by_name["Lou Later"].next_assignment_starts == today + timedelta(days=5)
    assert (by_name["Nia Never"].last_assignment_ended, by_name["Nia Never"].next_assignment_starts) == (None, None)
    assert never.pk == by_name["Nia Never"].pk


def test_trainees_holding_a_valid_certificate_are_left_out():
    today = timezone.localdate()
    programme = build_programme()
    certified = UserFactory(first_name="Cam", last_name="Certified")  # never assigned, certified all the same
    certificate_row(holder=certified, programme=programme, expires_in=200)
    last_day = UserFactory(first_name="Dee", last_name="Lastday")
    certificate_row(holder=last_day, programme=programme, expires_in=0)
    expired = UserFactory(first_name="Eli", last_name="Expired")
    certificate_row(holder=expired, programme=programme, expires_in=-1)
    revoked = UserFactory(first_name="Rae", last_name="Revoked")
    Certificate.objects.filter(pk=certificate_row(holder=revoked, programme=programme, expires_in=200).pk).update(
        state=Certificate.State.REVOKED
    )
    suspended = UserFactory(first_name="Sol", last_name="Suspended")
    Certificate.objects.filter(pk=certificate_row(holder=suspended, programme=programme, expires_in=200).pk).update(
        state=Certificate.State.SUSPENDED
    )
    UserFactory(first_name="Nia", last_name="Never")

    rows = list(trainees_without_supervisor(on=today))
    assert names(rows) == ["Eli Expired", "Rae Revoked", "Sol Suspended", "Nia Never"]  # oldest account first
    assert overview_summary(on=today).without_supervisor == 4
    # Tomorrow the certificate that ends today has lapsed, so its holder is listed again.
    assert "Dee Lastday" in names(trainees_without_supervisor(on=today + timedelta(days=1)))


# Certificates expiring ------------------------------------------------------------------------------------------


def test_certificates_expiring_in_the_next_ninety_days_soonest_first():
    build_programme()
    in_thirty = certify(expires_in=30)
    on_the_last_day = certify(expires_in=90)
    certify(expires_in=91)  # too far off
    certify(expires_in=-1)  # already expired
    today_last = certify(expires_in=0)
    suspended = certify(expires_in=10)
    Certificate.objects.filter(pk=suspended.pk).update(state=Certificate.State.SUSPENDED)

    found = list(certificates_expiring(on=timezone.localdate()))
    assert [c.pk for c in found] == [today_last.pk, in_thirty.pk, on_the_last_day.pk]


# Near eligibility --------------------------------------------------------------------------------------------------


@pytest.fixture
def rich_programme():
    """A programme with every kind of requirement: a course with a quiz, a lone quiz, hours of each kind, ethics."""
    course, lessons = build_course(modules=1, lessons_per_module=2)
    course_quiz = build_quiz(lessons[0].get_parent(), questions=5, pass_mark=80)
    other_course, other_lessons = build_course(modules=1, lessons_per_module=1, slug="other", title="Other course")
    lone_quiz = build_quiz(other_lessons[0].get_parent(), questions=5, pass_mark=80, title="Lone quiz")
    programme = build_programme(
        practice_hours=4,
        supervision_hours=1,
        supervision_ratio_hours=1,
        supervision_ratio_per=4,
        direct_share_percent=50,
        ethics_attestation_required=True,
        domain_hours={"advocacy": 1},
        activity_hours={"individual": 2},
        courses=[course],
        quizzes=[lone_quiz],
    )
    return programme, course, lessons, course_quiz, other_course, lone_quiz


def _all_done_but(programme, course, lessons, course_quiz, other_course, lone_quiz, *, skip=(), practice=240):
    """A trainee who did everything the rich programme asks except the named parts."""
    assignment = build_assignment()
    trainee = assignment.trainee
    if "course" not in skip:
        enrolment_create(user=trainee, course=course)
        for lesson in lessons:
            lesson_complete(user=trainee, lesson=lesson)
        take(trainee, course_quiz, right=5)
    if "quiz" not in skip:
        enrolment_create(user=trainee, course=other_course)
        take(trainee, lone_quiz, right=5)
    if practice:
        from content.models import CompetencyDomain

        advocacy = list(CompetencyDomain.objects.filter(slug="advocacy"))
        approve_hours(
            assignment,
            [
                entry_data(assignment, minutes=practice, domains=advocacy, performed_on=days_from_today(-3)),
                supervision_data(assignment, minutes=0 if "supervision" in skip else 60),
            ]
            if "supervision" not in skip
            else [entry_data(assignment, minutes=practice, domains=advocacy, performed_on=days_from_today(-3))],
        )
    if "ethics" not in skip:
        ethics_attestation_sign(user=trainee, programme=programme, agreed=True)
    return trainee


def test_requirement_flags_match_the_eligibility_of_each_trainee(rich_programme):
    programme = rich_programme[0]
    trainees = [
        _all_done_but(*rich_programme),
        _all_done_but(*rich_programme, skip=("ethics",)),
        _all_done_but(*rich_programme, skip=("course", "quiz")),
        _all_done_but(*rich_programme, skip=("supervision",), practice=180),
        _all_done_but(*rich_programme, skip=("course", "quiz", "ethics", "supervision"), practice=0),
        UserFactory(),
    ]
    on = timezone.localdate()
    lines = programme_lines(programme=programme, on=on, steps=_steps_for(programme))
    rows = {row.pk: row for row in trainees_with_requirements(programme=programme, lines=lines)}
    for trainee in trainees:
        eligibility = programme_eligibility(user=trainee, programme=programme, on=on)
        assert [line.label for line in lines] == [requirement.label for requirement in eligibility.requirements]
        flags = [bool(getattr(rows[trainee.pk], f"met_{n}")) for n in range(len(lines))]
        assert flags == [requirement.met for requirement in eligibility.requirements], trainee
        assert rows[trainee.pk].met == eligibility.done


def _steps_for(programme):
    from overview.selectors import _course_steps

    return _course_steps(list(programme.required_courses.all()))


def test_near_eligibility_lists_all_but_one_and_eighty_percent_of_hours_closest_first(rich_programme):
    programme = rich_programme[0]
    done = _all_done_but(*rich_programme)  # eligible: not "near", it is there
    one_left = _all_done_but(*rich_programme, skip=("ethics",))
    one_left.first_name, one_left.last_name = "Olu", "Oneleft"
    one_left.save()
    hours_only = _all_done_but(*rich_programme, skip=("course", "quiz", "ethics"), practice=195)  # 81 % of 4 h
    hours_only.first_name, hours_only.last_name = "Hal", "Hours"
    hours_only.save()
    _all_done_but(*rich_programme, skip=("course", "quiz", "ethics"), practice=180)  # 75 %: not near
    certified = _all_done_but(*rich_programme, skip=("ethics",))
    certificate_row(holder=certified, programme=programme, expires_in=300)

    rows = trainees_near_eligibility(on=timezone.localdate())
    assert [row.trainee.pk for row in rows] == [one_left.pk, hours_only.pk]
    first, second = rows
    assert (first.met, first.total, first.unmet) == (8, 9, ["Code of ethics"])
    assert second.unmet == ["A course", "Lone quiz", "Approved practice", "Code of ethics"]
    assert (second.practice_minutes, second.practice_percent) == (195, 81)
    assert done.pk not in {row.trainee.pk for row in rows}


def test_a_programme_with_one_requirement_has_nobody_near_by_all_but_one():
    build_programme(practice_hours=0, supervision_hours=1)
    assignment = build_assignment()
    submit_hours(assignment, [30])
    assert trainees_near_eligibility(on=timezone.localdate()) == []


# The funnel and the median ----------------------------------------------------------------------------------------


def test_funnel_counts_each_step_with_the_steps_before_it():
    course, lessons = build_course(modules=1, lessons_per_module=2)
    quiz = build_quiz(lessons[0].get_parent(), questions=5)
    build_programme()

    def finish_course(user):
        for lesson in lessons:
            lesson_complete(user=user, lesson=lesson)
        take(user, quiz, right=5)

    enrolled_only = UserFactory()
    enrolment_create(user=enrolled_only, course=course)
    lessons_only = UserFactory()
    enrolment_create(user=lessons_only, course=course)
    for lesson in lessons:
        lesson_complete(user=lessons_only, lesson=lesson)
    completed = UserFactory()
    enrolment_create(user=completed, course=course)
    finish_course(completed)
    assignment = build_assignment()
    with_hours = assignment.trainee
    enrolment_create(user=with_hours, course=course)
    finish_course(with_hours)
    approve_hours(assignment, [entry_data(assignment)])
    certified = certify()
    enrolment_create(user=certified.holder, course=course)
    finish_course(certified.holder)
    certify()  # certified without enrolling: outside the funnel, which starts at enrolment
    UserFactory()  # never enrolled

    funnel = certification_funnel()
    assert funnel == Funnel(enrolled=5, course_completed=3, hours_approved=2, certified=1)
    assert funnel.steps() == [
        ("Enrolled in a course", 5, 100),
        ("Completed a course", 3, 60),
        ("Had practice hours approved", 2, 40),
        ("Certified", 1, 20),
    ]


def test_funnel_with_nobody_enrolled():
    build_course()
    funnel = certification_funnel()
    assert funnel == Funnel(0, 0, 0, 0)
    assert funnel.steps()[0] == ("Enrolled in a course", 0, None)


def test_median_days_from_first_enrolment_to_first_certificate():
    course, _ = build_course()
    other, _ = build_course(slug="other")
    build_programme()
    now = timezone.now()
    for days in (10, 30, 200):
        certificate = certify()
        enrolment_create(user=certificate.holder, course=course)
        enrolment_create(user=certificate.holder, course=other)
        Enrolment.objects.filter(user=certificate.holder, course=course).update(enrolled_at=now - timedelta(days=days))
        Enrolment.objects.filter(user=certificate.holder, course=other).update(enrolled_at=now - timedelta(days=5))
    certify()  # never enrolled: not counted
    found = time_to_certificate()
    assert (found.median_days, found.people) == (30, 3)


def test_median_of_an_even_number_and_of_nobody():
    course, _ = build_course()
    assert time_to_certificate().median_days is None
    build_programme()
    now = timezone.now()
    for days in (10, 21):
        certificate = certify()
        enrolment_create(user=certificate.holder, course=course)
        Enrolment.objects.filter(user=certificate.holder).update(enrolled_at=now - timedelta(days=days))
    assert time_to_certificate().median_days == 15.5


# Query counts ---------------------------------------------------------------------------------------------------------


def _world(trainees: int):
    """A programme with a course, and `trainees` trainees at every stage: enrolled, waiting hours, certified."""
    course, lessons = build_course(modules=1, lessons_per_module=2)
    quiz = build_quiz(lessons[0].get_parent(), questions=5)
    programme = build_programme(courses=[course], domain_hours={"advocacy": 1}, ethics_attestation_required=True)
    for number in range(trainees):
        assignment = build_assignment()
        enrolment_create(user=assignment.trainee, course=course)
        lesson_complete(user=assignment.trainee, lesson=lessons[0])
        submit_hours(assignment, [60])
        if number % 2:
            take(assignment.trainee, quiz, right=5)
            ethics_attestation_sign(user=assignment.trainee, programme=programme, agreed=True)
    certificate_row(holder=UserFactory(), programme=programme, expires_in=20)
    UserFactory(roles=[TRAINEE])


def _queries(function) -> int:
    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured)


@pytest.mark.parametrize("trainees", [1, 8])
def test_summary_and_lists_take_a_fixed_number_of_queries(trainees):
    _world(trainees)
    on = timezone.localdate()
    assert _queries(lambda: overview_summary(on=on)) == 19
    assert _queries(lambda: list(hours_waiting_by_supervisor())) == 1
    assert _queries(lambda: list(trainees_without_supervisor(on=on))) == 1
    assert _queries(lambda: list(certificates_expiring(on=on))) == 1
    assert _queries(lambda: trainees_near_eligibility(on=on)) == 9
