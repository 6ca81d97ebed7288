"""The ledger's summary tables: what each activity adds to the figures, and those contributions
summed per organiser × region × month × stream × type.

The dashboards and reports of a district (or a province: 1,400 towns, tens of millions of
check-ins) read months, not check-ins. Two tables hold the counts:

- ``ActivityTally``, one row per activity: its check-ins, its reported participants counted
  when nobody checked in, its volunteer hours recorded — and the cell it was last added to
  (organiser, region, month, stream, type, whether it took place);
- ``LedgerMonth``, one row per cell with at least one activity that took place (held or
  verified): the sums of those tallies;
- ``LedgerRegionMonth``, the cells' count of activities per region × month, for the coverage
  of every town over several quarters (the cells hardly condense at a province's size: every
  organisation's activities fall in cells of their own);
- ``LedgerCategoryMonth``, the cells summed over organisers and regions per month × stream ×
  type × the organiser's category, for the whole ledger's figures (a few hundred rows a year);
  moved from one category to another when an organiser's category changes (``recategorize``);
- ``TeamYear``, one row per volunteer team × year: its volunteers' hours, the activities they
  served at and how many of them served (distinct counts, so a team's year is counted again
  from its services, under a lock on its row, rather than added to).

Each write to the towns' months also leaves a note (``LedgerTownChange``): the notes' count and
the token of their last fold (``fold_town_changes``) name the months' state, under which the
district's coverage overview is kept in the cache.

People served at an activity are its checked-in attendees; an activity nobody checked in to
counts its reported participants instead (DESIGN.md, Indicators). Volunteer hours are
``services.models.hours_total`` over the rows recorded with hours; they count where the activity
took place (``VolunteerServiceQuerySet.counted``). This module applies both rules once per
activity; ``rollout.indicators`` sums what it wrote.

Exact by construction: every action that writes an activity, a check-in or a volunteer's hours
calls ``refresh`` with the activities it touched, inside its transaction. ``refresh`` locks the
activity's row, counts the activity afresh from its raw rows and moves the difference between
the new count and the tally into the cells with additive upserts — so concurrent check-ins at
one activity queue on the row lock, and writes to other activities of the same cell add up
whatever their order. ``rebuild`` recomputes both tables from the raw rows in a few set-based
statements (after bulk loads, and by ``manage.py ledger_tallies --rebuild``); ``differences``
compares them with the raw rows and lists every disagreement (``--check``).

May import: ``services.models`` and ``organizations.models``; nothing of ``rollout``.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    Count,
    DateField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, ExtractYear, Round, TruncMonth
from django.utils import timezone

from organizations.models import Organization, Region, townships

from .models import (
    Activity,
    ActivityTally,
    Attendance,
    LedgerCategoryMonth,
    LedgerMonth,
    LedgerRegionMonth,
    LedgerTownChange,
    LedgerTownFold,
    LedgerTownMonth,
    TeamYear,
    VolunteerService,
    hours_total,
)

# The fields of a cell's key and of its counts, in the order of the tables' columns.
KEY = ("organizer_id", "region_id", "month", "stream", "kind")
COUNTS = ("activities", "checkins", "reported_people", "reported_activities", "hours_hundredths")


@dataclass(frozen=True)
class Contribution:
    """What one activity adds to the cell ``key`` (nothing when it did not take place)."""

    key: tuple
    took_place: bool
    checkins: int
    reported: bool
    reported_people: int
    hours_hundredths: int

    @property
    def counts(self) -> tuple[int, ...]:
        if not self.took_place:
            return (0, 0, 0, 0, 0)
        return (1, self.checkins, self.reported_people, int(self.reported), self.hours_hundredths)


def month_of(moment: datetime.datetime) -> datetime.date:
    """The first day of the month, in the portal's time zone, of an activity's start."""
    return timezone.localtime(moment).date().replace(day=1)


def hundredths(hours: Decimal | float | int | None) -> int:
    return int((Decimal(str(hours or 0)) * 100).quantize(Decimal(1)))


def counts_reported(reported_participants: int | None, checkins: int) -> bool:
    """Whether the activity's people served fall back to its reported participants: nobody
    checked in, and the organiser reported a count (zero included)."""
    return checkins == 0 and reported_participants is not None


# --------------------------------------------------------------------------- keeping them exact


def _measure(activity: Activity) -> Contribution:
    checkins = Attendance.objects.filter(activity_id=activity.pk).count()
    hours = (
        VolunteerService.objects.filter(activity_id=activity.pk, hours__isnull=False)
        .order_by()
        .aggregate(total=hours_total())["total"]
    )
    reported = counts_reported(activity.reported_participants, checkins)
    return Contribution(
        key=(
            activity.organizer_id,
            activity.region_id,
            month_of(activity.starts_at),
            activity.stream,
            activity.kind,
        ),
        took_place=activity.status in Activity.TOOK_PLACE,
        checkins=checkins,
        reported=reported,
        reported_people=activity.reported_participants if reported else 0,
        hours_hundredths=hundredths(hours),
    )


def _as_counted(tally: ActivityTally) -> Contribution:
    return Contribution(
        key=(tally.organizer_id, tally.region_id, tally.month, tally.stream, tally.kind),
        took_place=tally.took_place,
        checkins=tally.checkins,
        reported=tally.reported,
        reported_people=tally.reported_people,
        hours_hundredths=tally.hours_hundredths,
    )


UPSERT = """
INSERT INTO {table} ({key}, {counts}) VALUES ({placeholders})
ON CONFLICT ({key}) DO UPDATE SET {additions}
"""

CATEGORY_KEY = ("month", "stream", "kind", "category")


def _additions(table: str, counts: tuple[str, ...]) -> str:
    """The SET clause of an additive upsert: each count plus the one the row would have had."""
    return ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in counts)


def _upsert(model, key: tuple[str, ...], counts: tuple[str, ...]) -> str:
    """One row's additive upsert: concurrent additions to the same row commute."""
    table = connection.ops.quote_name(model._meta.db_table)
    return UPSERT.format(
        table=table,
        key=", ".join(key),
        counts=", ".join(counts),
        placeholders=", ".join(["%s"] * (len(key) + len(counts))),
        additions=_additions(table, counts),
    )


