"""The district's coverage overview kept in the cache, on the hand-counted district of
tests/district.py (2022Q4, seen on 2026-11-29): read once from the spans and the towns' months,
then from the cache while neither changes, and counted again after any write that moves them —
never a figure of the state before the write."""

import datetime
import threading

import pytest
from django.core.cache import cache, caches
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from organizations.models import Region
from rollout.indicators import Period, coverage, ledger, standing, trend_periods
from services import tallies
from services.models import Activity, LedgerTownChange, LedgerTownFold
from tests import factories as f
from tests.district import Q4, TODAY, at, build_district
from tests.services.factories import ActivityFactory, AttendanceFactory

pytestmark = pytest.mark.django_db

PERIODS = trend_periods(Q4, 4)  # 2021Q4 … 2022Q4


@pytest.fixture
def district(db):
    built = build_district()
    standing.rebuild()
    assert standing.up_to_date()
    return built


def overview():
    return coverage.coverage_overview(Q4, PERIODS, limit=100, today=TODAY)


def figures(seen) -> tuple:
    """(towns, covered, organised, led, 三会齐全, working) of 2022Q4, covered of each quarter, and
    the activities of the towns named in tests/district.py and 邱隘镇."""
    summary = seen.summaries[Q4]
    rows = {row.region.name: row.activities for row in seen.shown}
    return (
        (
            summary.towns,
            summary.covered,
            summary.organised,
            summary.led,
            summary.three_associations,
            summary.working,
        ),
        [seen.summaries[p].covered for p in PERIODS],
        {name: rows[name] for name in ("姜山镇", "五乡镇", "云龙镇", "邱隘镇")},
    )


HAND_COUNTED = (
    (25, 1, 3, 2, 1, 3),
    [0, 0, 0, 1, 1],
    {"姜山镇": 3, "五乡镇": 1, "云龙镇": 1, "邱隘镇": 0},
)


def read_sql() -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        seen = overview()
    assert figures(seen)[0][0] == 25
    return [query["sql"] for query in queries.captured_queries]


def counted_afresh(sql: list[str]) -> bool:
    return any("services_ledgertownmonth" in statement for statement in sql)


def test_the_second_reading_comes_from_the_cache(district):
    first_sql = read_sql()
    assert counted_afresh(first_sql)

    second_sql = read_sql()

    assert not counted_afresh(second_sql)
    assert not any('rollout_townstanding"' in s or "organizations_seat" in s for s in second_sql)
    # The spans' and the months' states, and the names of the towns shown.
    assert len(second_sql) < len(first_sql)
    assert figures(overview()) == HAND_COUNTED


def test_an_activity_in_a_town_that_had_none_is_counted_at_once(district):
    assert figures(overview()) == HAND_COUNTED
    ActivityFactory(
        title="邱隘科普讲座",
        organizer=district.orgs["姜山镇科协"],
        region=f.region("邱隘镇"),
        starts_at=at(2022, 12, 20),
        ends_at=at(2022, 12, 20, 11),
        status=Activity.Status.HELD,
    )

    seen = figures(overview())

    assert seen[0] == (25, 1, 3, 2, 1, 4)  # working: 姜山镇, 五乡镇, 云龙镇 and now 邱隘镇
    assert seen[2] == {"姜山镇": 3, "五乡镇": 1, "云龙镇": 1, "邱隘镇": 1}


def test_a_town_whose_only_activity_is_cancelled_stops_working_at_once(district):
    assert figures(overview()) == HAND_COUNTED
    guidance = district.activities["五乡农技指导"]
    Activity.objects.filter(pk=guidance.pk).update(status=Activity.Status.CANCELLED)
    tallies.refresh([guidance.pk])

    seen = figures(overview())

    assert seen[0] == (25, 1, 3, 2, 1, 2)
    assert seen[2]["五乡镇"] == 0


def test_an_activity_moved_to_another_quarter_moves_the_trend(district):
    assert figures(overview()) == HAND_COUNTED
    lecture = district.activities["姜山秋季科普讲座"]  # 2022-09-28: covers 姜山镇 in 2022Q3
    Activity.objects.filter(pk=lecture.pk).update(starts_at=at(2022, 10, 28), ends_at=at(2022, 10, 28, 11))
    tallies.refresh([lecture.pk])

    seen = figures(overview())

    assert seen[1] == [0, 0, 0, 0, 1]
    assert seen[2]["姜山镇"] == 4


def test_months_without_a_fold_have_a_state_all_the_same(district):
    """Before the first fold (a database emptied and loaded again has no fold's row), the
    months' state is the count of changes alone, and the first fold gives them a token."""
    LedgerTownFold.objects.all().delete()
    token, changes = ledger.town_months_state()
    assert (token, changes) == ("", LedgerTownChange.objects.count())
    assert counted_afresh(read_sql())
    assert not counted_afresh(read_sql())
    tallies.fold_town_changes()
    assert ledger.town_months_state()[0] != ""
    assert counted_afresh(read_sql())
    assert figures(overview()) == HAND_COUNTED


