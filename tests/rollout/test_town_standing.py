"""The towns' standing as spans of days (rollout/indicators/standing.py), the database triggers
that mark it out of date (rollout/indicators/triggers.py) and the coverage read from it.

Every expected span, day and figure below is counted by hand from this world (all dates
inclusive; "…" open; a dissolved organisation's last day is the day before ``dissolved_on``)::

    town    organisation                 kind / category    status     founded     dissolved
    姜山镇  JS-OLD 姜山镇科协（旧）      town association   dissolved  2023-03-01  2024-03-01
            JS-NEW 姜山镇科协            town association   active     2024-02-01  —
            JS-NJ  姜山农技协会          production         active     2023-05-01  —
            JS-ST  姜山生态协会          ecology            active     —           —
            JS-JK  姜山村健康协会        life_health        dissolved  2024-01-01  2025-01-01
                   (based in 姜山村, a village of 姜山镇)
    五乡镇  WX-KX  五乡镇科协            town association   active     2023-09-01  —
            WX-NJ  五乡农技协会          production         dissolved  2023-01-01  2023-12-01
            WX-NJ2 五乡新农技协会        production         active     2023-11-15  —
            WX-ST  五乡生态协会          ecology            dissolved  2023-01-01  2024-01-01
            WX-ST2 五乡新生态协会        ecology            active     2024-01-01  —
            WX-JK  五乡健康协会          life_health        preparing  —           —
    云龙镇  YL-KX  云龙镇科协            town association   active     —           —
            YL-ST  云龙生态协会          ecology            active     2023-07-01  —
                   (serves 邱隘村, a village of 邱隘镇)
    邱隘镇  QA-KX  邱隘镇科协            town association   preparing  —           —
    鄞州区  YZ-NJ  区农技协会            production         active     —           —
                   (based above the towns: no town's)

People, leader roles and seats::

    陈建华  医院院长 2022-01-01 …       JS-OLD 2023-03-01 … 2024-02-29; JS-NEW 2024-06-01 …;
                                        YL-KX 2025-02-01 …
    王丽萍  —                           JS-NEW 2024-02-01 …
    冯志刚  农技站站长 … 2024-10-31      WX-KX 2023-09-01 …
    钱海波  基地负责人 2024-12-01 …      WX-KX 2023-09-01 … 2024-12-31; WX-NJ2 2023-11-15 …
    林志远  —                           YL-KX 2023-01-01 …

Hence, on a day: 姜山镇's association is JS-OLD up to 2024-01-31 and JS-NEW (the newer, both
active in February 2024) from 2024-02-01, led up to 2024-01-31 (陈建华 in JS-OLD) and from
2024-06-01 (陈建华 in JS-NEW), not in between; 五乡镇 is led from 2023-09-01 to 2024-10-31
(冯志刚) and 2024-12-01 to 2024-12-31 (钱海波, whose seat then ends); 云龙镇 from 2025-02-01.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache, caches
from django.db import connection

from organizations.models import LeaderRole, Organization, Person, Region, Seat
from organizations.scoping import scoped
from rollout.indicators import Period, coverage, standing, triggers
from rollout.indicators.ledger import district_seat_share, seat_share
from rollout.models import SeatShareStep, TownStanding, TownStandingChange
from tests import factories as f
from tests.services.factories import ActivityFactory

pytestmark = pytest.mark.django_db

d = datetime.date
FIRST, LAST = datetime.date.min, datetime.date.max
CATEGORIES = set(Organization.Category.values)
P, E, L = "production", "ecology", "life_health"
Kind, Status = Organization.Kind, Organization.Status
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


# --------------------------------------------------------------------------- span arithmetic


@pytest.mark.parametrize(
    ("spans", "expected"),
    [
        pytest.param([], [], id="nothing"),
        # 1–10 and 11–20 January touch: one span.
        pytest.param([(d(2024, 1, 11), d(2024, 1, 20)), (d(2024, 1, 1), d(2024, 1, 10))],
                     [(d(2024, 1, 1), d(2024, 1, 20))], id="touching"),
        pytest.param([(d(2024, 1, 1), d(2024, 1, 10)), (d(2024, 1, 5), d(2024, 1, 8))],
                     [(d(2024, 1, 1), d(2024, 1, 10))], id="one inside another"),
        pytest.param([(d(2024, 1, 1), d(2024, 1, 10)), (d(2024, 1, 12), d(2024, 1, 20))],
                     [(d(2024, 1, 1), d(2024, 1, 10)), (d(2024, 1, 12), d(2024, 1, 20))], id="a day apart"),
        pytest.param([(d(2024, 2, 20), d(2024, 2, 29)), (d(2024, 2, 25), d(2024, 3, 5))],
                     [(d(2024, 2, 20), d(2024, 3, 5))], id="overlapping over 29 February"),
        pytest.param([(d(2024, 12, 1), d(2024, 12, 31)), (d(2025, 1, 1), d(2025, 1, 31))],
                     [(d(2024, 12, 1), d(2025, 1, 31))], id="touching over the new year"),
        pytest.param([(d(2024, 1, 1), LAST), (d(2025, 1, 1), d(2025, 2, 1)), (FIRST, d(2023, 12, 31))],
                     [(FIRST, LAST)], id="unbounded both ways"),
    ],
)  # fmt: skip
def test_union_merges_what_overlaps_or_touches(spans, expected):
    assert standing.union(spans) == expected


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        pytest.param([(d(2024, 1, 1), d(2024, 1, 10)), (d(2024, 1, 20), d(2024, 1, 30))],
                     [(d(2024, 1, 5), d(2024, 1, 25))],
                     [(d(2024, 1, 5), d(2024, 1, 10)), (d(2024, 1, 20), d(2024, 1, 25))], id="two pieces"),
        pytest.param([(d(2024, 1, 1), d(2024, 1, 10))], [(d(2024, 1, 10), d(2024, 1, 20))],
                     [(d(2024, 1, 10), d(2024, 1, 10))], id="one shared day"),
        pytest.param([(d(2024, 1, 1), d(2024, 1, 10))], [(d(2024, 1, 11), d(2024, 1, 20))], [],
                     id="touching"),
        pytest.param([(FIRST, LAST)], [(d(2024, 2, 29), d(2024, 3, 1))],
                     [(d(2024, 2, 29), d(2024, 3, 1))], id="unbounded left"),
        pytest.param([(FIRST, d(2024, 6, 30))], [(d(2024, 1, 1), LAST)],
                     [(d(2024, 1, 1), d(2024, 6, 30))], id="both half open"),
        pytest.param([], [(FIRST, LAST)], [], id="nothing"),
    ],
)  # fmt: skip
def test_intersect(left, right, expected):
    assert standing.intersect(left, right) == expected
    assert standing.intersect(right, left) == expected


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        pytest.param([(d(2024, 1, 1), d(2024, 1, 31))], [(d(2024, 1, 10), d(2024, 1, 20))],
                     [(d(2024, 1, 1), d(2024, 1, 9)), (d(2024, 1, 21), d(2024, 1, 31))], id="a hole"),
        pytest.param([(d(2024, 1, 10), d(2024, 1, 20))],
                     [(d(2024, 1, 1), d(2024, 1, 12)), (d(2024, 1, 15), d(2024, 1, 16)),
                      (d(2024, 1, 19), d(2024, 1, 30))],
                     [(d(2024, 1, 13), d(2024, 1, 14)), (d(2024, 1, 17), d(2024, 1, 18))], id="three bites"),
        pytest.param([(d(2024, 1, 1), d(2024, 1, 5)), (d(2024, 1, 10), d(2024, 1, 15))],
                     [(d(2024, 1, 3), d(2024, 1, 12))],
                     [(d(2024, 1, 1), d(2024, 1, 2)), (d(2024, 1, 13), d(2024, 1, 15))], id="across two"),
        pytest.param([(d(2024, 1, 1), d(2024, 1, 5))], [(d(2024, 1, 6), d(2024, 1, 9))],
                     [(d(2024, 1, 1), d(2024, 1, 5))], id="after it"),
        pytest.param([(d(2024, 1, 1), d(2024, 1, 5))], [(d(2023, 12, 1), d(2024, 1, 5))], [], id="all of it"),
        pytest.param([(FIRST, LAST)], [(d(2024, 1, 1), d(2024, 1, 31))],
                     [(FIRST, d(2023, 12, 31)), (d(2024, 2, 1), LAST)], id="from the unbounded"),
        pytest.param([(FIRST, LAST)], [(FIRST, d(2024, 2, 29))], [(d(2024, 3, 1), LAST)],
                     id="unbounded before"),
        pytest.param([(FIRST, LAST)], [(d(2025, 1, 1), LAST)], [(FIRST, d(2024, 12, 31))],
                     id="unbounded after"),
        pytest.param([(FIRST, LAST)], [(FIRST, LAST)], [], id="everything"),
        pytest.param([(d(2024, 1, 1), LAST)], [], [(d(2024, 1, 1), LAST)], id="nothing taken"),
    ],
)  # fmt: skip
def test_minus(left, right, expected):
    assert standing.minus(left, right) == expected


@pytest.mark.parametrize(
    ("status", "founded_on", "dissolved_on", "expected"),
    [
        pytest.param(Status.PREPARING, None, None, [], id="preparing"),
        pytest.param(Status.PREPARING, d(2024, 1, 1), None, [], id="preparing with a founding day"),
        pytest.param(Status.ACTIVE, None, None, [(FIRST, LAST)], id="no founding day"),
        pytest.param(Status.ACTIVE, d(2024, 2, 29), None, [(d(2024, 2, 29), LAST)], id="founded"),
        pytest.param(Status.DISSOLVED, d(2023, 3, 1), d(2024, 3, 1), [(d(2023, 3, 1), d(2024, 2, 29))],
                     id="dissolved: last day the day before"),
        pytest.param(Status.DISSOLVED, None, d(2025, 1, 1), [(FIRST, d(2024, 12, 31))],
                     id="dissolved, never founded"),
        pytest.param(Status.DISSOLVED, d(2024, 5, 5), d(2024, 5, 5), [],
                     id="dissolved the day it was founded"),
        pytest.param(Status.DISSOLVED, d(2024, 5, 5), d(2024, 5, 6), [(d(2024, 5, 5), d(2024, 5, 5))],
                     id="one day"),
        pytest.param(Status.DISSOLVED, None, FIRST, [], id="dissolved on the first day"),
    ],
)  # fmt: skip
def test_active_span(status, founded_on, dissolved_on, expected):
    assert standing.active_span(status, founded_on, dissolved_on) == expected


@pytest.mark.parametrize(
    ("term_start", "term_end", "expected"),
    [
        pytest.param(None, d(2024, 1, 1), [], id="no start"),
        pytest.param(None, None, [], id="no start, no end"),
        pytest.param(d(2024, 1, 1), None, [(d(2024, 1, 1), LAST)], id="open"),
        pytest.param(d(2024, 1, 1), d(2024, 12, 31), [(d(2024, 1, 1), d(2024, 12, 31))], id="ended"),
        pytest.param(d(2024, 1, 1), d(2024, 1, 1), [(d(2024, 1, 1), d(2024, 1, 1))], id="one day"),
        pytest.param(d(2024, 1, 2), d(2024, 1, 1), [], id="ends before it starts"),
    ],
)
def test_seat_span(term_start, term_end, expected):
    assert standing.seat_span(term_start, term_end) == expected


@pytest.mark.parametrize(
    ("started_on", "ended_on", "expected"),
    [
        pytest.param(None, None, [(FIRST, LAST)], id="always"),
        pytest.param(None, d(2024, 10, 31), [(FIRST, d(2024, 10, 31))], id="ended: the end day included"),
        pytest.param(d(2024, 12, 1), None, [(d(2024, 12, 1), LAST)], id="open"),
        pytest.param(d(2024, 2, 29), d(2024, 2, 29), [(d(2024, 2, 29), d(2024, 2, 29))], id="one day"),
        pytest.param(d(2024, 3, 1), d(2024, 2, 29), [], id="ends before it starts"),
    ],
)
def test_role_span(started_on, ended_on, expected):
    assert standing.role_span(started_on, ended_on) == expected


# --------------------------------------------------------------------------- the world


@dataclass
class World:
    towns: dict[str, Region]
    villages: dict[str, Region]
    orgs: dict[str, Organization]
    people: dict[str, Person]
    seats: dict[tuple[str, str], Seat]
    roles: dict[str, LeaderRole]

    def town_ids(self) -> list[int]:
        return [town.pk for town in self.towns.values()]


def _org(code, kind, home, status=Status.ACTIVE, founded=None, dissolved=None, category=""):
    return f.OrganizationFactory(
        code=code,
        name=code,
        kind=kind,
        category=category,
        home_region=home,
        status=status,
        founded_on=founded,
        dissolved_on=dissolved,
    )


def build_world() -> World:
    towns = {name: f.region(name) for name in ("姜山镇", "五乡镇", "云龙镇", "邱隘镇")}
    villages = {
        "姜山村": Region.objects.create(name="姜山村", kind=Region.Kind.VILLAGE, parent=towns["姜山镇"]),
        "邱隘村": Region.objects.create(name="邱隘村", kind=Region.Kind.VILLAGE, parent=towns["邱隘镇"]),
    }
    js, wx, yl, qa = (towns[name] for name in ("姜山镇", "五乡镇", "云龙镇", "邱隘镇"))
    ta, ga = Kind.TOWN_ASSOCIATION, Kind.GRASSROOTS_ASSOCIATION
    # The older town association of 姜山镇 first: it has the smaller id.
    orgs = {
        org.code: org
        for org in [
            _org("JS-OLD", ta, js, Status.DISSOLVED, d(2023, 3, 1), d(2024, 3, 1)),
            _org("JS-NEW", ta, js, Status.ACTIVE, d(2024, 2, 1)),
            _org("JS-NJ", ga, js, Status.ACTIVE, d(2023, 5, 1), category=P),
            _org("JS-ST", ga, js, Status.ACTIVE, None, category=E),
            _org("JS-JK", ga, villages["姜山村"], Status.DISSOLVED, d(2024, 1, 1), d(2025, 1, 1), category=L),
            _org("WX-KX", ta, wx, Status.ACTIVE, d(2023, 9, 1)),
            _org("WX-NJ", ga, wx, Status.DISSOLVED, d(2023, 1, 1), d(2023, 12, 1), category=P),
            _org("WX-NJ2", ga, wx, Status.ACTIVE, d(2023, 11, 15), category=P),
            _org("WX-ST", ga, wx, Status.DISSOLVED, d(2023, 1, 1), d(2024, 1, 1), category=E),
            _org("WX-ST2", ga, wx, Status.ACTIVE, d(2024, 1, 1), category=E),
            _org("WX-JK", ga, wx, Status.PREPARING, category=L),
            _org("YL-KX", ta, yl, Status.ACTIVE),
            _org("YL-ST", ga, yl, Status.ACTIVE, d(2023, 7, 1), category=E),
            _org("QA-KX", ta, qa, Status.PREPARING),
            _org("YZ-NJ", ga, f.region("鄞州区"), Status.ACTIVE, category=P),
        ]
    }
    orgs["YL-ST"].served_regions.add(villages["邱隘村"])
    people = {name: f.PersonFactory(name=name) for name in ("陈建华", "王丽萍", "冯志刚", "钱海波", "林志远")}
    R = LeaderRole.Kind
    roles = {
        name: f.LeaderRoleFactory(person=people[name], kind=kind, started_on=started, ended_on=ended)
        for name, kind, started, ended in [
            ("陈建华", R.HOSPITAL_DIRECTOR, d(2022, 1, 1), None),
            ("冯志刚", R.AGRITECH_STATION_HEAD, None, d(2024, 10, 31)),
            ("钱海波", R.BASE_LEADER, d(2024, 12, 1), None),
        ]
    }
    seats = {}
    for code, name, start, end in [
        ("JS-OLD", "陈建华", d(2023, 3, 1), d(2024, 2, 29)),
        ("JS-NEW", "陈建华", d(2024, 6, 1), None),
        ("YL-KX", "陈建华", d(2025, 2, 1), None),
        ("JS-NEW", "王丽萍", d(2024, 2, 1), None),
        ("WX-KX", "冯志刚", d(2023, 9, 1), None),
        ("WX-KX", "钱海波", d(2023, 9, 1), d(2024, 12, 31)),
        ("WX-NJ2", "钱海波", d(2023, 11, 15), None),
        ("YL-KX", "林志远", d(2023, 1, 1), None),
    ]:
        seats[(code, name)] = f.SeatFactory(
            organization=orgs[code], person=people[name], term_start=start, term_end=end
        )
    return World(towns=towns, villages=villages, orgs=orgs, people=people, seats=seats, roles=roles)


@pytest.fixture
def world(db) -> World:
    return build_world()


def stored_spans(world: World) -> set[tuple]:
    """The spans as (town, condition, category, association code, since, until)."""
    town_names = {town.pk: name for name, town in world.towns.items()}
    codes = {org.pk: code for code, org in world.orgs.items()}
    return {
        (town_names[town_id], condition, category, codes.get(association_id), since, until)
        for town_id, condition, category, association_id, since, until in TownStanding.objects.values_list(
            "town_id", "condition", "category", "association_id", "since", "until"
        )
    }


ASSOCIATION, LED, CATEGORY = "association", "led", "category"

# Counted from the module's tables.
SPANS = {
    ("姜山镇", ASSOCIATION, "", "JS-OLD", d(2023, 3, 1), d(2024, 1, 31)),
    ("姜山镇", LED, "", "JS-OLD", d(2023, 3, 1), d(2024, 1, 31)),
    ("姜山镇", ASSOCIATION, "", "JS-NEW", d(2024, 2, 1), None),
    ("姜山镇", LED, "", "JS-NEW", d(2024, 6, 1), None),
    ("姜山镇", CATEGORY, P, None, d(2023, 5, 1), None),
    ("姜山镇", CATEGORY, E, None, None, None),
    ("姜山镇", CATEGORY, L, None, d(2024, 1, 1), d(2024, 12, 31)),
    ("五乡镇", ASSOCIATION, "", "WX-KX", d(2023, 9, 1), None),
    ("五乡镇", LED, "", "WX-KX", d(2023, 9, 1), d(2024, 10, 31)),
    ("五乡镇", LED, "", "WX-KX", d(2024, 12, 1), d(2024, 12, 31)),
    # 2023-01-01 … 2023-11-30 and 2023-11-15 …: overlapping, one span.
    ("五乡镇", CATEGORY, P, None, d(2023, 1, 1), None),
    # 2023-01-01 … 2023-12-31 and 2024-01-01 …: touching, one span.
    ("五乡镇", CATEGORY, E, None, d(2023, 1, 1), None),
    ("云龙镇", ASSOCIATION, "", "YL-KX", None, None),
    ("云龙镇", LED, "", "YL-KX", d(2025, 2, 1), None),
    ("云龙镇", CATEGORY, E, None, d(2023, 7, 1), None),
    # The village 邱隘村, served by 云龙镇's ecology association.
    ("邱隘镇", CATEGORY, E, None, d(2023, 7, 1), None),
}


def test_the_spans_built_from_the_world(world):
    assert standing.rebuild() == 16
    assert stored_spans(world) == SPANS
    assert standing.up_to_date()
    assert standing.differences() == ([], [])


def every_day(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    return [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]


def comparable(facts: standing.DayFacts) -> tuple[dict, set, dict]:
    categories = {town: held & CATEGORIES for town, held in facts.categories.items() if held & CATEGORIES}
    return dict(facts.association), set(facts.led), categories


@pytest.mark.parametrize("which", ["every town in scope", "the four towns"])
def test_the_spans_say_what_the_raw_rows_say_on_every_day(world, which):
    standing.rebuild()
    towns = list(coverage.towns_in_scope()) if which == "every town in scope" else list(world.towns.values())
    assert len(towns) == (25 if which == "every town in scope" else 4)
    days = [d(1990, 1, 1), *every_day(d(2022, 12, 1), d(2025, 3, 31)), d(2099, 12, 31)]
    assert {d(2024, 2, 29), d(2024, 12, 31), d(2025, 1, 1)} <= set(days)
    seen = set()
    # A few dozen days a statement: each day is a handful of columns.
    for start in range(0, len(days), 40):
        chunk = days[start : start + 40]
        raw = coverage._raw_facts(chunk, towns)
        spans = standing.day_facts(chunk, [town.pk for town in towns])
        for day, from_raw, from_spans in zip(chunk, raw, spans, strict=True):
            assert comparable(from_spans) == comparable(from_raw), day
            seen.add(comparable(from_raw)[0].get(world.towns["姜山镇"].pk))
    # Both of 姜山镇's associations, and days with neither, were met on the way.
    assert seen == {None, world.orgs["JS-OLD"].pk, world.orgs["JS-NEW"].pk}


# day → town → (association code or None, led, categories)
ON_DAYS = {
    d(2023, 6, 30): {
        "姜山镇": ("JS-OLD", True, {P, E}),
        "五乡镇": (None, False, {P, E}),
        "云龙镇": ("YL-KX", False, set()),
        "邱隘镇": (None, False, set()),
    },
    d(2024, 1, 31): {
        "姜山镇": ("JS-OLD", True, {P, E, L}),
        "五乡镇": ("WX-KX", True, {P, E}),
        "云龙镇": ("YL-KX", False, {E}),
        "邱隘镇": (None, False, {E}),
    },
    # JS-OLD's last day, but JS-NEW (newer) is 姜山镇's, without a 三长 until June.
    d(2024, 2, 29): {
        "姜山镇": ("JS-NEW", False, {P, E, L}),
        "五乡镇": ("WX-KX", True, {P, E}),
        "云龙镇": ("YL-KX", False, {E}),
        "邱隘镇": (None, False, {E}),
    },
    d(2024, 6, 1): {
        "姜山镇": ("JS-NEW", True, {P, E, L}),
        "五乡镇": ("WX-KX", True, {P, E}),
        "云龙镇": ("YL-KX", False, {E}),
        "邱隘镇": (None, False, {E}),
    },
    # 冯志刚's role ended on 2024-10-31 (its last day); 钱海波's begins on 2024-12-01.
    d(2024, 10, 31): {
        "姜山镇": ("JS-NEW", True, {P, E, L}),
        "五乡镇": ("WX-KX", True, {P, E}),
        "云龙镇": ("YL-KX", False, {E}),
        "邱隘镇": (None, False, {E}),
    },
    d(2024, 11, 1): {
        "姜山镇": ("JS-NEW", True, {P, E, L}),
        "五乡镇": ("WX-KX", False, {P, E}),
        "云龙镇": ("YL-KX", False, {E}),
        "邱隘镇": (None, False, {E}),
    },
    d(2024, 12, 31): {
        "姜山镇": ("JS-NEW", True, {P, E, L}),
        "五乡镇": ("WX-KX", True, {P, E}),
        "云龙镇": ("YL-KX", False, {E}),
        "邱隘镇": (None, False, {E}),
    },
    # JS-JK dissolved and 钱海波's seat ended.
    d(2025, 1, 1): {
        "姜山镇": ("JS-NEW", True, {P, E}),
        "五乡镇": ("WX-KX", False, {P, E}),
        "云龙镇": ("YL-KX", False, {E}),
        "邱隘镇": (None, False, {E}),
    },
    d(2025, 2, 1): {
        "姜山镇": ("JS-NEW", True, {P, E}),
        "五乡镇": ("WX-KX", False, {P, E}),
        "云龙镇": ("YL-KX", True, {E}),
        "邱隘镇": (None, False, {E}),
    },
}


def described(world: World, facts: standing.DayFacts) -> dict[str, tuple]:
    codes = {org.pk: code for code, org in world.orgs.items()}
    return {
        name: (
            codes.get(facts.association.get(town.pk)),
            town.pk in facts.led,
            set(facts.categories.get(town.pk, ())) & CATEGORIES,
        )
        for name, town in world.towns.items()
    }


@pytest.mark.parametrize("source", ["spans", "raw rows"])
def test_the_facts_of_chosen_days(world, source):
    standing.rebuild()
    days = list(ON_DAYS)
    if source == "spans":
        facts = standing.day_facts(days, world.town_ids())
    else:
        facts = coverage._raw_facts(days, list(world.towns.values()))
    for day, found in zip(days, facts, strict=True):
        assert described(world, found) == ON_DAYS[day], day


# --------------------------------------------------------------------------- the coverage


def end_wuxiangs_seat_a_day_earlier(world: World) -> None:
    """钱海波's seat in WX-KX ends on 2024-12-30: 五乡镇 is not led on 2024-12-31."""
    seat = world.seats[("WX-KX", "钱海波")]
    seat.term_end = d(2024, 12, 30)
    seat.save()


