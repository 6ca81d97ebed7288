"""The programme's indicators: one definition, used by dashboards, reports and commands alike.

For a town or subdistrict ``T`` and a period ``P`` (DESIGN.md, Indicators):

1. **organised** — ``T`` has a town association active on the reference day;
2. **led** — at least one 三长/泛三长 holds a seat in that association on the reference day;
3. **three associations** — for each of the three categories, at least one grassroots
   association active on the reference day has ``T`` (or a region below it) as its home or a
   served region;
4. **working** — at least one activity that took place (held or verified) in ``T`` (or below
   it) started during ``P``.

``T`` is covered in ``P`` when all four hold. The reference day of a period is its last day, or
today while the period is still running. Everything that has a state is taken as it stood on that
day, from the records' dates, never from their status today: organisations (founded, dissolved),
seats (terms), leader roles (started, ended), rollout tasks (due, completed, cancelled) and
rectification items (raised, closed). So a past period reads the same whenever it is computed.

**Red flags** (``flags``): a town with no activity in ``P``; a task overdue on the reference day;
an association active on that day with no 三长/泛三长 among its current seats, including one
with no seats at all.

Every figure is computed with a fixed number of aggregate queries, whatever the number of
towns, organisations or activities. The coverage of every town reads summaries: each town's
first three conditions as spans of days (``standing``: built from the organisations, seats,
leader roles and regions, rebuilt after database triggers note a change, and counted from those
rows meanwhile; a day's facts of every town kept in the cache under the spans' version) and the
ledger's activities per town × month. The ledger's figures never read check-ins or volunteer services:
they sum the summary tables that ``services.tallies`` keeps exact on every write — month cells
(``LedgerMonth``) for the activities of a ``Ledger`` (all of them, a region, some organisers)
and the activities' own tallies for any other set — so a quarter of a province costs what a
quarter of a district does.

Owns: periods (``periods``), the coverage conditions with their summary and trend
(``coverage``), and the ledger's figures — activities, people served with the reported
fallback, volunteer hours, the 三长 share of seats, grouped breakdowns (``ledger``). The
per-activity rules (people served with the reported fallback; hours recorded with
``services.models.hours_total``, the sum the volunteers' own records in ``services`` share) are
applied once, by ``services.tallies``, when an activity is counted; the figures here add up what
it counted, over a period.

May import: ``organizations.models``, ``services.models`` and ``rollout.models`` (the
programme's records: tasks, rectification items; the towns' spans) only — no view, no scoping
(the callers pass querysets already scoped) and nothing else of ``rollout`` (the rebuild of the
spans is queued by the task's name).
"""

from .coverage import (
    CATEGORIES,
    CONDITION_LABELS,
    CONDITIONS,
    CoverageOverview,
    CoverageSummary,
    TownCoverage,
    coverage_overview,
    coverage_trend,
    summarize,
    town_coverage,
    town_coverages,
    towns_in_scope,
    township_map,
    trend_periods,
)
from .flags import (
    ASSOCIATION_KINDS,
    RedFlags,
    leaderless_associations,
    rectification_open_on,
    rectifications_on,
    red_flags,
    status_then,
    task_done_on,
    task_overdue_on,
    tasks_on,
)
from .ledger import (
    BREAKDOWNS,
    ActivityFigures,
    Ledger,
    SeatShare,
    activity_breakdown,
    activity_figures,
    district_seat_share,
    held_in,
    seat_share,
    seat_share_by_organization,
    volunteer_hours,
)
from .periods import Period

__all__ = [
    "ASSOCIATION_KINDS",
    "BREAKDOWNS",
    "CATEGORIES",
    "CONDITIONS",
    "CONDITION_LABELS",
    "ActivityFigures",
    "CoverageOverview",
    "CoverageSummary",
    "Ledger",
    "Period",
    "RedFlags",
    "SeatShare",
    "TownCoverage",
    "activity_breakdown",
    "activity_figures",
    "coverage_overview",
    "coverage_trend",
    "district_seat_share",
    "held_in",
    "leaderless_associations",
    "rectification_open_on",
    "rectifications_on",
    "red_flags",
    "seat_share",
    "seat_share_by_organization",
    "status_then",
    "summarize",
    "task_done_on",
    "task_overdue_on",
    "tasks_on",
    "town_coverage",
    "town_coverages",
    "towns_in_scope",
    "township_map",
    "trend_periods",
    "volunteer_hours",
]
