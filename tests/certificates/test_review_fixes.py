"""Renewal, reissue and the daily sweep at their edges: validity periods, names, reminders, missed issues."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from certificates.eligibility import programme_eligibility, renewal_progress
from certificates.models import Certificate, ExpiryReminder
from certificates.services import certificate_renew_if_due, certificates_check
from certificates.status_changes import certificate_reissue
from certificates.sweeps import certificates_requeue_stale_renderings, certificates_send_expiry_reminders
from lms.roles import PROGRAMME_ADMIN, TRAINEE
from tests.factories import (
    UserFactory,
    approve_hours,
    approve_programme_hours,
    build_assignment,
    build_programme,
    entry_data,
    supervision_data,
)
from tests.tasks import run_queued_tasks

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def ago(days):
    return TODAY - timedelta(days=days)


def holder_with_certificate(*, issued_days_ago: int, **programme):
    """A trainee whose certificate was issued `issued_days_ago` days ago (hours approved before that)."""
    assignment = build_assignment(trainee=UserFactory(roles=[TRAINEE]), starts_on=ago(issued_days_ago + 100))
    day = ago(issued_days_ago + 1)
    approve_hours(
        assignment,
        [entry_data(assignment, minutes=240, performed_on=day), supervision_data(assignment, performed_on=day)],
    )
    build_programme(**programme)
    (certificate,) = certificates_check(holder=assignment.trainee, today=ago(issued_days_ago))
    return assignment, certificate


def training(assignment, day, minutes=60):
    approve_hours(assignment, [entry_data(assignment, minutes=minutes, performed_on=day, activity_type="training")])


def test_a_certificate_is_valid_on_its_expiry_day_and_expired_the_day_after():
    _, certificate = holder_with_certificate(issued_days_ago=10)
    assert certificate.status_on(certificate.expires_on) == "valid"
    assert certificate.status_on(certificate.expires_on + timedelta(days=1)) == "expired"


@pytest.mark.parametrize(("minutes", "met"), [(120, True), (105, False)])
def test_continuing_education_boundary(minutes, met):
    assignment, certificate = holder_with_certificate(issued_days_ago=700, renewal_ce_hours=2)
    training(assignment, ago(5), minutes)
    assert renewal_progress(certificate=certificate, on=TODAY).hours.met is met


def test_training_after_expiry_does_not_renew_a_lapsed_certificate():
    assignment, certificate = holder_with_certificate(issued_days_ago=800, renewal_ce_hours=1)
    assert certificate.status == "expired"
    training(assignment, ago(2))
    assert renewal_progress(certificate=certificate, on=TODAY).hours.met is False
    assert certificate_renew_if_due(certificate=certificate) is None


def test_a_programme_without_continuing_education_hours_does_not_renew():
    _, certificate = holder_with_certificate(issued_days_ago=700, renewal_ce_hours=0)
    assert renewal_progress(certificate=certificate, on=TODAY).available is False
    assert certificate_renew_if_due(certificate=certificate) is None


def test_reissue_keeps_the_validity_period_and_the_reminders_already_sent(django_capture_on_commit_callbacks):
    assignment, certificate = holder_with_certificate(issued_days_ago=710, renewal_ce_hours=2)
    training(assignment, ago(600), 60)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        certificates_send_expiry_reminders(today=TODAY)
    reminded = list(mail.outbox)
    assert len(reminded) == 1
    new = certificate_reissue(
        by=UserFactory(roles=[PROGRAMME_ADMIN]), certificate=certificate, holder_name="Sam Corrected", reason="Typo."
    )
    assert new.period_starts_on == certificate.period_starts_on
    assert renewal_progress(certificate=new, on=TODAY).hours.summary == "Continuing education: 1 of 2 h"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        certificates_send_expiry_reminders(today=TODAY)
    assert mail.outbox == []
    assert set(ExpiryReminder.objects.filter(certificate=new).values_list("days_before", flat=True)) == {90, 30}


def test_renewal_keeps_the_corrected_name_and_records_only_what_renewal_rests_on():
    assignment, certificate = holder_with_certificate(issued_days_ago=700, renewal_ce_hours=1)
    reissued = certificate_reissue(
        by=UserFactory(roles=[PROGRAMME_ADMIN]), certificate=certificate, holder_name="Ngozi Adeyemi", reason="Name."
    )
    training(assignment, ago(3))
    renewed = certificate_renew_if_due(certificate=reissued)
    assert renewed.holder_name == "Ngozi Adeyemi"
    assert renewed.period_starts_on == reissued.expires_on + timedelta(days=1)
    assert renewed.evidence["renews"] == reissued.number
    assert renewed.evidence["requirements"] == [
        {"key": "renewal", "summary": "Continuing education: 1 of 1 h", "met": True}
    ]


def test_the_supervision_ratio_rounds_what_is_needed_up():
    assignment = build_assignment(starts_on=ago(30))
    approve_hours(
        assignment,
        [entry_data(assignment, minutes=615, performed_on=ago(2)), supervision_data(assignment, minutes=30)],
    )
    programme = build_programme(
        practice_hours=0, supervision_hours=0, supervision_ratio_hours=1, supervision_ratio_per=20
    )
    ratio = next(r for r in programme_eligibility(user=assignment.trainee, programme=programme, on=TODAY).requirements)
    assert (ratio.key, ratio.met, ratio.needed * 60) == ("ratio", False, 31)


def test_an_entry_in_two_domains_counts_its_minutes_once_in_each():
    from content.models import CompetencyDomain
    from practice.minutes import approved_minutes

    assignment = build_assignment()
    domains = list(CompetencyDomain.objects.filter(slug__in=["advocacy", "recovery-wellness", "mentoring-education"]))
    approve_hours(
        assignment,
        [entry_data(assignment, minutes=60, domains=domains), supervision_data(assignment, minutes=45)],
    )
    minutes = approved_minutes(trainee=assignment.trainee)
    assert minutes.practice == 60 and minutes.supervision == 45
    assert minutes.by_domain == {"advocacy": 60, "recovery-wellness": 60, "mentoring-education": 60}
    assert minutes.by_activity == {"individual": 60}


def test_the_abbreviation_is_fixed_once_certificates_carry_it():
    _, certificate = holder_with_certificate(issued_days_ago=1)
    programme = certificate.programme
    programme.abbreviation = "XPS"
    with pytest.raises(ValidationError) as refused:
        programme.full_clean()
    assert "abbreviation stays CPS" in str(refused.value)


def test_the_daily_run_issues_to_people_eligible_before_the_programme_existed(capsys):
    assignment = build_assignment(trainee=UserFactory(roles=[TRAINEE]))
    approve_programme_hours(assignment)
    build_programme()
    assert not Certificate.objects.exists()
    call_command("send_certificate_reminders")
    assert Certificate.objects.get().holder == assignment.trainee
    assert "Issued 1 certificate to people already eligible." in capsys.readouterr().out
    call_command("send_certificate_reminders")
    assert Certificate.objects.count() == 1


def test_pdfs_stuck_being_prepared_are_queued_again(django_capture_on_commit_callbacks):
    _, certificate = holder_with_certificate(issued_days_ago=1)
    assert certificate.rendering == "pending"  # on-commit rendering didn't run in this test transaction
    Certificate.objects.filter(pk=certificate.pk).update(issued_at=timezone.now() - timedelta(minutes=30))
    assert certificates_requeue_stale_renderings() == 0
    Certificate.objects.filter(pk=certificate.pk).update(issued_at=timezone.now() - timedelta(hours=2))
    assert certificates_requeue_stale_renderings() == 1
    run_queued_tasks()  # the worker's turn, where tasks wait in the database queue
    certificate.refresh_from_db()
    assert certificate.rendering == "ready"
    assert certificate.files.count() == 2
