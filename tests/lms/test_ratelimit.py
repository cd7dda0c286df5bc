"""The kernel's rate counting: fixed windows, atomic across processes, in the database or in Redis."""

import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from django.db import connection, connections
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from lms.models import RateCounter
from lms.ratelimit import consume, counters_prune, used
from tests.workers import worker_redis_url

MINUTE = 60
NOON = 1_796_644_800  # 2026-12-07 12:00:00 UTC, the first second of a minute's window
REDIS_URL = worker_redis_url(os.environ.get("REDIS_URL", ""))  # scripts/with-redis.sh (second pass)
THREADS = 24


def key() -> str:
    """A key no other test (or earlier run against the same Redis) has used."""
    return f"test:{uuid.uuid4().hex}"


def redis_counters():
    """Settings that count in Redis, as CACHE_URL=redis://… deployments do."""
    return override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}},
        RATE_COUNTERS="cache",
    )


needs_redis = pytest.mark.skipif(not REDIS_URL, reason="needs Redis: make test's second pass starts one")


@pytest.fixture(params=["database", pytest.param("cache", marks=needs_redis)])
def store(request, db):
    """Each test runs on both stores: the database (the default) and Redis."""
    if request.param == "cache":
        with redis_counters():
            yield request.param
    else:
        yield request.param


def test_counts_up_to_the_limit_then_says_how_long_to_wait(store):
    who = key()
    answers = [consume(key=who, cost=1, limit=3, seconds=MINUTE, now=NOON + 15) for _ in range(5)]
    assert answers == [None, None, None, 45, 45]
    assert used(key=who, seconds=MINUTE, now=NOON + 15) == 3  # the refused two weren't counted


def test_a_batch_that_does_not_fit_is_not_counted_so_a_smaller_one_still_can(store):
    who = key()
    assert consume(key=who, cost=7, limit=10, seconds=MINUTE, now=NOON) is None
    assert consume(key=who, cost=4, limit=10, seconds=MINUTE, now=NOON) == MINUTE
    assert consume(key=who, cost=3, limit=10, seconds=MINUTE, now=NOON) is None
    assert used(key=who, seconds=MINUTE, now=NOON) == 10


def test_a_batch_bigger_than_the_limit_never_fits_and_uses_nothing(store):
    who = key()
    assert consume(key=who, cost=11, limit=10, seconds=MINUTE, now=NOON + 59.5) == 1
    assert used(key=who, seconds=MINUTE, now=NOON + 59.5) == 0


def test_the_count_starts_again_with_the_next_window(store):
    who = key()
    for _ in range(2):
        consume(key=who, cost=1, limit=2, seconds=MINUTE, now=NOON + 59)
    assert consume(key=who, cost=1, limit=2, seconds=MINUTE, now=NOON + 59) == 1
    assert consume(key=who, cost=1, limit=2, seconds=MINUTE, now=NOON + 60) is None


def test_each_key_and_each_window_length_counts_apart(store):
    first, second = key(), key()
    assert consume(key=first, cost=1, limit=1, seconds=MINUTE, now=NOON) is None
    assert consume(key=second, cost=1, limit=1, seconds=MINUTE, now=NOON) is None
    assert consume(key=first, cost=1, limit=1, seconds=3600, now=NOON) is None
    assert consume(key=first, cost=1, limit=1, seconds=MINUTE, now=NOON) == MINUTE


@pytest.mark.django_db
def test_a_new_window_prunes_the_rows_of_windows_that_have_ended():
    old, current = key(), key()
    consume(key=old, cost=1, limit=5, seconds=MINUTE, now=NOON - 30)
    consume(key=current, cost=1, limit=5, seconds=86400, now=NOON - 30)  # its day hasn't ended
    assert RateCounter.objects.count() == 2
    consume(key=old, cost=1, limit=5, seconds=MINUTE, now=NOON + 1)  # starts a new window: prunes
    assert sorted(RateCounter.objects.values_list("key", flat=True)) == sorted(
        [f"{current}:86400:{(NOON - 30) // 86400}", f"{old}:60:{(NOON + 1) // MINUTE}"]
    )
    consume(key=old, cost=1, limit=5, seconds=MINUTE, now=NOON + 2)  # counting on in a window doesn't prune
    assert RateCounter.objects.count() == 2
    assert counters_prune(now=NOON + 86400) == 2


@pytest.mark.django_db
def test_a_count_is_a_read_and_one_upsert_and_a_refusal_only_a_read():
    who = key()
    consume(key=who, cost=1, limit=5, seconds=MINUTE, now=NOON)
    with CaptureQueriesContext(connection) as queries:
        consume(key=who, cost=1, limit=5, seconds=MINUTE, now=NOON + 1)
    read, upsert = (query["sql"] for query in queries)
    assert read.startswith("SELECT") and "ON CONFLICT" in upsert and "RETURNING" in upsert
    with CaptureQueriesContext(connection) as queries:  # over the limit: refused by the read, nothing written
        consume(key=who, cost=5, limit=5, seconds=MINUTE, now=NOON + 1)
    (read,) = (query["sql"] for query in queries)
    assert read.startswith("SELECT")


def _at_once(function, threads: int = THREADS) -> list:
    """Call `function` from many threads released together, each on its own database connection."""
    barrier = Barrier(threads)

    def run(_):
        try:
            barrier.wait()
            return function()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(run, range(threads)))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # as the suite's other transactional tests
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL for parallel transactions")
def test_counts_sent_at_once_to_postgresql_let_exactly_the_limit_through():
    who = key()
    answers = _at_once(lambda: consume(key=who, cost=1, limit=10, seconds=3600))
    assert answers.count(None) == 10
    assert used(key=who, seconds=3600) == 10


@needs_redis
def test_counts_sent_at_once_to_redis_let_exactly_the_limit_through():
    who = key()
    with redis_counters():
        answers = _at_once(lambda: consume(key=who, cost=1, limit=10, seconds=3600))
        assert used(key=who, seconds=3600) == 10
    assert answers.count(None) == 10
