"""People's records stay out of Wagtail's reference index; pages, images, documents and programmes stay in it."""

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from wagtail.models import Page, ReferenceIndex

from certificates.models import Certificate, EthicsAttestation, Programme
from courses.models import Enrolment, LessonPage
from lms.reference_index import forget_reference_index_of
from practice.models import Batch, PracticeEntry, SupervisionSession, SupervisorAssignment
from practice.services import entry_create
from tests.factories import build_assignment, build_course, entry_data, issued_certificate

pytestmark = pytest.mark.django_db

RECORDS = [Enrolment, SupervisorAssignment, Batch, PracticeEntry, SupervisionSession, EthicsAttestation, Certificate]


def test_records_people_make_are_not_indexed_but_content_is():
    assert [model for model in RECORDS if ReferenceIndex.is_indexed(model)] == []
    assert all(ReferenceIndex.is_indexed(model) for model in (Page, LessonPage, Programme))


def test_saving_records_adds_nothing_to_the_index(django_capture_on_commit_callbacks):
    assignment = build_assignment()
    with django_capture_on_commit_callbacks(execute=True):
        entry_create(trainee=assignment.trainee, data=entry_data(assignment))
        issued_certificate(first_name="Robin", last_name="Asante")
    record_types = ContentType.objects.get_for_models(*RECORDS, for_concrete_models=False).values()
    assert not ReferenceIndex.objects.filter(content_type__in=record_types).exists()


def test_the_migration_forgets_what_the_index_held_of_records():
    course, lessons = build_course()
    assignment = build_assignment()
    entry = entry_create(trainee=assignment.trainee, data=entry_data(assignment))
    ReferenceIndex.create_or_update_for_object(lessons[0])  # content: kept
    page_rows = ReferenceIndex.objects.count()
    entry_type = ContentType.objects.get_for_model(PracticeEntry)
    ReferenceIndex.objects.create(
        content_type=entry_type,
        base_content_type=entry_type,
        object_id=str(entry.pk),
        to_content_type=ContentType.objects.get_for_model(Page),
        to_object_id=str(course.pk),
        model_path="course",
        content_path="course",
        content_path_hash=ReferenceIndex._get_content_path_hash("course"),
    )

    forget_reference_index_of("practice", "PracticeEntry").code(apps, None)

    assert not ReferenceIndex.objects.filter(content_type=entry_type).exists()
    assert ReferenceIndex.objects.count() == page_rows