def test_a_check_in_leaves_the_kept_overview_in_use(district):
    overview()
    state = ledger.town_months_state()

    AttendanceFactory(activity=district.activities["五乡农技指导"])

    assert ledger.town_months_state() == state
    assert not counted_afresh(read_sql())


def test_each_write_to_the_towns_months_names_a_new_state(district):
    token, changes = ledger.town_months_state()
    village = district.activities["上李家村健康讲座"]
    ActivityFactory(
        organizer=district.orgs["云龙镇科协"], region=village.region, starts_at=at(2022, 12, 4),
        ends_at=at(2022, 12, 4, 11), status=Activity.Status.HELD,
    )  # fmt: skip
    assert ledger.town_months_state() == (token, changes + 1)
    tallies.retown([f.region("云龙镇").pk])
    assert ledger.town_months_state() == (token, changes + 2)
    # A rebuild makes every month anew: a new token, no change since.
    tallies.rebuild()
    new_token, left = ledger.town_months_state()
    assert (new_token != token, left) == (True, 0)


def test_a_fold_removes_the_changes_under_a_new_token(district):
    overview()
    token, changes = ledger.town_months_state()
    # A note for each of the district's seven activities but the cancelled one (which moves no
    # town's count); check-ins and hours move none.
    assert changes == 6

    assert tallies.fold_town_changes() == 6

    new_token, left = ledger.town_months_state()
    assert (new_token != token, left) == (True, 0)
    assert LedgerTownFold.objects.count() == 1
    assert counted_afresh(read_sql())  # a new name: counted once more
    assert not counted_afresh(read_sql())
    assert figures(overview()) == HAND_COUNTED


def test_a_fold_is_queued_once_the_changes_pile_up(district, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(coverage, "FOLD_AT", 3)
    cache.delete(coverage.FOLD_KEY)
    assert LedgerTownChange.objects.count() >= 3

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        seen = overview()
        overview()  # asked again at once: not queued twice

    assert len(callbacks) == 1
    assert LedgerTownChange.objects.count() == 0
    assert figures(seen) == HAND_COUNTED


def test_few_changes_queue_no_fold(district, django_capture_on_commit_callbacks):
    assert 0 < LedgerTownChange.objects.count() < coverage.FOLD_AT
    with django_capture_on_commit_callbacks() as callbacks:
        overview()
    assert callbacks == []


def test_a_town_taken_out_of_the_count_is_left_out_at_once(district):
    assert figures(overview())[0][0] == 25
    qiuai = f.region("邱隘镇")
    qiuai.in_scope = False
    qiuai.save()

    seen = overview()  # the spans are out of date: counted from the raw rows

    assert seen.summaries[Q4].towns == 24
    assert "邱隘镇" not in {row.region.name for row in seen.shown}
    standing.rebuild()
    assert overview().summaries[Q4].towns == 24


def test_a_renamed_town_shows_its_new_name(district):
    overview()
    Region.objects.filter(pk=f.region("五乡镇").pk).update(name="五乡新镇")
    standing.rebuild()
    assert "五乡新镇" in {row.region.name for row in overview().shown}


def test_a_new_spans_token_is_a_new_name(district):
    overview()
    standing.rebuild(force=True)
    assert counted_afresh(read_sql())


def test_a_period_not_made_of_whole_months_is_never_kept(district):
    part = Period(datetime.date(2022, 10, 15), datetime.date(2022, 12, 31))

    def read():
        with CaptureQueriesContext(connection) as queries:
            seen = coverage.coverage_overview(part, [], limit=100, today=TODAY)
        return seen, [query["sql"] for query in queries.captured_queries]

    first, _sql = read()
    again, sql = read()
    assert counted_afresh(sql)
    # 姜山健康讲座 (10-15), 姜山农技培训, 姜山科普展览; 五乡农技指导; 上李家村健康讲座
    shown = {row.region.name: row.activities for row in again.shown}
    assert [shown[name] for name in ("姜山镇", "五乡镇", "云龙镇")] == [3, 1, 1]
    assert first.summaries[part].working == again.summaries[part].working == 3


def test_a_cache_that_cannot_be_reached_costs_only_the_time(district, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    backend = caches["default"]
    for name in ("get", "set", "get_many", "set_many", "add"):
        monkeypatch.setattr(backend, name, down)

    assert figures(overview()) == HAND_COUNTED
    assert figures(overview()) == HAND_COUNTED


@pytest.mark.django_db(transaction=True)
def test_a_write_committed_after_a_fold_counts_in_the_new_state(monkeypatch):
    """PostgreSQL: a writer's note made before a fold, committed after it, is not removed by the
    fold and names a state of its own under the new token."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL: set DATABASE_URL=postgres://…")
    tallies.fold_town_changes()
    noted, release = threading.Event(), threading.Event()

    def writer():
        try:
            with transaction.atomic():
                tallies._towns_changed()
                noted.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=writer)
    thread.start()
    assert noted.wait(10)
    assert tallies.fold_town_changes() == 0  # the writer's note is not committed yet
    token, changes = ledger.town_months_state()
    assert changes == 0
    release.set()
    thread.join(10)

    assert ledger.town_months_state() == (token, 1)
