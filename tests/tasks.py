"""Running the database task queue inside a test, with django-tasks-db's own worker code.

In the production-backends pass (LMS_TEST_BACKENDS=production) tasks are queued in the database, as deployed, and
nothing runs them until a worker does. Tests run them at the moment production would get to them: after the
transaction that queued them commits, which in a test is where on-commit callbacks are run. The worker's polling
loop closes "old" connections, which would end the test's transaction, so this takes the queue's rows the way the
loop does (locked, claimed) and hands each to the worker's own run_task.
"""

import contextlib

from django.conf import settings
from django.db import transaction
from django.test import TestCase

DATABASE_QUEUE = "django_tasks_db.DatabaseBackend"


def tasks_queued_in_database() -> bool:
    """Whether tasks wait in the database queue (production's backend) rather than running at once."""
    return settings.TASKS["default"]["BACKEND"] == DATABASE_QUEUE


def run_ready_tasks() -> int:
    """Run every task that is ready in the database queue, as db_worker would; returns how many ran."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="pytest",
        excluded_queue_names=[],
    )
    ran = 0
    while True:
        with transaction.atomic():
            task_result = DBTaskResult.objects.ready().filter(backend_name="default").get_locked()
            if task_result is not None:
                task_result.claim(worker.worker_id)
        if task_result is None:
            return ran
        worker.run_task(task_result)
        ran += 1


def run_queued_tasks() -> int:
    """Run what a worker would find waiting in the database queue now (nothing to do when tasks run at once)."""
    return run_ready_tasks() if tasks_queued_in_database() else 0


@contextlib.contextmanager
def capture_on_commit_and_run_tasks(using: str = "default", execute: bool = False):
    """Django's captureOnCommitCallbacks; with execute=True, the tasks those callbacks queue run afterwards too,
    and so do the callbacks and tasks they lead to, until nothing is left."""
    with TestCase.captureOnCommitCallbacks(using=using, execute=execute) as callbacks:
        yield callbacks
    while execute:
        with TestCase.captureOnCommitCallbacks(using=using, execute=True) as more:
            ran = run_ready_tasks()
        if not ran and not more:
            return
