"""Closing an account runs what each app registered (lms/closing.py), in the order CLOSING_ORDER fixes."""

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from lms import closing
from lms.closing import Closer, ClosingStop
from practice.closing import supervising_stops
from practice.models import Batch, SupervisorAssignment
from privacy.closers import CLOSING_ORDER, closers
from privacy.services import PrivacyError, account_close
from tests.factories import PASSWORD, UserFactory, build_assignment

pytestmark = pytest.mark.django_db


def test_closers_run_in_closing_order_each_from_the_app_that_owns_the_records():
    owners = {closer.key: closer.close.__module__.split(".")[0] for closer in closers()}
    assert list(owners) == list(CLOSING_ORDER)
    assert owners == {
        "practice": "practice",
        "certificates": "certificates",
        "supervising": "practice",
        "verifying": "verification",
        "quizzes": "courses",
        "site_admin": "privacy",
        "invitations": "accounts",
        "name_changes": "accounts",
        "account": "privacy",
    }


def test_only_practice_and_certificates_keep_records_to_purge():
    assert [closer.key for closer in closers() if closer.purge] == ["practice", "certificates"]
    assert [closer.key for closer in closers() if closer.kept] == ["certificates"]
    assert [closer.key for closer in closers() if closer.stops] == ["supervising"]


def test_a_closer_registered_but_not_ordered_is_refused(monkeypatch):
    monkeypatch.setattr(closing, "_closers", dict(closing._closers))
    closing.closer_register(Closer("stray", close=lambda context: None))
    with pytest.raises(ImproperlyConfigured, match="stray"):
        closers()


def test_a_closer_ordered_but_not_registered_is_refused(monkeypatch):
    registered = dict(closing._closers)
    registered.pop("verifying")
    monkeypatch.setattr(closing, "_closers", registered)
    with pytest.raises(ImproperlyConfigured, match="verifying"):
        closers()


def test_an_app_cannot_take_the_place_of_the_sites_own_closer(monkeypatch):
    monkeypatch.setattr(closing, "_closers", dict(closing._closers))
    closing.closer_register(Closer("account", close=lambda context: None))
    with pytest.raises(ImproperlyConfigured, match="account"):
        closers()


def test_what_an_app_says_stops_closing_is_shown_and_refused(monkeypatch, client):
    stop = ClosingStop(
        code="quiz_marking",
        title="Please finish marking first",
        explanation="You have 2 quiz answers waiting for your marking.",
        message="You still have quiz answers to mark. Please mark them first, then come back here.",
    )
    monkeypatch.setattr(closing, "_closers", dict(closing._closers))
    quizzes = closing.registered_closers()["quizzes"]
    closing.closer_register(Closer("quizzes", close=quizzes.close, stops=lambda user, today: [stop]))
    person = UserFactory()
    assert client.login(username=person.username, password=PASSWORD)
    page = client.get("/my-data/close/").content.decode()
    assert "Please finish marking first" in page
    assert "You have 2 quiz answers waiting for your marking." in page
    assert 'name="password"' not in page
    with pytest.raises(PrivacyError) as refused:
        account_close(user=person, password=PASSWORD)
    assert (refused.value.code, refused.value.message) == ("quiz_marking", stop.message)
    person.refresh_from_db()
    assert person.is_active


def test_a_supervisor_is_told_how_many_trainees_and_batches_wait(record):
    supervisor = record.supervisor
    build_assignment(supervisor=supervisor)
    Batch.objects.filter(assignment__supervisor=supervisor).update(status=Batch.Status.SUBMITTED)
    (stop,) = supervising_stops(supervisor, timezone.localdate())
    assert stop.code == "supervising"
    assert stop.explanation == (
        "You still have 2 trainees assigned to you, and 2 batches of hours waiting for your review. Your trainees "
        "need a supervisor, so please ask a programme admin to move them to someone else. Then come back here."
    )


def test_a_supervisor_with_only_hours_waiting_is_told_of_those(record):
    supervisor = record.supervisor
    SupervisorAssignment.objects.filter(supervisor=supervisor).update(ends_on=timezone.localdate() - timedelta(days=1))
    Batch.objects.filter(assignment__supervisor=supervisor).update(status=Batch.Status.SUBMITTED)
    (stop,) = supervising_stops(supervisor, timezone.localdate())
    assert stop.explanation.startswith("You still have 2 batches of hours waiting for your review. Your trainees")


def test_a_former_supervisor_with_nothing_waiting_is_not_stopped(record):
    supervisor = record.supervisor
    SupervisorAssignment.objects.filter(supervisor=supervisor).update(ends_on=timezone.localdate() - timedelta(days=1))
    assert supervising_stops(supervisor, timezone.localdate()) == []
