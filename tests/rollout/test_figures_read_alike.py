"""One formatter for every figure: the same rate or number of hours reads the same on the home
page, an organisation's page, the dashboards and the ledger, and the district dashboard's town
tiles say what fails (未达标：…) and what holds (✓).

Figures are those of the hand-counted district of tests/district.py: on 2022-12-31, 7 of the 12
current seats are held by 三长/泛三长 (58.3%); in 2022Q4 the activities by organiser category are
2 production, 1 ecology, 1 life-health and 1 other (40.0%, 20.0%, 20.0%, 20.0%). 姜山农技协会 holds
2 current seats, 1 of them by a 三长 (孙立强): 50.0% on its own page and on its admin's town
dashboard, where the whole town is that one organisation. Volunteer hours by month of 2022Q4:
October 4.0 (姜山健康讲座), November 5.0 (姜山农技培训 2.0, 五乡农技指导 3.0), December 2.5
(上李家村健康讲座); by type: 科普宣讲 6.5, 实地技术指导 3.0, 技术讲座培训 2.0, 专题展览 0.
"""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from rollout.dashboards import district_dashboard
from rollout.dashboards.blocks import quick_periods
from sanhui.formats import HOURS, RATE, display
from services.models import Activity
from tests.district import Q4, TODAY, build_district

pytestmark = pytest.mark.django_db

# The last day of 2022, at noon in Shanghai: the seats current then are the dashboard's for 2022Q4.
END_OF_2022 = datetime.datetime(2022, 12, 31, 12, 0, tzinfo=timezone.get_default_timezone())


@pytest.fixture
def district(db):
    return build_district()


@pytest.mark.parametrize(
    ("value", "type_", "text"),
    [
        (7 / 12, RATE, "58.3%"),
        (60 / 483, RATE, "12.4%"),
        (0.0005, RATE, "0.1%"),
        (0.0004, RATE, "0.0%"),
        (1, RATE, "100.0%"),
        (None, RATE, "—"),
        (Decimal("71.25"), HOURS, "71.25"),
        (Decimal("71"), HOURS, "71.00"),
        (2.675, HOURS, "2.68"),
        (Decimal("0.5"), HOURS, "0.50"),
    ],
)
def test_the_formatter(value, type_, text):
    assert display(value, type_) == text


def test_the_seat_share_reads_the_same_on_the_home_page_and_the_dashboard(client, district):
    with time_machine.travel(END_OF_2022, tick=False):
        client.force_login(district.district_staff)
        home = client.get("/").content.decode()
        dashboard = client.get("/dashboard/", {"period": "2022Q4"}).content.decode()
    assert "58.3%" in home
    assert "58%" not in home.replace("58.3%", "")
    assert "58.3%" in dashboard


def test_an_organisation_page_and_the_dashboard_show_the_same_share(client, district):
    """1 of 姜山农技协会's 2 seats: 50.0% everywhere, never the gauge's old 50%."""

    nongji = district.orgs["姜山农技协会"]
    town = district.towns["姜山镇"]
    client.force_login(district.grassroots_admin)
    with time_machine.travel(END_OF_2022, tick=False):
        organisation = client.get(nongji.get_absolute_url()).content.decode()
        dashboard = client.get("/dashboard/town/", {"period": "2022Q4", "region": town.pk}).content.decode()
        data = client.get("/dashboard/data/town/", {"period": "2022Q4", "region": town.pk}).json()
    share = organisation[organisation.index('id="leader-share"') :]
    assert share[share.index(">") + 1 : share.index("<")] == "50.0%"
    seats_kpi = dashboard[dashboard.index('data-kpi="seats"') :]
    assert "50.0%" in seats_kpi[: seats_kpi.index("</a>")]
    assert (data["seats"]["led"], data["seats"]["total"], data["seats"]["share_text"]) == (1, 2, "50.0%")
    for page in (organisation, dashboard):
        assert "50%" not in page.replace("50.0%", "")


