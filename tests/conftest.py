"""Shared fixtures."""

import factory.random
import pytest

from tests.factories import PASSWORD, UserFactory, build_course
from tests.tasks import capture_on_commit_and_run_tasks, tasks_queued_in_database


@pytest.fixture(autouse=True)
def _factory_seed(request):
    """Seed the factories' random names from the test's id, so a clash of names fails the same way every run."""
    factory.random.reseed_random(request.node.nodeid)


@pytest.fixture
def trainee(db):
    """A signed-up trainee."""
    return UserFactory(username="tamsin")


@pytest.fixture
def course(db):
    """A live course of two modules with two lessons each: (course, lessons)."""
    return build_course(modules=2, lessons_per_module=2)


@pytest.fixture
def trainee_client(client, trainee):
    """A test client signed in as the trainee."""
    assert client.login(username=trainee.username, password=PASSWORD)
    return client


if tasks_queued_in_database():

    @pytest.fixture
    def django_capture_on_commit_callbacks():
        """pytest-django's fixture, which also runs the tasks the callbacks queue (tests/tasks.py)."""
        return capture_on_commit_and_run_tasks
