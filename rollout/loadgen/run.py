"""One generation run: its parameters, its statements, and the blocks of keys it reserves."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.db import connection


@dataclass
class Run:
    """The named parameters every statement of a run may use (``%(name)s``)."""

    params: dict = field(default_factory=dict)

    def sql(self, statement: str) -> int:
        """Execute ``statement`` with the run's parameters; the rows it wrote."""
        with connection.cursor() as cursor:
            cursor.execute(statement, self.params)
            return max(cursor.rowcount, 0)

    def value(self, statement: str, params: list | dict | None = None):
        with connection.cursor() as cursor:
            cursor.execute(statement, self.params if params is None else params)
            return cursor.fetchone()[0]

    @staticmethod
    def json(value) -> str:
        return json.dumps(value, ensure_ascii=False)

    def reserve(self, table: str, count: int) -> int:
        """The first of ``count`` consecutive primary keys of ``table``, taken from its sequence.

        The table is locked against other writers until the end of the transaction, so that
        no row can take a key of the block between reading the sequence and moving it on."""
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {connection.ops.quote_name(table)} IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = cursor.fetchone()[0]
            cursor.execute("SELECT nextval(%s)", [sequence])
            first = cursor.fetchone()[0]
            if count > 1:
                cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
        return first
