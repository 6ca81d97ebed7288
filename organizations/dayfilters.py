"""Filters of a datetime column by days of the portal's calendar (Asia/Shanghai).

``DayFromFilter`` / ``DayToFilter`` take a date, as a ``DateFilter`` does, and keep the rows
whose moment falls on or after / on or before that day, as a range on the column itself
(``>= 00:00 of the day``, ``< 00:00 of the next day``, aware, ``sanhui.clock.day_start``): an
index on the column serves it, where ``lookup_expr="date__gte"`` converts every row's value to a
local date first and scans the table.
"""

from __future__ import annotations

import datetime

import django_filters
from django_filters.constants import EMPTY_VALUES

from sanhui.clock import day_after_start, day_start


class DayFromFilter(django_filters.DateFilter):
    """Rows at or after the start of the chosen day."""

    def filter(self, qs, value):
        if value in EMPTY_VALUES or value <= datetime.date.min:
            # Nothing lies before the first day a date can hold (and its start in UTC would not
            # be a date at all).
            return qs
        return self.get_method(qs)(**{f"{self.field_name}__gte": day_start(value)})


class DayToFilter(django_filters.DateFilter):
    """Rows before the start of the day after the chosen one."""

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        end = day_after_start(value)
        if end is None:
            return qs
        return self.get_method(qs)(**{f"{self.field_name}__lt": end})
