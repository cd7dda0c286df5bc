"""Fixed-window rate limits, counted atomically where every server process and machine sees the same counts.

consume() counts a number of actions for a key in the current window and says whether they fit under the limit.
The counts live in one of two stores (settings.RATE_COUNTERS, set from CACHE_URL):

- "database" (the default): one upsert per count, which adds only while the sum stays within the
  limit (INSERT … ON CONFLICT (key) DO UPDATE SET used = used + excluded.used WHERE … RETURNING used), the same on
  SQLite and PostgreSQL. The database makes it atomic. When a count starts a new window, a second statement deletes
  the rows of windows that have ended, so the table holds about one row per client active in the last window.
- "cache" (CACHE_URL=redis://…): cache.add, then cache.incr, whose INCRBY Redis does atomically; a count that
  doesn't fit is given back with cache.decr.

In both, a key already over its limit is refused by a read alone, so a client hammering past its limit writes
nothing (and, in Redis, never inflates the count others read for a moment).

Neither store takes a lock of ours, so no request can wait on one: a refused action is refused at once. Count
outside transaction.atomic: a transaction that rolls back takes its counts with it.
docs/rate-limits.md explains where the counts live and why.
"""

import contextlib
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connections, router

from lms.models import RateCounter

PRUNE_BATCH = 1000  # rows of ended windows one prune deletes at most; the next new window deletes more


def _window(seconds: int, now: float) -> tuple[int, int]:
    """The current window's number and the moment it ends (seconds since 1970)."""
    number = int(now // seconds)
    return number, (number + 1) * seconds


def _wait(ends: int, now: float) -> int:
    """Whole seconds from now until the window ends (at least one)."""
    return max(1, math.ceil(ends - now))


def consume(*, key: str, cost: int, limit: int, seconds: int, now: float | None = None) -> int | None:
    """Count `cost` actions for `key` against `limit` per `seconds`: None if they fit, else seconds to wait.

    Fixed windows: the count starts again at each multiple of `seconds` since 1970. A cost that doesn't fit is not
    counted, so a batch too big for what is left doesn't use up the rest of the window; a cost above the limit never
    fits. Safe to call from any number of processes at once.
    """
    now = time.time() if now is None else now
    number, ends = _window(seconds, now)
    if cost > limit:
        return _wait(ends, now)
    counter = f"{key}:{seconds}:{number}"
    if _used(counter) + cost > limit:  # over already: refused by a read, which never waits on a writer
        fits = False
    elif settings.RATE_COUNTERS == "cache":
        fits = _consume_in_cache(counter, cost=cost, limit=limit, timeout=seconds + 1)
    else:
        total = _consume_in_database(counter, cost=cost, limit=limit, expires_at=ends)
        fits = total is not None
        if total == cost:  # this count made the row: a new window has started for this key
            counters_prune(now=now)
    return None if fits else _wait(ends, now)


def used(*, key: str, seconds: int, now: float | None = None) -> int:
    """How many actions `key` has used in the current window."""
    now = time.time() if now is None else now
    return _used(f"{key}:{seconds}:{_window(seconds, now)[0]}")


def _used(counter: str) -> int:
    """A counter's total so far (0 if it has none yet)."""
    if settings.RATE_COUNTERS == "cache":
        return int(cache.get(counter) or 0)
    return RateCounter.objects.filter(key=counter).values_list("used", flat=True).first() or 0


def counters_prune(*, now: float | None = None) -> int:
    """Delete the database counters of windows that have ended (at most PRUNE_BATCH at a time); returns how many.

    On PostgreSQL rows another process is deleting at the same moment are skipped rather than waited for, so the
    first counts of a minute, which all prune, never queue behind one another.
    """
    now = time.time() if now is None else now
    connection = connections[router.db_for_write(RateCounter)]
    table = connection.ops.quote_name(RateCounter._meta.db_table)
    key, expires = (connection.ops.quote_name(name) for name in ("key", "expires_at"))
    ended = f"SELECT {key} FROM {table} WHERE {expires} <= %s LIMIT %s"  # noqa: S608 - names are ours
    if connection.vendor == "postgresql":
        ended += " FOR UPDATE SKIP LOCKED"
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {key} IN ({ended})", [int(now), PRUNE_BATCH])  # noqa: S608
        return cursor.rowcount


def _consume_in_database(counter: str, *, cost: int, limit: int, expires_at: int) -> int | None:
    """Add `cost` to the counter in one statement unless the sum would pass `limit`: the new total, or None."""
    connection = connections[router.db_for_write(RateCounter)]
    table = connection.ops.quote_name(RateCounter._meta.db_table)
    key, used_column, expires = (connection.ops.quote_name(name) for name in ("key", "used", "expires_at"))
    sql = (
        f"INSERT INTO {table} ({key}, {used_column}, {expires}) VALUES (%s, %s, %s) "  # noqa: S608 - names are ours
        f"ON CONFLICT ({key}) DO UPDATE SET {used_column} = {table}.{used_column} + excluded.{used_column} "
        f"WHERE {table}.{used_column} + excluded.{used_column} <= %s "
        f"RETURNING {used_column}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [counter, cost, expires_at, limit])
        row = cursor.fetchone()
    return None if row is None else row[0]


def _consume_in_cache(counter: str, *, cost: int, limit: int, timeout: int) -> bool:
    """Add `cost` to the counter with the cache's atomic add and incr; give it back if the sum passed `limit`."""
    if cache.add(counter, cost, timeout):
        return True
    try:
        total = cache.incr(counter, cost)
    except ValueError:  # the key expired between add and incr: start it again, or count on
        if cache.add(counter, cost, timeout):
            return True
        total = cache.incr(counter, cost)
    if total <= limit:
        return True
    with contextlib.suppress(ValueError):  # expired meanwhile: nothing to give back
        cache.decr(counter, cost)
    return False
