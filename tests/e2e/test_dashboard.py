"""District staff open the dashboard, see its charts and click through from a figure to the
filtered list behind it; an organisation admin opens their town's dashboard. The screenshots
saved here (test-artifacts/dashboard.png, dashboard-town.png) are the README's pictures."""

import datetime

import pytest
from django.utils import timezone

from organizations import demo as organizations_demo
from organizations.viewutils import PAGE_SIZE
from rollout import demo as rollout_demo
from rollout.indicators import Period
from rollout.models import Phase, Stage
from rollout.reference import load_plan
from services import demo as services_demo
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pw-for-tests-1"


@pytest.fixture
def demo():
    """The demo district: 84 organisations, their people, a year of activities and the plan."""
    load_plan(Phase, Stage)
    organizations_demo.build_demo(password=PASSWORD)
    services_demo.build_demo()
    rollout_demo.build_demo()


def last_quarter() -> Period:
    """The last whole quarter before today (the demo's ledger covers it)."""
    return Period.containing(Period.containing(timezone.localdate()).start - datetime.timedelta(days=1))


def wait_for_charts(page) -> None:
    # Also keeps page loads apart: the live server of SQLite runs share one connection, and a
    # chart still fetching its data while the next page loads can stall both.
    page.wait_for_selector("#dashboard[data-loaded=true]")
    page.wait_for_selector("#chart-month[data-rendered=true] svg path", state="attached")
    page.wait_for_timeout(600)  # let the bars finish growing before a picture is taken


def bar_position(page, month_index: int, stream_index: int) -> tuple[float, float]:
    """Page coordinates of the middle of one stacked bar segment of the monthly chart."""
    return page.evaluate(
        """([monthIndex, streamIndex]) => {
            const el = document.getElementById("chart-month");
            el.scrollIntoView({ block: "center", behavior: "instant" });
            const chart = echarts.getInstanceByDom(el);
            const series = chart.getOption().series;
            let below = 0;
            for (let i = 0; i < streamIndex; i++) below += series[i].data[monthIndex];
            const value = series[streamIndex].data[monthIndex];
            const middle = [monthIndex, below + value / 2];
            const [x, y] = chart.convertToPixel({ seriesIndex: streamIndex }, middle);
            const box = el.getBoundingClientRect();
            return [box.left + x, box.top + y, value];
        }""",
        [month_index, stream_index],
    )


def test_district_staff_click_from_a_bar_to_the_activities_behind_it(page, demo):
    login(page, "district", PASSWORD)
    page.get_by_role("link", name="数据看板").click()
    page.wait_for_url("**/dashboard/")
    wait_for_charts(page)
    # The last whole quarter (the demo lives now): its shortcut beside the period selector.
    quarter = last_quarter()
    year, number = quarter.start.year, quarter.code[-1]
    page.get_by_role("link", name=f"{year}年第{number}季度").click()
    page.wait_for_url(f"**/dashboard/?period={quarter.code}")
    wait_for_charts(page)
    assert page.locator("[data-town-grid] .dash-tile").count() == 25
    for chart in (
        "chart-month",
        "chart-served",
        "chart-category",
        "chart-kind",
        "chart-trend",
        "chart-seats",
    ):
        assert page.locator(f"#{chart}[data-rendered=true]").count() == 1, chart
    screenshot(page, "dashboard")

    # The quarter's last month, 科技服务 (the first series): the bar opens the ledger filtered to it.
    month = quarter.end.strftime("%Y-%m")
    x, y, value = bar_position(page, 2, 0)
    assert value > 0
    page.mouse.click(x, y)
    page.wait_for_url(f"**/services/activities/?stream=tech_service&month={month}&status=took_place")
    # The list behind the bar holds exactly the activities the bar counts.
    rows = page.locator("#activities-table tbody tr")
    assert rows.count() == min(value, PAGE_SIZE)
    for text in rows.all_inner_texts():
        assert text.startswith(month) and "科技服务" in text
    took_place = page.locator("#activities-table .status-held, #activities-table .status-verified")
    assert took_place.count() == min(value, PAGE_SIZE)

    # A town's tile opens the organisations of that town.
    page.go_back()
    wait_for_charts(page)
    tile = page.locator("[data-town-grid] .dash-tile", has_text="姜山镇")
    assert tile.get_attribute("title").startswith("姜山镇：")
    tile.click()
    page.wait_for_url("**/organizations/?region=*")
    assert page.get_by_text("姜山镇科协").first.is_visible()


def test_an_org_admin_sees_their_town_dashboard(page, demo):
    login(page, "jiangshan", PASSWORD)
    page.get_by_role("link", name="本镇看板").click()
    page.wait_for_url("**/dashboard/town/")
    wait_for_charts(page)
    page.goto(f"/dashboard/town/?period={last_quarter().start.year}")
    wait_for_charts(page)
    assert "姜山镇看板" in page.locator("h1").inner_text()
    assert page.locator("[data-conditions] li").count() == 4
    screenshot(page, "dashboard-town")
    assert page.goto("/dashboard/").status == 403
