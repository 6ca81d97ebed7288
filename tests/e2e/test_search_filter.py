"""District staff filter the activity list by an organisation found by typing in the filter's
search box: the page lists no organisation until asked, the choice survives the search, and
the list shows only that organisation's activities."""

import pytest
from playwright.sync_api import expect

from organizations.models import Organization
from services.models import Activity
from tests import factories as f
from tests.e2e.conftest import login, screenshot
from tests.services.factories import ActivityFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_type_an_organisation_into_the_filter_and_get_its_activities(
    page, district_user, jiangshan, wuxiang
):
    Organization.objects.bulk_create(
        Organization(
            code=f"FILL-{i:03d}",
            name=f"填充学会{i:03d}",
            kind="district_society",
            home_region=f.region("鄞州区"),
        )
        for i in range(80)
    )
    ActivityFactory(title="姜山健康讲座", organizer=jiangshan.association)
    ActivityFactory(title="五乡农技培训", organizer=wuxiang.association)
    login(page, "district")
    page.goto("/services/activities/")
    select = page.locator("select[name=organization]")
    assert select.locator("option").count() == 1  # the empty choice only
    widget = page.locator("[data-search-select]:has(select[name=organization])")
    search = widget.locator("input[data-search-query]")
    assert search.get_attribute("aria-label") == "搜索组织"

    # Typed, then picked with the keyboard: Enter takes the first match into the list.
    search.fill("姜山")
    expect(widget.locator("[role=status]")).to_have_text("请选择（1 条结果）")
    assert widget.locator("select option", has_text="姜山镇科协").count() == 1
    search.press("Enter")
    assert select.input_value() == str(jiangshan.association.pk)
    screenshot(page, "activity-filter-search")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url(f"**/services/activities/?*organization={jiangshan.association.pk}*")

    table = page.locator("main").inner_text()
    assert "姜山健康讲座" in table and "五乡农技培训" not in table
    # The chosen organisation is kept in the filter, and only it.
    assert page.locator("select[name=organization] option:checked").inner_text() == "姜山镇科协"
    assert page.locator("select[name=organization] option").count() == 2


def test_an_admin_adds_a_co_organiser_found_by_search(page, jiangshan_admin, jiangshan, wuxiang):
    login(page, "jiangshan")
    page.goto("/services/activities/add/")
    page.locator("details.activity-more summary").click()
    page.fill("input[name=title]", "联合健康讲座")
    page.select_option("select[name=kind]", "popular_lecture")
    page.fill("input[name=starts_at]", "2024-05-10T09:00")
    widget = page.locator("[data-search-select]:has(#id_co_organizers)")
    assert widget.locator("input[type=checkbox]").count() == 0
    widget.locator("input[data-search-query]").fill("五乡")
    expect(widget.locator("[role=status]")).to_have_text("请选择（1 条结果）")
    widget.get_by_label("五乡镇科协").check()
    # A later search keeps what is ticked and drops what is not.
    widget.locator("input[data-search-query]").fill("不存在的组织")
    expect(widget.locator("[role=status]")).to_have_text("请选择（0 条结果）")
    assert widget.get_by_label("五乡镇科协").is_checked()
    screenshot(page, "activity-form-co-organiser-search")
    page.get_by_role("button", name="保存").click()
    page.wait_for_selector(".alert-success")
    activity = Activity.objects.get(title="联合健康讲座")
    assert list(activity.co_organizers.all()) == [wuxiang.association]
