"""A read compiled once gives, for any values, exactly what the ORM gives, in one query, with its values bound."""

import threading
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from courses.models import LessonCompletion, QuizAttempt
from courses.navigation import _progress_rows, lesson_progress
from courses.services import enrolment_create, lesson_complete
from lms.compiled import STAND_IN, CompiledRead
from lms.roles import TRAINEE, _load_roles_and_permissions, _roles_and_permissions
from tests.courses.test_quiz_attempts import take
from tests.factories import UserFactory, build_course, build_quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def records():
    """Two people part-way through a course with a quiz: lessons done, attempts passed and failed."""
    course, lessons = build_course(modules=1, lessons_per_module=4)
    quiz = build_quiz(lessons[0].get_parent(), pass_mark=50)
    person, other = UserFactory(), UserFactory()
    for user in (person, other):
        enrolment_create(user=user, course=course)
    for lesson in lessons[:3]:
        lesson_complete(user=person, lesson=lesson)
    lesson_complete(user=other, lesson=lessons[3])
    take(person, quiz, right=1)
    take(person, quiz, right=4)
    take(other, quiz, right=4)
    return course, lessons, quiz, person, other


def _orm(**values) -> list[tuple]:
    return sorted(_progress_rows(**values), key=repr)


def test_the_compiled_read_gives_what_the_orm_gives_for_every_value(records):
    course, lessons, quiz, person, other = records
    read = CompiledRead(_progress_rows)
    cases = [
        {
            "user_id": person.pk,
            "lesson_ids": [lesson.id for lesson in lessons],
            "quiz_id": quiz.id,
            "course_id": course.id,
        },
        {
            "user_id": other.pk,
            "lesson_ids": [lesson.id for lesson in lessons],
            "quiz_id": quiz.id,
            "course_id": course.id,
        },
        {"user_id": person.pk, "lesson_ids": [lessons[0].id], "quiz_id": 0, "course_id": 0},
        {
            "user_id": person.pk,
            "lesson_ids": [lessons[2].id, lessons[3].id],
            "quiz_id": quiz.id,
            "course_id": course.id,
        },
        {"user_id": person.pk, "lesson_ids": [], "quiz_id": quiz.id, "course_id": course.id},
        {"user_id": -1, "lesson_ids": [lesson.id for lesson in lessons], "quiz_id": quiz.id, "course_id": course.id},
    ]
    for values in cases:
        assert sorted(read.rows(**values), key=repr) == _orm(**values), values
    scores = [row[3] for row in read.rows(**cases[0]) if row[0] == "attempt"]
    assert all(isinstance(score, Decimal) for score in scores) and len(scores) == 2  # converted as the ORM converts
    assert {row[4] for row in read.rows(**cases[0]) if row[0] == "attempt"} == {True, False}


def test_it_builds_the_sql_once_per_shape_and_runs_one_query_each_time(records):
    course, lessons, quiz, person, other = records
    built = []

    def build(**values):
        built.append(values)
        return _progress_rows(**values)

    read = CompiledRead(build)
    for user in (person, other, person):
        with CaptureQueriesContext(connection) as queries:
            read.rows(user_id=user.pk, lesson_ids=[lessons[0].id, lessons[1].id], quiz_id=quiz.id, course_id=course.id)
        assert len(queries) == 1
    assert len(built) == 1
    compiled = next(iter(read._compiled.reads.values()))
    assert "%s" in compiled.sql and str(STAND_IN)[:6] not in compiled.sql  # values are bound, never written in
    read.rows(user_id=person.pk, lesson_ids=[lessons[0].id], quiz_id=quiz.id, course_id=course.id)
    assert len(built) == 2, "a list of another length is another shape"


def test_another_thread_compiles_its_own_and_gets_the_same_rows():
    built = []

    def build(*, type_id):
        built.append(threading.get_ident())
        return ContentType.objects.filter(pk=type_id).values_list("app_label", "model")

    read = CompiledRead(build)
    wanted = ContentType.objects.get_for_model(Group)
    assert read.rows(type_id=wanted.pk) == [("auth", "group")]
    there = {}

    def other_thread():  # its own connection: it sees what is committed, so it compares with the ORM on its side
        there["compiled"] = read.rows(type_id=wanted.pk)
        there["orm"] = list(ContentType.objects.filter(pk=wanted.pk).values_list("app_label", "model"))
        connection.close()

    worker = threading.Thread(target=other_thread)
    worker.start()
    worker.join()
    assert there["compiled"] == there["orm"]
    assert len(set(built)) == 2, "each thread compiles its own (its compiler converts with its own connection)"


def test_the_lesson_progress_counts_what_the_records_hold(records):
    course, lessons, quiz, person, other = records
    progress = lesson_progress(
        user=person, lesson_ids=[lesson.id for lesson in lessons], quiz_id=quiz.id, course_id=course.id
    )
    assert (
        progress.done_ids
        == set(LessonCompletion.objects.filter(user=person).values_list("lesson_id", flat=True))
        == {lesson.id for lesson in lessons[:3]}
    )
    assert progress.enrolled
    submitted = QuizAttempt.objects.filter(user=person, quiz=quiz).aggregate(n=Count("id"))["n"]
    assert progress.quiz.attempts == submitted == 2 and progress.quiz.passed
    assert not lesson_progress(
        user=UserFactory(), lesson_ids=[lesson.id for lesson in lessons], quiz_id=quiz.id, course_id=course.id
    ).enrolled


def test_roles_and_permissions_read_compiled_match_the_orm():
    person = UserFactory(roles=[TRAINEE])
    extra = Group.objects.create(name="Reviewers of the week")
    extra.permissions.add(Permission.objects.get(codename="view_group"))
    person.groups.add(extra)
    person.user_permissions.add(Permission.objects.get(codename="change_group"))
    _load_roles_and_permissions(person)
    assert person._role_names == {TRAINEE, "Reviewers of the week"}
    assert person._user_perm_cache == {"auth.change_group"}
    assert person._group_perm_cache == {"auth.view_group"}
    assert sorted(_roles_and_permissions(user_id=person.pk)) == sorted(
        [
            ("role", "", TRAINEE),
            ("role", "", "Reviewers of the week"),
            ("own", "auth", "change_group"),
            ("group", "auth", "view_group"),
        ]
    )
