"""The portal's tables as a backup sees them: which there are, their row counts and checksums,
the files their rows name, and the migrations applied.

A table's checksum is the SHA-256 of its rows, one canonical line per row, read through the ORM
(so dates, decimals and JSON arrive as Python values, not as the backend's text) in primary-key
order; text keys are ordered byte-wise (PostgreSQL's "C" collation, SQLite's default) so that
the order does not depend on the server's locale either.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import json
import uuid
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.db import connections, models
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.functions import Collate

TEXT_KEYS = {"CharField", "TextField", "SlugField", "EmailField", "FilePathField"}
CHUNK = 2000


def canonical(value: Any) -> Any:
    """``value`` as JSON that is the same whichever backend it was read from."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, decimal.Decimal):
        # 2.50 and 2.5 are the same amount, whatever scale the column reports.
        return format(value.normalize(), "f")
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.UTC)
        return value.isoformat(timespec="microseconds")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return f"{value // datetime.timedelta(microseconds=1)}us"
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, dict):
        return {str(key): canonical(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [canonical(item) for item in value]
    return str(value)


def row_line(row: Iterable[Any]) -> bytes:
    values = [canonical(value) for value in row]
    return json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode() + b"\n"


def table_names(using: str = "default") -> list[str]:
    """Every table (and view) the database holds, the portal's or not."""
    return sorted(connections[using].introspection.table_names())


def table_models(using: str = "default") -> dict[str, type[models.Model]]:
    """The portal's tables that exist in the database, each with the model that reads it;
    ``django_migrations`` included."""
    connection = connections[using]
    existing = set(table_names(using))
    found: dict[str, type[models.Model]] = {}
    for model in apps.get_models(include_auto_created=True):
        opts = model._meta
        if opts.managed and not opts.proxy and not opts.swapped and opts.db_table in existing:
            found.setdefault(opts.db_table, model)
    recorder = MigrationRecorder(connection).Migration
    if recorder._meta.db_table in existing:
        found[recorder._meta.db_table] = recorder
    return dict(sorted(found.items()))


def columns_of(model: type[models.Model]) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


def _as_stored(field: models.Field) -> str | models.Expression:
    """The column as the database holds it. A field of the portal's own (an encrypted number)
    is read as the Django field it is stored as, so that a checksum needs no key to decrypt it
    and compares the stored bytes."""
    if type(field).__module__.startswith("django."):
        return field.attname
    plain = getattr(models, field.get_internal_type(), None)
    if not (isinstance(plain, type) and issubclass(plain, models.Field)) or plain is models.ForeignKey:
        return field.attname
    return models.ExpressionWrapper(models.F(field.attname), output_field=plain())


def table_state(
    model: type[models.Model],
    *,
    using: str = "default",
    columns: list[str] | None = None,
    file_names: set[str] | None = None,
) -> dict[str, Any]:
    """Row count and checksum of ``model``'s table over ``columns`` (all of them by default).

    The names held in its file fields are added to ``file_names`` when given."""
    columns = list(columns or columns_of(model))
    fields = {field.attname: field for field in model._meta.concrete_fields}
    unknown = [name for name in columns if name not in fields]
    if unknown:
        raise LookupError(", ".join(unknown))
    file_positions = [i for i, name in enumerate(columns) if isinstance(fields[name], models.FileField)]
    pk = model._meta.pk
    order = "pk"
    if connections[using].vendor == "postgresql" and pk.get_internal_type() in TEXT_KEYS:
        order = Collate("pk", "C")
    selected = [_as_stored(fields[name]) for name in columns]
    rows = model._base_manager.using(using).order_by(order).values_list(*selected)
    digest = hashlib.sha256()
    count = 0
    for row in rows.iterator(chunk_size=CHUNK):
        digest.update(row_line(row))
        count += 1
        if file_names is not None:
            file_names.update(row[i] for i in file_positions if row[i])
    return {"rows": count, "sha256": digest.hexdigest(), "columns": columns}


def database_state(*, using: str = "default", file_names: set[str] | None = None) -> dict[str, dict]:
    """``table_state`` of every table of the portal, by table name."""
    return {
        table: table_state(model, using=using, file_names=file_names)
        for table, model in table_models(using).items()
    }


def applied_migrations(using: str = "default") -> list[str]:
    recorder = MigrationRecorder(connections[using])
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


def known_migrations() -> set[str]:
    """The migrations this version of the portal ships, of every installed app."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return {f"{app}.{name}" for app, name in loader.disk_migrations}
