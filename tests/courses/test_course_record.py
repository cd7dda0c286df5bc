"""A person's course record, read in one query, gives what the separate reads of lessons and quizzes give."""

import pytest

from courses.completions import course_record, quiz_passes
from courses.selectors import completed_lesson_ids, quiz_summaries
from courses.services import enrolment_create, lesson_complete
from tests.courses.test_quiz_attempts import take
from tests.factories import UserFactory, build_course, build_quiz

pytestmark = pytest.mark.django_db


def test_the_record_matches_the_separate_reads(django_assert_num_queries):
    course, lessons = build_course(modules=2, lessons_per_module=2)
    quiz = build_quiz(lessons[0].get_parent(), pass_mark=50)
    other_quiz = build_quiz(lessons[2].get_parent(), pass_mark=50, title="Second quiz", slug="second-quiz")
    person, someone_else = UserFactory(), UserFactory()
    for user in (person, someone_else):
        enrolment_create(user=user, course=course)
    lesson_complete(user=person, lesson=lessons[0])
    lesson_complete(user=person, lesson=lessons[3])
    lesson_complete(user=someone_else, lesson=lessons[1])
    take(person, quiz, right=1)  # a fail
    take(person, quiz, right=4)  # a pass
    take(person, other_quiz, right=0)
    take(someone_else, other_quiz, right=4)
    lesson_ids = [lesson.id for lesson in lessons]
    quiz_ids = [quiz.id, other_quiz.id]

    record = course_record(user=person)
    with django_assert_num_queries(1):
        assert record.quizzes and record.completed_at  # read once, when first asked

    assert set(record.completed_at) == completed_lesson_ids(person, lesson_ids) == {lessons[0].id, lessons[3].id}
    assert record.summaries(quiz_ids) == quiz_summaries(person, quiz_ids)
    assert record.passes(quiz_ids) == quiz_passes(user=person, quiz_ids=quiz_ids)
    assert list(record.passes(quiz_ids)) == [quiz.id]
    assert record.summaries(quiz_ids)[quiz.id].attempts == 2
    assert record.passes(quiz_ids)[quiz.id].title == quiz.title


def test_someone_who_has_done_nothing_has_an_empty_record():
    record = course_record(user=UserFactory())
    assert record.completed_at == {} and record.quizzes == {}
    assert record.passes([1, 2]) == {} and record.summaries([1, 2]) == {}
