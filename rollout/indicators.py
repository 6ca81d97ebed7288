"""The programme's indicators: one definition, used by dashboards, reports and commands alike.

For a town or subdistrict ``T`` and a period ``P`` (DESIGN.md, Indicators):

1. **organised** — ``T`` has an active town association (founded by the end of ``P``);
2. **led** — at least one 三长/泛三长 holds a seat in that association on the reference day;
3. **three associations** — for each of the three categories, at least one active grassroots
   association has ``T`` (or a region below it) as its home or a served region;
4. **working** — at least one activity that took place (held or verified) in ``T`` (or below
   it) started during ``P``.

``T`` is covered in ``P`` when all four hold. The reference day of a period is its last day, or
today while the period is still running: "current" seats and roles are judged on that day.

Every figure is computed with a fixed number of aggregate queries, whatever the number of
towns, organisations or activities; Python only folds the grouped rows (one per region at most)
up to the towns they belong to.
"""

from __future__ import annotations

import calendar
import datetime
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.models import LeaderRole, Organization, Region, Seat
from services.models import Activity, Attendance, VolunteerService

CONDITIONS = ("organised", "led", "three_associations", "working")
CONDITION_LABELS = {
    "organised": _("有镇（街）科协"),
    "led": _("三长进入领导机构"),
    "three_associations": _("三会齐全"),
    "working": _("本期有活动"),
}
CATEGORIES = tuple(Organization.Category.values)
HOURS_FIELD = DecimalField(max_digits=12, decimal_places=2)


# --------------------------------------------------------------------------- periods


@dataclass(frozen=True)
class Period:
    """A span of whole days, both ends included."""

    start: datetime.date
    end: datetime.date
    label: str = ""

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        if not 1 <= quarter <= 4:
            raise ValueError(f"quarter must be 1..4, not {quarter}")
        first_month = 3 * (quarter - 1) + 1
        last_month = first_month + 2
        end = datetime.date(year, last_month, calendar.monthrange(year, last_month)[1])
        return cls(datetime.date(year, first_month, 1), end, f"{year}Q{quarter}")

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(datetime.date(year, 1, 1), datetime.date(year, 12, 31), str(year))

    @classmethod
    def containing(cls, day: datetime.date) -> Period:
        return cls.quarter(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, text: str) -> Period:
        """``2022Q4``, ``2022`` or ``2022-01-01..2022-06-30``."""
        text = (text or "").strip().upper()
        if match := re.fullmatch(r"(\d{4})Q([1-4])", text):
            return cls.quarter(int(match[1]), int(match[2]))
        if re.fullmatch(r"\d{4}", text):
            return cls.year(int(text))
        if match := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", text):
            start = datetime.date.fromisoformat(match[1])
            end = datetime.date.fromisoformat(match[2])
            if end < start:
                raise ValueError("period ends before it starts")
            return cls(start, end, f"{start.isoformat()}..{end.isoformat()}")
        raise ValueError(f"not a period: {text!r} (use 2022Q4, 2022 or 2022-01-01..2022-06-30)")

    @property
    def code(self) -> str:
        return self.label or f"{self.start.isoformat()}..{self.end.isoformat()}"

    @property
    def is_quarter(self) -> bool:
        return bool(re.fullmatch(r"\d{4}Q[1-4]", self.label))

    def reference_day(self, today: datetime.date | None = None) -> datetime.date:
        today = today or timezone.localdate()
        return min(self.end, max(self.start, today))

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """Aware datetimes [start of first day, start of the day after the last) in Asia/Shanghai."""
        start = timezone.make_aware(datetime.datetime.combine(self.start, datetime.time.min))
        end = timezone.make_aware(
            datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time.min)
        )
        return start, end

    def quarters_overlapped(self) -> list[Period]:
        """The calendar quarters this period shares at least one day with, oldest first."""
        quarters = []
        current = Period.containing(self.start)
        while current.start <= self.end:
            quarters.append(current)
            after = current.end + datetime.timedelta(days=1)
            current = Period.containing(after)
        return quarters

    def previous_quarters(self, count: int) -> list[Period]:
        """The ``count`` quarters before this period's quarter, oldest first."""
        quarters = []
        year, quarter = self.start.year, (self.start.month - 1) // 3 + 1
        for _step in range(count):
            quarter -= 1
            if quarter == 0:
                year, quarter = year - 1, 4
            quarters.append(Period.quarter(year, quarter))
        return list(reversed(quarters))


