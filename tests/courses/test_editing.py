"""Editors: course order in the explorer, a new lesson's first publish asks about people who finished the course,
module minutes follow the lessons, and admin lists show people's names."""

from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from courses.finishers import course_finisher_ids
from courses.models import Enrolment, LessonCompletion, LessonPage, ModulePage
from courses.selectors import course_progress_for_user
from courses.services import enrolment_create, lesson_complete
from lms.roles import PROGRAMME_ADMIN
from tests.factories import PASSWORD, UserFactory, build_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    editor = UserFactory(username="robin", roles=[PROGRAMME_ADMIN], is_superuser=True)
    client.login(username=editor.username, password=PASSWORD)
    return client


@pytest.fixture
def finished_course():
    """A live course of one module with two lessons: Ada finished it, Ben did one lesson, Cy only enrolled."""
    course, lessons = build_course(modules=1, lessons_per_module=2)
    people = {
        name: UserFactory(username=name.lower(), first_name=name, last_name="Trainee") for name in ("Ada", "Ben", "Cy")
    }
    for name, done in (("Ada", 2), ("Ben", 1), ("Cy", 0)):
        enrolment_create(user=people[name], course=course)
        for lesson in lessons[:done]:
            lesson_complete(user=people[name], lesson=lesson)
    return course, lessons[0].get_parent().specific, people


def _lesson_form(title: str, slug: str, *, minutes: int = 15, for_finishers: str = "") -> dict:
    return nested_form_data(
        {
            "title": title,
            "slug": slug,
            "summary": "",
            "estimated_minutes": minutes,
            "body": streamfield([("text", rich_text("<p>New teaching.</p>"))]),
            "for_finishers": for_finishers,
            "comments": inline_formset([]),
            "action-publish": "action-publish",
        }
    )


def _add_url(module) -> str:
    return reverse("wagtailadmin_pages:add", args=("courses", "lessonpage", module.id))


def _messages(client, response) -> str:
    return unescape(client.get(response["Location"]).content.decode())


def test_children_of_courses_and_modules_list_in_course_order_in_the_explorer(editor_client):
    course, lessons = build_course(modules=2, lessons_per_module=3)
    module = lessons[0].get_parent()
    for lesson in lessons[:3]:  # the last lesson is edited last, so "newest first" would put it first
        lesson.save_revision()
    for child in course.get_children():
        child.specific.save_revision()
    html = unescape(editor_client.get(reverse("wagtailadmin_explore", args=[module.id])).content.decode())
    positions = [html.index(f"Lesson 1.{n}") for n in (1, 2, 3)]
    assert positions == sorted(positions)
    html = unescape(editor_client.get(reverse("wagtailadmin_explore", args=[course.id])).content.decode())
    assert html.index("Module 1") < html.index("Module 2")


def test_finishers_are_the_people_who_did_everything_else(finished_course):
    course, module, people = finished_course
    assert course_finisher_ids(course_path=course.path) == [people["Ada"].id]


def test_publishing_a_new_lesson_asks_about_people_who_finished(finished_course, editor_client):
    course, module, people = finished_course
    response = editor_client.post(_add_url(module), _lesson_form("Lesson 1.3", "lesson-3"))
    new = LessonPage.objects.get(slug="lesson-3")
    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_pages:edit", args=[new.id])
    html = _messages(editor_client, response)
    assert "1 person has already finished “A course”. Before “Lesson 1.3” is published, choose under" in html
    assert "Your changes are saved as a draft." in html
    assert not new.live and new.has_unpublished_changes
    assert editor_client.get(new.url or "/courses/course/module-1/lesson-3/").status_code == 404

    edit = reverse("wagtailadmin_pages:edit", args=[new.id])
    response = editor_client.post(edit, _lesson_form("Lesson 1.3", "lesson-3", for_finishers="count"))
    assert response.status_code == 302
    assert "“Lesson 1.3” counts as done for the 1 person who had already finished the course." in _messages(
        editor_client, response
    )
    new.refresh_from_db()
    assert new.live
    assert list(LessonCompletion.objects.filter(lesson=new).values_list("user__first_name", flat=True)) == ["Ada"]
    assert course_progress_for_user(user=people["Ada"], course=course).percent == 100
    assert course_progress_for_user(user=people["Ben"], course=course).percent == 33


