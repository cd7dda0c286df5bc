"""The writes every API lookup makes never follow a read in the same transaction.

On SQLite (several gunicorn workers on one file) a transaction that has read and then writes fails at once with
"database is locked" if another process wrote in between: waiting cannot help it, so SQLite's busy timeout doesn't
apply. CI's live test once got a 500 this way from the token's last-used mark. A statement that writes first waits
its turn instead, so each write on the lookup's path must be a transaction of its own.
"""

import pytest
from django.db import connection

from tests.factories import issued_certificate
from tests.verification.conftest import make_verifier
from verification.models import ApiToken, Lookup
from verification.services import api_token_create, api_token_use, verification_lookups_record

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


class Statements:
    """Each statement run, as (read or write, inside transaction.atomic or not, the SQL)."""

    def __init__(self):
        self.seen = []

    def __call__(self, execute, sql, params, many, context):
        kind = "read" if sql.lstrip(" (").upper().startswith("SELECT") else "write"  # PostgreSQL brackets a UNION
        self.seen.append((kind, context["connection"].in_atomic_block, sql))
        return execute(sql, params, many, context)

    def writes_after_reads_in_one_transaction(self) -> list[str]:
        """Writes run inside an atomic block that had already read."""
        found, read_in_block = [], False
        for kind, atomic, sql in self.seen:
            if not atomic:
                read_in_block = False
            elif kind == "read":
                read_in_block = True
            elif read_in_block:
                found.append(sql)
        return found


def test_marking_a_token_used_is_a_statement_of_its_own():
    verifier = make_verifier()
    _, raw = api_token_create(user=verifier, name="HR system")
    statements = Statements()
    with connection.execute_wrapper(statements):
        token = api_token_use(raw=raw)
    assert token is not None and ApiToken.objects.get(pk=token.pk).last_used_at is not None
    assert [kind for kind, _, _ in statements.seen].count("write") == 1
    assert statements.writes_after_reads_in_one_transaction() == []


def test_a_token_used_a_moment_ago_is_not_written_again():
    _, raw = api_token_create(user=make_verifier(), name="HR system")
    api_token_use(raw=raw)
    statements = Statements()
    with connection.execute_wrapper(statements):
        assert api_token_use(raw=raw) is not None
    assert [kind for kind, _, _ in statements.seen] == ["read"] * len(statements.seen)


def test_logging_a_batch_of_checks_is_a_statement_of_its_own():
    verifier = make_verifier()
    certificates = [issued_certificate(first_name="Robin", last_name="Asante")] * 3  # a CSV may name one twice
    statements = Statements()
    with connection.execute_wrapper(statements):
        assert verification_lookups_record(certificates=certificates, verifier=verifier, channel="api") == 3
    assert Lookup.objects.filter(verifier=verifier).count() == 3
    assert statements.writes_after_reads_in_one_transaction() == []
