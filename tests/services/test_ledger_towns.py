"""The ledger's activities per town × month (``services.models.LedgerTownMonth``, kept by
services/tallies.py) and the coverage's count of them (``activities_by_town_in``).

Two towns, 姜山镇 (A) and 五乡镇 (B), each with a village: 姜山村 in A, 五乡村 in B. Activities
(2022, Asia/Shanghai; all held unless marked)::

    a1  姜山镇  03-05        a6  五乡村  03-08
    a2  姜山镇  04-10        a7  五乡村  04-15
    a3  姜山村  03-12        a8  五乡村  04-30 23:30 (still April in Shanghai; 15:30 UTC)
    a4  姜山村  03-25        planned   姜山村  04-20 (not counted until held)
    a5  姜山村  04-02        cancelled 姜山镇  03-15 (never counted)
    district   鄞州区  03-18 (above the towns: no town's)

So: A March 3 (a1 a3 a4), A April 2 (a2 a5), B March 1 (a6), B April 2 (a7 a8).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest

from organizations.models import Region
from rollout.indicators import Period
from rollout.indicators.ledger import activities_by_town_in
from services import actions, tallies
from services.models import Activity, LedgerTownMonth
from tests import factories as f
from tests.services.factories import ActivityFactory

pytestmark = pytest.mark.django_db

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
MARCH, APRIL, MAY = datetime.date(2022, 3, 1), datetime.date(2022, 4, 1), datetime.date(2022, 5, 1)


def moment(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2022, month, day, hour, minute, tzinfo=SHANGHAI)


def town_months() -> dict[tuple[str, datetime.date], int]:
    """Every town × month row as {(town name, month): activities}."""
    return {
        (name, month): activities
        for name, month, activities in LedgerTownMonth.objects.values_list(
            "town__name", "month", "activities"
        )
    }


def assert_exact() -> None:
    found = tallies.differences()
    assert not found, found


@dataclass
class Towns:
    a: Region
    b: Region
    village_a: Region
    village_b: Region
    activities: dict[str, Activity]


@pytest.fixture
def towns(jiangshan, wuxiang) -> Towns:
    a, b = f.region("姜山镇"), f.region("五乡镇")
    village_a = Region.objects.create(name="姜山村", kind=Region.Kind.VILLAGE, parent=a)
    village_b = Region.objects.create(name="五乡村", kind=Region.Kind.VILLAGE, parent=b)
    js, wx = jiangshan.association, wuxiang.association
    held, planned, cancelled = Activity.Status.HELD, Activity.Status.PLANNED, Activity.Status.CANCELLED
    made = {}
    for name, organizer, region, when, status in [
        ("a1", js, a, moment(3, 5), held),
        ("a2", js, a, moment(4, 10), held),
        ("a3", js, village_a, moment(3, 12), held),
        ("a4", js, village_a, moment(3, 25), held),
        ("a5", js, village_a, moment(4, 2), held),
        ("a6", wx, village_b, moment(3, 8), held),
        ("a7", wx, village_b, moment(4, 15), held),
        ("a8", wx, village_b, moment(4, 30, 23, 30), held),
        ("planned", js, village_a, moment(4, 20), planned),
        ("cancelled", js, a, moment(3, 15), cancelled),
    ]:
        made[name] = ActivityFactory(
            title=name, organizer=organizer, region=region, starts_at=when, status=status
        )
    # An activity of a district society, in the district itself.
    made["district"] = ActivityFactory(title="district", starts_at=moment(3, 18))
    assert made["district"].region.name == "鄞州区"
    return Towns(a=a, b=b, village_a=village_a, village_b=village_b, activities=made)


BEFORE = {("姜山镇", MARCH): 3, ("姜山镇", APRIL): 2, ("五乡镇", MARCH): 1, ("五乡镇", APRIL): 2}


def test_the_town_months_of_the_factories_activities(towns):
    assert town_months() == BEFORE
    assert_exact()
    # The same from a rebuild.
    tallies.rebuild()
    assert town_months() == BEFORE
    assert_exact()


def test_each_write_keeps_the_town_months_exact(towns, district_user):
    made = towns.activities
    # The planned lecture in 姜山村 on 20 April is held: A April 2 → 3.
    actions.activity_transition(actor=district_user, activity=made["planned"], to_status=Activity.Status.HELD)
    assert town_months() == BEFORE | {("姜山镇", APRIL): 3}
    assert_exact()
    # A planned one in 五乡村 called off: counted neither before nor after.
    called_off = ActivityFactory(
        organizer=made["a6"].organizer,
        region=towns.village_b,
        starts_at=moment(4, 5),
        status=Activity.Status.PLANNED,
    )
    actions.activity_transition(
        actor=district_user, activity=called_off, to_status=Activity.Status.CANCELLED, note="下雨"
    )
    assert town_months() == BEFORE | {("姜山镇", APRIL): 3}
    assert_exact()
    # a3 (姜山村, 12 March) moves to 五乡村: A March 3 → 2, B March 1 → 2.
    actions.activity_update(actor=district_user, activity=made["a3"], data={"region": towns.village_b})
    expected = {("姜山镇", MARCH): 2, ("姜山镇", APRIL): 3, ("五乡镇", MARCH): 2, ("五乡镇", APRIL): 2}
    assert town_months() == expected
    assert_exact()
    # a2 (姜山镇, 10 April) moves to 28 March: A March 2 → 3, A April 3 → 2.
    actions.activity_update(
        actor=district_user,
        activity=made["a2"],
        data={"starts_at": moment(3, 28), "ends_at": moment(3, 28, 11)},
    )
    expected = {("姜山镇", MARCH): 3, ("姜山镇", APRIL): 2, ("五乡镇", MARCH): 2, ("五乡镇", APRIL): 2}
    assert town_months() == expected
    assert_exact()
    # a8 (五乡村, 30 April 23:30) moves an hour later, into May.
    actions.activity_update(
        actor=district_user,
        activity=made["a8"],
        data={"starts_at": moment(4, 30, 23, 30) + datetime.timedelta(hours=1), "ends_at": moment(5, 1, 3)},
    )
    expected = {
        ("姜山镇", MARCH): 3,
        ("姜山镇", APRIL): 2,
        ("五乡镇", MARCH): 2,
        ("五乡镇", APRIL): 1,
        ("五乡镇", MAY): 1,
    }
    assert town_months() == expected
    assert_exact()
    # a6 (五乡村, 8 March) deleted (no action deletes an activity: the tallies are told).
    pk = made["a6"].pk
    made["a6"].delete()
    tallies.refresh([pk])
    expected[("五乡镇", MARCH)] = 1
    assert town_months() == expected
    assert_exact()
    # a8, B's only May activity, moved back: B's May row goes.
    actions.activity_update(
        actor=district_user,
        activity=made["a8"],
        data={"starts_at": moment(4, 29), "ends_at": moment(4, 29, 11)},
    )
    del expected[("五乡镇", MAY)]
    expected[("五乡镇", APRIL)] = 2
    assert town_months() == expected
    assert_exact()


SPAN = Period(datetime.date(2022, 3, 12), datetime.date(2022, 5, 3))


def test_a_village_moved_to_another_town_takes_its_activities(towns):
    made = towns.activities
    # Below 姜山村, a group with one activity on 8 April; and in May, a9 in 五乡村 on the 3rd (the
    # span's last day) and a10 in 姜山村 on the 20th (outside it).
    group = Region.objects.create(name="姜山村一组", kind=Region.Kind.COMMUNITY, parent=towns.village_a)
    organizer = made["a1"].organizer
    ActivityFactory(title="a11", organizer=organizer, region=group, starts_at=moment(4, 8))
    ActivityFactory(
        title="a9", organizer=made["a6"].organizer, region=towns.village_b, starts_at=moment(5, 3)
    )
    ActivityFactory(title="a10", organizer=organizer, region=towns.village_a, starts_at=moment(5, 20))
    assert town_months() == BEFORE | {
        ("姜山镇", APRIL): 3,
        ("姜山镇", MAY): 1,
        ("五乡镇", MAY): 1,
    }
    ids = [towns.a.pk, towns.b.pk]
    spring = Period(MARCH, datetime.date(2022, 4, 30))
    # Whole months: March and April.
    assert activities_by_town_in([spring], ids) == {spring: {towns.a.pk: 6, towns.b.pk: 3}}
    # 12 March – 3 May: April whole (A: a2 a5 a11; B: a7 a8), 12–31 March (A: a3 a4) and 1–3 May
    # (B: a9) from the activities; a1 (5 March), a6 (8 March) and a10 (20 May) are outside.
    assert activities_by_town_in([SPAN], ids) == {SPAN: {towns.a.pk: 5, towns.b.pk: 3}}

    village = towns.village_a
    village.parent = towns.b
    village.save()

    # 姜山村 and its group take a3 a4 (March), a5 a11 (April) and a10 (May) to 五乡镇.
    assert town_months() == {
        ("姜山镇", MARCH): 1,
        ("姜山镇", APRIL): 1,
        ("五乡镇", MARCH): 3,
        ("五乡镇", APRIL): 4,
        ("五乡镇", MAY): 2,
    }
    assert_exact()
    both = activities_by_town_in([spring, SPAN], ids)
    assert both == {
        spring: {towns.a.pk: 2, towns.b.pk: 7},
        # A: a2 (April). B: a5 a7 a8 a11 (April), a3 a4 (March), a9 (May).
        SPAN: {towns.a.pk: 1, towns.b.pk: 7},
    }
    # Asked for one town only: the other is left out.
    assert activities_by_town_in([SPAN], [towns.a.pk]) == {SPAN: {towns.a.pk: 1}}
    # A rebuild agrees.
    tallies.rebuild()
    assert_exact()
    assert activities_by_town_in([spring, SPAN], ids) == both


def test_a_rebuild_restores_lost_town_months(towns):
    LedgerTownMonth.objects.filter(town=towns.b).delete()
    LedgerTownMonth.objects.filter(town=towns.a, month=MARCH).update(activities=7)
    found = tallies.differences()
    a, b = towns.a.pk, towns.b.pk
    assert (found.towns_stored, found.towns_fresh) == (
        [(a, MARCH, 7)],
        sorted([(a, MARCH, 3), (b, MARCH, 1), (b, APRIL, 2)]),
    )
    tallies.rebuild()
    assert town_months() == BEFORE
    assert_exact()


def test_a_region_move_that_fails_changes_nothing(towns, monkeypatch):
    """The move of a region, its subtree's paths and the towns' sums go together: a failure in
    the last step leaves the region where it was and the sums as they were."""
    from organizations import models as org_models

    def failing(town_ids):
        raise RuntimeError("the towns' sums could not be moved")

    monkeypatch.setattr(org_models, "REGION_TOWN_HOOKS", [failing])
    village = towns.village_a
    path = village.path
    before = town_months()
    village.parent = towns.b
    with pytest.raises(RuntimeError):
        village.save()
    village.refresh_from_db()
    assert (village.parent_id, village.path) == (towns.a.pk, path)
    assert town_months() == before