def _moves(old: Contribution | None, new: Contribution | None) -> list[tuple[tuple, tuple[int, ...]]]:
    """The additions to cells that take an activity's contribution from ``old`` to ``new``."""
    zero = (0, 0, 0, 0, 0)
    before = old.counts if old else zero
    after = new.counts if new else zero
    if old and new and old.key == new.key:
        return [(new.key, tuple(b - a for a, b in zip(before, after, strict=True)))]
    moves = []
    if old:
        moves.append((old.key, tuple(-value for value in before)))
    if new:
        moves.append((new.key, after))
    return moves


def _summed(moves, key_of) -> dict[tuple, list[int]]:
    sums: dict[tuple, list[int]] = {}
    for key, counts in moves:
        total = sums.setdefault(key_of(key), [0] * len(COUNTS))
        for index, value in enumerate(counts):
            total[index] += value
    return {key: total for key, total in sums.items() if any(total)}


def _apply(moves: list[tuple[tuple, tuple[int, ...]]], categories: dict[int, str]) -> None:
    """Add the moves (possibly negative) to the month cells, then to the region × month sums,
    then to the category × month sums — each table's rows in their own key order, so that two
    writers that touch the same rows lock them in the same order — creating rows when missing
    and removing those left with no activity. ``categories`` maps each organiser to its
    category (read under a share lock on its row)."""
    cells = _summed(moves, lambda key: key)
    regions = _summed(moves, lambda key: (key[1], key[2]))
    # Only a change in the number of activities moves a town's month (not a check-in's).
    town_of = townships({region_id for (region_id, _month), total in regions.items() if total[0]})
    towns = _summed(
        [(key, counts) for key, counts in moves if key[1] in town_of], lambda key: (town_of[key[1]], key[2])
    )
    by_category = _summed(moves, lambda key: (key[2], key[3], key[4], categories[key[0]]))
    with connection.cursor() as cursor:
        for table_rows, sql in (
            (cells, _upsert(LedgerMonth, KEY, COUNTS)),
            (
                {key: [total[0]] for key, total in regions.items() if total[0]},
                _upsert(LedgerRegionMonth, ("region_id", "month"), ("activities",)),
            ),
            (
                {key: [total[0]] for key, total in towns.items() if total[0]},
                _upsert(LedgerTownMonth, ("town_id", "month"), ("activities",)),
            ),
            (by_category, _upsert(LedgerCategoryMonth, CATEGORY_KEY, COUNTS)),
        ):
            for key in sorted(table_rows):
                cursor.execute(sql, [*key, *table_rows[key]])
    if any(total[0] for total in towns.values()):
        _towns_changed()
    # A row can be left with no activity only by a negative addition.
    for model, names, rows in (
        (LedgerMonth, KEY, cells),
        (LedgerRegionMonth, ("region_id", "month"), regions),
        (LedgerTownMonth, ("town_id", "month"), towns),
        (LedgerCategoryMonth, CATEGORY_KEY, by_category),
    ):
        for key, total in rows.items():
            if total[0] < 0:
                model.objects.filter(**dict(zip(names, key, strict=True)), activities__lte=0).delete()