# --------------------------------------------------------------------------- regions


def towns_in_scope() -> QuerySet[Region]:
    """The towns and subdistricts the district's coverage counts."""
    return Region.objects.towns().in_scope().order_by("sort_order", "code", "name")


def township_map(towns: Iterable[Region]) -> dict[int, int]:
    """region id → id of the town (of ``towns``) it lies in, for every region at or below them."""
    towns = list(towns)
    mapping: dict[int, int] = {}
    if not towns:
        return mapping
    condition = Q()
    for town in towns:
        condition |= Q(path__startswith=town.path)
    by_path = sorted(towns, key=lambda town: len(town.path), reverse=True)
    for region_id, path in Region.objects.filter(condition).values_list("pk", "path"):
        for town in by_path:
            if path.startswith(town.path):
                mapping[region_id] = town.pk
                break
    return mapping


# --------------------------------------------------------------------------- coverage


@dataclass
class TownCoverage:
    region: Region
    organised: bool = False
    led: bool = False
    categories: frozenset[str] = field(default_factory=frozenset)
    activities: int = 0
    association_id: int | None = None

    @property
    def three_associations(self) -> bool:
        return all(category in self.categories for category in CATEGORIES)

    @property
    def working(self) -> bool:
        return self.activities > 0

    @property
    def covered(self) -> bool:
        return all(self.met(condition) for condition in CONDITIONS)

    def met(self, condition: str) -> bool:
        return bool(getattr(self, condition))

    @property
    def failing(self) -> list[str]:
        return [condition for condition in CONDITIONS if not self.met(condition)]

    @property
    def failing_labels(self) -> list[str]:
        return [str(CONDITION_LABELS[condition]) for condition in self.failing]

    @property
    def missing_categories(self) -> list[str]:
        return [category for category in CATEGORIES if category not in self.categories]

    @property
    def met_count(self) -> int:
        return sum(self.met(condition) for condition in CONDITIONS)


def _active_by(day: datetime.date) -> Q:
    return Q(status=Organization.Status.ACTIVE) & (Q(founded_on__isnull=True) | Q(founded_on__lte=day))


def town_coverage(
    period: Period, *, towns: Iterable[Region] | None = None, today: datetime.date | None = None
) -> list[TownCoverage]:
    """The four conditions for each town (default: every town in programme scope)."""
    towns = list(towns_in_scope() if towns is None else towns)
    rows = {town.pk: TownCoverage(region=town) for town in towns}
    if not towns:
        return []
    mapping = township_map(towns)
    regions = list(mapping)
    on = period.reference_day(today)

    # 1. organised: an active town association based in the town.
    associations = Organization.objects.filter(
        _active_by(period.end), kind=Organization.Kind.TOWN_ASSOCIATION, home_region_id__in=regions
    ).values_list("pk", "home_region_id")
    association_town: dict[int, int] = {}
    for pk, region_id in associations:
        town_id = mapping[region_id]
        rows[town_id].organised = True
        rows[town_id].association_id = pk
        association_town[pk] = town_id

    # 2. led: a 三长/泛三长 holds a seat in that association on the reference day.
    if association_town:
        led = (
            Seat.objects.current(on)
            .held_by_leaders(on)
            .filter(organization_id__in=association_town)
            .values_list("organization_id", flat=True)
            .distinct()
        )
        for organization_id in led:
            rows[association_town[organization_id]].led = True

    # 3. three associations: active grassroots associations by category, home or served region.
    grassroots = Organization.objects.filter(
        _active_by(period.end), kind=Organization.Kind.GRASSROOTS_ASSOCIATION
    )
    categories: dict[int, set[str]] = defaultdict(set)
    for region_id, category in (
        grassroots.filter(home_region_id__in=regions).values_list("home_region_id", "category").distinct()
    ):
        categories[mapping[region_id]].add(category)
    served = Organization.served_regions.through.objects.filter(
        region_id__in=regions, organization__in=grassroots
    ).values_list("region_id", "organization__category")
    for region_id, category in served.distinct():
        categories[mapping[region_id]].add(category)
    for town_id, found in categories.items():
        rows[town_id].categories = frozenset(found)

    # 4. working: activities that took place in the town during the period.
    start, end = period.bounds()
    held = (
        Activity.objects.held()
        .filter(starts_at__gte=start, starts_at__lt=end, region_id__in=regions)
        .values("region_id")
        .annotate(n=Count("pk"))
        .values_list("region_id", "n")
    )
    for region_id, count in held:
        rows[mapping[region_id]].activities += count
    return [rows[town.pk] for town in towns]


