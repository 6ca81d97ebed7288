"""The towns' standing on the first three coverage conditions as spans of days
(``rollout.models.TownStanding``), for the coverage of a province's 1,400 towns on any day.

Counted from the raw rows, the conditions of every town on a day read every town association,
its seats and their holders' leader roles, and every grassroots association by its home and
served regions: tens of thousands of rows at a province's size, for each dashboard. The same
rows date each condition (an organisation's founding and dissolution, a seat's term, a leader
role's start and end), so each town's conditions are spans of days, computed once:

- ``association``: the days a town association based in the town was active, each day's span
  naming the town's association that day (the newest of those active);
- ``led``: the days that association had a seat current and held by a 三长/泛三长 whose role
  was open;
- ``category``: for each category, the days a grassroots association of it based in or serving
  a region of the town was active.

The spans follow the rules ``rollout.indicators.coverage`` applies to the raw rows
(``active_on``, ``seat_current_on``, ``role_open_on``) on every day: a test compares both, day
by day. Built with them, the seat steps (``SeatShareStep``) give the district's count of seats
current and held by 三长 on any day.

The spans are a summary of rows that pages, the admin, imports and bulk loads write; database
triggers (``triggers``) note every transaction that changes them (``TownStandingChange``).
While any such note is left the spans are out of date: the coverage is counted from the raw
rows, and a rebuild is queued (``request_rebuild``), which reads the rows anew, writes every
span and removes the notes it has seen — a note written while it ran is left, for the next.
Each rebuild has a token of its own, under which the facts of every town on a day, once read
from the spans, are kept in the cache (``day_facts``).
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import kombu.exceptions
from celery import current_app
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Case, Count, Max, Q, Sum, Value, When
from django.utils import timezone

from organizations.models import LeaderRole, Organization, Seat, townships
from rollout.models import SeatShareStep, TownStanding, TownStandingBuild, TownStandingChange

from .ledger import FEW_TOWNS, raw_rows

logger = logging.getLogger(__name__)

Span = tuple[datetime.date, datetime.date]  # first and last day, both included
FIRST, LAST = datetime.date.min, datetime.date.max
DAY = datetime.timedelta(days=1)
CATEGORIES = tuple(Organization.Category.values)
Condition = TownStanding.Condition

# The facts of a day read from the spans are kept this long in the cache (a rebuild makes new).
FACTS_KEPT = 24 * 3600

# A rebuild is queued at most once in this many seconds (the rebuild itself returns at once
# when the spans are up to date).
REBUILD_KEY = "rollout:town-standing:rebuild"
REBUILD_TASK = "rollout.tasks.rebuild_town_standing"
REBUILD_EVERY = 30


# --------------------------------------------------------------------------- spans


def union(spans: Iterable[Span]) -> list[Span]:
    """The spans sorted and merged where they overlap or touch."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and (merged[-1][1] == LAST or start <= merged[-1][1] + DAY):
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def intersect(left: list[Span], right: list[Span]) -> list[Span]:
    """The days in both (each a ``union``)."""
    found, i, j = [], 0, 0
    while i < len(left) and j < len(right):
        start, end = max(left[i][0], right[j][0]), min(left[i][1], right[j][1])
        if start <= end:
            found.append((start, end))
        if left[i][1] < right[j][1]:
            i += 1
        else:
            j += 1
    return found


def minus(left: list[Span], right: list[Span]) -> list[Span]:
    """The days of ``left`` not in ``right`` (each a ``union``)."""
    found = []
    for start, end in left:
        current: datetime.date | None = start
        for other_start, other_end in right:
            if current is None or other_start > end:
                break
            if other_end < current:
                continue
            if other_start > current:
                found.append((current, other_start - DAY))
            current = None if other_end >= end else other_end + DAY
        if current is not None:
            found.append((current, end))
    return found


def active_span(status: str, founded_on, dissolved_on) -> list[Span]:
    """The days an organisation was active (``organizations.models.active_on``)."""
    if status not in (Organization.Status.ACTIVE, Organization.Status.DISSOLVED):
        return []
    if dissolved_on is not None and dissolved_on == FIRST:
        return []
    start, end = founded_on or FIRST, LAST if dissolved_on is None else dissolved_on - DAY
    return [(start, end)] if start <= end else []


def seat_span(term_start, term_end) -> list[Span]:
    """The days a seat was current (``organizations.models.seat_current_on``)."""
    if term_start is None or (term_end is not None and term_end < term_start):
        return []
    return [(term_start, term_end or LAST)]


