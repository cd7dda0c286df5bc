"""Shared fixtures."""

import collections
import os
import subprocess
import sys
from pathlib import Path

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


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory) -> Path:
    """The static files as production serves them (hashed, compressed, a manifest), collected once per worker.

    The PostgreSQL pass collected them with production's storage before it started (scripts/test-production.sh): that
    folder is used as it is. The servers the browser and live rate-limit tests start all read this one folder.
    """
    ready = Path(os.environ.get("STATIC_ROOT", ""))
    if os.environ.get("LMS_TEST_BACKENDS") == "production" and (ready / "staticfiles.json").is_file():
        return ready
    folder = tmp_path_factory.mktemp("static")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DEBUG"))},
        "LMS_READ_DOTENV": "0",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": "collectstatic-only-" + "x" * 40,
        "STATIC_ROOT": str(folder),
    }
    root = Path(__file__).resolve().parents[1]
    command = [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"]
    result = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode:
        raise RuntimeError(f"collectstatic failed:\n{result.stdout}\n{result.stderr}")
    return folder


if tasks_queued_in_database():

    @pytest.fixture
    def django_capture_on_commit_callbacks():
        """pytest-django's fixture, which also runs the tasks the callbacks queue (tests/tasks.py)."""
        return capture_on_commit_and_run_tasks


def _flushes_serialized(item) -> bool:
    """Whether this test empties the database at its end, keeping the migrated rows aside (serialized_rollback)."""
    marker = item.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction") and marker.kwargs.get("serialized_rollback"))


@pytest.fixture(scope="module", autouse=True)
def _migrated_data_back_after_transactional_tests(request, django_db_blocker):
    """After a module with transactional tests, put back the rows migrations made (groups, the page tree's root).

    A transactional test ends by emptying every table (the suite's all use serialized_rollback); Django puts the
    migrated rows back only at the start of the next such test. pytest-django runs such tests last, but under make
    test's workers another test file may follow them on the same worker, and would find no groups and no root page.
    """
    yield
    if not any(_flushes_serialized(item) for item in request.session.items if item.module is request.module):
        return
    from django.db import connections

    with django_db_blocker.unblock():
        for connection in connections.all():
            contents = getattr(connection, "_test_serialized_contents", None)
            if contents:
                connection.creation.deserialize_db_from_string(contents)


# How make test's workers share the suite (pytest-xdist). --------------------------------------------------------------

BROWSER_TESTS = "tests/e2e/"
RUN_FIRST = (
    BROWSER_TESTS,
    "tests/deploy/test_two_instances.py",
    "tests/deploy/test_rate_limits_live.py",
    "tests/deploy/test_backup_restore.py",
    "tests/deploy/test_upgrade_across_the_restructure.py",
    "tests/deploy/",
    "tests/lms/test_huge_ids.py",
    "tests/courses/test_lesson_page_cache.py",
    "tests/demo/test_demo_site.py",
    "tests/lms/test_access_matrix.py",
)
"""The longest pieces of work, longest first: each takes a minute or more, so started last they would keep one
worker busy while the other waits at the end."""


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist, which a run with -p no:xdist hasn't loaded
def pytest_xdist_make_scheduler(config, log):
    """Give out whole test files (the browser tests all together), the longest first."""
    from xdist.scheduler import LoadFileScheduling

    class LongestFirst(LoadFileScheduling):
        """pytest-xdist's --dist loadfile, with the work queue ordered by RUN_FIRST, then by size as xdist does.

        The browser tests are one piece of work, so one worker starts the one browser server (migrate, seed_demo,
        gunicorn: a minute) instead of each worker its own.
        """

        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return BROWSER_TESTS if path.startswith(BROWSER_TESTS) else path

        def _assign_work_unit(self, node) -> None:
            if not getattr(self, "_ordered", False):
                ranked = sorted(self.workqueue.items(), key=lambda unit: self._rank(*unit))
                self.workqueue = collections.OrderedDict(ranked)
                self._ordered = True
            super()._assign_work_unit(node)

        @staticmethod
        def _rank(scope: str, tests: dict) -> tuple:
            first = next((index for index, prefix in enumerate(RUN_FIRST) if scope.startswith(prefix)), None)
            return (0, first) if first is not None else (1, -len(tests))

    if config.getoption("dist") != "loadfile":
        return None
    return LongestFirst(config, log)
