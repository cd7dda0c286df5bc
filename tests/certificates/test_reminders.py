"""Expiry reminders and renewal: each reminder goes out once per certificate and threshold, whatever the timer does."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from certificates.eligibility import add_months
from certificates.models import Certificate, ExpiryReminder
from certificates.services import certificate_issue_if_eligible
from certificates.status_changes import certificate_reissue, certificate_revoke, certificate_suspend
from certificates.sweeps import certificates_send_expiry_reminders
from lms.roles import PROGRAMME_ADMIN
from tests.factories import UserFactory, approve_hours, build_assignment, build_programme, entry_data, supervision_data

pytestmark = pytest.mark.django_db

EXPIRING = "Your Certified Peer Specialist certificate expires in {} days"
EXPIRED = "Your Certified Peer Specialist certificate has expired"


def certified(programme, *, issued_on=None) -> Certificate:
    """A certificate issued on `issued_on` (today by default) to a new trainee, on hours approved just before."""
    issued_on = issued_on or timezone.localdate()
    assignment = build_assignment(starts_on=issued_on - timedelta(days=30))
    approve_hours(
        assignment,
        [
            entry_data(assignment, performed_on=issued_on - timedelta(days=1), minutes=240),
            supervision_data(assignment, performed_on=issued_on - timedelta(days=2), minutes=60),
        ],
    )
    certificate = certificate_issue_if_eligible(holder=assignment.trainee, programme=programme, today=issued_on)
    assert certificate is not None
    return certificate


def reminders_to(certificate: Certificate) -> list[str]:
    """The subjects of the expiry emails the certificate's holder received, in order."""
    return [
        message.subject
        for message in mail.outbox
        if message.to == [certificate.holder.email] and message.subject.startswith((EXPIRING.format("")[:-6], EXPIRED))
    ]


def thresholds(certificate: Certificate) -> dict:
    """When each threshold was recorded for the certificate: {days before: sent on}."""
    return dict(ExpiryReminder.objects.filter(certificate=certificate).values_list("days_before", "sent_on"))


@pytest.fixture
def command(django_capture_on_commit_callbacks):
    """Run send_certificate_reminders as on the given day, sending the emails it queues; returns its output."""

    def run(day=None) -> str:
        out = io.StringIO()
        arguments = ["--date", day.isoformat()] if day else []
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_certificate_reminders", *arguments, stdout=out)
        return out.getvalue()

    return run


@pytest.fixture
def service(django_capture_on_commit_callbacks):
    """Run the reminder service as on the given day, sending the emails it queues."""

    def run(day) -> dict:
        with django_capture_on_commit_callbacks(execute=True):
            return certificates_send_expiry_reminders(today=day)

    return run


@pytest.fixture
def admin(db):
    """A programme admin."""
    return UserFactory(roles=[PROGRAMME_ADMIN])


def test_each_reminder_goes_out_once_when_the_command_runs_twice_a_day(command):
    certificate = certified(build_programme())
    expires = certificate.expires_on
    for offset in range(100, -15, -1):  # from 100 days before expiry to two weeks after
        day = expires - timedelta(days=offset)
        command(day)
        command(day)
    assert reminders_to(certificate) == [EXPIRING.format(90), EXPIRING.format(30), EXPIRING.format(7), EXPIRED]
    assert thresholds(certificate) == {
        90: expires - timedelta(days=90),
        30: expires - timedelta(days=30),
        7: expires - timedelta(days=7),
        0: expires + timedelta(days=1),
    }
    certificate.refresh_from_db()
    assert (
        certificate.state == Certificate.State.VALID and certificate.status_on(expires + timedelta(days=1)) == "expired"
    )


def test_a_timer_that_misses_days_sends_only_the_nearest_reminder_and_nothing_twice(service):
    certificate = certified(build_programme())
    expires = certificate.expires_on
    for offset in (95, 60, 60, 20, 3, 3, -10, -20):
        service(expires - timedelta(days=offset))
    assert reminders_to(certificate) == [EXPIRING.format(60), EXPIRING.format(20), EXPIRING.format(3), EXPIRED]