def role_span(started_on, ended_on) -> list[Span]:
    """The days a leader role was open (``organizations.models.role_open_on``)."""
    start, end = started_on or FIRST, ended_on or LAST
    return [(start, end)] if start <= end else []


# --------------------------------------------------------------------------- building


def build() -> list[TownStanding]:
    """Every town's spans, from the raw rows (a handful of queries, whatever the size)."""
    town_of = townships()
    spans: list[TownStanding] = []
    spans += _association_spans(town_of)
    spans += _category_spans(town_of)
    return spans


def _row(town_id: int, condition: str, span: Span, **values) -> TownStanding:
    start, end = span
    return TownStanding(
        town_id=town_id,
        condition=condition,
        since=None if start == FIRST else start,
        until=None if end == LAST else end,
        **values,
    )


def _association_spans(town_of: dict[int, int]) -> list[TownStanding]:
    """Each town's association day by day (the newest active one) and the days it was led."""
    town_associations = Organization.objects.filter(kind=Organization.Kind.TOWN_ASSOCIATION)
    by_town: dict[int, list[tuple]] = defaultdict(list)
    for pk, region_id, status, founded_on, dissolved_on in town_associations.values_list(
        "pk", "home_region_id", "status", "founded_on", "dissolved_on"
    ):
        if region_id in town_of:
            by_town[town_of[region_id]].append((pk, active_span(status, founded_on, dissolved_on)))
    seats = Seat.objects.filter(organization__kind=Organization.Kind.TOWN_ASSOCIATION)
    roles: dict[int, list[Span]] = defaultdict(list)
    for person_id, started_on, ended_on in LeaderRole.objects.filter(
        person_id__in=seats.values("person_id")
    ).values_list("person_id", "started_on", "ended_on"):
        roles[person_id] += role_span(started_on, ended_on)
    led: dict[int, list[Span]] = defaultdict(list)
    for organization_id, person_id, term_start, term_end in seats.values_list(
        "organization_id", "person_id", "term_start", "term_end"
    ):
        led[organization_id] += intersect(seat_span(term_start, term_end), union(roles.get(person_id, ())))
    rows = []
    for town_id, associations in sorted(by_town.items()):
        taken: list[Span] = []
        for pk, active in sorted(associations, reverse=True):
            own = minus(active, taken)
            rows += [_row(town_id, Condition.ASSOCIATION, span, association_id=pk) for span in own]
            rows += [
                _row(town_id, Condition.LED, span, association_id=pk)
                for span in intersect(own, union(led[pk]))
            ]
            taken = union(taken + active)
    return rows


def _category_spans(town_of: dict[int, int]) -> list[TownStanding]:
    """For each town and category, the days a grassroots association of it based in or serving
    one of the town's regions was active."""
    grassroots = Organization.objects.filter(kind=Organization.Kind.GRASSROOTS_ASSOCIATION)
    organisations = {
        pk: (category, active_span(status, founded_on, dissolved_on), region_id)
        for pk, category, status, founded_on, dissolved_on, region_id in grassroots.values_list(
            "pk", "category", "status", "founded_on", "dissolved_on", "home_region_id"
        )
    }
    served = Organization.served_regions.through.objects.filter(organization_id__in=grassroots.values("pk"))
    places = [(pk, region_id) for pk, (_c, _s, region_id) in organisations.items()]
    places += list(served.values_list("organization_id", "region_id"))
    by_town: dict[tuple[int, str], list[Span]] = defaultdict(list)
    for pk, region_id in places:
        if region_id in town_of and pk in organisations:
            category, active, _home = organisations[pk]
            by_town[(town_of[region_id], category)] += active
    return [
        _row(town_id, Condition.CATEGORY, span, category=category)
        for (town_id, category), spans in sorted(by_town.items())
        for span in union(spans)
    ]


def seat_steps() -> list[SeatShareStep]:
    """The steps of the counts of seats current and of those held by a 三长/泛三长 whose role
    is open (``seat_current_on`` and ``role_open_on``), over every organisation: a seat counts
    from the first day of its span to the last, so one step up on the first and one down on the
    day after the last."""
    roles: dict[int, list[Span]] = defaultdict(list)
    for person_id, started_on, ended_on in LeaderRole.objects.values_list(
        "person_id", "started_on", "ended_on"
    ):
        roles[person_id] += role_span(started_on, ended_on)
    merged = {person_id: union(spans) for person_id, spans in roles.items()}
    steps: dict[datetime.date, list[int]] = defaultdict(lambda: [0, 0])

    def count(spans: list[Span], column: int) -> None:
        for start, end in spans:
            steps[start][column] += 1
            if end != LAST:
                steps[end + DAY][column] -= 1

    for person_id, term_start, term_end in Seat.objects.values_list("person_id", "term_start", "term_end"):
        held = seat_span(term_start, term_end)
        count(held, 0)
        count(intersect(held, merged.get(person_id, [])), 1)
    return [
        SeatShareStep(day=day, seats=seats, led=led)
        for day, (seats, led) in sorted(steps.items())
        if seats or led
    ]


