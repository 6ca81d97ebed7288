"""Unsaved rows checked against their models' rules without writing them.

The demo is planned as unsaved model instances (``plan_demo`` of each app); these helpers check
such rows the way the database and the forms would: every ``CheckConstraint`` of the model,
evaluated here with SQL's three-valued logic (a comparison with NULL is unknown, and a CHECK
only fails on false); every ``UniqueConstraint`` across the rows given; each field's own
validation; and the portal's rule that nothing recorded as having happened lies after today.

Rows may refer to one another by natural key in place of a primary key (``plan_demo`` says
which); relation fields are therefore compared as given and not looked up. A lookup this
evaluator does not know raises instead of passing silently.
"""

from __future__ import annotations

import datetime
import operator
from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

_COMPARE = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}
# Fields that say something has already happened, by model: the day they name may not lie after
# the day the row is planned on.
HAPPENED = (
    "joined_on",
    "started_on",
    "founded_on",
    "term_start",
    "completed_on",
    "closed_on",
    "inspected_on",
    "achieved_on",
    "checked_in_at",
    "checked_out_at",
)
# Activity statuses that say it took place.
TOOK_PLACE = ("held", "verified")


def _value(obj: models.Model, name: str):
    if name == "pk":
        return obj.pk
    return getattr(obj, obj._meta.get_field(name).attname)


def _leaf(obj: models.Model, lookup: str, expected) -> bool | None:
    name, _, op = lookup.partition("__")
    op = op or "exact"
    value = _value(obj, name)
    if op == "isnull":
        return (value is None) == bool(expected)
    if isinstance(expected, F):
        expected = _value(obj, expected.name)
    if op == "in":
        if value is None:
            return None
        return value in list(expected)
    if op not in _COMPARE:
        raise NotImplementedError(f"lookup {lookup!r} in a constraint of {type(obj).__name__}")
    if value is None or expected is None:
        return None
    if isinstance(value, str) and not isinstance(expected, str):
        expected = str(expected)
    return _COMPARE[op](value, expected)


def holds(condition: Q, obj: models.Model) -> bool | None:
    """True, False or None (unknown) for ``condition`` on ``obj``, as SQL would answer."""
    results = []
    for child in condition.children:
        if isinstance(child, Q):
            results.append(holds(child, obj))
        else:
            results.append(_leaf(obj, *child))
    if condition.connector == Q.AND:
        result = False if False in results else (None if None in results else True)
    elif condition.connector == Q.OR:
        result = True if True in results else (None if None in results else False)
    else:
        raise NotImplementedError(f"connector {condition.connector} in a constraint")
    if condition.negated:
        return None if result is None else not result
    return result


def signature(obj: models.Model) -> tuple:
    """The row's values, less those a callable default fills in on creation (a random check-in
    token, a creation time) and those the database computes (an organisation's ``kind_rank``):
    the plan never sets them and the writers never compare them."""
    return (
        obj._meta.label,
        *(
            getattr(obj, field.attname)
            for field in obj._meta.concrete_fields
            if not (field.has_default() and callable(field.default)) and not field.generated
        ),
    )


def describe(obj: models.Model) -> str:
    """The model and its first few values (related rows are not fetched: they may not exist)."""
    values = [f"{field.attname}={getattr(obj, field.attname)!r}" for field in obj._meta.concrete_fields[1:5]]
    return f"{obj._meta.label}({', '.join(values)})"


def _day_of(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date()
    return value


class RowChecker:
    """Checks rows; rows equal to one already found valid are not checked again.

    Rows are checked day by day in order, so a row that was valid on an earlier day and recurs
    unchanged is valid again: the only rule that changes with the day, "not after today",
    only loosens as days pass."""

    def __init__(self) -> None:
        self.valid: set[tuple] = set()

    def problems(self, rows: Iterable[models.Model], *, today: datetime.date) -> list[str]:
        rows = list(rows)
        found = self._uniqueness(rows)
        for obj in rows:
            key = signature(obj)
            if key in self.valid:
                continue
            mine = self._row(obj, today)
            if mine:
                found.extend(mine)
            else:
                self.valid.add(key)
        return found

    def _row(self, obj: models.Model, today: datetime.date) -> list[str]:
        found = []
        for constraint in obj._meta.constraints:
            if isinstance(constraint, models.CheckConstraint) and holds(constraint.condition, obj) is False:
                found.append(f"violates {constraint.name}")
        relations = [field.name for field in obj._meta.concrete_fields if field.is_relation]
        try:
            obj.clean_fields(exclude=relations)
        except ValidationError as error:
            found.append(str(error.message_dict))
        for name in HAPPENED:
            if hasattr(obj, name):
                day = _day_of(getattr(obj, name))
                if day is not None and day > today:
                    found.append(f"{name} {day} lies after {today}")
        took_place = obj._meta.label == "services.Activity" and obj.status in TOOK_PLACE
        if took_place and _day_of(obj.starts_at) > today:
            found.append(f"{obj.status} but starts {obj.starts_at}, after {today}")
        return [f"{describe(obj)}: {problem}" for problem in found]

    @staticmethod
    def _uniqueness(rows: list[models.Model]) -> list[str]:
        seen: dict[tuple, int] = defaultdict(int)
        for obj in rows:
            for constraint in obj._meta.constraints:
                if not isinstance(constraint, models.UniqueConstraint) or not constraint.fields:
                    continue
                if constraint.condition is not None and holds(constraint.condition, obj) is not True:
                    continue
                values = tuple(_value(obj, name) for name in constraint.fields)
                if None in values:
                    continue
                seen[(obj._meta.label, constraint.name, values)] += 1
        repeated = [key for key, n in seen.items() if n > 1]
        return [f"{label}: {name} repeated for {values}" for label, name, values in repeated]
