"""The retention rule: a closed account's certificates and their evidence go 6 years after the last expiry."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from certificates.models import Certificate, CertificateFile
from practice.models import Attestation, Batch, PracticeEntry, SkillsCheckSignOff, SupervisorAssignment
from practice.skills import LISTENING
from privacy.models import ClosedAccount
from privacy.retention import RETENTION_YEARS, keep_until
from privacy.services import account_close, closed_accounts_purge
from tests.factories import PASSWORD, skills_check
from tests.privacy.conftest import FIRST, LAST
from tests.privacy.test_closure import tables_containing

pytestmark = pytest.mark.django_db


def test_keep_until_is_six_years_after_the_latest_expiry():
    assert RETENTION_YEARS == 6
    assert keep_until([date(2027, 3, 31), date(2029, 3, 31), date(2028, 1, 1)]) == date(2035, 3, 31)
    assert keep_until([date(2028, 2, 29)]) == date(2034, 2, 28)
    assert keep_until([]) is None


def test_nothing_goes_until_the_day_after_keep_until(record, django_capture_on_commit_callbacks):
    certificate = record.certificate
    files = [stored.file.name for stored in certificate.files.all()]
    storage = CertificateFile._meta.get_field("file").storage
    closed = account_close(user=record.trainee, password=PASSWORD)

    assert closed_accounts_purge(today=closed.keep_until) == []
    assert Certificate.objects.filter(pk=certificate.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        (purged,) = closed_accounts_purge(today=closed.keep_until + timedelta(days=1))
    assert purged.purged_at is not None
    user = record.trainee
    assert not Certificate.objects.filter(holder=user).exists()
    assert not Certificate.history.filter(holder_id=user.pk).exists()
    assert not PracticeEntry.objects.filter(trainee=user).exists()
    assert not PracticeEntry.history.filter(trainee_id=user.pk).exists()
    assert not Batch.objects.filter(trainee=user).exists()
    assert not Attestation.objects.filter(batch__trainee=user).exists()
    assert not SupervisorAssignment.objects.filter(trainee=user).exists()
    assert not any(storage.exists(name) for name in files)
    assert Client().get(f"/verify/{certificate.display_code}/").status_code == 404
    assert tables_containing(FIRST, LAST) == {}
    assert closed_accounts_purge(today=closed.keep_until + timedelta(days=2)) == []  # once only


def test_certificates_already_past_retention_go_at_closing(record):
    long_ago = timezone.localdate() - timedelta(days=366 * (RETENTION_YEARS + 3))  # safe on 29 February too
    Certificate.objects.filter(pk=record.certificate.pk).update(
        issued_on=long_ago, period_starts_on=long_ago, expires_on=long_ago + timedelta(days=365)
    )
    closed = account_close(user=record.trainee, password=PASSWORD)
    assert closed.purged_at is not None
    assert not Certificate.objects.filter(holder=record.trainee).exists()


def test_the_daily_command_purges_what_is_due(record):
    closed = account_close(user=record.trainee, password=PASSWORD)
    ClosedAccount.objects.filter(pk=closed.pk).update(keep_until=timezone.localdate() - timedelta(days=1))
    out = StringIO()
    call_command("purge_closed_accounts", stdout=out)
    assert "1 closed account" in out.getvalue()
    assert not Certificate.objects.filter(holder=record.trainee).exists()


def test_a_signed_off_skills_check_behind_the_certificate_is_kept_then_purged(record):
    assignment = SupervisorAssignment.objects.get(trainee=record.trainee)
    entry = skills_check(assignment, LISTENING, days_ago=2)
    closed = account_close(user=record.trainee, password=PASSWORD)
    assert SkillsCheckSignOff.objects.get().entry == entry  # it backs the certificate's hours
    closed_accounts_purge(today=closed.keep_until + timedelta(days=1))
    assert not PracticeEntry.objects.filter(trainee=record.trainee).exists()
    assert not SkillsCheckSignOff.objects.exists()
    assert not SkillsCheckSignOff.history.exists()