def test_the_dashboard_data_carries_the_chart_labels_from_the_formatter(client, district):
    """What the charts show in their tooltips and the seat gauge, printed by the server."""

    client.force_login(district.district_staff)
    with time_machine.travel(END_OF_2022, tick=False):
        data = client.get("/dashboard/data/district/", {"period": "2022Q4"}).json()
    assert data["activity"]["months"] == ["2022-10", "2022-11", "2022-12"]
    assert data["activity"]["hours_text"] == ["4.00", "5.00", "2.50"]
    hours = {row["key"]: row["volunteer_hours_text"] for row in data["activity"]["by_kind"]}
    assert hours == {
        "popular_lecture": "6.50",
        "field_guidance": "3.00",
        "tech_training": "2.00",
        "exhibition": "0.00",
    }
    assert data["seats"]["share_text"] == "58.3%"
    # 1 of the 25 towns covered in 2022Q3 and 2022Q4, none before.
    assert [row["rate_text"] for row in data["trend"]] == ["0.0%", "0.0%", "0.0%", "4.0%", "4.0%"]


def test_the_category_pie_carries_shares_from_the_formatter(district):
    data = district_dashboard(user=district.district_staff, period=Q4, on=TODAY)
    shares = {row["key"]: row["share_text"] for row in data["activity"]["by_category"]}
    assert shares == {"production": "40.0%", "ecology": "20.0%", "life_health": "20.0%", "": "20.0%"}


def test_town_tiles_say_what_fails_and_what_holds(client, district):
    client.force_login(district.district_staff)
    with time_machine.travel(datetime.datetime(2026, 11, 29, 10, 0, tzinfo=timezone.get_default_timezone())):
        page = client.get("/dashboard/", {"period": "2022Q4"}).content.decode()
    tile = {}
    for name in ("姜山镇", "五乡镇", "云龙镇"):
        start = page.index(f'data-town="{name}"')
        tile[name] = page[start : page.index("</a>", start)]
    assert "✓" in tile["姜山镇"] and "未达标" not in tile["姜山镇"]
    assert "4/4 项达标" in tile["姜山镇"]
    assert "未达标：三会齐全" in tile["五乡镇"] and "✓" not in tile["五乡镇"]
    assert "3/4 项达标" in tile["五乡镇"]
    assert "未达标：三长进入领导机构、三会齐全" in tile["云龙镇"]


def test_hours_read_with_two_decimals_on_the_ledger_pages(client, district):
    """11.5 hours in 2022Q4 on the dashboard, 2.0 hours of 周晓东 on 姜山农技培训: 11.50 and 2.00,
    as the reports print them, never 11.5 or 2."""

    client.force_login(district.district_staff)
    with time_machine.travel(END_OF_2022, tick=False):
        dashboard = client.get("/dashboard/", {"period": "2022Q4"}).content.decode()
        training = Activity.objects.get(title="姜山农技培训")
        detail = client.get(training.get_absolute_url()).content.decode()
    assert "11.50" in dashboard
    row = detail[detail.index("周晓东") :]
    row = row[: row.index("</tr>")]
    assert ">2.00<" in row


@pytest.mark.parametrize(
    ("on", "codes"),
    [
        (datetime.date(2027, 1, 1), ["2027Q1", "2026Q4", "2026Q3", "2026Q2", "2026Q1", "2027", "2026"]),
        (datetime.date(2028, 2, 29), ["2028Q1", "2027Q4", "2027Q3", "2027Q2", "2027Q1", "2028", "2027"]),
        (datetime.date(2026, 12, 31), ["2026Q4", "2026Q3", "2026Q2", "2026Q1", "2025Q4", "2026", "2025"]),
    ],
)
def test_the_period_shortcuts_count_back_from_today(on, codes):
    """This quarter and the four before it, this year and the last: never a fixed year."""

    shortcuts = quick_periods(on)
    assert [code for code, _label in shortcuts] == codes
    assert shortcuts[1][1] == f"{codes[1][:4]}年第{codes[1][-1]}季度"