# The organiser's sums of both categories in one statement, in the rows' key order (as ``_apply``
# takes them), under the lock on the organiser's row that the change of its category holds
# ("WHERE true": SQLite parses an upsert after a SELECT only when the SELECT has a WHERE).
MOVE_CATEGORY = """
INSERT INTO {table} (month, stream, kind, category, {counts})
SELECT month, stream, kind, category, {counts} FROM (
  SELECT month, stream, kind, %s AS category, {negated} FROM {cells} WHERE organizer_id = %s
  GROUP BY month, stream, kind
  UNION ALL
  SELECT month, stream, kind, %s AS category, {summed} FROM {cells} WHERE organizer_id = %s
  GROUP BY month, stream, kind
) AS moved
WHERE true
ORDER BY month, stream, kind, category
ON CONFLICT (month, stream, kind, category) DO UPDATE SET {additions}
"""


def recategorize(organizer_id: int, before: str, after: str) -> None:
    """Move an organiser's activities from the sums of category ``before`` to those of
    ``after``, in the transaction that changes its category (after the update of its row, whose
    lock keeps the cells' writers of this organiser waiting until the change commits)."""
    if before == after:
        return
    table = connection.ops.quote_name(LedgerCategoryMonth._meta.db_table)
    sql = MOVE_CATEGORY.format(
        table=table,
        counts=", ".join(COUNTS),
        negated=", ".join(f"-SUM({name}) AS {name}" for name in COUNTS),
        summed=", ".join(f"SUM({name}) AS {name}" for name in COUNTS),
        cells=connection.ops.quote_name(LedgerMonth._meta.db_table),
        additions=_additions(table, COUNTS),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [before, organizer_id, after, organizer_id])
    LedgerCategoryMonth.objects.filter(category=before, activities__lte=0).delete()


def _town_months(region_months: Iterable[tuple[int, datetime.date, int]], town_ids=None) -> dict[tuple, int]:
    """(town id, month) → activities, summed from (region id, month, activities) rows over each
    region's town (of ``town_ids`` only, when given)."""
    rows = list(region_months)
    town_of = townships({region_id for region_id, _month, _count in rows})
    sums: dict[tuple, int] = {}
    for region_id, month, count in rows:
        town_id = town_of.get(region_id)
        if town_id is not None and (town_ids is None or town_id in town_ids) and count:
            sums[(town_id, month)] = sums.get((town_id, month), 0) + count
    return {key: count for key, count in sums.items() if count}