@pytest.mark.parametrize("spans", ["up to date", "out of date"])
def test_town_coverage_from_the_spans_or_from_the_raw_rows(
    world, spans, monkeypatch, django_capture_on_commit_callbacks
):
    # One activity held in 姜山村 in the quarter, one in the quarter before.
    organizer = world.orgs["JS-NEW"]
    for day in (d(2024, 11, 20), d(2024, 9, 30)):
        ActivityFactory(
            organizer=organizer,
            region=world.villages["姜山村"],
            starts_at=datetime.datetime(2024, day.month, day.day, 9, tzinfo=SHANGHAI),
        )
    # Either way the coverage must see the seat as it is now: stale spans would call 五乡镇 led.
    if spans == "up to date":
        end_wuxiangs_seat_a_day_earlier(world)
        standing.rebuild()
        assert standing.up_to_date()
    else:
        standing.rebuild()
        end_wuxiangs_seat_a_day_earlier(world)
        assert not standing.up_to_date()
    ran = []
    day_facts, raw_facts = standing.day_facts, coverage._raw_facts
    monkeypatch.setattr(standing, "day_facts", lambda *a, **k: ran.append("spans") or day_facts(*a, **k))
    monkeypatch.setattr(coverage, "_raw_facts", lambda *a: ran.append("raw") or raw_facts(*a))
    towns = [*world.towns.values(), f.region("横溪镇")]

    with django_capture_on_commit_callbacks() as callbacks:
        rows = coverage.town_coverage(Period.quarter(2024, 4), towns=towns, today=d(2025, 6, 30))

    assert ran == (["spans"] if spans == "up to date" else ["raw"])
    # Out of date, a rebuild is queued for after the commit.
    assert len(callbacks) == (0 if spans == "up to date" else 1)
    codes = {org.pk: code for code, org in world.orgs.items()}
    found = {
        row.region.name: (
            codes.get(row.association_id),
            row.organised,
            row.led,
            set(row.categories),
            row.three_associations,
            row.activities,
            row.covered,
        )
        for row in rows
    }
    # Reference day 2024-12-31.
    assert found == {
        "姜山镇": ("JS-NEW", True, True, {P, E, L}, True, 1, True),
        "五乡镇": ("WX-KX", True, False, {P, E}, False, 0, False),
        "云龙镇": ("YL-KX", True, False, {E}, False, 0, False),
        "邱隘镇": (None, False, False, {E}, False, 0, False),
        "横溪镇": (None, False, False, set(), False, 0, False),
    }


