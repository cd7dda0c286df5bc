"""The PostgreSQL backend checks a kept connection by its socket: no SELECT 1 while the server has said nothing, and
a connection the server ended is replaced before the request's first query, as Django's own check does."""

import time
from unittest import mock

import pytest
from django.db import connection, connections

from lms.postgresql.base import DatabaseWrapper

pytestmark = pytest.mark.django_db


@pytest.fixture
def kept():
    """A second connection to the test database, as a server process keeps one between requests."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: make test's second pass")
    assert isinstance(connections["default"], DatabaseWrapper)
    wrapper = connections.create_connection("default")
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


def counting_select_1():
    """Django's SELECT 1 check, counted."""
    return mock.patch.object(DatabaseWrapper, "is_usable", autospec=True, side_effect=DatabaseWrapper.is_usable)


def next_request(wrapper) -> int:
    """What Django does between requests, then the next request's first query; the server process that answered."""
    wrapper.close_if_unusable_or_obsolete()
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_a_healthy_kept_connection_is_used_without_a_select_1(kept):
    assert kept.health_check_enabled
    first = next_request(kept)
    with counting_select_1() as asked:
        for _ in range(3):
            assert next_request(kept) == first
    assert asked.call_count == 0


def test_a_connection_the_server_ended_is_replaced_before_the_first_query(kept):
    ended = next_request(kept)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [ended])
        assert cursor.fetchone()[0] is True
    deadline = time.monotonic() + 10
    while not kept._server_has_spoken():  # the server's goodbye reaches the socket
        assert time.monotonic() < deadline, "the ended connection never became readable"
        time.sleep(0.05)
    with counting_select_1() as asked:
        replacement = next_request(kept)
    assert asked.call_count == 1 and replacement != ended