def retown(town_ids: list[int]) -> None:
    """Sum these towns' months again from their regions' (a region moved from one town to
    another, or became a town), in the transaction that moved it, after its subtree's paths."""
    if not town_ids:
        return
    wanted = set(town_ids)
    paths = Region.objects.filter(pk__in=wanted).values_list("path", flat=True)
    below = Region.objects.none()
    for path in paths:
        below = below | Region.objects.filter(path__startswith=path)
    rows = LedgerRegionMonth.objects.filter(region_id__in=below.values("pk")).values_list(
        "region_id", "month", "activities"
    )
    LedgerTownMonth.objects.filter(town_id__in=wanted).delete()
    LedgerTownMonth.objects.bulk_create(
        LedgerTownMonth(town_id=town_id, month=month, activities=count)
        for (town_id, month), count in sorted(_town_months(rows, wanted).items())
    )
    _towns_changed()


def _towns_changed() -> None:
    """Note that this transaction wrote the towns' months: figures kept in the cache under the
    months' former state are not read again (``rollout.indicators.ledger.town_months_state``)."""
    LedgerTownChange.objects.create()


@transaction.atomic
def fold_town_changes() -> int:
    """Remove the notes of the towns' months' changes and give the months a new token, so that
    the notes stay few; returns how many were removed. Two folds never run at once (the token's
    row is locked); a note whose transaction commits after this one's snapshot is left, and
    counts in the new token's state."""
    fold = LedgerTownFold.objects.select_for_update().filter(pk=1).first() or LedgerTownFold(pk=1)
    removed, _by_model = LedgerTownChange.objects.all().delete()
    fold.token = uuid.uuid4().hex
    fold.folded_at = timezone.now()
    fold.save()
    return removed


@transaction.atomic
def refresh(activity_ids: Iterable[int]) -> None:
    """Count these activities afresh and move the difference into the month cells; then count
    again the years of the volunteer teams that served at them.

    Called by every action that writes an activity, a check-in or a volunteer service, in its
    transaction, after its writes. Activities are locked in id order (``FOR NO KEY UPDATE``, which
    does not wait for the key-share locks that inserting a check-in takes), then the teams'
    years in (team, year) order, so two writers never wait for each other in a circle. The
    organisers whose sums move are share-locked, in id order, before any sum is written: a
    change of an organiser's category (which holds its row, then writes the category sums) never
    waits for sums this transaction holds while this one waits for the organiser."""
    team_years: set[tuple[int, int]] = set()
    changed: list[tuple[int, ActivityTally | None, Contribution | None, Contribution | None]] = []
    for activity_id in sorted(set(activity_ids)):
        activity = (
            Activity.objects.select_for_update(no_key=True)
            .only(
                "pk",
                "organizer_id",
                "region_id",
                "starts_at",
                "stream",
                "kind",
                "status",
                "reported_participants",
            )
            .filter(pk=activity_id)
            .first()
        )
        tally = ActivityTally.objects.filter(activity_id=activity_id).first()
        old = _as_counted(tally) if tally else None
        new = _measure(activity) if activity else None
        team_years |= _years_served(activity_id, old, new)
        if old != new:
            changed.append((activity_id, tally, old, new))
    moves = [move for _, _, old, new in changed for move in _moves(old, new)]
    _apply(moves, _organizer_categories({key[0] for key, _counts in moves}))
    for activity_id, tally, _old, new in changed:
        if new is None:
            tally.delete()
            continue
        values = dict(zip(KEY, new.key, strict=True))
        values.update(
            took_place=new.took_place,
            checkins=new.checkins,
            reported=new.reported,
            reported_people=new.reported_people,
            hours_hundredths=new.hours_hundredths,
        )
        ActivityTally.objects.update_or_create(activity_id=activity_id, defaults=values)
    for team_id, year in sorted(team_years):
        _recount_team_year(team_id, year)


SHARE_LOCK = "SELECT id, category FROM {table} WHERE id = ANY(%s) ORDER BY id FOR SHARE"


