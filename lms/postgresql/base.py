"""Django's PostgreSQL backend, with a health check that asks the server only when it has something to say.

Django checks a kept connection (CONN_HEALTH_CHECKS) with a SELECT 1 before each request's first query: a round trip
on every request, half the database time of a verification lookup. A server that ends a connection (a restart, an
administrator, a crash) tells the client so or closes the socket: either way the socket has something to read. So
when it has nothing to read, the connection is used at once; when it does, Django's SELECT 1 decides, as before.
A network path that died silently looks healthy here, as it did to SELECT 1, which then waited on TCP's timeout.
"""

import select

from django.db.backends.postgresql.base import DatabaseWrapper as PostgreSQLDatabaseWrapper


class DatabaseWrapper(PostgreSQLDatabaseWrapper):
    """PostgreSQL, with a kept connection checked by its socket before a SELECT 1 is spent on it."""

    def close_if_health_check_failed(self):
        """Use a kept connection whose server has said nothing since; check it with SELECT 1 otherwise."""
        if self.pool or self.connection is None or not self.health_check_enabled or self.health_check_done:
            return super().close_if_health_check_failed()
        if self._server_has_spoken():
            return super().close_if_health_check_failed()
        self.health_check_done = True
        return None

    def _server_has_spoken(self) -> bool:
        """Whether the connection is closed, broken, or has something waiting to be read (a goodbye, an EOF)."""
        if self.connection.closed or self.connection.broken:
            return True
        try:
            watch = select.poll()
            watch.register(self.connection.fileno(), select.POLLIN | select.POLLPRI)
            return bool(watch.poll(0))
        except (OSError, ValueError):
            return True