def test_asking_finishers_to_do_the_new_lesson_drops_them_below_100(finished_course, editor_client):
    course, module, people = finished_course
    response = editor_client.post(_add_url(module), _lesson_form("Lesson 1.3", "lesson-3", for_finishers="ask"))
    new = LessonPage.objects.get(slug="lesson-3")
    assert response.status_code == 302 and new.live
    assert not LessonCompletion.objects.filter(lesson=new).exists()
    progress = course_progress_for_user(user=people["Ada"], course=course)
    assert progress.percent == 66
    assert progress.next_step.lesson.id == new.id


def test_the_count_is_applied_at_the_first_publish_only(finished_course, editor_client):
    course, module, people = finished_course
    editor_client.post(_add_url(module), _lesson_form("Lesson 1.3", "lesson-3", for_finishers="count"))
    new = LessonPage.objects.get(slug="lesson-3")
    assert LessonCompletion.objects.filter(lesson=new).count() == 1
    lesson_complete(user=people["Ben"], lesson=module.get_children().specific()[1])  # Ben now has the old two
    edit = reverse("wagtailadmin_pages:edit", args=[new.id])
    editor_client.post(edit, _lesson_form("Lesson 1.3, revised", "lesson-3", for_finishers="count"))
    assert LessonCompletion.objects.filter(lesson=new).count() == 1, "Ben still has the new lesson to do"


def test_no_question_when_nobody_has_finished(editor_client):
    course, lessons = build_course(modules=1, lessons_per_module=1)
    module = lessons[0].get_parent()
    response = editor_client.post(_add_url(module), _lesson_form("Lesson 1.2", "lesson-2"))
    assert response.status_code == 302
    assert LessonPage.objects.get(slug="lesson-2").live


def test_module_minutes_follow_the_published_lessons(finished_course, editor_client):
    course, module, people = finished_course
    assert module.estimated_minutes == 60  # as built, before any publish
    editor_client.post(_add_url(module), _lesson_form("Lesson 1.3", "lesson-3", minutes=15, for_finishers="ask"))
    module.refresh_from_db()
    assert module.estimated_minutes == 20 + 20 + 15
    new = LessonPage.objects.get(slug="lesson-3")
    new.unpublish()
    module.refresh_from_db()
    assert module.estimated_minutes == 40
    # Publishing the module writes back the minutes its revision held, then recounts them.
    module.save_revision().publish()
    assert ModulePage.objects.get(pk=module.pk).estimated_minutes == 40
    html = unescape(editor_client.get(reverse("wagtailadmin_pages:edit", args=[module.id])).content.decode())
    assert 'name="estimated_minutes"' not in html, "the minutes are worked out, not typed"


def _enrolment_list(client) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("wagtailsnippets_courses_enrolment:list"))
    assert response.status_code == 200
    return unescape(response.content.decode()), len(captured)


def test_the_enrolment_list_shows_names_in_a_fixed_number_of_queries(finished_course, editor_client):
    course, module, people = finished_course
    _enrolment_list(editor_client)  # warm per-process caches
    html, few = _enrolment_list(editor_client)
    assert "Ada Trainee" in html and "Ben Trainee" in html
    assert ">ada<" not in html.replace(" ", "")
    for n in range(6):
        Enrolment.objects.create(user=UserFactory(first_name=f"Extra{n}", last_name="Person"), course=course)
    html, many = _enrolment_list(editor_client)
    assert "Extra5 Person" in html
    assert many == few


def test_the_quiz_report_names_people_and_sorts_them_by_name():
    from courses.reports import trainees_out_of_attempts
    from courses.services import quiz_answers_save, quiz_attempt_start, quiz_attempt_submit
    from tests.factories import answer_key, build_quiz

    course, lessons = build_course(modules=1, lessons_per_module=1)
    quiz = build_quiz(lessons[0].get_parent(), questions=2, max_attempts=1)
    zoe = UserFactory(username="abe", first_name="Zoe", last_name="Adams")
    anna = UserFactory(username="zed", first_name="Anna", last_name="Zimmer")
    nameless = UserFactory(username="mo", first_name="", last_name="")
    for person in (zoe, anna, nameless):
        enrolment_create(user=person, course=course)
        attempt, _ = quiz_attempt_start(user=person, quiz=quiz)
        quiz_answers_save(attempt=attempt, answers=answer_key(attempt, right=False))
        quiz_attempt_submit(attempt=attempt)
    assert [row.name for row in trainees_out_of_attempts(quiz)] == ["Anna Zimmer", "mo", "Zoe Adams"]