# --------------------------------------------------------------------------- triggers


def _set(obj, **values) -> None:
    for name, value in values.items():
        setattr(obj, name, value)
    obj.save()


def _move_village(world: World) -> None:
    village = world.villages["邱隘村"]
    village.parent = world.towns["云龙镇"]
    village.save()


RELEVANT = {
    "organisation created": lambda w: _org(
        "JS-NEW-JK", Kind.GRASSROOTS_ASSOCIATION, w.towns["姜山镇"], founded=d(2025, 3, 1), category=L
    ),
    "organisation's founding day": lambda w: _set(w.orgs["JS-NJ"], founded_on=d(2023, 4, 1)),
    "organisation's status": lambda w: _set(w.orgs["WX-JK"], status=Status.ACTIVE),
    "organisation's category (bulk update)": lambda w: Organization.objects.filter(
        pk=w.orgs["YL-ST"].pk
    ).update(category=P),
    "organisation's dissolution": lambda w: _set(
        w.orgs["WX-KX"], status=Status.DISSOLVED, dissolved_on=d(2025, 1, 1)
    ),
    "organisation's home region": lambda w: _set(w.orgs["JS-NJ"], home_region=w.towns["五乡镇"]),
    "organisation's kind": lambda w: _set(w.orgs["QA-KX"], kind=Kind.ENTERPRISE_ASSOCIATION),
    "organisation deleted": lambda w: w.orgs["WX-JK"].delete(),
    "served region added": lambda w: w.orgs["JS-NJ"].served_regions.add(w.villages["邱隘村"]),
    "served region removed": lambda w: w.orgs["YL-ST"].served_regions.remove(w.villages["邱隘村"]),
    "seat created": lambda w: f.SeatFactory(
        organization=w.orgs["YL-KX"], person=w.people["冯志刚"], term_start=d(2024, 1, 1), term_end=None
    ),
    "seat's end": lambda w: _set(w.seats[("WX-KX", "钱海波")], term_end=d(2024, 12, 30)),
    "seat's start": lambda w: _set(w.seats[("YL-KX", "陈建华")], term_start=d(2025, 1, 1)),
    "seat's holder": lambda w: _set(w.seats[("YL-KX", "林志远")], person=w.people["冯志刚"]),
    "seat deleted": lambda w: w.seats[("YL-KX", "陈建华")].delete(),
    "leader role created": lambda w: f.LeaderRoleFactory(person=w.people["林志远"], started_on=d(2024, 5, 1)),
    "leader role's end": lambda w: _set(w.roles["冯志刚"], ended_on=d(2024, 9, 30)),
    "leader role's start": lambda w: _set(w.roles["钱海波"], started_on=d(2024, 11, 1)),
    "leader role deleted": lambda w: w.roles["钱海波"].delete(),
    "region moved to another town": _move_village,
    "region created": lambda w: Region.objects.create(
        name="新村", kind=Region.Kind.VILLAGE, parent=w.towns["姜山镇"]
    ),
    "region's kind": lambda w: _set(w.villages["姜山村"], kind=Region.Kind.COMMUNITY),
    # Which towns are counted and their order: the district's overview is kept under the token.
    "region taken out of the count": lambda w: _set(w.towns["五乡镇"], in_scope=False),
    "region's order": lambda w: _set(w.towns["姜山镇"], sort_order=99),
    "region's code": lambda w: _set(w.towns["姜山镇"], code="330212999"),
    "region's name": lambda w: _set(w.villages["姜山村"], name="姜山新村"),
}

