"""Figures of the ledger and the leaderships: activities that took place, people served (with
the reported fallback), volunteer hours, and the 三长 share of leadership seats."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Coalesce, TruncMonth

from organizations.models import LeaderRole, Seat
from services.models import Activity, Attendance, VolunteerService, hours_total

from .periods import Period

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
class ActivityFigures:
    activities: int
    people_served: int
    people_served_reported: int  # of people_served, how many come from reported counts
    reported_activities: int  # activities whose count fell back to the reported figure
    volunteer_hours: float

    @property
    def served_is_partly_reported(self) -> bool:
        return self.reported_activities > 0


def _without_checkins(activities: QuerySet[Activity]) -> QuerySet[Activity]:
    return activities.filter(~Exists(Attendance.objects.filter(activity=OuterRef("pk"))))


def activity_figures(activities: QuerySet[Activity], period: Period) -> ActivityFigures:
    """Activities held, people served and volunteer hours among ``activities`` in the period.

    People served are the checked-in attendees; an activity nobody checked in to counts its
    reported participants instead, and the figure says how many came from such reports."""
    held = held_in(activities, period)
    ids = held.values("pk")
    count = held.count()
    checked_in = Attendance.objects.filter(activity__in=ids).count()
    reported = (
        _without_checkins(held)
        .filter(reported_participants__isnull=False)
        .aggregate(n=Count("pk"), total=Coalesce(Sum("reported_participants"), 0))
    )
    hours = (
        VolunteerService.objects.filter(activity__in=ids).counted().aggregate(total=hours_total())["total"]
    )
    return ActivityFigures(
        activities=count,
        people_served=checked_in + reported["total"],
        people_served_reported=reported["total"],
        reported_activities=reported["n"],
        volunteer_hours=float(hours),
    )


BREAKDOWNS = {
    "stream": "stream",
    "kind": "kind",
    "category": "organizer__category",
    "organizer": "organizer_id",
    "region": "region_id",
}


def activity_breakdown(activities: QuerySet[Activity], period: Period, by: str) -> list[dict]:
    """Grouped figures: rows of {key, activities, people_served, reported_activities,
    volunteer_hours}, in key order.

    ``by`` is one of ``month``, ``stream``, ``kind``, ``category``, ``organizer``, ``region``, or
    ``month`` with another, as ``month,stream``. Four grouped queries, whatever the data."""
    parts = by.split(",")
    unknown = [part for part in parts if part != "month" and part not in BREAKDOWNS]
    if unknown:
        raise ValueError(f"unknown breakdown: {', '.join(unknown)}")
    held = held_in(activities, period)
    ids = held.values("pk")

    def grouped(queryset, prefix: str):
        names = []
        if "month" in parts:
            queryset = queryset.annotate(month=TruncMonth(f"{prefix}starts_at"))
        for part in parts:
            names.append("month" if part == "month" else f"{prefix}{BREAKDOWNS[part]}")
        return queryset.values(*names), names

    def key_of(row, names):
        key = tuple(row[name] for name in names)
        return key if len(key) > 1 else key[0]

    rows: dict = {}
    queryset, names = grouped(held, "")
    for row in queryset.annotate(n=Count("pk")).order_by(*names):
        rows[key_of(row, names)] = {
            "key": key_of(row, names),
            "activities": row["n"],
            "people_served": 0,
            "reported_activities": 0,
            "volunteer_hours": 0.0,
        }
    queryset, names = grouped(Attendance.objects.filter(activity__in=ids), "activity__")
    for row in queryset.annotate(n=Count("pk")).order_by():
        rows[key_of(row, names)]["people_served"] += row["n"]
    queryset, names = grouped(_without_checkins(held).filter(reported_participants__isnull=False), "")
    for row in queryset.annotate(n=Count("pk"), total=Sum("reported_participants")).order_by():
        rows[key_of(row, names)]["people_served"] += row["total"] or 0
        rows[key_of(row, names)]["reported_activities"] += row["n"]
    queryset, names = grouped(VolunteerService.objects.filter(activity__in=ids), "activity__")
    for row in queryset.annotate(total=hours_total()).order_by():
        rows[key_of(row, names)]["volunteer_hours"] += float(row["total"] or 0)
    return list(rows.values())


# --------------------------------------------------------------------------- volunteers


def volunteer_hours(services: QuerySet[VolunteerService], period: Period) -> float:
    """Hours recorded in ``services`` at activities that took place during the period: the
    same rule as ``activity_figures``, for one volunteer's (or one team's) own record."""
    held = held_in(Activity.objects.all(), period).values("pk")
    return float(services.counted().filter(activity__in=held).aggregate(total=hours_total())["total"])
