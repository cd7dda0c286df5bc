"""An issue that starts while the holder's name is being corrected waits for it, and prints the new name."""

import time
from concurrent.futures import ThreadPoolExecutor
from threading import Event

import pytest
from django.db import connection, connections, transaction

from accounts.services import user_name_change
from certificates.services import certificate_issue_if_eligible
from tests.factories import approve_programme_hours, build_assignment, build_programme

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL for parallel transactions"),
]


def test_an_issue_during_a_name_correction_waits_and_prints_the_corrected_name():
    assignment = build_assignment()
    approve_programme_hours(assignment)
    programme = build_programme()
    holder = assignment.trainee  # loaded before the correction: the issue must not print this object's name
    correcting = Event()

    def correct():
        try:
            with transaction.atomic():
                user_name_change(user=holder, first_name="Ama", last_name="Owusu")
                correcting.set()
                time.sleep(0.5)  # still uncommitted while the issue below starts
        finally:
            connections.close_all()

    def issue():
        try:
            assert correcting.wait(timeout=10)
            return certificate_issue_if_eligible(holder=holder, programme=programme).holder_name
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        corrected, issued = pool.submit(correct), pool.submit(issue)
        corrected.result()
        assert issued.result() == "Ama Owusu"
