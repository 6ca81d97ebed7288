"""The four coverage conditions of a town in a period, their summary over the towns and the
trend quarter by quarter (see the package docstring for the definitions)."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from organizations.models import Organization, Region, Seat, active_on, role_open_on, seat_current_on

from . import standing
from .ledger import FEW_TOWNS, activities_by_town_in, town_months_state, whole_months
from .periods import Period
from .standing import DayFacts

CONDITIONS = ("organised", "led", "three_associations", "working")
CONDITION_LABELS = {
    "organised": _("有镇（街）科协"),
    "led": _("三长进入领导机构"),
    "three_associations": _("三会齐全"),
    "working": _("本期有活动"),
}
CATEGORIES = tuple(Organization.Category.values)
ALL_CATEGORIES = frozenset(CATEGORIES)
NONE: frozenset[str] = frozenset()

# The district's overview is kept this long in the cache under the name of its sources' state.
OVERVIEW_KEPT = 24 * 3600
# Once this many changes of the towns' months wait, a fold of them is queued (at most once in
# ``standing.REBUILD_EVERY`` seconds): they are counted by every reading of the overview.
FOLD_AT = 200
FOLD_KEY = "rollout:town-months:fold"
FOLD_TASK = "rollout.tasks.fold_town_changes"


# --------------------------------------------------------------------------- regions


def towns_in_scope() -> QuerySet[Region]:
    """The towns and subdistricts the district's coverage counts."""
    return Region.objects.towns().in_scope().order_by("sort_order", "code", "name")


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


@dataclass(slots=True)
class TownCoverage:
    """One town's four conditions in a period. The derived flags are worked out once, when the
    row is made: the district's dashboard makes a row for each of a province's 1,400 towns in
    five quarters and sums them."""

    region: Region
    organised: bool = False
    led: bool = False
    categories: frozenset[str] = field(default_factory=frozenset)
    activities: int = 0
    association_id: int | None = None
    three_associations: bool = field(init=False)
    working: bool = field(init=False)
    met_count: int = field(init=False)
    covered: bool = field(init=False)

    def __post_init__(self) -> None:
        self.three_associations = self.categories >= ALL_CATEGORIES
        self.working = self.activities > 0
        self.met_count = bool(self.organised) + bool(self.led) + self.three_associations + self.working
        self.covered = self.met_count == len(CONDITIONS)

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


def town_coverage(
    period: Period,
    *,
    towns: Iterable[Region] | None = None,
    today: datetime.date | None = None,
) -> list[TownCoverage]:
    """The four conditions for each town (default: every town in programme scope)."""
    return town_coverages([period], towns=towns, today=today)[period]


def town_coverages(
    periods: Iterable[Period],
    *,
    towns: Iterable[Region] | None = None,
    today: datetime.date | None = None,
) -> dict[Period, list[TownCoverage]]:
    """``town_coverage`` of several periods at once (the dashboard's period and the quarters of
    its trend). The first three conditions of every reference day come from the towns' spans
    (``standing``), a row a town; while the spans are out of date, from the raw rows, each source
    read once for all the days (``_day_counts``), and a rebuild of the spans is queued. The
    fourth comes from the ledger's town × month sums."""
    periods = list(dict.fromkeys(periods))
    towns = list(towns_in_scope() if towns is None else towns)
    if not towns:
        return {period: [] for period in periods}
    days = sorted({period.reference_day(today) for period in periods})
    town_ids = [town.pk for town in towns]
    facts = _facts(days, town_ids, towns)
    coverage: dict[Period, list[TownCoverage]] = {}
    pairs = [(town.pk, town) for town in towns]
    for period, activities in activities_by_town_in(periods, town_ids).items():
        day = facts[days.index(period.reference_day(today))]
        association, led, categories = day.association, day.led, day.categories
        coverage[period] = [
            TownCoverage(
                town,
                pk in association,
                pk in led,
                categories.get(pk, NONE),
                activities.get(pk, 0),
                association.get(pk),
            )
            for pk, town in pairs
        ]
    return coverage


def _facts(
    days: list[datetime.date], town_ids: list[int], towns: Iterable[Region], token: str | None = None
) -> list[DayFacts]:
    """The first three conditions of each day for the towns: from their spans while these are
    up to date (``token``, read when not given), else from the raw rows (``towns``, read only
    then), a rebuild of the spans queued."""
    if token is None:
        token = standing.current()
    if token:
        return standing.day_facts(days, town_ids, token=token)
    # Counted first, queued after: a rebuild run at once (tasks in-process) writes, and the
    # reads after a write leave the replica (sanhui/db.py).
    facts = _raw_facts(days, list(towns))
    standing.request_rebuild()
    return facts


