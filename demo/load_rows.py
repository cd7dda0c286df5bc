"""Writing many rows fast for demo/load.py: COPY on PostgreSQL, multi-row inserts elsewhere, ids chosen here."""

import json
from collections.abc import Callable

from django.db import connection, models
from django.db.models import Max

BATCH_ROWS = 5000  # rows per INSERT batch


class RawJson(str):
    """JSON text already encoded: written as it is."""


def _json(value) -> str:
    return value if isinstance(value, RawJson) else json.dumps(value)


_CONVERTED = (models.DateTimeField, models.DateField, models.TimeField, models.DecimalField)


class Rows:
    """New rows of one model, with ids chosen here, written in batches: COPY on PostgreSQL, executemany elsewhere.

    Foreign keys are checked when the transaction commits (Django makes them deferrable), so tables can be written
    in any order.
    """

    def __init__(self, model: type[models.Model]):
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.index = {field.attname: position for position, field in enumerate(self.fields)}
        self.defaults = [field.get_default() for field in self.fields]
        self.converters = [
            (position, self._converter(field))
            for position, field in enumerate(self.fields)
            if isinstance(field, (*_CONVERTED, models.JSONField))
        ]
        self.pk_position = self.index[model._meta.pk.attname]
        self.next_id = (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        self.pending: list[list] = []
        self.count = 0

    @staticmethod
    def _converter(model_field: models.Field) -> Callable:
        if isinstance(model_field, models.JSONField):
            return _json
        memo: dict = {}

        def convert(value):
            if value is None:
                return None
            if value not in memo:
                memo[value] = model_field.get_db_prep_save(value, connection)
            return memo[value]

        return convert

    def add(self, **values) -> int:
        """Queue one row (by attname: `trainee_id`, not `trainee`) and return its id."""
        row = list(self.defaults)
        pk = self.next_id
        self.next_id += 1
        row[self.pk_position] = pk
        for name, value in values.items():
            row[self.index[name]] = value
        self.pending.append(row)
        if len(self.pending) >= BATCH_ROWS:
            self.flush()
        return pk

    def flush(self) -> None:
        """Write the queued rows."""
        if not self.pending:
            return
        for row in self.pending:
            for position, convert in self.converters:
                row[position] = convert(row[position])
        table = connection.ops.quote_name(self.model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(field.column) for field in self.fields)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # noqa: S608
                    for row in self.pending:
                        copy.write_row(row)
            else:
                placeholders = ", ".join(["%s"] * len(self.fields))
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", self.pending)  # noqa: S608
        self.count += len(self.pending)
        self.pending = []
