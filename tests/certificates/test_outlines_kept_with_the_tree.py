"""What is kept with the page tree besides pages (a programme's outline, the hour targets, the competency domains, a
course's outline on the home page) is renewed the moment an admin changes it, not at the next restart."""

from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from certificates.eligibility import programme_eligibility
from certificates.hour_targets import hour_targets
from certificates.models import ProgrammeActivityHours, ProgrammeDomainHours
from content.models import CompetencyDomain
from courses.models import LessonPage
from courses.services import enrolment_create
from lms import page_tree
from practice.totals import competency_domains
from tests.factories import PASSWORD, UserFactory, build_course, build_programme, build_quiz

pytestmark = pytest.mark.django_db


def _keys(eligibility) -> list[str]:
    return [line.key for line in eligibility.requirements]


def test_a_programmes_new_minimums_and_training_count_at_once():
    programme = build_programme()
    trainee = UserFactory()
    today = timezone.localdate()
    before = _keys(programme_eligibility(user=trainee, programme=programme, on=today))
    assert not any(key.startswith(("domain:", "activity:", "course:", "quiz:")) for key in before)

    advocacy = CompetencyDomain.objects.get(slug="advocacy")
    ProgrammeDomainHours.objects.create(programme=programme, domain=advocacy, hours=Decimal(2))
    assert "domain:advocacy" in _keys(programme_eligibility(user=trainee, programme=programme, on=today))

    ProgrammeActivityHours.objects.create(programme=programme, activity_type="outreach", hours=Decimal(1))
    assert "activity:outreach" in _keys(programme_eligibility(user=trainee, programme=programme, on=today))

    course, lessons = build_course()
    quiz = build_quiz(lessons[0].get_parent())
    programme.required_courses.add(course)
    programme.required_quizzes.add(quiz)
    programme.save()
    keys = _keys(programme_eligibility(user=trainee, programme=programme, on=today))
    assert f"course:{course.id}" in keys and f"quiz:{quiz.id}" in keys

    programme.required_courses.remove(course)
    programme.save()
    assert f"course:{course.id}" not in _keys(programme_eligibility(user=trainee, programme=programme, on=today))

    ProgrammeDomainHours.objects.filter(programme=programme).delete()
    assert "domain:advocacy" not in _keys(programme_eligibility(user=trainee, programme=programme, on=today))


def test_a_new_lesson_in_a_required_course_counts_at_once():
    course, lessons = build_course(modules=1, lessons_per_module=2)
    programme = build_programme(courses=[course])
    trainee = UserFactory()
    today = timezone.localdate()

    def steps():
        line = next(line for line in programme_eligibility(user=trainee, programme=programme, on=today).requirements)
        return line.needed

    assert steps() == 2
    lessons[0].get_parent().add_child(instance=LessonPage(title="A third lesson", slug="third", body=[]))
    assert steps() == 3


def test_the_hour_targets_follow_the_programme_at_once():
    programme = build_programme()
    assert hour_targets().practice == 4 * 60
    programme.practice_hours = Decimal(6)
    programme.save()
    assert hour_targets().practice == 6 * 60
    programme.is_active = False
    programme.save()
    assert hour_targets().practice is None


def test_a_new_competency_domain_is_listed_at_once():
    before = [domain.slug for domain in competency_domains()]
    CompetencyDomain.objects.create(name="Community building", slug="community-building", sort_order=99)
    after = [domain.slug for domain in competency_domains()]
    assert after == [*before, "community-building"]
    CompetencyDomain.objects.filter(slug="community-building").first().delete()
    assert [domain.slug for domain in competency_domains()] == before


def test_the_home_pages_course_card_shows_a_newly_published_lesson(client):
    course, lessons = build_course(modules=1, lessons_per_module=2)
    trainee = UserFactory(roles=["Trainee"])
    enrolment_create(user=trainee, course=course)
    assert client.login(username=trainee.username, password=PASSWORD)

    def lesson_titles() -> str:
        soup = BeautifulSoup(client.get("/dashboard/").content, "html.parser")
        return soup.get_text(" ")

    assert "A third lesson" not in lesson_titles()
    assert "0 of 2" in lesson_titles()
    lessons[0].get_parent().add_child(instance=LessonPage(title="A third lesson", slug="third", body=[]))
    assert "0 of 3" in lesson_titles()


def test_each_is_kept_under_the_trees_version():
    programme = build_programme()
    hour_targets()
    competency_domains()
    tree = page_tree.page_tree()
    assert {"hour_targets", "competency_domains"} <= set(tree.built)
    programme.supervision_hours = Decimal(2)
    programme.save()
    assert page_tree.page_tree().version != tree.version