IRRELEVANT = {
    "organisation's contact": lambda w: _set(w.orgs["JS-NEW"], contact_name="张三"),
    "organisation's address (bulk update)": lambda w: Organization.objects.filter(
        pk=w.orgs["WX-KX"].pk
    ).update(address="五乡镇政府"),
    "organisation saved unchanged": lambda w: w.orgs["YL-ST"].save(),
    "region's English name": lambda w: _set(w.villages["姜山村"], name_en="Jiangshan New Village"),
    "seat's notes": lambda w: _set(w.seats[("JS-NEW", "陈建华")], notes="连任"),
    "seat's position": lambda w: _set(w.seats[("WX-KX", "冯志刚")], position=Seat.Position.CHAIR),
    "leader role's institution": lambda w: _set(w.roles["冯志刚"], institution="五乡镇农技站"),
    "a person's name": lambda w: _set(w.people["林志远"], name="林志强"),
}


@pytest.mark.parametrize("write", list(RELEVANT))
def test_each_relevant_write_marks_the_spans_out_of_date(world, write):
    standing.rebuild()
    assert standing.up_to_date()
    assert not TownStandingChange.objects.exists()

    RELEVANT[write](world)

    assert not standing.up_to_date()
    assert TownStandingChange.objects.count() == 1
    standing.rebuild()
    assert standing.up_to_date()
    assert standing.differences() == ([], [])


