"""A small world for the URLconf walker: one of each kind of person, and records that belong to the trainee."""

import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.base_user import AbstractBaseUser
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from accounts.services import invitation_create
from certificates.services import certificates_check
from courses.services import enrolment_create, quiz_attempt_start
from lms.roles import PROGRAMME_ADMIN, SUPERVISOR, VERIFIER
from practice.group import GroupSessionData, group_session_create
from practice.invitations import supervisor_invitation_create
from practice.models import Organisation
from practice.services import entries_submit, entry_create
from tests.factories import (
    UserFactory,
    approve_programme_hours,
    build_assignment,
    build_course,
    build_programme,
    build_quiz,
    entry_data,
)
from verification.models import BulkJob
from verification.services import api_token_create

# Who asks, in the order of each row of the expected-status table.
ROLES = ("anonymous", "trainee", "other_trainee", "supervisor", "other_supervisor", "verifier", "admin")


def walk(patterns, prefix=""):
    """Yield (route, pattern) for every URL pattern, descending into includes."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern


def all_routes(urlconf=None) -> list[tuple[str, URLPattern]]:
    """Every (route, pattern) of the URLconf."""
    return list(walk(get_resolver(urlconf).url_patterns))


@dataclass
class World:
    """The people who ask, and the ids of records that belong to `trainee` (supervised by `supervisor`)."""

    users: dict[str, AbstractBaseUser | None]
    ids: dict[str, object] = field(default_factory=dict)


def build_world() -> World:
    """The trainee has an enrolment, a quiz attempt, a draft entry, a submitted batch, a group session their
    supervisor logged for them to confirm, and a certificate.

    The verifier has an API token and a bulk job; the admin has invited a new supervisor; the supervisor has invited
    the trainee (to a confirmed address of theirs) to link up.

    `other_trainee` and `other_supervisor` work at another placement; `supervisor` supervises `trainee`.
    """
    trainee = UserFactory(username="walker_trainee")
    supervisor = UserFactory(username="walker_supervisor", roles=[SUPERVISOR])
    other_trainee = UserFactory(username="walker_other_trainee")
    other_supervisor = UserFactory(username="walker_other_supervisor", roles=[SUPERVISOR])
    verifier = UserFactory(username="walker_verifier", roles=[VERIFIER])
    admin = UserFactory(username="walker_admin", roles=[PROGRAMME_ADMIN])

    assignment = build_assignment(trainee=trainee, supervisor=supervisor)
    elsewhere = Organisation.objects.create(name="Another Placement")
    build_assignment(trainee=other_trainee, supervisor=other_supervisor, organisation=elsewhere)

    course, lessons = build_course(modules=1, lessons_per_module=1)
    quiz = build_quiz(lessons[0].get_parent())
    enrolment_create(user=trainee, course=course)
    attempt, _ = quiz_attempt_start(user=trainee, quiz=quiz)

    approve_programme_hours(assignment)
    programme = build_programme()
    (certificate,) = certificates_check(holder=trainee)
    draft = entry_create(trainee=trainee, data=entry_data(assignment, minutes=30))
    waiting = entry_create(trainee=trainee, data=entry_data(assignment, minutes=45))
    (batch,) = entries_submit(trainee=trainee, entry_ids=[waiting.pk])
    session = group_session_create(
        supervisor=supervisor,
        data=GroupSessionData(
            trainee_ids=[trainee.pk],
            performed_on=timezone.localdate() - timedelta(days=10),
            minutes=60,
            delivery="in_person",
            topics="Boundaries and self-care.",
        ),
    )

    # The supervisor invited the trainee to link up (before the trainee confirmed the address, so it isn't refused
    # as already linked): the invitation is the trainee's to answer and the supervisor's to withdraw.
    supervisor_invitation = supervisor_invitation_create(
        supervisor=supervisor, email=trainee.email, organisation=elsewhere, starts_on=assignment.starts_on
    )
    EmailAddress.objects.create(user=trainee, email=trainee.email, verified=True, primary=True)

    token, _ = api_token_create(user=verifier, name="Walker token")
    job = BulkJob.objects.create(verifier=verifier, file_name="codes.csv")
    invitation, invitation_token = invitation_create(
        invited_by=admin, email="new.supervisor@example.org", role=SUPERVISOR
    )

    users = {
        "anonymous": None,
        "trainee": trainee,
        "other_trainee": other_trainee,
        "supervisor": supervisor,
        "other_supervisor": other_supervisor,
        "verifier": verifier,
        "admin": admin,
    }
    ids = {
        "course_id": course.pk,
        "lesson_id": lessons[0].pk,
        "quiz_id": quiz.pk,
        "attempt_id": attempt.pk,
        "entry_id": draft.pk,
        "batch_id": batch.pk,
        "session_id": session.pk,
        "trainee_id": trainee.pk,
        "user_id": trainee.pk,
        "programme_id": programme.pk,
        "abbreviation": programme.abbreviation.lower(),
        "certificate_pk": certificate.pk,
        "code": certificate.display_code,
        "paper": "a4",
        "list_number": 1,
        "purpose": "revocation",
        "job_id": job.pk,
        "token_pk": token.pk,
        "invitation_pk": invitation.pk,
        "invitation_id": supervisor_invitation.pk,
        "token": invitation_token,
        "uuid": uuid.uuid4(),
    }
    return World(users=users, ids=ids)