def test_a_certificate_reissued_with_20_days_left_gets_the_30_day_reminder_then_the_7_day_one(service, admin):
    today = timezone.localdate()
    original = certified(build_programme(), issued_on=add_months(today, -24) + timedelta(days=20))
    reissued = certificate_reissue(by=admin, certificate=original, holder_name="Jordan Reyes", reason="Name corrected")
    days_left = (reissued.expires_on - today).days
    assert 7 < days_left < 30
    for offset in range(days_left, -15, -1):
        service(reissued.expires_on - timedelta(days=offset))
    assert reminders_to(reissued) == [EXPIRING.format(days_left), EXPIRING.format(7), EXPIRED]
    assert thresholds(reissued) == {
        90: today,  # passed already when first seen: recorded, not sent
        30: today,
        7: reissued.expires_on - timedelta(days=7),
        0: reissued.expires_on + timedelta(days=1),
    }
    assert thresholds(original) == {}


def test_suspended_revoked_and_superseded_certificates_get_no_reminders(service, admin):
    programme = build_programme()
    kept, suspended, revoked, superseded = (certified(programme) for _ in range(4))
    certificate_suspend(by=admin, certificate=suspended, reason="A complaint is being looked into.")
    certificate_revoke(by=admin, certificate=revoked, reason="Issued in error.")
    reissued = certificate_reissue(by=admin, certificate=superseded, holder_name="Sam Rivera", reason="Name corrected")
    expires = kept.expires_on
    for offset in range(95, -15, -1):
        service(expires - timedelta(days=offset))
    for certificate in (suspended, revoked, superseded):
        assert thresholds(certificate) == {}
    assert reminders_to(suspended) == reminders_to(revoked) == []
    everything = [EXPIRING.format(90), EXPIRING.format(30), EXPIRING.format(7), EXPIRED]
    assert reminders_to(kept) == everything
    assert reminders_to(reissued) == everything  # the same holder: only the new certificate's reminders


def test_the_command_says_how_many_reminders_went_out(command):
    certificate = certified(build_programme())
    day = certificate.expires_on - timedelta(days=90)
    assert command(day) == f"{day.isoformat()}: 1 reminder sent (90 days: 1, 30 days: 0, 7 days: 0, expired: 0).\n"
    assert command(day) == f"{day.isoformat()}: 0 reminders sent (90 days: 0, 30 days: 0, 7 days: 0, expired: 0).\n"
    assert command().startswith(f"{timezone.localdate().isoformat()}: 0 reminders sent")


def test_the_command_refuses_a_date_it_cannot_read():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_certificate_reminders", "--date", "1/3/2026")


def test_continuing_education_renews_once_the_window_opens_and_only_once(command):
    today = timezone.localdate()
    programme = build_programme(renewal_ce_hours=Decimal(6), renewal_opens_days=90)
    old = certified(programme, issued_on=add_months(today, -24) + timedelta(days=120))
    assignment = old.holder.supervisor_assignments.get()
    approve_hours(
        assignment,
        [
            entry_data(
                assignment,
                performed_on=today - timedelta(days=10),
                minutes=360,
                activity_type="training",
                contact="indirect",
            )
        ],
    )
    opens = old.expires_on - timedelta(days=90)
    command(opens - timedelta(days=1))
    assert Certificate.objects.filter(holder=old.holder).count() == 1  # the window isn't open yet

    for offset in range(40):  # every day for 40 days, twice a day
        command(opens + timedelta(days=offset))
        command(opens + timedelta(days=offset))

    assert Certificate.objects.filter(holder=old.holder).count() == 2
    old.refresh_from_db()
    new = Certificate.objects.get(replaces=old)
    assert old.state == Certificate.State.SUPERSEDED and old.replaced_by == new
    assert new.state == Certificate.State.VALID and new.origin == Certificate.Origin.RENEWAL
    assert new.issued_on == opens
    assert new.expires_on == add_months(old.expires_on + timedelta(days=1), 24) - timedelta(days=1)
    assert new.evidence["renews"] == old.number
    assert new.evidence["continuing_education"] == "Continuing education: 6 of 6 h"
    assert reminders_to(old) == []  # renewed before any reminder was due


def test_a_closed_account_is_neither_reminded_nor_renewed(service):
    certificate = certified(build_programme())
    type(certificate.holder).objects.filter(pk=certificate.holder_id).update(is_active=False)
    for offset in (90, 30, 7, 0, -1):
        service(certificate.expires_on - timedelta(days=offset))
    assert reminders_to(certificate) == [] and thresholds(certificate) == {}
    assert not Certificate.objects.filter(replaces=certificate).exists()