@pytest.mark.parametrize("write", list(IRRELEVANT))
def test_a_write_the_spans_do_not_read_leaves_them_up_to_date(world, write):
    standing.rebuild()

    IRRELEVANT[write](world)

    assert standing.up_to_date()
    assert standing.differences() == ([], [])
    assert stored_spans(world) == SPANS


def test_differences_name_the_stale_and_the_fresh_span(world):
    standing.rebuild()
    end_wuxiangs_seat_a_day_earlier(world)
    wx, kx = world.towns["五乡镇"].pk, world.orgs["WX-KX"].pk
    stored, fresh = standing.differences()
    # 五乡镇's second led span, and the day 钱海波's seat steps down (the day after its last).
    assert set(stored) == {
        (wx, LED, "", kx, d(2024, 12, 1), d(2024, 12, 31)),
        ("seats", d(2025, 1, 1), -1, -1),
    }
    assert set(fresh) == {
        (wx, LED, "", kx, d(2024, 12, 1), d(2024, 12, 30)),
        ("seats", d(2024, 12, 31), -1, -1),
    }
    # A rebuild writes the fresh ones.
    standing.rebuild()
    assert standing.differences() == ([], [])
    assert ("五乡镇", LED, "", "WX-KX", d(2024, 12, 1), d(2024, 12, 30)) in stored_spans(world)


