"""Figures of the ledger and the leaderships: activities that took place, people served (with
the reported fallback), volunteer hours, and the 三长 share of leadership seats."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connections
from django.db.models import Count, Q, QuerySet, Sum

from organizations.models import LeaderRole, Region, Seat, townships
from services.models import (
    Activity,
    LedgerCategoryMonth,
    LedgerMonth,
    LedgerRegionMonth,
    LedgerTownChange,
    LedgerTownFold,
    LedgerTownMonth,
    VolunteerService,
    hours_total,
)

from .periods import Period

# Up to this many towns, their rows are chosen by their ids; above it, every town's are read and
# the others left out.
FEW_TOWNS = 20

# --------------------------------------------------------------------------- seats


@dataclass(frozen=True)
class SeatShare:
    led: int
    total: int

    @property
    def share(self) -> float | None:
        return self.led / self.total if self.total else None


def seat_share(seats: QuerySet[Seat], on: datetime.date) -> SeatShare:
    """Seats held by 三长/泛三长 ÷ all seats, among ``seats`` current on the day."""
    current = seats.current(on)
    leader_people = LeaderRole.objects.open_on(on).values("person_id")
    figures = current.aggregate(total=Count("pk"), led=Count("pk", filter=Q(person_id__in=leader_people)))
    return SeatShare(led=figures["led"], total=figures["total"])


def district_seat_share(on: datetime.date) -> SeatShare:
    """``seat_share`` of every organisation's seats: from the seat steps built with the towns'
    spans while they are up to date, else from the seats themselves."""
    from . import standing

    if standing.up_to_date():
        led, total = standing.seat_share_on(on)
        return SeatShare(led=led, total=total)
    return seat_share(Seat.objects.all(), on)


def seat_share_by_organization(seats: QuerySet[Seat], on: datetime.date) -> dict[int, SeatShare]:
    leader_people = LeaderRole.objects.open_on(on).values("person_id")
    rows = (
        seats.current(on)
        .values("organization_id")
        .annotate(total=Count("pk"), led=Count("pk", filter=Q(person_id__in=leader_people)))
        .values_list("organization_id", "total", "led")
    )
    return {organization_id: SeatShare(led=led, total=total) for organization_id, total, led in rows}


# --------------------------------------------------------------------------- activities


def held_in(activities: QuerySet[Activity], period: Period) -> QuerySet[Activity]:
    start, end = period.bounds()
    return activities.held().filter(starts_at__gte=start, starts_at__lt=end)


@dataclass(frozen=True)
class Ledger:
    """The activities a figure counts, chosen as the summary table ``LedgerMonth`` can choose
    them: all of them, those that took place in ``region`` or below it, and/or those organised
    by ``organizer_ids``. Figures of a ``Ledger`` read months, never check-ins, so they cost the
    same for a district and for a province; figures of any other set of activities (a queryset:
    what a town admin may read, what a leader led) sum the activities' own tallies."""

    region: Region | None = None
    organizer_ids: frozenset[int] | None = None

    @property
    def whole(self) -> bool:
        """Every activity of the ledger: its figures may read the sums per organiser category."""
        return self.region is None and self.organizer_ids is None

    def totals(self, first: datetime.date, last: datetime.date) -> QuerySet[LedgerCategoryMonth]:
        """The whole ledger's sums per month × stream × type × organiser category, of the months
        from ``first`` to ``last``: a few hundred rows, whatever the number of organisers."""
        return LedgerCategoryMonth.objects.filter(month__gte=first, month__lte=last)

    def cells(self, first: datetime.date, last: datetime.date) -> QuerySet[LedgerMonth]:
        """The month cells of the months from ``first`` to ``last`` (first days of months)."""
        cells = LedgerMonth.objects.filter(month__gte=first, month__lte=last)
        if self.region is not None:
            cells = cells.filter(region__path__startswith=self.region.path)
        if self.organizer_ids is not None:
            cells = cells.filter(organizer_id__in=self.organizer_ids)
        return cells

    def activities(self) -> QuerySet[Activity]:
        activities = Activity.objects.all()
        if self.region is not None:
            activities = activities.in_region(self.region)
        if self.organizer_ids is not None:
            activities = activities.filter(organizer_id__in=self.organizer_ids)
        return activities