def _raw_facts(days: list[datetime.date], towns: list[Region]) -> list[DayFacts]:
    """The first three conditions of each day counted from the organisations, seats and leader
    roles themselves."""
    # Each region counts for its nearest town or subdistrict, as the towns' spans and the ledger's
    # town sums count it (``organizations.models.townships``): a town within one of these towns
    # keeps its own regions, even when it is not one of them.
    given = {town.pk for town in towns}
    nested = _around(town.path for town in towns).filter(kind__in=Region.TOWNSHIP_KINDS)
    mapping = {region: town for region, town in township_map([*towns, *nested]).items() if town in given}
    # The towns' regions as a subquery: a list of thousands of ids would cost more to build into
    # each statement than the statement costs to run. Rows of regions outside the towns (the
    # district's own) are left out below, as ``mapping`` does not know them.
    regions = _around(town.path for town in towns).values("pk")
    facts = [DayFacts() for _day in days]
    # 1. organised: a town association based in the town, active on the reference day.
    _associations(days, regions, mapping, facts)
    # 2. led: a 三长/泛三长 holds a seat in that association on the reference day.
    _leadership(days, facts)
    # 3. three associations: grassroots associations active on the reference day, by category,
    # home or served region.
    _categories(days, regions, mapping, facts)
    for day in facts:
        day.categories = {town_id: frozenset(held) for town_id, held in day.categories.items()}
    return facts


def _day_counts(days: list[datetime.date], condition) -> dict[str, Count]:
    """A count per day, in the days' order: ``condition(day)`` is the Q a row must meet to
    count on that day."""
    return {f"on_day_{index}": Count("pk", filter=condition(day)) for index, day in enumerate(days)}


def _associations(
    days: list[datetime.date], regions: QuerySet, mapping: dict[int, int], facts: list[DayFacts]
) -> None:
    """The town associations active on each day, by town (a town's own association: its
    newest)."""
    associations = (
        Organization.objects.filter(kind=Organization.Kind.TOWN_ASSOCIATION, home_region_id__in=regions)
        .order_by("pk")
        .values_list("pk", "home_region_id")
        .annotate(**_day_counts(days, active_on))
    )
    for pk, region_id, *on_days in associations:
        town_id = mapping.get(region_id)
        if town_id is not None:
            for day, active in zip(facts, on_days, strict=True):
                if active:
                    day.association[town_id] = pk


def _leadership(days: list[datetime.date], facts: list[DayFacts]) -> None:
    """The towns whose association active on a day had, that day, a seat current and held by a
    三长/泛三长 (a leader role open that day). The seats of the associations are joined to their
    holders' roles (a few each), rather than every open role of a province read for each day."""
    associations = set().union(*(day.association.values() for day in facts))
    if not associations:
        return

    def led_on(day: datetime.date) -> Q:
        return seat_current_on(day) & role_open_on(day, "person__leader_roles__")

    seats = (
        Seat.objects.filter(organization_id__in=associations, person__leader_roles__isnull=False)
        .order_by()
        .values_list("organization_id")
        .annotate(**_day_counts(days, led_on))
    )
    towns = [{pk: town_id for town_id, pk in day.association.items()} for day in facts]
    for organization_id, *on_days in seats:
        for day, town_of, led in zip(facts, towns, on_days, strict=True):
            if led and organization_id in town_of:
                day.led.add(town_of[organization_id])


def _categories(
    days: list[datetime.date], regions: QuerySet, mapping: dict[int, int], facts: list[DayFacts]
) -> None:
    """The categories of the grassroots associations active on each day based in or serving a
    region of each town. Unordered queries: a model's default order would join the GROUP BY
    and sort every organisation by its name."""
    based = (
        Organization.objects.filter(kind=Organization.Kind.GRASSROOTS_ASSOCIATION, home_region_id__in=regions)
        .order_by()
        .values_list("home_region_id", "category")
        .annotate(**_day_counts(days, active_on))
    )
    served = (
        Organization.served_regions.through.objects.filter(
            region_id__in=regions, organization__kind=Organization.Kind.GRASSROOTS_ASSOCIATION
        )
        .order_by()
        .values_list("region_id", "organization__category")
        .annotate(**_day_counts(days, lambda day: active_on(day, "organization__")))
    )
    for rows in (based, served):
        for region_id, category, *on_days in rows:
            town_id = mapping.get(region_id)
            if town_id is not None:
                for day, active in zip(facts, on_days, strict=True):
                    if active:
                        day.categories[town_id].add(category)


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