# (seats held by a 三长/泛三长 whose role is open, seats current) over every organisation, counted
# from the module's seat table.
SEAT_SHARES = {
    d(2022, 12, 31): (0, 0),
    # 陈建华 in JS-OLD (led); 林志远 in YL-KX.
    d(2023, 6, 30): (1, 2),
    # 陈建华 in JS-OLD and 冯志刚 (led); 王丽萍, 钱海波 twice (no role yet), 林志远.
    d(2024, 2, 29): (2, 6),
    # 陈建华 in JS-NEW, 钱海波 twice (led); 王丽萍, 冯志刚 (role ended), 林志远.
    d(2024, 12, 31): (3, 6),
    # 钱海波's seat in WX-KX ended.
    d(2025, 1, 1): (2, 5),
    # 陈建华 in YL-KX too.
    d(2025, 2, 1): (3, 6),
}


def test_the_seat_steps_give_the_districts_seat_share_on_every_day(world):
    standing.rebuild()
    for day, expected in SEAT_SHARES.items():
        assert standing.seat_share_on(day) == expected, day
    for day in every_day(d(2022, 12, 1), d(2025, 3, 31)):
        share = seat_share(Seat.objects.all(), day)
        assert standing.seat_share_on(day) == (share.led, share.total), day
        assert district_seat_share(day) == share, day