def seat_share_on(day: datetime.date) -> tuple[int, int]:
    """(seats held by 三长/泛三长, seats) current on ``day`` over every organisation, from the
    steps (a few thousand rows, whatever the number of seats)."""
    sums = SeatShareStep.objects.filter(day__lte=day).aggregate(seats=Sum("seats"), led=Sum("led"))
    return sums["led"] or 0, sums["seats"] or 0


def _signature(row: TownStanding) -> tuple:
    return (row.town_id, row.condition, row.category, row.association_id, row.since, row.until)


@transaction.atomic
def rebuild(*, force: bool = False) -> int:
    """Write every span anew from the raw rows and remove the notes of change read before;
    return how many spans. Two rebuilds never interleave (a lock on the build's row); one that
    finds no note left returns at once, unless ``force`` (a repair of spans written around it)."""
    TownStandingBuild.objects.bulk_create([TownStandingBuild(pk=1)], ignore_conflicts=True)
    build_row = TownStandingBuild.objects.select_for_update().get(pk=1)
    seen = list(TownStandingChange.objects.values_list("pk", flat=True))
    if not seen and build_row.built_at is not None and not force:
        return build_row.spans
    spans, steps = build(), seat_steps()
    TownStanding.objects.all().delete()
    TownStanding.objects.bulk_create(spans, batch_size=2000)
    SeatShareStep.objects.all().delete()
    SeatShareStep.objects.bulk_create(steps, batch_size=2000)
    TownStandingChange.objects.filter(pk__in=seen).delete()
    build_row.built_at = timezone.now()
    build_row.spans = len(spans)
    build_row.token = uuid.uuid4().hex
    build_row.save(update_fields=["built_at", "spans", "token"])
    if connection.vendor == "postgresql":
        # Fresh statistics for the planner, which would go on guessing from the rows it last saw.
        with connection.cursor() as cursor:
            for model in (TownStanding, SeatShareStep):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return len(spans)


def differences(limit: int = 100) -> tuple[list[tuple], list[tuple]]:
    """Spans (and seat steps) stored but not built from the rows now, and built but not stored,
    at most ``limit`` of each (none when the spans are up to date)."""
    stored = {_signature(row) for row in TownStanding.objects.all()}
    fresh = {_signature(row) for row in build()}
    stored |= {("seats", row.day, row.seats, row.led) for row in SeatShareStep.objects.all()}
    fresh |= {("seats", row.day, row.seats, row.led) for row in seat_steps()}
    return sorted(stored - fresh, key=repr)[:limit], sorted(fresh - stored, key=repr)[:limit]


def current() -> str:
    """The token of the spans when they hold what the rows hold now (built, and no change
    since); empty while they are out of date."""
    token = TownStandingBuild.objects.filter(built_at__isnull=False).values_list("token", flat=True).first()
    if not token or TownStandingChange.objects.exists():
        return ""
    return token


def up_to_date() -> bool:
    """Whether the spans hold what the rows hold now: built, and no change since."""
    return bool(current())


def request_rebuild() -> None:
    """Queue a rebuild once the caller's transaction commits, at most once in
    ``REBUILD_EVERY`` seconds (every time, when the cache cannot be reached)."""
    queue_once(REBUILD_KEY, REBUILD_TASK)


def queue_once(key: str, task: str, every: int = REBUILD_EVERY) -> None:
    """Queue ``task`` (by its name: the indicators know nothing of the rest of the app) once the
    caller's transaction commits, at most once in ``every`` seconds under ``key`` (every time,
    when the cache cannot be reached)."""
    if cache_call(lambda: cache.add(key, 1, timeout=every), True):
        transaction.on_commit(lambda: _queue(key, task))


def _queue(key: str, task: str) -> None:
    """Send ``task`` to the task queue. A queue that cannot be reached costs the figures
    nothing: the next reading that needs the task asks again."""
    try:
        current_app.signature(task).delay()
    except kombu.exceptions.OperationalError:
        logger.warning("%s could not be queued", task, exc_info=True)
        cache_call(lambda: cache.delete(key), None)


