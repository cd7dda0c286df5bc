"""The name a new certificate carries: renewals follow the holder's own corrections, and issues read it afresh."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.services import user_name_change
from certificates.models import Certificate
from certificates.services import certificate_issue_if_eligible, certificate_renew_if_due
from certificates.status_changes import certificate_reissue
from lms.names import display_name
from lms.roles import PROGRAMME_ADMIN
from tests.certificates.test_review_fixes import ago, holder_with_certificate, training
from tests.factories import UserFactory, approve_programme_hours, build_assignment, build_programme

pytestmark = pytest.mark.django_db


def issued_long_ago(*, name: str | None = None):
    """A holder whose certificate was issued 700 days ago (its name `name`, if given), with renewal now due."""
    assignment, certificate = holder_with_certificate(issued_days_ago=700, renewal_ce_hours=1)
    changes = {"issued_at": timezone.now() - timedelta(days=700)}
    if name is not None:
        changes["holder_name"] = name
    Certificate.objects.filter(pk=certificate.pk).update(**changes)
    certificate.refresh_from_db()
    training(assignment, ago(3))
    return assignment.trainee, certificate


def test_a_renewal_after_the_holder_corrected_their_name_carries_the_new_name(django_capture_on_commit_callbacks):
    holder, certificate = issued_long_ago()
    with django_capture_on_commit_callbacks(execute=True):
        user_name_change(user=holder, first_name="Ngozi", last_name="Adeyemi-Okafor")
    renewed = certificate_renew_if_due(certificate=certificate)
    assert renewed.replaces == certificate
    assert renewed.holder_name == "Ngozi Adeyemi-Okafor"
    certificate.refresh_from_db()
    assert certificate.state == Certificate.State.SUPERSEDED


def test_without_a_correction_a_renewal_keeps_the_old_certificates_name_though_the_account_differs():
    holder, certificate = issued_long_ago(name="N. Adeyemi")
    assert display_name(holder) != "N. Adeyemi"
    assert certificate_renew_if_due(certificate=certificate).holder_name == "N. Adeyemi"


def test_a_correction_older_than_the_certificate_does_not_override_its_name(django_capture_on_commit_callbacks):
    holder, certificate = issued_long_ago()
    with django_capture_on_commit_callbacks(execute=True):
        user_name_change(user=holder, first_name="Ngozi", last_name="Adeyemi-Okafor")
    holder.name_changes.update(changed_at=timezone.now() - timedelta(days=701))  # before the certificate's issue
    assert certificate_renew_if_due(certificate=certificate).holder_name == certificate.holder_name


def test_the_spelling_an_admin_reissued_after_the_correction_is_kept_at_renewal(django_capture_on_commit_callbacks):
    holder, certificate = issued_long_ago()
    with django_capture_on_commit_callbacks(execute=True):
        user_name_change(user=holder, first_name="Ngozi", last_name="Adeyemi-Okafor")
    reissued = certificate_reissue(
        by=UserFactory(roles=[PROGRAMME_ADMIN]),
        certificate=certificate,
        holder_name="Ngozi Adeyemi Okafor",
        reason="Name corrected; the holder asked for no hyphen on the certificate.",
    )
    assert certificate_renew_if_due(certificate=reissued).holder_name == "Ngozi Adeyemi Okafor"


def test_an_issue_prints_the_name_stored_even_when_the_holder_object_passed_in_is_stale():
    assignment = build_assignment()
    approve_programme_hours(assignment)
    programme = build_programme()
    stale = assignment.trainee
    get_user_model().objects.filter(pk=stale.pk).update(first_name="Ama", last_name="Owusu")
    assert display_name(stale) != "Ama Owusu"
    certificate = certificate_issue_if_eligible(holder=stale, programme=programme)
    assert certificate.holder_name == "Ama Owusu"
