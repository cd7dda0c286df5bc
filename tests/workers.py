"""What keeps parallel test workers (pytest-xdist's -n) apart: database names and a Redis database of their own."""

import os
from urllib.parse import urlparse, urlunparse

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1"… under xdist; empty in a run without it


def worker_suffix() -> str:
    """A suffix for names made beside the suite's (databases): _gw0, _gw1… under xdist, empty without it."""
    return f"_{WORKER}" if WORKER else ""


def worker_redis_url(url: str) -> str:
    """The Redis URL with this worker's own database number (0 without xdist), so a FLUSHDB touches no other worker."""
    if not url:
        return url
    number = int(WORKER.removeprefix("gw") or 0)
    return urlunparse(urlparse(url)._replace(path=f"/{number}"))