def test_the_triggers_are_installed():
    assert triggers.installed(connection) >= triggers.expected(connection.vendor)
    # Five tables, two triggers each on PostgreSQL and three on SQLite.
    assert len(triggers.expected(connection.vendor)) == (10 if connection.vendor == "postgresql" else 15)


def test_a_requested_rebuild_runs_once_after_the_commit(world, django_capture_on_commit_callbacks):
    from sanhui.celery import app

    assert app.conf.task_always_eager  # tests/conftest.py: tasks run in this process
    cache.delete(standing.REBUILD_KEY)
    standing.rebuild()
    end_wuxiangs_seat_a_day_earlier(world)
    assert not standing.up_to_date()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        standing.request_rebuild()
        # Asked again within REBUILD_EVERY seconds: not queued twice.
        standing.request_rebuild()
        # Nothing runs before the commit.
        assert not standing.up_to_date()

    assert len(callbacks) == 1
    assert standing.up_to_date()
    assert standing.differences() == ([], [])
    assert ("五乡镇", LED, "", "WX-KX", d(2024, 12, 1), d(2024, 12, 30)) in stored_spans(world)


# --------------------------------------------------------------------------- scoping


@pytest.mark.parametrize(
    ("persona", "reads"),
    [
        ("district_user", True),
        ("supervisor_user", True),
        ("jiangshan_admin", False),
        ("wuxiang_admin", False),
        ("leader_user", False),
        ("anonymous", False),
    ],
)
def test_the_spans_are_read_by_the_district_and_written_by_nobody(
    request, persona, reads, jiangshan, wuxiang
):
    user = AnonymousUser() if persona == "anonymous" else request.getfixturevalue(persona)
    # tests/conftest.py's two towns: each association (founded before the records) and the days
    # its hospital director sits in it (the seat's term, 2022-01-01 … 2099-12-31).
    assert standing.rebuild() == 4
    spans = set(scoped(user, TownStanding).values_list("town__name", "condition", "since", "until"))
    expected = {
        ("姜山镇", ASSOCIATION, None, None),
        ("姜山镇", LED, d(2022, 1, 1), d(2099, 12, 31)),
        ("五乡镇", ASSOCIATION, None, None),
        ("五乡镇", LED, d(2022, 1, 1), d(2099, 12, 31)),
    }
    assert spans == (expected if reads else set())
    assert not scoped(user, TownStanding, write=True).exists()
    # The seat steps of the two leader seats and the two members' (2022-01-01 … 2099-12-31).
    steps = set(scoped(user, SeatShareStep).values_list("day", "seats", "led"))
    assert steps == ({(d(2022, 1, 1), 4, 2), (d(2100, 1, 1), -4, -2)} if reads else set())
    assert not scoped(user, SeatShareStep, write=True).exists()