@dataclass(frozen=True)
class CoverageSummary:
    towns: int
    covered: int
    organised: int
    led: int
    three_associations: int
    working: int

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def coverage_rate(self) -> float | None:
        return self._rate(self.covered, self.towns)

    @property
    def organisation_rate(self) -> float | None:
        """组织覆盖率: condition 1 alone."""
        return self._rate(self.organised, self.towns)

    @property
    def work_rate(self) -> float | None:
        """工作覆盖率: condition 4 alone."""
        return self._rate(self.working, self.towns)

    def rate_of(self, condition: str) -> float | None:
        return self._rate(getattr(self, condition), self.towns)


def summarize(rows: list[TownCoverage]) -> CoverageSummary:
    return CoverageSummary(
        towns=len(rows),
        covered=sum(row.covered for row in rows),
        organised=sum(row.organised for row in rows),
        led=sum(row.led for row in rows),
        three_associations=sum(row.three_associations for row in rows),
        working=sum(row.working for row in rows),
    )


def coverage_trend(
    period: Period, quarters: int = 4, *, towns=None, today=None
) -> list[tuple[Period, CoverageSummary]]:
    """Coverage quarter by quarter, oldest first: for a quarter, the ``quarters`` before it and
    the quarter itself; for a longer period, each quarter it overlaps."""
    towns = list(towns_in_scope() if towns is None else towns)
    if period.is_quarter:
        periods = [*period.previous_quarters(quarters), period]
    else:
        periods = period.quarters_overlapped()
    return [(p, summarize(town_coverage(p, towns=towns, today=today))) for p in periods]


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
    hours = VolunteerService.objects.filter(activity__in=ids).aggregate(
        total=Coalesce(Sum("hours"), Value(0), output_field=HOURS_FIELD)
    )["total"]
    return ActivityFigures(
        activities=count,
        people_served=checked_in + reported["total"],
        people_served_reported=reported["total"],
        reported_activities=reported["n"],
        volunteer_hours=float(hours or 0),
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
    for row in queryset.annotate(total=Sum("hours")).order_by():
        rows[key_of(row, names)]["volunteer_hours"] += float(row["total"] or 0)
    return list(rows.values())


# --------------------------------------------------------------------------- volunteers


def volunteer_hours(services: QuerySet[VolunteerService], period: Period) -> float:
    """Hours recorded in ``services`` at activities that took place during the period: the
    same rule as ``activity_figures``, for one volunteer's (or one team's) own record."""
    held = held_in(Activity.objects.all(), period).values("pk")
    total = services.filter(activity__in=held).aggregate(
        total=Coalesce(Sum("hours"), Value(0), output_field=HOURS_FIELD)
    )["total"]
    return float(total or 0)
