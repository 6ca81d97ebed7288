"""Sorting a list page by one of its columns, chosen in the URL (``?sort=name``, ``?sort=-name``).

A view declares its sortable columns and the default::

    PEOPLE = Sorting({"name": (pinyin("name"),), "joined": ("joined_on",)}, default="name")
    queryset, sort = PEOPLE.apply(request, queryset)

Only declared keys reach the query: an unknown or malformed value gives the default order, never
an error and never SQL from the URL. Every ordering ends in the primary key, so a page holds the
same rows however often it is read. Records without a value in the sorted column come last in
both directions, on PostgreSQL as on SQLite. ``{% sort_th %}`` (templatetags/navigation.py)
renders the column headers from the ``sort`` this returns.

A list built in Python rather than read as a queryset (the themed-day calendar, the current
lockouts) declares ``RowSorting`` with a key function per column instead; names sort by
``sanhui.collation.sort_key``, the same pinyin order the database gives.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.db.models import F, OrderBy
from django.db.models.expressions import BaseExpression
from django.http import HttpRequest

from sanhui.collation import sort_key

PARAMETER = "sort"


@dataclass(frozen=True)
class Sort:
    """The column a page is sorted by, as the templates read it."""

    key: str
    descending: bool

    @property
    def value(self) -> str:
        return f"-{self.key}" if self.descending else self.key


def _ordered(expression: str | BaseExpression, descending: bool) -> OrderBy:
    if isinstance(expression, str):
        if expression.startswith("-"):
            expression, descending = expression[1:], not descending
        expression = F(expression)
    if isinstance(expression, OrderBy):
        return expression
    if descending:
        return expression.desc(nulls_last=True)
    return expression.asc(nulls_last=True)


@dataclass(frozen=True)
class Sorting:
    """The sortable columns of one list: url key → the ordering expressions of that column,
    ascending (a leading "-" on a field name reverses that part; an expression already ordered,
    ``pinyin("name").asc()``, keeps its direction whichever way the column goes), and the
    default ``key`` or ``-key``."""

    columns: Mapping[str, tuple]
    default: str

    def __post_init__(self) -> None:
        if self.default.removeprefix("-") not in self.columns:
            raise ValueError(f"default sort {self.default!r} is not one of the columns")

    def chosen(self, request: HttpRequest) -> Sort:
        for value in (request.GET.get(PARAMETER, ""), self.default):
            key = value.removeprefix("-")
            if key in self.columns:
                return Sort(key=key, descending=value.startswith("-"))
        raise AssertionError("unreachable: the default is a column")

    def ordering(self, sort: Sort) -> list[OrderBy]:
        parts = [_ordered(expression, sort.descending) for expression in self.columns[sort.key]]
        tiebreaker = F("pk").desc() if sort.descending else F("pk").asc()
        return [*parts, tiebreaker]

    def apply(self, request: HttpRequest, queryset):
        """The queryset in the order the request asks for, and that order for the headers."""
        sort = self.chosen(request)
        return queryset.order_by(*self.ordering(sort)), sort


def name_key(text: str | None) -> tuple | None:
    """A row key function's answer for a name: its pinyin order (None stays None)."""
    return None if text is None else sort_key(text)


@dataclass(frozen=True)
class RowSorting:
    """The sortable columns of a list of rows built in Python: url key → a function giving a
    row's value for that column (None for "no value"), and the default ``key`` or ``-key``.
    Rows without a value come last in both directions, as ``Sorting`` puts them; rows with the
    same value keep the order they were given in."""

    columns: Mapping[str, Callable]
    default: str

    def __post_init__(self) -> None:
        if self.default.removeprefix("-") not in self.columns:
            raise ValueError(f"default sort {self.default!r} is not one of the columns")

    chosen = Sorting.chosen

    def apply(self, request: HttpRequest, rows) -> tuple[list, Sort]:
        """The rows in the order the request asks for, and that order for the headers."""
        sort = self.chosen(request)
        key = self.columns[sort.key]
        keyed = [(key(row), row) for row in rows]
        valued = [pair for pair in keyed if pair[0] is not None]
        valued.sort(key=lambda pair: pair[0], reverse=sort.descending)
        return [row for _value, row in valued] + [row for value, row in keyed if value is None], sort