@pytest.mark.parametrize("scope", ["out of scope", "in scope"])
def test_a_town_within_a_town_keeps_its_own_regions_both_ways(world, scope):
    """A town (out of the programme's scope, or in it) placed within 姜山镇, with its own town
    association and an ecology association: both count for it, never for 姜山镇 — from the
    spans and from the raw rows alike, whichever towns are asked about."""
    inner = Region.objects.create(
        name="小姜山镇", kind=Region.Kind.TOWN, parent=world.towns["姜山镇"], in_scope=scope == "in scope"
    )
    hamlet = Region.objects.create(name="小姜山村", kind=Region.Kind.VILLAGE, parent=inner)
    association = _org("XJS-KX", Kind.TOWN_ASSOCIATION, inner, Status.ACTIVE, d(2020, 1, 1))
    _org("XJS-ST", Kind.GRASSROOTS_ASSOCIATION, hamlet, Status.ACTIVE, d(2020, 1, 1), category=E)
    standing.rebuild()
    jiangshan = world.towns["姜山镇"].pk
    # 2023-06-01: JS-OLD is 姜山镇's association; its categories are production (JS-NJ, founded
    # 2023-05-01) and ecology (JS-ST, based in the town itself) — not the inner town's.
    day = [d(2023, 6, 1)]
    for towns in ([world.towns["姜山镇"]], list(world.towns.values()), [world.towns["姜山镇"], inner]):
        ids = [town.pk for town in towns]
        [raw], [spans] = coverage._raw_facts(day, towns), standing.day_facts(day, ids)
        assert comparable(spans) == comparable(raw)
        assert spans.association[jiangshan] == world.orgs["JS-OLD"].pk
        assert spans.categories[jiangshan] == {P, E}
        if inner.pk in ids:
            assert spans.association[inner.pk] == association.pk
            assert spans.categories[inner.pk] == {E}


def test_the_facts_of_a_day_are_kept_under_the_spans_token(world, django_assert_num_queries):
    """Read for every town, a day's facts are kept in the cache under the spans' token: read
    again, no query; after a change and its rebuild, a new token, and the day read anew."""
    standing.rebuild()
    towns = [town.pk for town in coverage.towns_in_scope()]
    day = [d(2024, 12, 31)]
    token = standing.current()
    [first] = standing.day_facts(day, towns, token=token)
    with django_assert_num_queries(0):
        [again] = standing.day_facts(day, towns, token=token)
    assert comparable(again) == comparable(first)
    wuxiang = world.towns["五乡镇"].pk
    assert wuxiang in first.led  # 钱海波's seat runs to 2024-12-31
    end_wuxiangs_seat_a_day_earlier(world)
    assert standing.current() == ""
    standing.rebuild()
    assert standing.current() not in ("", token)
    [after] = standing.day_facts(day, towns, token=standing.current())
    assert wuxiang not in after.led
    assert comparable(after) == comparable(coverage._raw_facts(day, list(coverage.towns_in_scope()))[0])


def test_the_facts_are_read_when_the_cache_cannot_be_reached(world, monkeypatch):
    standing.rebuild()

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    backend = caches["default"]
    for name in ("get_many", "set_many", "add"):
        monkeypatch.setattr(backend, name, down)
    towns = list(coverage.towns_in_scope())
    day = [d(2024, 12, 31)]
    [facts] = standing.day_facts(day, [town.pk for town in towns], token=standing.current())
    assert comparable(facts) == comparable(coverage._raw_facts(day, towns)[0])
    standing.request_rebuild()  # queued all the same, without the cache's once-in-a-while


def test_a_queue_that_cannot_be_reached_costs_the_reading_nothing(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    """The task queue down: the reading goes on, and the next one asks for the rebuild again."""
    import kombu.exceptions

    def unreachable(name):
        raise kombu.exceptions.OperationalError("the broker is down")

    monkeypatch.setattr(standing.current_app, "signature", unreachable)
    cache.delete(standing.REBUILD_KEY)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        standing.request_rebuild()
    assert len(callbacks) == 1
    assert cache.add(standing.REBUILD_KEY, 1)  # forgotten: the next reading may ask again
    assert not standing.up_to_date()
