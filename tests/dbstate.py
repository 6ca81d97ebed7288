"""The state of the portal's database as one comparable value, for tests that must show a
request changed nothing (or exactly what it should).

``snapshot()`` reads every row of every table of the project's apps and of ``auth`` through the
ORM and returns ``{table: sorted rows}``; rows are tuples of the raw column values as the
database holds them. Tables that record the request itself rather than programme data — the
sign-in log, the sessions, django-axes' attempts — are left out, as is the audit log unless asked
for: a refused request may well leave a trace there, and that is no change of data.

``changed_tables(before, after)`` names the tables whose rows differ, for a readable assertion::

    before = snapshot()
    client.post(url, data)
    assert changed_tables(before, snapshot()) == []
"""

from __future__ import annotations

from typing import Any

from django.apps import apps

APPS = ("auth", "organizations", "services", "outreach", "rollout")

# Records of the request, not of the programme.
NOT_DATA = frozenset(
    {
        "organizations.loginevent",
        "organizations.auditentry",
    }
)


def snapshot(*, include_audit: bool = False) -> dict[str, list[tuple[Any, ...]]]:
    state: dict[str, list[tuple[Any, ...]]] = {}
    for app_label in APPS:
        for model in apps.get_app_config(app_label).get_models(include_auto_created=True):
            label = model._meta.label_lower
            if label in NOT_DATA and not (include_audit and label == "organizations.auditentry"):
                continue
            columns = [field.attname for field in model._meta.concrete_fields]
            rows = model._base_manager.order_by("pk").values_list(*columns)
            state[model._meta.db_table] = [tuple(map(repr, row)) for row in rows]
    return state


def changed_tables(before: dict[str, list], after: dict[str, list]) -> list[str]:
    return sorted(table for table in before.keys() | after.keys() if before.get(table) != after.get(table))