def trend_periods(period: Period, quarters: int = 4) -> list[Period]:
    """The quarters of ``coverage_trend``, oldest first."""
    if period.is_quarter:
        return [*period.previous_quarters(quarters), period]
    return period.quarters_overlapped()


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
    of periods the caller has computed already (with ``town_coverages`` of the period and its
    ``trend_periods``, one pass over the sources for all of them)."""
    towns = list(towns_in_scope() if towns is None else towns)
    periods = trend_periods(period, quarters)
    known = dict(known or {})
    missing = [p for p in periods if p not in known]
    if missing:
        known.update(town_coverages(missing, towns=towns, today=today))
    return [(p, summarize(known[p])) for p in periods]


@dataclass(frozen=True)
class CoverageOverview:
    """The district's coverage at a glance: the summary of each period, and the rows of the towns
    shown for one of them (every town while there are at most ``limit``; else the ``limit``
    with the fewest conditions met, in the towns' usual order among equals)."""

    summaries: dict[Period, CoverageSummary]
    shown: list[TownCoverage]
    towns: int


def coverage_overview(
    period: Period, periods: Iterable[Period], *, limit: int, today: datetime.date | None = None
) -> CoverageOverview:
    """``summarize(town_coverage(p))`` of each of ``periods`` (``period`` among them) and the
    towns shown for ``period``, without a row for each of a province's 1,400 towns in each
    period: the summaries are counted from the sets of towns meeting each condition, and rows
    are made for the towns shown only.

    Kept in the cache while the towns' spans are up to date and the periods are whole months,
    under the name of what it is counted from: the spans' token (new at each rebuild, which any
    change of the towns, their organisations, seats or leader roles calls for), the state of the
    towns' months (``town_months_state``), the periods, their reference days and ``limit``. The
    towns' names are read afresh each time."""
    periods = list(dict.fromkeys([period, *periods]))
    spans = standing.current()
    if not spans or not all(whole_months(p) for p in periods):
        return _overview(period, periods, today, limit, spans)
    months = town_months_state()
    overview = _kept_overview(period, periods, today, limit, spans, months)
    # Read first, queued after: a fold run at once (tasks in-process) writes, and the reads
    # after a write leave the replica (sanhui/db.py).
    if months[1] >= FOLD_AT:
        standing.queue_once(FOLD_KEY, FOLD_TASK)
    return overview


def _kept_overview(
    period: Period,
    periods: list[Period],
    today: datetime.date | None,
    limit: int,
    spans: str,
    months: tuple[str, int],
) -> CoverageOverview:
    """``coverage_overview`` from the cache under the name of its sources' state, or counted
    and kept there."""
    days = sorted({p.reference_day(today) for p in periods})
    token, changes = months
    named = [spans, token, str(changes), str(limit), *(f"{p.start}/{p.end}" for p in periods)]
    named += map(str, days)
    key = "rollout:coverage-overview:" + hashlib.sha256(":".join(named).encode()).hexdigest()
    kept = standing.cache_call(lambda: cache.get(key), None)
    if kept is None:
        overview = _overview(period, periods, today, limit, spans)
        kept = (overview.summaries, [_row_facts(row) for row in overview.shown], overview.towns)
        standing.cache_call(lambda: cache.set(key, kept, OVERVIEW_KEPT), None)
        return overview
    summaries, rows, towns = kept
    regions = Region.objects.in_bulk([row[0] for row in rows])
    shown = [TownCoverage(regions[pk], *facts) for pk, *facts in rows if pk in regions]
    return CoverageOverview(summaries, shown, towns)


def _row_facts(row: TownCoverage) -> tuple:
    """A town's row as kept in the cache: its id in place of the region, and its facts."""
    return (row.region.pk, row.organised, row.led, row.categories, row.activities, row.association_id)


def _overview(
    period: Period, periods: list[Period], today: datetime.date | None, limit: int, spans: str
) -> CoverageOverview:
    """``coverage_overview`` counted."""
    town_ids = list(towns_in_scope().values_list("pk", flat=True))
    if not town_ids:
        return CoverageOverview({p: summarize([]) for p in periods}, [], 0)
    days = sorted({p.reference_day(today) for p in periods})
    facts = _facts(days, town_ids, towns_in_scope(), token=spans)
    everyone = set(town_ids)
    summaries, shown = {}, []
    for p, activities in activities_by_town_in(periods, town_ids).items():
        day = facts[days.index(p.reference_day(today))]
        organised = everyone & day.association.keys()
        led = everyone & day.led
        three = {pk for pk, held in day.categories.items() if held >= ALL_CATEGORIES} & everyone
        working = {pk for pk, count in activities.items() if count > 0} & everyone
        summaries[p] = CoverageSummary(
            towns=len(town_ids),
            covered=len(organised & led & three & working),
            organised=len(organised),
            led=len(led),
            three_associations=len(three),
            working=len(working),
        )
        if p == period:
            shown = _shown(town_ids, limit, day, activities, (organised, led, three, working))
    return CoverageOverview(summaries, shown, len(town_ids))


def _shown(
    town_ids: list[int], limit: int, day: DayFacts, activities: dict[int, int], met
) -> list[TownCoverage]:
    """The rows of the towns shown: all of them within ``limit``, else those with the fewest
    conditions met (a stable sort keeps the usual order among equals)."""
    chosen = town_ids
    if len(town_ids) > limit:
        chosen = sorted(town_ids, key=lambda pk: sum(pk in towns for towns in met))[:limit]
    regions = Region.objects.in_bulk(chosen)
    return [
        TownCoverage(
            regions[pk],
            pk in day.association,
            pk in day.led,
            day.categories.get(pk, NONE),
            activities.get(pk, 0),
            day.association.get(pk),
        )
        for pk in chosen
    ]
