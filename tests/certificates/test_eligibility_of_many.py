"""The set-based eligibility of a whole cohort gives each person exactly what the one-person check gives them."""

import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from certificates.eligibility import programme_eligibility, programme_eligibility_of_many
from certificates.ethics import ethics_attestation_sign
from content.models import CompetencyDomain
from courses.completions import course_record
from courses.services import enrolment_create, lesson_complete
from tests.courses.test_quiz_attempts import take
from tests.factories import (
    UserFactory,
    approve_hours,
    build_assignment,
    build_course,
    build_programme,
    build_quiz,
    entry_data,
    skills_check,
    supervision_data,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme():
    """A programme asking for every kind of requirement: a course, a quiz, hours of each sort, a window, ethics."""
    course, lessons = build_course(modules=2, lessons_per_module=2)
    module_quiz = build_quiz(lessons[0].get_parent(), questions=5)
    other, _ = build_course(modules=1, lessons_per_module=1, slug="other", title="Another course")
    extra_quiz = build_quiz(other.get_children().first(), questions=5, slug="extra", title="Extra quiz")
    programme = build_programme(
        practice_hours=Decimal(3),
        supervision_hours=Decimal(1),
        supervision_ratio_hours=Decimal(1),
        supervision_ratio_per=Decimal(4),
        direct_share_percent=50,
        hours_window_months=12,
        ethics_attestation_required=True,
        skills_checks_required=2,
        domain_hours={"advocacy": 1},
        activity_hours={"outreach": 1},
        courses=[course],
        quizzes=[extra_quiz],
    )
    programme.courses_for_tests = [course, other]  # the quizzes' courses, to enrol in
    return programme, lessons, module_quiz, extra_quiz


def _some_progress(rng, user, programme, lessons, quizzes):
    """Whatever the random draw gives this person: lessons, quiz attempts, hours in and out of the window, ethics."""
    for course in programme.courses_for_tests:
        enrolment_create(user=user, course=course)
    for lesson in rng.sample(lessons, rng.randint(0, len(lessons))):
        lesson_complete(user=user, lesson=lesson)
    for quiz in quizzes:
        if rng.random() < 0.6:
            take(user, quiz, right=rng.choice([3, 4, 5]))
    if rng.random() < 0.8:
        assignment = build_assignment(trainee=user, starts_on=timezone.localdate() - timedelta(days=800))
        today = timezone.localdate()
        entries = [
            entry_data(
                assignment,
                minutes=rng.choice([30, 60, 90, 120]),
                performed_on=today - timedelta(days=rng.choice([1, 20, 200, 500])),
                activity_type=rng.choice(["individual", "outreach", "advocacy"]),
                contact=rng.choice(["direct", "indirect"]),
                domains=rng.sample(list(CompetencyDomain.objects.order_by("slug")), rng.randint(0, 2)),
                start_time=None,
            )
            for _ in range(rng.randint(0, 4))
        ]
        entries += [
            supervision_data(assignment, minutes=60, performed_on=today - timedelta(days=rng.choice([2, 400])))
            for _ in range(rng.randint(0, 2))
        ]
        if entries:
            approve_hours(assignment, entries)
        for skill in rng.sample(["listening", "validation", "boundaries"], rng.randint(0, 3)):
            skills_check(assignment, skill, days_ago=rng.choice([3, 400]))
    if rng.random() < 0.5:
        ethics_attestation_sign(user=user, programme=programme, agreed=True)


def _everything_done(user, programme, lessons, quizzes):
    """One person who meets every requirement, so the cohort holds a 'met' as well as the draw's mixtures."""
    for course in programme.courses_for_tests:
        enrolment_create(user=user, course=course)
    for lesson in lessons:
        lesson_complete(user=user, lesson=lesson)
    for quiz in quizzes:
        take(user, quiz, right=5)
    assignment = build_assignment(trainee=user)
    advocacy = [CompetencyDomain.objects.get(slug="advocacy")]
    approve_hours(
        assignment,
        [
            entry_data(assignment, minutes=120, domains=advocacy),
            entry_data(assignment, minutes=60, activity_type="outreach", contact="indirect"),
            supervision_data(assignment, minutes=60),
        ],
    )
    skills_check(assignment, "listening", days_ago=2)
    skills_check(assignment, "crisis_handoff", days_ago=3)
    ethics_attestation_sign(user=user, programme=programme, agreed=True)


def _cohort(people):
    return get_user_model().objects.filter(pk__in=[person.pk for person in people]).values("pk")


def test_a_cohort_checked_at_once_matches_each_person_checked_alone(programme):
    programme, lessons, module_quiz, extra_quiz = programme
    rng = random.Random(20261207)
    people = [UserFactory() for _ in range(14)]
    for person in people[1:-1]:
        _some_progress(rng, person, programme, lessons, [module_quiz, extra_quiz])
    _everything_done(people[0], programme, lessons, [module_quiz, extra_quiz])  # the last person has done nothing
    today = timezone.localdate()

    cohort = programme_eligibility_of_many(user_ids=_cohort(people), programme=programme, on=today)

    assert set(cohort) == {person.pk for person in people}
    for person in people:
        alone = programme_eligibility(user=person, programme=programme, on=today)
        assert cohort[person.pk] == alone, person.username
        from_record = programme_eligibility(
            user=person, programme=programme, on=today, record=course_record(user=person)
        )
        assert from_record == alone, person.username
    assert cohort[people[0].pk].met
    assert cohort[people[-1].pk].done == 0
    kinds = {line.key.split(":")[0] for line in cohort[people[0].pk].requirements}
    assert kinds == {
        "course",
        "quiz",
        "practice",
        "domain",
        "activity",
        "direct",
        "supervision",
        "ratio",
        "skills",
        "ethics",
    }
    assert len({cohort[person.pk].done for person in people}) >= 4, "the generated people should differ"


def test_a_cohort_takes_the_same_queries_whatever_its_size(programme):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    programme, lessons, module_quiz, extra_quiz = programme
    rng = random.Random(7)
    people = [UserFactory() for _ in range(12)]
    for person in people:
        _some_progress(rng, person, programme, lessons, [module_quiz, extra_quiz])
    today = timezone.localdate()
    programme_eligibility_of_many(user_ids=_cohort(people[:1]), programme=programme, on=today)  # warms site roots
    counts = []
    for size in (2, 12):
        with CaptureQueriesContext(connection) as queries:
            programme_eligibility_of_many(user_ids=_cohort(people[:size]), programme=programme, on=today)
        counts.append(len(queries))
    # The page tree's version (1: the programme's outline, with its courses' lessons and quizzes, is kept with the
    # tree), quiz passes (2), lessons done (1 per course), hours with the skills passed (1), ethics (1) and the ids
    # (1): one pass for everyone.
    assert counts == [7, 7]