def _whole_months(period: Period) -> tuple[datetime.date, datetime.date] | None:
    """The first days of the first and the last whole month inside the period, if any."""
    first = period.start if period.start.day == 1 else _next_month(period.start)
    after = period.end + datetime.timedelta(days=1)
    last_end = period.end if after.day == 1 else after.replace(day=1) - datetime.timedelta(days=1)
    if first > last_end:
        return None
    return first, last_end.replace(day=1)


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


@dataclass(frozen=True)
class ActivityFigures:
    activities: int
    people_served: int
    people_served_reported: int  # of people_served, how many come from reported counts
    reported_activities: int  # activities whose count fell back to the reported figure
    volunteer_hours: float

    @property
    def served_is_partly_reported(self) -> bool:
        return self.reported_activities > 0


# The figures as sums: over the whole ledger's sums per category ("totals") or the month cells
# of a ``Ledger``, or over the tallies of the activities of a queryset (services.tallies writes
# them all, applying the rules once per activity: people served are the checked-in attendees, or
# the reported participants when nobody checked in; volunteer hours are the hours recorded).
_CELL_SUMS = {
    "activities": Sum("activities"),
    "checkins": Sum("checkins"),
    "reported": Sum("reported_people"),
    "reported_activities": Sum("reported_activities"),
    "hours": Sum("hours_hundredths"),
}
_SUMS = {
    "totals": _CELL_SUMS,
    "cells": _CELL_SUMS,
    "tallies": {
        "activities": Count("pk"),
        "checkins": Sum("tally__checkins"),
        "reported": Sum("tally__reported_people"),
        "reported_activities": Count("pk", filter=Q(tally__reported=True)),
        "hours": Sum("tally__hours_hundredths"),
    },
}

# Breakdown keys: the field of a category sum, of a month cell, and of an activity (none where
# the category sums do not hold the key: their figures come from the cells).
BREAKDOWNS = {
    "month": {"totals": "month", "cells": "month", "tallies": "tally__month"},
    "stream": {"totals": "stream", "cells": "stream", "tallies": "stream"},
    "kind": {"totals": "kind", "cells": "kind", "tallies": "kind"},
    "category": {"totals": "category", "cells": "organizer__category", "tallies": "organizer__category"},
    "organizer": {"cells": "organizer_id", "tallies": "organizer_id"},
    "region": {"cells": "region_id", "tallies": "region_id"},
}


def _counted(
    activities: QuerySet[Activity] | Ledger, period: Period, by: tuple[str, ...] = ()
) -> list[tuple[QuerySet, str]]:
    """What to sum for the period: the sums per category (for the whole ledger, by keys they
    hold) or the month cells of its whole months, and the activities' tallies for any days
    before the first whole month or after the last (a custom span)."""
    if not isinstance(activities, Ledger):
        return [(held_in(activities, period).order_by(), "tallies")]
    months = _whole_months(period)
    if months is None:
        return [(held_in(activities.activities(), period).order_by(), "tallies")]
    first, last = months
    if activities.whole and all("totals" in BREAKDOWNS[key] for key in by):
        parts = [(activities.totals(first, last).order_by(), "totals")]
    else:
        parts = [(activities.cells(first, last).order_by(), "cells")]
    edges = [
        (period.start, first - datetime.timedelta(days=1)),
        (_next_month(last), period.end),
    ]
    for start, end in edges:
        if start <= end:
            parts.append((held_in(activities.activities(), Period(start, end)).order_by(), "tallies"))
    return parts


def _figures(row: dict) -> dict:
    reported = row["reported"] or 0
    return {
        "activities": row["activities"] or 0,
        "people_served": (row["checkins"] or 0) + reported,
        "people_served_reported": reported,
        "reported_activities": row["reported_activities"] or 0,
        "volunteer_hours": float(Decimal(row["hours"] or 0) / 100),
    }


