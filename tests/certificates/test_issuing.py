"""Automatic issuing: the completing event issues the certificate once, numbered, coded and with its evidence."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from certificates.models import Certificate
from tests.factories import approve_hours, build_assignment, build_programme, entry_data, supervision_data

pytestmark = pytest.mark.django_db


def test_the_approval_that_completes_the_hours_issues_and_renders_the_certificate(django_capture_on_commit_callbacks):
    programme = build_programme()
    assignment = build_assignment()
    with django_capture_on_commit_callbacks(execute=True):
        approve_hours(assignment, [entry_data(assignment, minutes=240), supervision_data(assignment, minutes=60)])
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
