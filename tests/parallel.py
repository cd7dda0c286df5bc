"""Run one function in many threads at once, each with its own database connection (for PostgreSQL race tests)."""

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

from django.db import connections

from lms.errors import ServiceError


def in_parallel(function, *, threads: int) -> list:
    """Start `threads` calls together; each result is the return value, or the code of a ServiceError raised."""
    barrier = Barrier(threads)

    def run(_):
        try:
            barrier.wait()
            return function()
        except ServiceError as error:
            return error.code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(run, range(threads)))