def activity_figures(activities: QuerySet[Activity] | Ledger, period: Period) -> ActivityFigures:
    """Activities held, people served and volunteer hours among ``activities`` in the period:
    one aggregate query.

    People served are the checked-in attendees; an activity nobody checked in to counts its
    reported participants instead, and the figure says how many came from such reports."""
    total: dict = {}
    for rows, source in _counted(activities, period):
        for name, value in rows.aggregate(**_SUMS[source]).items():
            total[name] = total.get(name, 0) + (value or 0)
    return ActivityFigures(**_figures(total))


def activity_breakdown(activities: QuerySet[Activity] | Ledger, period: Period, by: str) -> list[dict]:
    """Grouped figures: rows of {key, activities, people_served, people_served_reported,
    reported_activities, volunteer_hours}, in key order.

    ``by`` is one of ``month`` (the first day of the month, a date), ``stream``, ``kind``,
    ``category``, ``organizer``, ``region``, or ``month`` with another, as ``month,stream``. One
    grouped query per part of the period (``_counted``: at most three), whatever the data."""
    parts = by.split(",")
    unknown = [part for part in parts if part not in BREAKDOWNS]
    if unknown:
        raise ValueError(f"unknown breakdown: {', '.join(unknown)}")
    sums: dict[tuple, dict] = {}
    for rows, source in _counted(activities, period, tuple(parts)):
        names = [BREAKDOWNS[part][source] for part in parts]
        for row in rows.values(*names).annotate(**_SUMS[source]).order_by():
            total = sums.setdefault(tuple(row[name] for name in names), {})
            for name in _SUMS[source]:
                total[name] = total.get(name, 0) + (row[name] or 0)
    ordered = sorted(sums, key=lambda key: tuple((value is None, value) for value in key))
    return [{"key": key if len(key) > 1 else key[0], **_figures(sums[key])} for key in ordered]


def activities_by_region(period: Period, regions: QuerySet[Region] | None = None) -> dict[int, int]:
    """region id → activities that took place there during the period: the region × month sums
    of the whole months (a hundred thousand rows for a province's two years, where the month
    cells are a million and a half), and the activities of the days before the first whole
    month or after the last. For the coverage of every town, quarter after quarter; only of
    ``regions`` (a queryset of regions' ids) when given, as for a town's own dashboard."""
    return activities_by_region_in([period], regions)[period]


def activities_by_region_in(
    periods: Iterable[Period], regions: QuerySet[Region] | None = None
) -> dict[Period, dict[int, int]]:
    """``activities_by_region`` of several periods at once: the whole months of all of them in
    one pass over the region × month sums (a sum per period), the days outside whole months
    period by period. The dashboard's period and the quarters of its trend cost one query."""
    periods = list(dict.fromkeys(periods))
    found: dict[Period, dict[int, int]] = {period: {} for period in periods}
    months = {period: _whole_months(period) for period in periods}
    whole = [period for period in periods if months[period] is not None]
    if whole:
        rows = LedgerRegionMonth.objects.filter(
            month__gte=min(months[period][0] for period in whole),
            month__lte=max(months[period][1] for period in whole),
        )
        if regions is not None:
            rows = rows.filter(region_id__in=regions)
        sums = {
            f"p{index}": Sum(
                "activities", filter=Q(month__gte=months[period][0], month__lte=months[period][1])
            )
            for index, period in enumerate(whole)
        }
        for row in rows.order_by().values("region_id").annotate(**sums):
            for index, period in enumerate(whole):
                if row[f"p{index}"]:
                    found[period][row["region_id"]] = row[f"p{index}"]
    for period in periods:
        if months[period] is None:
            spans = [(period.start, period.end)]
        else:
            first, last = months[period]
            spans = [(period.start, first - datetime.timedelta(days=1)), (_next_month(last), period.end)]
        counts = found[period]
        for start, end in spans:
            if start <= end:
                edge = held_in(Activity.objects.all(), Period(start, end)).order_by()
                if regions is not None:
                    edge = edge.filter(region_id__in=regions)
                for region_id, n in edge.values_list("region_id").annotate(n=Count("pk")):
                    counts[region_id] = counts.get(region_id, 0) + n
    return found