def _organizer_categories(organizer_ids: set[int]) -> dict[int, str]:
    """organiser id → its category; on PostgreSQL under a share lock on each organiser's row,
    taken in id order, so that its category cannot change before this transaction ends."""
    if not organizer_ids:
        return {}
    if connection.vendor != "postgresql":
        return dict(Organization.objects.filter(pk__in=organizer_ids).values_list("pk", "category"))
    table = connection.ops.quote_name(Organization._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(SHARE_LOCK.format(table=table), [sorted(organizer_ids)])
        return dict(cursor.fetchall())


def _years_served(activity_id: int, old: Contribution | None, new: Contribution | None) -> set:
    """The (team, year) pairs an activity's volunteer services count in: its teams, in the year
    it was counted in before and the year it is in now."""
    years = {contribution.key[2].year for contribution in (old, new) if contribution}
    teams = set(
        VolunteerService.objects.filter(activity_id=activity_id, team__isnull=False)
        .order_by()
        .values_list("team_id", flat=True)
    )
    return {(team_id, year) for team_id in teams for year in years}


def _team_year_services(year: int) -> QuerySet:
    return VolunteerService.objects.in_year(year).counted().order_by()


def _recount_team_year(team_id: int, year: int) -> None:
    """Count a team's year again from its services, under a lock on its row: a second writer
    waits, then counts with the first one's services committed."""
    TeamYear.objects.bulk_create([TeamYear(team_id=team_id, year=year)], ignore_conflicts=True)
    row = TeamYear.objects.select_for_update().get(team_id=team_id, year=year)
    totals = (
        _team_year_services(year)
        .filter(team_id=team_id)
        .aggregate(
            hours=hours_total(),
            activities=Count("activity", distinct=True),
            volunteers=Count("person", distinct=True),
        )
    )
    if not totals["activities"]:
        row.delete()
        return
    row.hours_hundredths = hundredths(totals["hours"])
    row.activities, row.volunteers = totals["activities"], totals["volunteers"]
    row.save(update_fields=["hours_hundredths", "activities", "volunteers"])


# --------------------------------------------------------------------------- from the raw rows


def _counted_activities() -> QuerySet:
    """Every activity with its tally's values computed from the raw rows, in one statement."""
    checkins = (
        Attendance.objects.filter(activity_id=OuterRef("pk"))
        .order_by()
        .values("activity_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    hours = (
        VolunteerService.objects.filter(activity_id=OuterRef("pk"), hours__isnull=False)
        .order_by()
        .values("activity_id")
        .annotate(total=hours_total())
        .values("total")
    )
    return (
        Activity.objects.order_by()
        .annotate(
            fresh_month=Cast(TruncMonth("starts_at"), output_field=DateField()),
            fresh_took_place=ExpressionWrapper(
                Q(status__in=Activity.TOOK_PLACE), output_field=BooleanField()
            ),
            fresh_checkins=Coalesce(Subquery(checkins, output_field=IntegerField()), Value(0)),
            fresh_hours=Cast(
                Round(Coalesce(Subquery(hours), Value(Decimal(0))) * Value(100)),
                output_field=BigIntegerField(),
            ),
        )
        .annotate(
            fresh_reported=ExpressionWrapper(
                Q(fresh_checkins=0, reported_participants__isnull=False), output_field=BooleanField()
            ),
            fresh_reported_people=Case(
                When(fresh_checkins=0, reported_participants__isnull=False, then=F("reported_participants")),
                default=Value(0),
                output_field=IntegerField(),
            ),
        )
    )


TALLY_COLUMNS = (
    "activity_id",
    "organizer_id",
    "region_id",
    "month",
    "stream",
    "kind",
    "took_place",
    "checkins",
    "reported",
    "reported_people",
    "hours_hundredths",
)


def _fresh_tallies() -> QuerySet:
    return _counted_activities().values_list(
        "pk",
        "organizer_id",
        "region_id",
        "fresh_month",
        "stream",
        "kind",
        "fresh_took_place",
        "fresh_checkins",
        "fresh_reported",
        "fresh_reported_people",
        "fresh_hours",
    )


def _cells_of(tallies: QuerySet) -> QuerySet:
    """Month cells summed from tally rows (``ActivityTally`` rows that took place)."""
    return (
        tallies.filter(took_place=True)
        .order_by()
        .values_list(*KEY)
        .annotate(
            n=Count("pk"),
            c=Sum("checkins"),
            r=Sum("reported_people"),
            ra=Count("pk", filter=Q(reported=True)),
            h=Sum("hours_hundredths"),
        )
    )


def _insert_select(table: str, columns: Iterable[str], queryset: QuerySet) -> int:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {connection.ops.quote_name(table)} ({', '.join(columns)}) {sql}",
            params,
        )
        return cursor.rowcount


CATEGORY_COLUMNS = ("month", "stream", "kind", "category", *COUNTS)


def _categories_of(cells: QuerySet) -> QuerySet:
    """The month cells summed per month × stream × type × the organiser's category."""
    return (
        cells.order_by()
        .values_list("month", "stream", "kind", "organizer__category")
        .annotate(
            n=Sum("activities"),
            c=Sum("checkins"),
            r=Sum("reported_people"),
            ra=Sum("reported_activities"),
            h=Sum("hours_hundredths"),
        )
    )


TEAM_YEAR_COLUMNS = ("team_id", "year", "hours_hundredths", "activities", "volunteers")


def _fresh_team_years() -> QuerySet:
    """Every team's years counted from the raw services (of volunteers in a team), in one
    statement."""
    return (
        VolunteerService.objects.counted()
        .filter(team__isnull=False)
        .order_by()
        .annotate(service_year=ExtractYear("activity__starts_at"))
        .values_list("team_id", "service_year")
        .annotate(
            h=Cast(Round(hours_total() * Value(100)), output_field=BigIntegerField()),
            a=Count("activity", distinct=True),
            v=Count("person", distinct=True),
        )
    )


@transaction.atomic
def rebuild() -> tuple[int, int]:
    """Recompute both tables from the raw rows, set-based (one INSERT … SELECT each); returns
    the number of activity tallies and of month cells written. For bulk loads (the demo, the
    load generator, a restore) and repairs; the actions keep the tables exact otherwise."""
    TeamYear.objects.all().delete()
    LedgerCategoryMonth.objects.all().delete()
    LedgerTownMonth.objects.all().delete()
    LedgerRegionMonth.objects.all().delete()
    LedgerMonth.objects.all().delete()
    ActivityTally.objects.all().delete()
    tallies = _insert_select(ActivityTally._meta.db_table, TALLY_COLUMNS, _fresh_tallies())
    cells = _insert_select(
        LedgerMonth._meta.db_table, (*KEY, *COUNTS), _cells_of(ActivityTally.objects.all())
    )
    by_region = LedgerMonth.objects.order_by().values_list("region_id", "month").annotate(n=Sum("activities"))
    _insert_select(LedgerRegionMonth._meta.db_table, ("region_id", "month", "activities"), by_region)
    LedgerTownMonth.objects.bulk_create(
        (
            LedgerTownMonth(town_id=town_id, month=month, activities=count)
            for (town_id, month), count in sorted(
                _town_months(
                    LedgerRegionMonth.objects.values_list("region_id", "month", "activities")
                ).items()
            )
        ),
        batch_size=2000,
    )
    # Every town month is new: the notes of earlier writes are folded under a new token.
    fold_town_changes()
    categories = _categories_of(LedgerMonth.objects.all())
    _insert_select(LedgerCategoryMonth._meta.db_table, CATEGORY_COLUMNS, categories)
    _insert_select(TeamYear._meta.db_table, TEAM_YEAR_COLUMNS, _fresh_team_years())
    if connection.vendor == "postgresql":
        # Fresh statistics, or the planner keeps guessing from the empty tables it saw before.
        with connection.cursor() as cursor:
            for model in (
                ActivityTally,
                LedgerMonth,
                LedgerRegionMonth,
                LedgerTownMonth,
                LedgerCategoryMonth,
                TeamYear,
            ):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return tallies, cells


@dataclass(frozen=True)
class Differences:
    """Rows that disagree with the raw rows: as stored (``stored``) and as they should be
    (``fresh``), for tallies, cells, the region × month sums, the category × month sums and the
    teams' years."""

    tallies_stored: list[tuple]
    tallies_fresh: list[tuple]
    cells_stored: list[tuple]
    cells_fresh: list[tuple]
    regions_stored: list[tuple]
    regions_fresh: list[tuple]
    towns_stored: list[tuple]
    towns_fresh: list[tuple]
    categories_stored: list[tuple]
    categories_fresh: list[tuple]
    team_years_stored: list[tuple]
    team_years_fresh: list[tuple]

    def rows(self) -> list[list[tuple]]:
        return [
            self.tallies_stored,
            self.tallies_fresh,
            self.cells_stored,
            self.cells_fresh,
            self.regions_stored,
            self.regions_fresh,
            self.towns_stored,
            self.towns_fresh,
            self.categories_stored,
            self.categories_fresh,
            self.team_years_stored,
            self.team_years_fresh,
        ]

    def __bool__(self) -> bool:
        return any(self.rows())

    def __len__(self) -> int:
        return sum(len(rows) for rows in self.rows())


def _fresh_sums(*key: str) -> QuerySet:
    """The activities that took place, counted from the raw rows and summed per ``key``, as a
    summary table's rows hold them (activities, check-ins, reported people, reported
    activities, hours × 100)."""
    return (
        _counted_activities()
        .filter(status__in=Activity.TOOK_PLACE)
        .values_list(*key)
        .annotate(
            n=Count("pk"),
            c=Sum("fresh_checkins"),
            r=Sum("fresh_reported_people"),
            ra=Count("pk", filter=Q(fresh_reported=True)),
            h=Sum("fresh_hours"),
        )
    )


def differences(limit: int = 100) -> Differences:
    """Every tally and cell that differs from a recount of the raw rows (EXCEPT both ways, in
    the database), at most ``limit`` of each kind."""
    stored_tallies = ActivityTally.objects.order_by().values_list(*TALLY_COLUMNS)
    fresh_tallies = _fresh_tallies()
    fresh_cells = _fresh_sums("organizer_id", "region_id", "fresh_month", "stream", "kind")
    stored_cells = LedgerMonth.objects.order_by().values_list(*KEY, *COUNTS)
    fresh_regions = (
        _counted_activities()
        .filter(status__in=Activity.TOOK_PLACE)
        .values_list("region_id", "fresh_month")
        .annotate(n=Count("pk"))
    )
    stored_regions = LedgerRegionMonth.objects.order_by().values_list("region_id", "month", "activities")
    # The towns' months from the raw rows' region months, each region's town read from its path.
    fresh_towns = {
        (town_id, month, count)
        for (town_id, month), count in _town_months(
            fresh_regions.values_list("region_id", "fresh_month", "n")
        ).items()
    }
    stored_towns = set(LedgerTownMonth.objects.values_list("town_id", "month", "activities"))
    fresh_categories = _fresh_sums("fresh_month", "stream", "kind", "organizer__category")
    stored_categories = LedgerCategoryMonth.objects.order_by().values_list(*CATEGORY_COLUMNS)
    stored_team_years = TeamYear.objects.order_by().values_list(*TEAM_YEAR_COLUMNS)
    fresh_team_years = _fresh_team_years()
    return Differences(
        tallies_stored=list(stored_tallies.difference(fresh_tallies)[:limit]),
        tallies_fresh=list(fresh_tallies.difference(stored_tallies)[:limit]),
        cells_stored=list(stored_cells.difference(fresh_cells)[:limit]),
        cells_fresh=list(fresh_cells.difference(stored_cells)[:limit]),
        regions_stored=list(stored_regions.difference(fresh_regions)[:limit]),
        regions_fresh=list(fresh_regions.difference(stored_regions)[:limit]),
        towns_stored=sorted(stored_towns - fresh_towns)[:limit],
        towns_fresh=sorted(fresh_towns - stored_towns)[:limit],
        categories_stored=list(stored_categories.difference(fresh_categories)[:limit]),
        categories_fresh=list(fresh_categories.difference(stored_categories)[:limit]),
        team_years_stored=list(stored_team_years.difference(fresh_team_years)[:limit]),
        team_years_fresh=list(fresh_team_years.difference(stored_team_years)[:limit]),
    )
