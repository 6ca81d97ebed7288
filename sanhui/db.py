"""Reads of the dashboards and reports from a PostgreSQL read replica.

With ``DATABASE_REPLICA_URL`` set, settings add the database alias ``replica`` and name it in
``SANHUI_REPLICA_DATABASE``. A router only sees models, never the code path that asks, so the
paths whose reads may come from the replica say so themselves: the dashboard pages and their
JSON, the report builds and renders, the benchmark run their reads inside
``reading_replica()`` (a context manager that is also a decorator). Everything else reads and
writes the primary (``default``): every write, every page that is not marked, and inside a
marked path

- the models whose freshness is a matter of security or of record: sessions, accounts,
  permissions and role assignments (a revoked role must not live on in a lagging replica), the
  sign-in lockout and login log, the audit trail, and the stored report runs, whose status the
  worker writes and the pages poll;
- every read made while the primary has a transaction open (a write under way must read what
  it has written, and what it locked);
- every read after the marked path has written anything, so that it sees its own writes.

A replica is some milliseconds to seconds behind the primary: a figure just entered may show on
a dashboard a moment later. A closed quarter's supervision notice is built inside the
transaction that issues it, so always from the primary. Without the setting no read is routed at all.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA_ALIAS = "replica"

# Always the primary, whatever path asks: by app label, and by "app_label.ModelName".
PRIMARY_ONLY_APPS = frozenset({"admin", "auth", "axes", "contenttypes", "sessions"})
PRIMARY_ONLY_MODELS = frozenset(
    {
        "organizations.RoleAssignment",
        "organizations.AuditEntry",
        "organizations.LoginEvent",
        "organizations.PasswordHistory",
        "organizations.PasswordState",
        "rollout.ReportRun",
        "rollout.ReportNumberSequence",
    }
)


@dataclass
class _ReplicaReads:
    """State of one marked path: whether it has written since it began."""

    wrote: bool = False


_current: contextvars.ContextVar[_ReplicaReads | None] = contextvars.ContextVar(
    "sanhui_replica_reads", default=None
)


def replica_alias() -> str:
    """The alias reads are routed to inside ``reading_replica()``; empty without a replica."""
    return getattr(settings, "SANHUI_REPLICA_DATABASE", "") or ""


@contextlib.contextmanager
def reading_replica() -> Iterator[None]:
    """Let the reads inside come from the replica (as a decorator: ``@reading_replica()``).
    Nested marks share the outer path's state; leaving restores what was before."""
    state = _current.get()
    token = _current.set(state if state is not None else _ReplicaReads())
    try:
        yield
    finally:
        _current.reset(token)


def _primary_only(model) -> bool:
    meta = model._meta
    return meta.app_label in PRIMARY_ONLY_APPS or meta.label in PRIMARY_ONLY_MODELS


class ReplicaRouter:
    """Routes the reads of marked paths to the replica (see the module's docstring).

    With a replica configured it answers for every model, so that an object read from the
    replica is still saved to the primary (left to Django, a save goes where the object came
    from). Without one it answers nothing and Django's defaults apply."""

    def db_for_read(self, model, **hints) -> str | None:
        alias = replica_alias()
        if not alias:
            return None
        state = _current.get()
        if (
            state is None
            or state.wrote
            or _primary_only(model)
            or connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return DEFAULT_DB_ALIAS
        return alias

    def db_for_write(self, model, **hints) -> str | None:
        if not replica_alias():
            return None
        state = _current.get()
        if state is not None:
            state.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        # The replica holds the primary's rows: an object read from either may refer to one
        # read from the other.
        alias = replica_alias()
        if not alias:
            return None
        both = {DEFAULT_DB_ALIAS, alias}
        return True if {obj1._state.db, obj2._state.db} <= both else None

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool | None:
        # The replica follows the primary's schema through replication, never by migrating
        # (nor is its migration history checked, by makemigrations or anything else).
        if db in {REPLICA_ALIAS, replica_alias()}:
            return False
        return None
