"""Fixtures for verification tests: a certificate to check and verifiers (each test's rollback forgets its counts)."""

import pytest

from lms.roles import VERIFIER
from tests.factories import PASSWORD, UserFactory, issued_certificate
from verification.services import verifier_profile_save


@pytest.fixture
def certificate(db):
    """A valid certificate held by Robin Asante (robin@example.org)."""
    return issued_certificate(first_name="Robin", last_name="Asante", email="robin@example.org")


def make_verifier(organisation: str | None = "Northfield Health Board", **kwargs):
    """A verifier account, belonging to the organisation unless None."""
    user = UserFactory(roles=[VERIFIER], **kwargs)
    if organisation:
        verifier_profile_save(user=user, organisation_name=organisation)
    return user


@pytest.fixture
def verifier(db):
    """A verifier of Northfield Health Board."""
    return make_verifier()


@pytest.fixture
def verifier_client(client, verifier):
    """A test client signed in as the verifier."""
    assert client.login(username=verifier.username, password=PASSWORD)
    return client