def cache_call(call, fallback):
    """What the cache answers, or ``fallback`` when it cannot be reached: the figures never
    wait on it."""
    try:
        return call()
    except Exception:  # any failure of the cache's backend
        logger.warning("the cache could not be reached", exc_info=True)
        return fallback


# --------------------------------------------------------------------------- reading


@dataclass
class DayFacts:
    """What held on one reference day, by town id."""

    association: dict[int, int] = field(default_factory=dict)  # the town's association's id
    led: set[int] = field(default_factory=set)
    categories: dict[int, set[str] | frozenset[str]] = field(default_factory=lambda: defaultdict(set))

    def of(self, towns: set[int]) -> DayFacts:
        """The facts of ``towns`` only (these facts themselves when they name no other)."""
        if not (self.association.keys() - towns or self.led - towns or self.categories.keys() - towns):
            return self
        return DayFacts(
            association={town: pk for town, pk in self.association.items() if town in towns},
            led=self.led & towns,
            categories={town: held for town, held in self.categories.items() if town in towns},
        )


def _on(day: datetime.date) -> Q:
    return (Q(since__isnull=True) | Q(since__lte=day)) & (Q(until__isnull=True) | Q(until__gte=day))


def day_facts(days: list[datetime.date], town_ids: Iterable[int], *, token: str = "") -> list[DayFacts]:
    """The facts of each day, for the towns, from their spans. For many towns, with the spans'
    ``token`` (``current``), the facts of every town on a day are kept in the cache under the
    token and the day: the same spans always give the same facts, and a rebuild makes a new
    token."""
    wanted = set(town_ids)
    if not token or len(wanted) <= FEW_TOWNS:
        return _read_facts(days, wanted, every=len(wanted) > FEW_TOWNS)
    keys = {day: f"rollout:town-facts:{token}:{day.isoformat()}" for day in days}
    found = cache_call(lambda: cache.get_many(list(keys.values())), {})
    missing = [day for day in days if keys[day] not in found]
    if missing:
        read = dict(zip(missing, _read_facts(missing, wanted, every=True, keep_all=True), strict=True))
        kept = {keys[day]: facts for day, facts in read.items()}
        cache_call(lambda: cache.set_many(kept, FACTS_KEPT), None)
        found.update({keys[day]: facts for day, facts in read.items()})
    return [found[keys[day]].of(wanted) for day in days]


def _read_facts(
    days: list[datetime.date], wanted: set[int], *, every: bool, keep_all: bool = False
) -> list[DayFacts]:
    """One query, a row a town with, for each day, the town's association, whether it was led
    and the categories held as bits (a town's spans of one category never overlap, so their bits
    add up to the set): of every town (``every``) or of ``wanted`` only; the facts of the towns
    read are kept (``keep_all``) or of ``wanted`` only."""
    facts = [DayFacts() for _day in days]
    spans = TownStanding.objects.order_by()
    if not every:
        spans = spans.filter(town_id__in=wanted)
    bit = Case(
        *(When(category=category, then=Value(1 << number)) for number, category in enumerate(CATEGORIES)),
        default=Value(0),
    )
    columns = {}
    for index, day in enumerate(days):
        on = _on(day)
        columns[f"a{index}"] = Max("association_id", filter=Q(condition=Condition.ASSOCIATION) & on)
        columns[f"l{index}"] = Count("pk", filter=Q(condition=Condition.LED) & on)
        columns[f"c{index}"] = Sum(bit, filter=Q(condition=Condition.CATEGORY) & on)
    query = spans.values_list("town_id").annotate(**columns)
    rows = raw_rows(query)
    held = {
        mask: frozenset(c for number, c in enumerate(CATEGORIES) if mask & (1 << number))
        for mask in range(1 << len(CATEGORIES))
    }
    if not keep_all:
        rows = [row for row in rows if row[0] in wanted]
    if not rows:
        return facts
    # Column by column: a province's 1,400 rows, five days each.
    town_ids, *columns = zip(*rows, strict=True)
    for index, day in enumerate(facts):
        associations, led, masks = columns[3 * index : 3 * index + 3]
        day.association = {
            town: pk for town, pk in zip(town_ids, associations, strict=True) if pk is not None
        }
        day.led = {town for town, count in zip(town_ids, led, strict=True) if count}
        day.categories = {town: held[mask] for town, mask in zip(town_ids, masks, strict=True) if mask}
    return facts
