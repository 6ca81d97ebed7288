"""The four coverage conditions of a town in a period, their summary over the towns and the
trend quarter by quarter (see the package docstring for the definitions)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import (
    Q,
    QuerySet,
)
from django.utils.translation import gettext_lazy as _

from organizations.models import Organization, Region, Seat

from .ledger import activities_by_region
from .periods import Period

CONDITIONS = ("organised", "led", "three_associations", "working")
CONDITION_LABELS = {
    "organised": _("有镇（街）科协"),
    "led": _("三长进入领导机构"),
    "three_associations": _("三会齐全"),
    "working": _("本期有活动"),
}
CATEGORIES = tuple(Organization.Category.values)


# --------------------------------------------------------------------------- regions


def towns_in_scope() -> QuerySet[Region]:
    """The towns and subdistricts the district's coverage counts."""
    return Region.objects.towns().in_scope().order_by("sort_order", "code", "name")


# Up to this many towns, their regions are chosen by the towns' own paths; above it, by their
# parents' (a handful of prefixes however many towns).
FEW_TOWNS = 20


def _around(town_paths: Iterable[str]) -> QuerySet[Region]:
    """Every region of the towns: for a few towns, the regions below each of them; for more,
    the regions below the towns' parents (the district), with a few others (the district
    itself), which the callers leave out through ``township_map``. A town's dashboard thus
    reads its own regions' organisations, not a province's."""
    paths = set(town_paths)
    if len(paths) > FEW_TOWNS:
        paths = {path.rstrip("/").rpartition("/")[0] + "/" for path in paths}
    condition = Q()
    for prefix in paths:
        condition |= Q(path__startswith=prefix)
    return Region.objects.filter(condition)


def township_map(towns: Iterable[Region]) -> dict[int, int]:
    """region id → id of the town (of ``towns``) it lies in, for every region at or below them.

    One query over the regions below the towns' parents (the district: a handful of prefixes
    however many towns, where one condition per town would outgrow what SQLite parses at a
    province's 1,400); each region's town is found by the prefixes of its path."""
    by_path = {town.path: town.pk for town in towns}
    mapping: dict[int, int] = {}
    if not by_path:
        return mapping
    for region_id, path in _around(by_path).values_list("pk", "path"):
        parts = path.strip("/").split("/")
        for depth in range(len(parts), 0, -1):
            town_id = by_path.get("/" + "/".join(parts[:depth]) + "/")
            if town_id is not None:
                mapping[region_id] = town_id
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


def town_coverage(
    period: Period,
    *,
    towns: Iterable[Region] | None = None,
    today: datetime.date | None = None,
    mapping: dict[int, int] | None = None,
) -> list[TownCoverage]:
    """The four conditions for each town (default: every town in programme scope); ``mapping``
    is ``township_map(towns)`` when the caller has it already (the trend's quarters share it)."""
    towns = list(towns_in_scope() if towns is None else towns)
    rows = {town.pk: TownCoverage(region=town) for town in towns}
    if not towns:
        return []
    if mapping is None:
        mapping = township_map(towns)
    # The towns' regions as a subquery: a list of thousands of ids would cost more to build into
    # each statement than the statement costs to run. Rows of regions outside the towns (the
    # district's own) are left out below, as ``mapping`` does not know them.
    regions = _around(town.path for town in towns).values("pk")
    on = period.reference_day(today)

    # 1. organised: a town association based in the town, active on the reference day.
    associations = (
        Organization.objects.active_on(on)
        .filter(kind=Organization.Kind.TOWN_ASSOCIATION, home_region_id__in=regions)
        .order_by()
        .values_list("pk", "home_region_id")
    )
    association_town: dict[int, int] = {}
    for pk, region_id in associations:
        town_id = mapping.get(region_id)
        if town_id is None:
            continue
        rows[town_id].organised = True
        rows[town_id].association_id = pk
        association_town[pk] = town_id

    # 2. led: a 三长/泛三长 holds a seat in that association on the reference day.
    if association_town:
        led = (
            Seat.objects.current(on)
            .held_by_leaders(on)
            .filter(organization_id__in=association_town)
            .order_by()
            .values_list("organization_id", flat=True)
            .distinct()
        )
        for organization_id in led:
            rows[association_town[organization_id]].led = True

    # 3. three associations: grassroots associations active on the reference day, by category,
    # home or served region.
    categories = _categories_by_town(on, regions, mapping)
    for town_id, found in categories.items():
        rows[town_id].categories = frozenset(found)

    # 4. working: activities that took place in the town during the period, by region, from
    # the ledger's region × month sums (and the activities of the days of a span that are not
    # whole months).
    for region_id, count in activities_by_region(period, regions).items():
        if region_id in mapping:
            rows[mapping[region_id]].activities += count
    return [rows[town.pk] for town in towns]


def _categories_by_town(on: datetime.date, regions: QuerySet, mapping: dict[int, int]) -> dict[int, set[str]]:
    """town id → the categories of the grassroots associations active on ``on`` based in or
    serving a region of the town. Unordered queries: a model's default order would join the
    DISTINCT and sort every organisation by its name."""
    grassroots = Organization.objects.active_on(on).filter(kind=Organization.Kind.GRASSROOTS_ASSOCIATION)
    categories: dict[int, set[str]] = defaultdict(set)
    based = (
        grassroots.filter(home_region_id__in=regions)
        .order_by()
        .values_list("home_region_id", "category")
        .distinct()
    )
    served = (
        Organization.served_regions.through.objects.filter(
            region_id__in=regions, organization__in=grassroots.order_by().values("pk")
        )
        .order_by()
        .values_list("region_id", "organization__category")
        .distinct()
    )
    for rows in (based, served):
        for region_id, category in rows:
            if region_id in mapping:
                categories[mapping[region_id]].add(category)
    return categories


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
    period: Period,
    quarters: int = 4,
    *,
    towns=None,
    today=None,
    known: dict[Period, list[TownCoverage]] | None = None,
) -> list[tuple[Period, CoverageSummary]]:
    """Coverage quarter by quarter, oldest first: for a quarter, the ``quarters`` before it and
    the quarter itself; for a longer period, each quarter it overlaps. ``known`` holds the rows
    of periods the caller has computed already (the dashboard's own period)."""
    towns = list(towns_in_scope() if towns is None else towns)
    if period.is_quarter:
        periods = [*period.previous_quarters(quarters), period]
    else:
        periods = period.quarters_overlapped()
    known = known or {}
    mapping = township_map(towns) if any(p not in known for p in periods) else {}
    return [
        (
            p,
            summarize(
                known[p] if p in known else town_coverage(p, towns=towns, today=today, mapping=mapping)
            ),
        )
        for p in periods
    ]
