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

from .coverage import (
    CATEGORIES,
    CONDITION_LABELS,
    CONDITIONS,
    CoverageSummary,
    TownCoverage,
    coverage_trend,
    summarize,
    town_coverage,
    towns_in_scope,
    township_map,
)
from .ledger import (
    BREAKDOWNS,
    HOURS_FIELD,
    ActivityFigures,
    SeatShare,
    activity_breakdown,
    activity_figures,
    held_in,
    seat_share,
    seat_share_by_organization,
    volunteer_hours,
)
from .periods import Period

__all__ = [
    "BREAKDOWNS",
    "CATEGORIES",
    "CONDITIONS",
    "CONDITION_LABELS",
    "HOURS_FIELD",
    "ActivityFigures",
    "CoverageSummary",
    "Period",
    "SeatShare",
    "TownCoverage",
    "activity_breakdown",
    "activity_figures",
    "coverage_trend",
    "held_in",
    "seat_share",
    "seat_share_by_organization",
    "summarize",
    "town_coverage",
    "towns_in_scope",
    "township_map",
    "volunteer_hours",
]
