"""Kept homes and writes that commit side by side (PostgreSQL): whom a record reaches is worked out again as
committed, so a write that committed meanwhile in another transaction can't leave a copy that misses it."""

from threading import Event, Thread

import pytest
from allauth.account.models import EmailAddress
from django.db import connection, connections, transaction
from django.test import Client
from django.utils import timezone

from lms.roles import SUPERVISOR
from practice.invitations import supervisor_invitation_create
from practice.models import Organisation
from tests.dashboard.test_kept_home import visit
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL for side-by-side transactions"),
]
WAIT = 30  # seconds either side waits for the other at most


def test_an_invitation_that_commits_after_its_address_was_verified_reaches_the_person():
    supervisor = UserFactory(first_name="Sam", last_name="Okafor", roles=[SUPERVISOR])
    trainee = UserFactory(email="nia@example.org")
    address = EmailAddress.objects.create(user=trainee, email=trainee.email, verified=False, primary=True)
    placement = Organisation.objects.create(name="Harbour Peer Centre")
    home = Client()
    home.force_login(trainee)
    saved, visited = Event(), Event()

    def invite_then_wait():
        """The supervisor's request: the invitation is saved (nobody holds the address verified yet), then commits."""
        try:
            with transaction.atomic():
                supervisor_invitation_create(
                    supervisor=supervisor, email=trainee.email, organisation=placement, starts_on=timezone.localdate()
                )
                saved.set()
                visited.wait(WAIT)
        finally:
            connections.close_all()

    supervisor_request = Thread(target=invite_then_wait)
    supervisor_request.start()
    assert saved.wait(WAIT)
    address.verified = True  # the trainee confirms their address meanwhile: it commits at once, ending their copy
    address.save()
    text, rendered = visit(home)  # worked out and kept while the invitation isn't committed yet
    assert rendered and "invited you to link up" not in text
    visited.set()
    supervisor_request.join(WAIT)

    text, _ = visit(home)
    assert "Sam Okafor invited you to link up at Harbour Peer Centre." in text
