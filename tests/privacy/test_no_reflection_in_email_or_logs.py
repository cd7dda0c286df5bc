"""Emails and logs never carry what trainees write: every flow that emails or logs is driven with a marked text."""

import logging

import pytest
from django.core import mail

from certificates.models import Certificate
from lms.roles import PROGRAMME_ADMIN
from practice.services import entries_approve, entries_return, entries_submit, entry_create, entry_reopen, entry_update
from privacy.services import account_close
from tests.factories import PASSWORD, UserFactory, build_assignment, build_programme, entry_data, supervision_data

pytestmark = pytest.mark.django_db

REFLECTION = "Sat with the silence by the plum-coloured door and waited"
TOPICS = "Working through the brass-kettle boundary in supervision"
COMMENT = "Could you say what the saffron-lantern moment taught you"
REASON = "The date was typed as the tangerine-weekday by mistake"
WORDS = (REFLECTION, TOPICS, COMMENT, REASON)


@pytest.fixture
def every_log_record(caplog):
    """Capture every log record at DEBUG, for the root logger and every logger that sets its own level."""
    caplog.set_level(logging.DEBUG)
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger) and logger.level not in (logging.NOTSET, logging.DEBUG):
            caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def email_texts() -> list[str]:
    """The subject, body and every HTML or other alternative of each email sent."""
    texts = []
    for message in mail.outbox:
        texts += [message.subject, message.body]
        texts += [str(content) for content, _mimetype in getattr(message, "alternatives", [])]
    return texts


def test_the_review_and_certificate_flows_keep_reflections_out_of_email_and_logs(
    every_log_record, django_capture_on_commit_callbacks
):
    build_programme()
    assignment = build_assignment()
    trainee, supervisor = assignment.trainee, assignment.supervisor
    admin = UserFactory(roles=[PROGRAMME_ADMIN])
    with django_capture_on_commit_callbacks(execute=True):
        practice = entry_create(trainee=trainee, data=entry_data(assignment, minutes=240, reflection=REFLECTION))
        session = entry_create(trainee=trainee, data=supervision_data(assignment, topics=TOPICS))
        (batch,) = entries_submit(trainee=trainee, entry_ids=[practice.pk, session.pk])
    with django_capture_on_commit_callbacks(execute=True):
        entries_return(supervisor=supervisor, batch_id=batch.pk, entry_ids=[practice.pk], comment=COMMENT)
    with django_capture_on_commit_callbacks(execute=True):
        entry_update(
            trainee=trainee, entry_id=practice.pk, data=entry_data(assignment, minutes=240, reflection=REFLECTION)
        )
        (again,) = entries_submit(trainee=trainee, entry_ids=[practice.pk])
    with django_capture_on_commit_callbacks(execute=True):
        entries_approve(supervisor=supervisor, batch_id=batch.pk, attested=True)
        entries_approve(supervisor=supervisor, batch_id=again.pk, attested=True)
    certificate = Certificate.objects.get(holder=trainee)
    assert certificate.rendering == Certificate.Rendering.READY
    with django_capture_on_commit_callbacks(execute=True):
        entry_reopen(admin=admin, entry_id=session.pk, reason=REASON)
    with django_capture_on_commit_callbacks(execute=True):
        account_close(user=trainee, password=PASSWORD)

    subjects = [message.subject for message in mail.outbox]
    assert any("to review" in subject for subject in subjects)  # submitted
    assert any("returned" in subject for subject in subjects)
    assert any("approved" in subject for subject in subjects)
    assert any("certificate is ready" in subject for subject in subjects)
    assert any("reopened" in subject for subject in subjects)
    assert "Your account has been closed" in subjects
    texts = email_texts()
    for words in WORDS:
        assert not [text for text in texts if words in text], words

    records = every_log_record.records
    assert records  # the flows did log (rendering, closing), so the check below means something
    logged = [every_log_record.text] + [record.getMessage() for record in records]
    for words in WORDS:
        assert not [text for text in logged if words in text], words
