"""``JSONList``: the values of a group as one list, the same on PostgreSQL and SQLite.

An export of many rows that shows each row's related names (a person's organisations, their
leader roles) reads them with the row, as a correlated subquery aggregated in the database,
instead of loading the related rows chunk by chunk (``prefetch_related``), which costs queries
per chunk and keeps every chunk's related objects in memory. PostgreSQL aggregates with
``JSONB_AGG`` and SQLite with ``JSON_GROUP_ARRAY``; both give a JSON array, so that no
separator can collide with a name, and both come back as text that ``JSONField`` decodes
(psycopg2 hands ``jsonb`` over as text, where it would decode ``json`` itself). Neither order
is guaranteed: callers sort the list.
"""

from __future__ import annotations

from django.db.models import Aggregate, JSONField, OuterRef, QuerySet, Subquery


class JSONList(Aggregate):
    function = "JSON_GROUP_ARRAY"
    output_field = JSONField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="JSONB_AGG", **extra_context)


def related_list(rows: QuerySet, owner: str, value: str) -> Subquery:
    """A subquery for an annotation: the ``value`` of those of ``rows`` whose ``owner`` field
    is the outer row, as a list (``None`` when there are none)."""
    grouped = rows.filter(**{owner: OuterRef("pk")}).order_by().values(owner).annotate(values=JSONList(value))
    return Subquery(grouped.values("values"), output_field=JSONField())
