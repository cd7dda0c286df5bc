"""Lesson completion, progress arithmetic and lesson navigation."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import PageViewRestriction

from courses.models import LessonCompletion
from courses.selectors import course_progress_for_user, percent
from courses.services import CourseError, enrolment_create, lesson_complete
from lms.roles import SUPERVISOR
from tests.factories import build_course, build_quiz

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("done", "total", "expected"), [(0, 0, 0), (0, 3, 0), (1, 3, 33), (2, 3, 66), (3, 3, 100), (1, 8, 12)]
)
def test_percent_rounds_down(done, total, expected):
    assert percent(done, total) == expected


def test_progress_counts_lessons_per_module_and_course(trainee, course):
    course_page, lessons = course
    enrolment_create(user=trainee, course=course_page)
    for lesson in lessons[:3]:
        lesson_complete(user=trainee, lesson=lesson)
    progress = course_progress_for_user(user=trainee, course=course_page)
    assert (progress.done, progress.total, progress.percent) == (3, 4, 75)
    assert [(m.done, m.total, m.percent) for m in progress.modules] == [(2, 2, 100), (1, 2, 50)]
    assert progress.next_step.page.id == lessons[3].id
    assert not progress.is_complete


def test_next_lesson_skips_completed_lessons_out_of_order(trainee, course):
    course_page, lessons = course
    enrolment_create(user=trainee, course=course_page)
    lesson_complete(user=trainee, lesson=lessons[0])
    lesson_complete(user=trainee, lesson=lessons[2])
    progress = course_progress_for_user(user=trainee, course=course_page)
    assert progress.next_step.page.id == lessons[1].id


def test_all_complete_has_no_next_lesson(trainee, course):
    course_page, lessons = course
    enrolment_create(user=trainee, course=course_page)
    for lesson in lessons:
        lesson_complete(user=trainee, lesson=lesson)
    progress = course_progress_for_user(user=trainee, course=course_page)
    assert progress.is_complete
    assert progress.next_step is None
    assert progress.percent == 100


def test_completing_twice_records_once(trainee, course):
    course_page, lessons = course
    enrolment_create(user=trainee, course=course_page)
    _, first = lesson_complete(user=trainee, lesson=lessons[0])
    _, second = lesson_complete(user=trainee, lesson=lessons[0])
    assert (first, second) == (True, False)
    assert LessonCompletion.objects.filter(user=trainee).count() == 1


def test_completion_needs_enrolment(trainee, course):
    _, lessons = course
    with pytest.raises(CourseError) as error:
        lesson_complete(user=trainee, lesson=lessons[0])
    assert error.value.code == "not_enrolled"
    assert not LessonCompletion.objects.exists()


def test_lesson_under_an_unpublished_module_is_gone(client, trainee, course):
    course_page, lessons = course
    enrolment_create(user=trainee, course=course_page)
    lessons[2].get_parent().unpublish()
    assert client.get(lessons[2].url).status_code == 404
    with pytest.raises(CourseError) as error:
        lesson_complete(user=trainee, lesson=lessons[2])
    assert error.value.code == "not_live"
    assert course_progress_for_user(user=trainee, course=course_page).total == 2


def test_a_module_in_a_private_section_leaves_the_outline_and_the_dashboard(trainee_client, trainee, course):
    course_page, lessons = course
    enrolment_create(user=trainee, course=course_page)
    module = lessons[2].get_parent()
    restriction = PageViewRestriction.objects.create(page=module, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.add(Group.objects.get(name=SUPERVISOR))
    for lesson in lessons[:2]:
        lesson_complete(user=trainee, lesson=lesson)
    progress = course_progress_for_user(user=trainee, course=course_page)
    assert (progress.done, progress.total, progress.next_step) == (2, 2, None)
    assert [item.module.id for item in progress.modules] == [lessons[0].get_parent().id]
    page = trainee_client.get(reverse("dashboard")).content.decode()
    assert "A course" in page
    assert lessons[2].title not in page


def test_restricted_course_cannot_be_enrolled_or_completed_by_outsiders(trainee_client, trainee, course):
    course_page, lessons = course
    restriction = PageViewRestriction.objects.create(page=course_page, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.add(Group.objects.get(name=SUPERVISOR))
    assert trainee_client.get(course_page.url).status_code == 302
    assert trainee_client.post(reverse("course_enrol", args=[course_page.id])).status_code == 404
    enrolment_create(user=trainee, course=course_page)  # e.g. enrolled before the restriction
    assert trainee_client.post(reverse("lesson_complete", args=[lessons[0].id])).status_code == 404
    assert not LessonCompletion.objects.exists()
    assert "A course" not in trainee_client.get(reverse("dashboard")).content.decode()


def test_anonymous_complete_goes_to_login(client, course):
    _, lessons = course
    response = client.post(reverse("lesson_complete", args=[lessons[0].id]))
    assert response["Location"].startswith("/accounts/login/")
    assert not LessonCompletion.objects.exists()


def test_completion_needs_enrolment_in_that_course_not_another(trainee):
    first, _ = build_course(slug="first")
    _, other_lessons = build_course(slug="second")
    enrolment_create(user=trainee, course=first)
    with pytest.raises(CourseError, match="Enrol in the course first"):
        lesson_complete(user=trainee, lesson=other_lessons[0])


def test_unpublished_lessons_do_not_count(trainee, course):
    course_page, lessons = course
    enrolment_create(user=trainee, course=course_page)
    lessons[3].unpublish()
    lesson_complete(user=trainee, lesson=lessons[0])
    progress = course_progress_for_user(user=trainee, course=course_page)
    assert (progress.done, progress.total) == (1, 3)


def test_mark_complete_by_post_moves_to_next_lesson(trainee_client, trainee, course):
    course_page, lessons = course
    enrolment_create(user=trainee, course=course_page)
    url = reverse("lesson_complete", args=[lessons[0].id])
    assert trainee_client.get(url).status_code == 405
    assert not LessonCompletion.objects.exists()
    response = trainee_client.post(url)
    assert response.status_code == 302
    assert response["Location"] == lessons[1].url
    assert LessonCompletion.objects.filter(user=trainee, lesson=lessons[0]).exists()


def test_last_lesson_of_a_module_leads_into_the_next_module(trainee_client, trainee, course):
    course_page, lessons = course
    enrolment_create(user=trainee, course=course_page)
    response = trainee_client.post(reverse("lesson_complete", args=[lessons[1].id]))
    assert response["Location"] == lessons[2].url


def test_last_lesson_of_the_course_goes_back_to_an_earlier_gap_then_to_the_course(trainee_client, trainee, course):
    course_page, lessons = course
    enrolment_create(user=trainee, course=course_page)
    for lesson in lessons[1:3]:
        lesson_complete(user=trainee, lesson=lesson)
    response = trainee_client.post(reverse("lesson_complete", args=[lessons[3].id]))
    assert response["Location"] == lessons[0].url
    response = trainee_client.post(reverse("lesson_complete", args=[lessons[0].id]))
    assert response["Location"] == lessons[1].url  # still in module 1: the pager's next lesson
    lesson_complete(user=trainee, lesson=lessons[0])
    response = trainee_client.post(reverse("lesson_complete", args=[lessons[3].id]))
    assert response["Location"] == course_page.url


def test_mark_complete_when_not_enrolled_explains(trainee_client, course):
    _, lessons = course
    response = trainee_client.post(reverse("lesson_complete", args=[lessons[0].id]), follow=True)
    assert "Enrol in the course first to track your progress." in response.content.decode()
    assert not LessonCompletion.objects.exists()


def test_lesson_page_shows_position_neighbours_and_module_progress(trainee_client, trainee):
    course_page, lessons = build_course(modules=1, lessons_per_module=4)
    enrolment_create(user=trainee, course=course_page)
    lesson_complete(user=trainee, lesson=lessons[0])
    html = trainee_client.get(lessons[1].url).content.decode()
    assert "Lesson 2 of 4" in html
    assert f'href="{lessons[0].url}" rel="prev"' in html
    assert f'href="{lessons[2].url}" rel="next"' in html
    assert "1 of 4 steps · 25%" in html
    assert "Mark complete and continue" in html


def test_first_and_last_lessons_have_one_neighbour(client):
    _, lessons = build_course(modules=1, lessons_per_module=3)
    first = client.get(lessons[0].url).content.decode()
    last = client.get(lessons[2].url).content.decode()
    assert 'rel="prev"' not in first and 'rel="next"' in first
    assert 'rel="next"' not in last and "Back to Module 1" in last


def test_lesson_is_readable_logged_out_without_a_complete_button(client, course):
    _, lessons = course
    response = client.get(lessons[0].url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Teaching for lesson 1.1." in html
    assert "Mark complete" not in html
    assert "to track your progress" in html


def test_the_outlines_links_are_the_pages_own_urls(trainee, course):
    course_page, lessons = course
    module = lessons[0].get_parent()
    build_quiz(module)
    progress = course_progress_for_user(user=trainee, course=course_page)
    items = [*progress.modules, *progress.steps]
    assert progress.url == course_page.get_url()
    assert [item.url for item in items] == [(getattr(item, "module", None) or item.page).get_url() for item in items]
    assert progress.modules[0].quiz.url == f"{course_page.url}{module.slug}/{progress.modules[0].quiz.quiz.slug}/"
