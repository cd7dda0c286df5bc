"""Sixteen completing events at once issue exactly one certificate, and renew it exactly once (PostgreSQL)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from certificates.models import Certificate
from certificates.services import certificate_issue_if_eligible, certificate_renew_if_due, certificates_check
from tests.factories import approve_hours, build_assignment, build_programme, entry_data, supervision_data
from tests.parallel import in_parallel

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL for parallel transactions"),
]
THREADS = 16


def eligible_trainee(days_ago: int = 1):
    """A trainee with the hours build_programme() asks for (approved before any programme exists to issue)."""
    assignment = build_assignment(starts_on=timezone.localdate() - timedelta(days=900))
    day = timezone.localdate() - timedelta(days=days_ago)
    approve_hours(
        assignment,
        [
            entry_data(assignment, minutes=240, performed_on=day),
            supervision_data(assignment, minutes=60, performed_on=day),
        ],
    )
    return assignment


def test_sixteen_concurrent_checks_issue_exactly_one_certificate():
    trainee = eligible_trainee().trainee
    programme = build_programme()

    results = in_parallel(
        lambda: getattr(certificate_issue_if_eligible(holder=trainee, programme=programme), "pk", None),
        threads=THREADS,
    )

    issued = [result for result in results if result is not None]
    assert len(issued) == 1
    assert Certificate.objects.count() == 1
    assert Certificate.history.filter(history_type="+").count() == 1
    assert Certificate.objects.get().number.endswith("-000001")


def test_sixteen_checks_for_sixteen_people_give_sixteen_distinct_numbers():
    trainees = [eligible_trainee().trainee for _ in range(THREADS)]
    build_programme()
    queue = iter(trainees)

    results = in_parallel(lambda: [c.number for c in certificates_check(holder=next(queue))], threads=THREADS)

    numbers = sorted(number for issued in results for number in issued)
    year = timezone.localdate().year
    assert numbers == [f"CPS-{year}-{n:06d}" for n in range(1, THREADS + 1)]


def test_sixteen_concurrent_renewals_renew_once():
    assignment = eligible_trainee(days_ago=720)
    approve_hours(assignment, [entry_data(assignment, minutes=60, activity_type="training", contact="indirect")])
    build_programme(renewal_ce_hours=1)
    (first,) = certificates_check(holder=assignment.trainee, today=timezone.localdate() - timedelta(days=700))

    results = in_parallel(lambda: getattr(certificate_renew_if_due(certificate=first), "pk", None), threads=THREADS)

    assert len([result for result in results if result is not None]) == 1
    first.refresh_from_db()
    assert first.state == "superseded"
    assert Certificate.objects.filter(replaces=first).count() == 1
