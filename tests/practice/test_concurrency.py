"""Sixteen supervisors' clicks on one batch at once record exactly one approval per entry (PostgreSQL)."""

from datetime import time, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from practice.models import Attestation, PracticeEntry
from practice.services import entries_approve, entries_submit, entry_create
from tests.factories import build_assignment, entry_data
from tests.parallel import in_parallel

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL for parallel transactions"),
]
THREADS = 16


def test_sixteen_concurrent_approvals_of_one_batch_record_one_approval_each():
    assignment = build_assignment()
    day = timezone.localdate() - timedelta(days=1)
    entries = [
        entry_create(trainee=assignment.trainee, data=entry_data(assignment, performed_on=day, start_time=time(8 + n)))
        for n in range(5)
    ]
    (batch,) = entries_submit(trainee=assignment.trainee, entry_ids=[entry.pk for entry in entries])

    results = in_parallel(
        lambda: entries_approve(supervisor=assignment.supervisor, batch_id=batch.pk, attested=True).pk,
        threads=THREADS,
    )

    attestation_ids = [result for result in results if isinstance(result, int)]
    assert len(attestation_ids) == 1
    assert sorted(result for result in results if isinstance(result, str)) == ["already_reviewed"] * (THREADS - 1)
    assert Attestation.objects.count() == 1
    assert set(PracticeEntry.objects.values_list("status", "attestation_id")) == {("approved", attestation_ids[0])}
    for entry in entries:
        approvals = PracticeEntry.history.filter(id=entry.pk, status="approved")
        assert approvals.count() == 1
        assert approvals.get().history_user == assignment.supervisor
