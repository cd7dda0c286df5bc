"""Django's file-based cache, made safe for counters shared by several server processes on one machine."""

import fcntl
import os
from contextlib import contextmanager

from django.core.cache.backends.filebased import FileBasedCache


class LockedFileBasedCache(FileBasedCache):
    """The file cache whose add, incr and decr hold an exclusive lock across processes.

    Django's file cache reads and then rewrites a value, so two gunicorn workers counting rate-limited lookups at
    once could both write the same count and lose one. Holding a lock file around those three operations makes
    each count land exactly once. Several machines need a shared cache (Memcached, Redis) instead.
    """

    @contextmanager
    def _counter_lock(self):
        os.makedirs(self._dir, exist_ok=True)
        with open(os.path.join(self._dir, ".counters.lock"), "a") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)

    def add(self, key, value, timeout=None, version=None):
        """Set the key if absent, atomically across processes."""
        with self._counter_lock():
            return super().add(key, value, timeout, version)

    def incr(self, key, delta=1, version=None):
        """Add to a stored number, atomically across processes."""
        with self._counter_lock():
            return super().incr(key, delta, version)

    def decr(self, key, delta=1, version=None):
        """Subtract from a stored number, atomically across processes."""
        with self._counter_lock():
            return super().decr(key, delta, version)
