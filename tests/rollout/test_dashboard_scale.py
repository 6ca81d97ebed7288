"""The district dashboard at a province's size: its ledger figures read the month cells, and
it shows a bounded number of town tiles, those with the fewest conditions met."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse

from organizations.models import Region
from rollout import indicators
from rollout.dashboards import blocks
from tests.rollout import test_dashboard
from tests.services.factories import ActivityFactory

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def shanghai(year: int, month: int, day: int, hour: int = 9) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, tzinfo=SHANGHAI)


# The two-town world of the dashboard tests, as a fixture of this module.
activities = test_dashboard.activities


def test_district_readers_count_the_month_cells_and_admins_their_own_activities(
    district_user, supervisor_user, jiangshan_admin, jiangshan
):
    town = jiangshan.association.home_region
    assert blocks.ledger_of(district_user) == indicators.Ledger()
    assert blocks.ledger_of(supervisor_user, town) == indicators.Ledger(region=town)
    # An admin reads their organisations' activities, organised or co-organised: not a cell's key.
    assert not isinstance(blocks.ledger_of(jiangshan_admin), indicators.Ledger)


def test_over_the_limit_the_towns_with_fewest_conditions_met_are_shown(
    client,
    district_user,
    activities,
    monkeypatch,
):
    # 姜山镇 and 五乡镇 meet three conditions in 2022Q4, the 23 other towns none
    # (test_dashboard.test_the_town_grid_says_which_conditions_fail).
    monkeypatch.setattr(blocks, "TILE_LIMIT", 24)
    client.force_login(district_user)
    data = client.get(reverse("dashboards:district_data"), {"period": "2022Q4"}).json()
    names = [tile["name"] for tile in data["towns"]]
    assert (len(names), data["towns_total"]) == (24, 25)
    assert [tile["met"] for tile in data["towns"]] == [0] * 23 + [3]
    # Among equals, the usual order (the reference data's sort order) decides which of the two.
    usual = [town.name for town in indicators.towns_in_scope() if town.name in ("姜山镇", "五乡镇")]
    assert usual[0] in names and usual[1] not in names
    page = client.get(reverse("dashboards:district"), {"period": "2022Q4"}).content.decode()
    assert "显示达标条件最少的 24 个，共 25 个镇（街道）" in page


def test_within_the_limit_every_town_is_shown_in_its_usual_order(client, district_user, activities):
    client.force_login(district_user)
    data = client.get(reverse("dashboards:district_data"), {"period": "2022Q4"}).json()
    assert data["towns_total"] == len(data["towns"]) == 25
    assert [tile["name"] for tile in data["towns"]] == [town.name for town in indicators.towns_in_scope()]
    page = client.get(reverse("dashboards:district"), {"period": "2022Q4"}).content.decode()
    assert "显示达标条件最少的" not in page


def test_a_province_of_towns_maps_its_villages_in_one_query(django_assert_num_queries):
    """1,400 towns with a village each (SQLite refuses an OR of 1,400 conditions: the map asks
    for the regions below the towns' parent instead)."""
    district = Region.objects.get(kind=Region.Kind.DISTRICT)
    towns = Region.objects.bulk_create(
        Region(name=f"测试镇{n:04d}", kind=Region.Kind.TOWN, parent=district, code=f"T{n:04d}")
        for n in range(1400)
    )
    for town in towns:
        town.path = f"{district.path}{town.pk}/"
    Region.objects.bulk_update(towns, ["path"])
    villages = Region.objects.bulk_create(
        Region(name=f"{town.name}一村", kind=Region.Kind.VILLAGE, parent=town) for town in towns
    )
    for village, town in zip(villages, towns, strict=True):
        village.path = f"{town.path}{village.pk}/"
    Region.objects.bulk_update(villages, ["path"])
    with django_assert_num_queries(1):
        mapping = indicators.township_map(towns)
    assert len(mapping) == 2800
    assert mapping[villages[1234].pk] == towns[1234].pk
    assert mapping[towns[0].pk] == towns[0].pk


def test_the_working_condition_of_a_span_of_days_counts_only_its_days(jiangshan):
    """A span that is not whole months: the month cells give April, the tallies 15–31 March; the
    lecture of 10 March is outside it, the one of 20 March inside."""
    town = jiangshan.association.home_region
    span = indicators.Period(datetime.date(2022, 3, 15), datetime.date(2022, 4, 30))
    ActivityFactory(organizer=jiangshan.association, starts_at=shanghai(2022, 3, 10))
    [row] = indicators.town_coverage(span, towns=[town])
    assert (row.activities, row.working) == (0, False)
    ActivityFactory(organizer=jiangshan.association, starts_at=shanghai(2022, 3, 20))
    ActivityFactory(organizer=jiangshan.association, starts_at=shanghai(2022, 4, 30, 23))
    [row] = indicators.town_coverage(span, towns=[town])
    assert (row.activities, row.working) == (2, True)
