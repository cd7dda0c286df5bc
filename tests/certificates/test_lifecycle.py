"""Suspend, reinstate, revoke and reissue: the transitions, their history and emails, and who may make them."""

import pytest
from django.core import mail

from certificates.models import Certificate
from certificates.service_base import CertificateError
from certificates.services import certificates_check
from certificates.status_changes import (
    certificate_reinstate,
    certificate_reissue,
    certificate_revoke,
    certificate_suspend,
)
from lms.roles import PROGRAMME_ADMIN, SUPERVISOR, TRAINEE, VERIFIER
from tests.factories import (
    UserFactory,
    approve_programme_hours,
    build_assignment,
    build_programme,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user():
    return UserFactory(roles=[PROGRAMME_ADMIN])


@pytest.fixture
def certificate(django_capture_on_commit_callbacks):
    assignment = build_assignment()
    approve_programme_hours(assignment)
    build_programme()
    with django_capture_on_commit_callbacks(execute=True):
        (issued,) = certificates_check(holder=assignment.trainee)
    mail.outbox.clear()
    issued.refresh_from_db()
    return issued


def latest_history(certificate):
    return Certificate.history.filter(id=certificate.pk).order_by("-history_id").first()


def test_suspend_then_reinstate(certificate, admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        certificate_suspend(by=admin_user, certificate=certificate, reason="Under review after a complaint.")
    certificate.refresh_from_db()
    assert (certificate.status, certificate.state_reason) == ("suspended", "Under review after a complaint.")
    record = latest_history(certificate)
    assert (record.history_user, record.history_change_reason) == (
        admin_user,
        "Suspended: Under review after a complaint.",
    )
    assert mail.outbox[-1].subject.endswith("certificate has been suspended")
    assert "Under review after a complaint." in mail.outbox[-1].body

    with django_capture_on_commit_callbacks(execute=True):
        certificate_reinstate(by=admin_user, certificate=certificate, reason="Review closed.")
    certificate.refresh_from_db()
    assert (certificate.status, certificate.state_reason) == ("valid", "")
    assert latest_history(certificate).history_change_reason == "Reinstated: Review closed."
    assert mail.outbox[-1].subject.endswith("certificate is valid again")


def test_revoke_keeps_the_reason_and_is_final(certificate, admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        certificate_revoke(by=admin_user, certificate=certificate, reason="Issued in error: hours were not supervised.")
    certificate.refresh_from_db()
    assert certificate.status == "revoked"
    assert certificate.state_reason == "Issued in error: hours were not supervised."
    assert mail.outbox[-1].subject.endswith("certificate has been revoked")
    for action in (
        lambda: certificate_revoke(by=admin_user, certificate=certificate, reason="Again"),
        lambda: certificate_reinstate(by=admin_user, certificate=certificate),
        lambda: certificate_suspend(by=admin_user, certificate=certificate, reason="x"),
        lambda: certificate_reissue(by=admin_user, certificate=certificate, holder_name="New Name", reason="x"),
    ):
        with pytest.raises(CertificateError) as refused:
            action()
        assert refused.value.code in {"already_revoked", "not_suspended", "not_valid"}
    certificate.refresh_from_db()
    assert certificate.status == "revoked"


def test_a_suspended_certificate_can_be_revoked(certificate, admin_user):
    certificate_suspend(by=admin_user, certificate=certificate, reason="Under review.")
    certificate_revoke(by=admin_user, certificate=certificate, reason="Review upheld the complaint.")
    certificate.refresh_from_db()
    assert (certificate.status, certificate.state_reason) == ("revoked", "Review upheld the complaint.")


def test_reissue_after_a_name_correction_supersedes_the_old(
    certificate, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        new = certificate_reissue(
            by=admin_user, certificate=certificate, holder_name="  Jordan   Reyes-Whitman ", reason="Name corrected."
        )
    certificate.refresh_from_db()
    new.refresh_from_db()
    assert certificate.status == "superseded"
    assert certificate.state_reason == f"Reissued as {new.number}: Name corrected."
    assert certificate.replaced_by == new and new.replaces == certificate
    assert new.holder_name == "Jordan Reyes-Whitman"
    assert (new.origin, new.status, new.expires_on) == ("reissue", "valid", certificate.expires_on)
    assert new.number != certificate.number and new.code != certificate.code
    assert new.rendering == "ready"
    assert mail.outbox[-1].subject.startswith("Your reissued")
    with pytest.raises(CertificateError) as refused:
        certificate_reissue(by=admin_user, certificate=certificate, holder_name="Other", reason="Again")
    assert refused.value.code == "superseded"
    with pytest.raises(CertificateError) as refused:
        certificate_revoke(by=admin_user, certificate=certificate, reason="x")
    assert refused.value.code == "superseded"


@pytest.mark.parametrize(
    ("action", "code"),
    [
        (lambda c, by: certificate_suspend(by=by, certificate=c, reason="  "), "reason_required"),
        (lambda c, by: certificate_revoke(by=by, certificate=c, reason=""), "reason_required"),
        (lambda c, by: certificate_reissue(by=by, certificate=c, holder_name=" ", reason="x"), "name_required"),
        (lambda c, by: certificate_reissue(by=by, certificate=c, holder_name="A B", reason=""), "reason_required"),
        (lambda c, by: certificate_reinstate(by=by, certificate=c), "not_suspended"),
    ],
)
def test_bad_requests_change_nothing(certificate, admin_user, action, code):
    before = Certificate.history.count()
    with pytest.raises(CertificateError) as refused:
        action(certificate, admin_user)
    assert refused.value.code == code
    assert refused.value.message
    assert Certificate.history.count() == before
    certificate.refresh_from_db()
    assert certificate.status == "valid"


@pytest.mark.parametrize("roles", [[TRAINEE], [SUPERVISOR], [VERIFIER], []])
def test_only_programme_admins_change_certificates(certificate, roles):
    somebody = UserFactory(roles=roles)
    for action in (
        lambda: certificate_suspend(by=somebody, certificate=certificate, reason="x"),
        lambda: certificate_revoke(by=somebody, certificate=certificate, reason="x"),
        lambda: certificate_reissue(by=somebody, certificate=certificate, holder_name="A B", reason="x"),
    ):
        with pytest.raises(CertificateError) as refused:
            action()
        assert refused.value.code == "not_allowed"
    certificate.refresh_from_db()
    assert certificate.status == "valid"


def test_the_holder_cannot_change_their_own_certificate(certificate):
    with pytest.raises(CertificateError) as refused:
        certificate_revoke(by=certificate.holder, certificate=certificate, reason="x")
    assert refused.value.code == "not_allowed"


def test_superusers_count_as_programme_admins(certificate):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    certificate_suspend(by=superuser, certificate=certificate, reason="Checking.")
    certificate.refresh_from_db()
    assert certificate.status == "suspended"