def raw_rows(query: QuerySet) -> list[tuple]:
    """The rows of ``query`` as the database returns them, on the database it reads from:
    Django's converters, value by value, cost more than the query itself for the province's
    1,400 rows of a dozen values."""
    sql, params = query.query.sql_with_params()
    with connections[query.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def town_months_state() -> tuple[str, int]:
    """The state of the towns' months (``LedgerTownMonth``): the token of their last fold
    (empty before the first) and the count of changes since, read in one statement — a fold
    removes the changes and renews the token in one transaction, and between two folds changes
    are only added, so each state has a name of its own."""
    database = connections[LedgerTownChange.objects.all().db]
    fold, notes = (database.ops.quote_name(m._meta.db_table) for m in (LedgerTownFold, LedgerTownChange))
    with database.cursor() as cursor:
        # Table names of the models only: nothing of the caller's goes into the statement.
        sql = f"SELECT (SELECT token FROM {fold} WHERE id = 1), (SELECT COUNT(*) FROM {notes})"  # noqa: S608
        cursor.execute(sql)
        token, count = cursor.fetchone()
    return token or "", count


def whole_months(period: Period) -> bool:
    """Whether the period is made of whole months only, so that its activities are read from
    the month sums alone."""
    return _whole_months(period) == (period.start, period.end.replace(day=1))


def activities_by_town_in(periods: Iterable[Period], town_ids: Iterable[int]) -> dict[Period, dict[int, int]]:
    """town id → activities that took place in its regions during each period: the town × month
    sums of the whole months (a row a town a month), in one pass for all the periods, and the
    activities of the days outside whole months counted by region and summed over each region's
    town. Of ``town_ids`` only; a province's 1,400 towns are read whole and the others left out
    (a list of them would cost more to build into the statement than it saves)."""
    periods = list(dict.fromkeys(periods))
    wanted = set(town_ids)
    found: dict[Period, dict[int, int]] = {period: {} for period in periods}
    months = {period: _whole_months(period) for period in periods}
    whole = [period for period in periods if months[period] is not None]
    if whole and wanted:
        rows = LedgerTownMonth.objects.filter(
            month__gte=min(months[period][0] for period in whole),
            month__lte=max(months[period][1] for period in whole),
        )
        if len(wanted) <= FEW_TOWNS:
            rows = rows.filter(town_id__in=wanted)
        sums = {
            f"p{index}": Sum(
                "activities", filter=Q(month__gte=months[period][0], month__lte=months[period][1])
            )
            for index, period in enumerate(whole)
        }
        query = rows.order_by().values_list("town_id").annotate(**sums)
        # Read as the database returns them: a row a town, a sum a period.
        read = [row for row in raw_rows(query) if row[0] in wanted]
        if read:
            town_ids, *columns = zip(*read, strict=True)
            for period, counts in zip(whole, columns, strict=True):
                found[period] = {town: count for town, count in zip(town_ids, counts, strict=True) if count}
    edges = []
    for period in periods:
        if months[period] is None:
            edges += [(period, period.start, period.end)]
        else:
            first, last = months[period]
            edges += [
                (period, period.start, first - datetime.timedelta(days=1)),
                (period, _next_month(last), period.end),
            ]
    for period, start, end in edges:
        if start <= end and wanted:
            held = held_in(Activity.objects.all(), Period(start, end)).order_by()
            by_region = dict(held.values_list("region_id").annotate(n=Count("pk")))
            counts = found[period]
            for region_id, town_id in townships(by_region).items():
                if town_id in wanted:
                    counts[town_id] = counts.get(town_id, 0) + by_region[region_id]
    return found


# --------------------------------------------------------------------------- volunteers


def volunteer_hours(services: QuerySet[VolunteerService], period: Period) -> float:
    """Hours recorded in ``services`` at activities that took place during the period: the
    same rule as ``activity_figures``, for one volunteer's (or one team's) own record."""
    held = held_in(Activity.objects.all(), period).values("pk")
    return float(services.counted().filter(activity__in=held).aggregate(total=hours_total())["total"])
