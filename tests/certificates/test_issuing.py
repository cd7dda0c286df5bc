"""Automatic issuing: the completing event issues the certificate once, numbered, coded and with its evidence."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from certificates.models import Certificate
from tests.factories import (
    approve_programme_hours,
    build_assignment,
    build_programme,
)

pytestmark = pytest.mark.django_db


def test_the_approval_that_completes_the_hours_issues_and_renders_the_certificate(django_capture_on_commit_callbacks):
    programme = build_programme()
    assignment = build_assignment()
    with django_capture_on_commit_callbacks(execute=True):
        approve_programme_hours(assignment)
    certificate = Certificate.objects.get(holder=assignment.trainee, programme=programme)
    assert re.fullmatch(rf"CPS-{timezone.localdate().year}-000001", certificate.number)
    assert certificate.rendering == Certificate.Rendering.READY
    assert sorted(certificate.files.values_list("paper", flat=True)) == ["a4", "letter"]
    assert certificate.issued_on == timezone.localdate()
    assert certificate.expires_on == certificate.issued_on.replace(year=certificate.issued_on.year + 2) - timedelta(
        days=1
    )
    assert certificate.evidence["hours"]["practice"] == "4"
    assert any("certificate is ready" in message.subject for message in mail.outbox)


@pytest.fixture
def quiz_setup(trainee, course):
    from courses.services import enrolment_create
    from tests.factories import build_quiz

    course_page, lessons = course
    enrolment_create(user=trainee, course=course_page)
    return build_quiz(lessons[0].get_parent(), questions=5, pass_mark=80)


def test_the_quiz_pass_that_completes_the_programme_issues_it(trainee, quiz_setup, django_capture_on_commit_callbacks):
    from tests.courses.test_quiz_attempts import take

    build_programme(practice_hours=0, supervision_hours=0, quizzes=[quiz_setup])
    with django_capture_on_commit_callbacks(execute=True):
        take(trainee, quiz_setup, right=3)
    assert not Certificate.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        take(trainee, quiz_setup, right=5)
    certificate = Certificate.objects.get(holder=trainee)
    assert certificate.evidence["quizzes"][0]["title"] == "Module quiz"
    assert float(certificate.evidence["quizzes"][0]["best_score"]) == 100


def test_the_lesson_that_completes_a_required_course_issues_it(trainee, django_capture_on_commit_callbacks):
    from courses.services import enrolment_create, lesson_complete
    from tests.factories import build_course

    course_page, lessons = build_course(modules=1, lessons_per_module=2, slug="short", title="Short course")
    enrolment_create(user=trainee, course=course_page)
    build_programme(practice_hours=0, supervision_hours=0, courses=[course_page])
    with django_capture_on_commit_callbacks(execute=True):
        lesson_complete(user=trainee, lesson=lessons[0])
    assert not Certificate.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        lesson_complete(user=trainee, lesson=lessons[1])
    assert Certificate.objects.filter(holder=trainee).count() == 1


def test_the_ethics_attestation_that_completes_the_programme_issues_it(django_capture_on_commit_callbacks):
    from certificates.ethics import ethics_attestation_sign

    programme = build_programme(ethics_attestation_required=True)
    assignment = build_assignment()
    with django_capture_on_commit_callbacks(execute=True):
        approve_programme_hours(assignment)
    assert not Certificate.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        attestation = ethics_attestation_sign(user=assignment.trainee, programme=programme, agreed=True)
    assert attestation.statement == programme.ethics_statement
    certificate = Certificate.objects.get(holder=assignment.trainee)
    assert certificate.evidence["requirements"][-1]["key"] == "ethics"


def test_unticked_ethics_box_is_refused_with_a_clear_message():
    from certificates.ethics import ethics_attestation_sign
    from certificates.service_base import CertificateError
    from tests.factories import UserFactory

    programme = build_programme(ethics_attestation_required=True)
    with pytest.raises(CertificateError) as refused:
        ethics_attestation_sign(user=UserFactory(), programme=programme, agreed=False)
    assert refused.value.code == "agreement_required"
    assert "Tick the box" in refused.value.message


def test_checking_again_issues_nothing_more_and_numbers_follow_on():
    from certificates.services import certificates_check

    build_programme()
    first, second = build_assignment(), build_assignment()
    for assignment in (first, second):
        approve_programme_hours(assignment)
    issued = certificates_check(holder=first.trainee) + certificates_check(holder=second.trainee)
    assert certificates_check(holder=first.trainee) == []
    year = timezone.localdate().year
    assert [certificate.number for certificate in issued] == [f"CPS-{year}-000001", f"CPS-{year}-000002"]
    assert Certificate.objects.count() == 2


def test_the_code_is_140_random_bits_a_person_can_type():
    from certificates.codes import ALPHABET
    from certificates.services import certificates_check

    build_programme()
    assignment = build_assignment()
    approve_programme_hours(assignment)
    (certificate,) = certificates_check(holder=assignment.trainee)
    assert len(certificate.code) == 28 and set(certificate.code) <= set(ALPHABET)
    assert not set("ILOU") & set(certificate.code)
    assert re.fullmatch(r"([0-9A-Z]{4}-){6}[0-9A-Z]{4}", certificate.display_code)


def test_the_name_is_kept_as_it_stood_at_issue():
    from certificates.services import certificates_check

    build_programme()
    assignment = build_assignment()
    trainee = assignment.trainee
    trainee.first_name, trainee.last_name = "Jordan", "Reyes"
    trainee.save()
    approve_programme_hours(assignment)
    (certificate,) = certificates_check(holder=trainee)
    trainee.last_name = "Reyes-Whitman"
    trainee.save()
    certificate.refresh_from_db()
    assert certificate.holder_name == "Jordan Reyes"


def test_an_inactive_programme_issues_nothing():
    from certificates.services import certificates_check

    build_programme(is_active=False)
    assignment = build_assignment()
    approve_programme_hours(assignment)
    assert certificates_check(holder=assignment.trainee) == []


def test_codes_are_normalised_from_what_people_type():
    from certificates.codes import format_code, new_code, normalise_code

    code = new_code()
    assert normalise_code(format_code(code).lower()) == code
    assert normalise_code(" ".join(format_code(code).split("-"))) == code
    assert normalise_code("0" * 27 + "1") == normalise_code("o" * 27 + "l")
    assert normalise_code(code[:-1]) is None
    assert normalise_code(code[:-1] + "U") is None
    assert normalise_code("") is None
