"""The lesson page keeps its outline per version of the page tree: fixed queries, and every change seen at once."""

import re

import pytest
from django.urls import reverse
from wagtail.models import Page, PageViewRestriction

from courses.models import LessonCompletion, LessonPage
from courses.services import enrolment_create, lesson_complete
from lms import page_tree
from tests.courses.test_query_counts import LESSON_PAGE_QUERIES
from tests.courses.test_quiz_attempts import take
from tests.factories import PASSWORD, UserFactory, build_course, build_quiz

pytestmark = pytest.mark.django_db


def _signed_in(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _page(client, lesson) -> str:
    response = client.get(lesson.url)
    assert response.status_code == 200
    return response.content.decode()


def _pager(html: str) -> str:
    """The text of the lesson's pager, whitespace squeezed."""
    pager = re.search(r'<nav class="pager".*?</nav>', html, re.S).group(0)
    return " ".join(re.sub(r"<[^>]+>", " ", pager).split())


def _big_site():
    """A hundred times the small course: 30 modules of 10 lessons with quizzes, 50 trainees part-way through."""
    course, lessons = build_course(modules=30, lessons_per_module=10)
    modules = {lesson.get_parent().id: lesson.get_parent() for lesson in lessons}
    first_quiz, *_ = [build_quiz(module, questions=2) for module in modules.values()]
    people = [UserFactory() for _ in range(50)]
    for person in people:
        enrolment_create(user=person, course=course)
    for lesson in lessons[:150]:  # the person measured completes theirs through the service
        lesson_complete(user=people[0], lesson=lesson)
    LessonCompletion.objects.bulk_create(  # the others' 7,350 completions at once: only their number matters here
        LessonCompletion(user=person, lesson=lesson) for person in people[1:] for lesson in lessons[:150]
    )
    take(people[0], first_quiz, right=0)
    take(people[0], first_quiz, right=2)
    return lessons, people[0]


@pytest.mark.parametrize("size", ["small", "hundred times"])
def test_a_signed_in_trainees_lesson_page_costs_six_queries_at_any_size(client, django_assert_num_queries, size):
    if size == "small":
        course, lessons = build_course(modules=3, lessons_per_module=1)
        person = UserFactory()
        enrolment_create(user=person, course=course)
        lesson_complete(user=person, lesson=lessons[0])
        lesson_complete(user=person, lesson=lessons[1])
    else:
        lessons, person = _big_site()
    _signed_in(client, person)
    _page(client, lessons[1])  # this process builds the tree for this version
    with django_assert_num_queries(LESSON_PAGE_QUERIES):
        html = _page(client, lessons[1])
    assert "You've completed this lesson." in html


def test_publishing_a_new_lesson_shows_at_once(client, trainee, course):
    course_page, lessons = course
    enrolment_create(user=trainee, course=course_page)
    _signed_in(client, trainee)
    assert "Lesson 2 of 2" in _page(client, lessons[1])
    module = lessons[1].get_parent()
    new = module.add_child(instance=LessonPage(title="Listening well", slug="listening", body=[], live=False))
    new.save_revision()
    assert "Lesson 2 of 2" in _page(client, lessons[1]), "a draft is not in the outline"
    new.get_latest_revision().publish()
    html = _page(client, lessons[1])
    assert "Lesson 2 of 3" in html
    assert _pager(html) == "Previous lesson Lesson 1.1 Next lesson Listening well"


def test_unpublishing_a_lesson_takes_it_out_at_once(client, trainee, course):
    course_page, lessons = course
    enrolment_create(user=trainee, course=course_page)
    _signed_in(client, trainee)
    assert "Next lesson Lesson 1.2" in _pager(_page(client, lessons[0]))
    LessonPage.objects.get(pk=lessons[1].pk).unpublish()
    html = _page(client, lessons[0])
    assert "Lesson 1 of 1" in html
    assert _pager(html) == "End of module Back to Module 1"
    assert client.get(lessons[1].url).status_code == 404


def test_a_renamed_lesson_shows_its_new_title_once_published(client, trainee, course):
    _, lessons = course
    _signed_in(client, trainee)
    assert "Next lesson Lesson 1.2" in _pager(_page(client, lessons[0]))
    second = LessonPage.objects.get(pk=lessons[1].pk)
    second.title = "Being with someone in distress"
    second.save_revision()
    assert "Next lesson Lesson 1.2" in _pager(_page(client, lessons[0])), "a draft's title is not shown yet"
    second.get_latest_revision().publish()
    assert "Next lesson Being with someone in distress" in _pager(_page(client, lessons[0]))


def test_moving_a_lesson_to_another_module_changes_both_outlines_and_its_address(client, trainee, course):
    course_page, lessons = course
    enrolment_create(user=trainee, course=course_page)
    _signed_in(client, trainee)
    third = lessons[0].get_parent().add_child(instance=LessonPage(title="Lesson 1.3", slug="lesson-3", body=[]))
    old_url = third.url
    assert "Lesson 1 of 3" in _page(client, lessons[0])
    assert "Lesson 1 of 2" in _page(client, lessons[2])
    LessonPage.objects.get(pk=third.pk).move(lessons[2].get_parent(), pos="last-child")
    moved = LessonPage.objects.get(pk=third.pk)
    assert "Lesson 1 of 2" in _page(client, lessons[0])
    assert "Lesson 3 of 3" in _page(client, moved)
    assert _pager(_page(client, lessons[3])) == "Previous lesson Lesson 2.1 Next lesson Lesson 1.3"
    old_address = client.get(old_url)
    assert (old_address.status_code, old_address["Location"]) == (301, moved.url), "Wagtail redirects the old address"


def test_reordering_lessons_swaps_previous_and_next_at_once(client, trainee, course):
    course_page, lessons = course
    enrolment_create(user=trainee, course=course_page)
    _signed_in(client, trainee)
    assert _pager(_page(client, lessons[0])) == "Next lesson Lesson 1.2"
    LessonPage.objects.get(pk=lessons[1].pk).move(lessons[0], pos="left")
    assert _pager(_page(client, lessons[0])) == "Previous lesson Lesson 1.2 End of module Back to Module 1"
    assert "Lesson 2 of 2" in _page(client, lessons[0])


def test_progress_is_read_fresh_on_every_request(client, trainee, course):
    course_page, lessons = course
    _signed_in(client, trainee)
    assert "Enrol in" in _page(client, lessons[0])
    enrolment_create(user=trainee, course=course_page)
    html = _page(client, lessons[0])
    assert "Mark complete and continue" in html
    assert "0 of 2 steps" in html
    response = client.post(reverse("lesson_complete", args=[lessons[0].pk]))
    assert response.status_code == 302
    html = _page(client, lessons[0])
    assert "You've completed this lesson." in html
    assert "1 of 2 steps" in html


def test_a_quiz_published_in_the_module_and_its_attempts_show_at_once(client, trainee, course):
    course_page, lessons = course
    enrolment_create(user=trainee, course=course_page)
    _signed_in(client, trainee)
    assert _pager(_page(client, lessons[1])) == "Previous lesson Lesson 1.1 End of module Back to Module 1"
    quiz = build_quiz(lessons[1].get_parent(), questions=2)
    assert _pager(_page(client, lessons[1])) == "Previous lesson Lesson 1.1 Module quiz Module quiz"
    assert "0 of 3 steps" in _page(client, lessons[1])
    take(trainee, quiz, right=2)
    assert "1 of 3 steps" in _page(client, lessons[1])


def test_unpublishing_the_module_hides_its_lessons_at_once(client, trainee, course):
    _, lessons = course
    _signed_in(client, trainee)
    _page(client, lessons[0])
    lessons[0].get_parent().unpublish()
    assert client.get(lessons[0].url).status_code == 404


def test_a_view_restriction_on_the_course_applies_at_once(client, course):
    course_page, lessons = course
    assert client.get(lessons[0].url).status_code == 200
    PageViewRestriction.objects.create(page=course_page, restriction_type=PageViewRestriction.LOGIN)
    response = client.get(lessons[0].url)
    assert response.status_code == 302
    assert "/_util/login/" in response["Location"]


def test_every_change_gives_the_tree_a_new_version_now_and_again_at_commit(course, django_capture_on_commit_callbacks):
    _, lessons = course
    before = page_tree.page_tree()
    with django_capture_on_commit_callbacks(execute=True):
        LessonPage.objects.get(pk=lessons[1].pk).unpublish()
        during = page_tree.page_tree()
        assert during.version != before.version, "the writer's own transaction sees the change"
    after = page_tree.page_tree()
    assert after.version not in {before.version, during.version}, "other processes rebuild after the commit"


def test_another_process_rebuilds_when_the_shared_version_changes(course):
    _, lessons = course
    tree = page_tree.page_tree()
    assert tree.pages_by_path[lessons[1].path].live
    Page.objects.filter(pk=lessons[1].pk).update(live=False)  # as if another server had unpublished it
    assert page_tree.page_tree().pages_by_path[lessons[1].path].live, "nothing changed the version yet"
    page_tree.page_tree_changed()
    assert not page_tree.page_tree().pages_by_path[lessons[1].path].live


def test_a_process_rebuilds_a_tree_kept_too_long_even_without_a_new_version(course, monkeypatch):
    _, lessons = course
    tree = page_tree.page_tree()
    assert tree.pages_by_path[lessons[1].path].live
    Page.objects.filter(pk=lessons[1].pk).update(live=False)  # a change whose second token never came
    assert page_tree.page_tree() is tree
    later = tree.started + page_tree.KEPT_FOR + 1
    monkeypatch.setattr(page_tree.time, "monotonic", lambda: later)
    rebuilt = page_tree.page_tree()
    assert rebuilt is not tree and rebuilt.version == tree.version
    assert not rebuilt.pages_by_path[lessons[1].path].live
