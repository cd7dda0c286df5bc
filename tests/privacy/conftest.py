"""Fixtures for privacy tests: a certified trainee with a full record, and another trainee."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from certificates.ethics import ethics_attestation_sign
from certificates.models import Certificate
from certificates.pdf_storage import certificate_render
from certificates.services import certificates_check
from courses.services import enrolment_create, lesson_complete
from lms.roles import VERIFIER
from practice.models import PracticeEntry
from practice.services import entries_return, entries_submit, entry_create
from tests.factories import (
    PASSWORD,
    UserFactory,
    approve_hours,
    build_assignment,
    build_course,
    build_programme,
    build_quiz,
    entry_data,
    supervision_data,
)
from verification.models import Lookup
from verification.services import verification_lookup_record, verifier_profile_save

REFLECTION = "Quietly noticed the kettle-whistle pause helped them feel heard"
TOPICS = "Harbourlight boundaries and the marigold question"
COMMENT = "Please say more about the lanternmoth moment"
OTHER_REFLECTION = "Another trainee's private cobblestone thoughts"
FIRST, LAST = "Zephyrine", "Quillfeather"
EMAIL = "zephyrine.q@example.org"
USERNAME = "zquill"


@dataclass
class Record:
    """A trainee with something of everything, and the pieces tests look at."""

    trainee: object
    supervisor: object
    certificate: Certificate
    approved: list
    draft: PracticeEntry
    returned: PracticeEntry
    quiz: object


def take_quiz(user, quiz, *, right: int):
    """Start, answer `right` questions correctly and the rest wrongly, and submit."""
    from courses.services import quiz_answers_save, quiz_attempt_start, quiz_attempt_submit
    from tests.factories import answer_key

    attempt, _ = quiz_attempt_start(user=user, quiz=quiz)
    good, bad = answer_key(attempt), answer_key(attempt, right=False)
    keys = list(attempt.questions.order_by("position").values_list("question_key", flat=True))
    quiz_answers_save(
        attempt=attempt, answers={key: good[key] if n < right else bad[key] for n, key in enumerate(keys)}
    )
    return quiz_attempt_submit(attempt=attempt)[0]


def build_record(*, username=USERNAME, first=FIRST, last=LAST, email=EMAIL, reflection=REFLECTION) -> Record:
    """A certified trainee: approved hours and a session, a draft and a returned entry, a quiz, ethics, a check."""
    trainee = UserFactory(username=username, first_name=first, last_name=last, email=email)
    EmailAddress.objects.create(user=trainee, email=email, verified=True, primary=True)
    assignment = build_assignment(trainee=trainee)
    supervisor = assignment.supervisor
    approved = approve_hours(
        assignment,
        [
            entry_data(assignment, minutes=240, reflection=reflection),
            supervision_data(assignment, minutes=60, topics=TOPICS),
        ],
    )
    course, lessons = build_course(slug=f"course-{trainee.pk}")
    enrolment_create(user=trainee, course=course)
    lesson_complete(user=trainee, lesson=lessons[0])
    quiz = build_quiz(lessons[0].get_parent(), questions=3)
    take_quiz(trainee, quiz, right=1)
    take_quiz(trainee, quiz, right=3)
    programme = build_programme(ethics_attestation_required=True)
    ethics_attestation_sign(user=trainee, programme=programme, agreed=True)
    (certificate,) = certificates_check(holder=trainee)
    certificate = certificate_render(certificate_id=certificate.pk)
    verifier = UserFactory(roles=[VERIFIER])
    verifier_profile_save(user=verifier, organisation_name="Northfield Health Board")
    verification_lookup_record(certificate=certificate, verifier=verifier, channel=Lookup.Channel.PAGE)
    draft = entry_create(
        trainee=trainee,
        data=entry_data(assignment, performed_on=timezone.localdate() - timedelta(days=3), reflection=reflection),
    )
    returned = entry_create(
        trainee=trainee,
        data=entry_data(assignment, performed_on=timezone.localdate() - timedelta(days=4), reflection=reflection),
    )
    (batch,) = entries_submit(trainee=trainee, entry_ids=[returned.pk])
    entries_return(supervisor=supervisor, batch_id=batch.pk, entry_ids=[returned.pk], comment=COMMENT)
    return Record(
        trainee=trainee,
        supervisor=supervisor,
        certificate=certificate,
        approved=approved,
        draft=draft,
        returned=returned,
        quiz=quiz,
    )


@pytest.fixture
def record(db):
    """Zephyrine Quillfeather, certified, with a bit of everything in her record."""
    return build_record()


@pytest.fixture
def other(db):
    """Another trainee with entries of their own."""
    trainee = UserFactory(username="otherperson", first_name="Bartholomew", last_name="Oddington")
    assignment = build_assignment(trainee=trainee)
    entry_create(trainee=trainee, data=entry_data(assignment, reflection=OTHER_REFLECTION))
    return trainee


@pytest.fixture
def record_client(client, record):
    """A test client signed in as the certified trainee."""
    assert client.login(username=record.trainee.username, password=PASSWORD)
    return client
