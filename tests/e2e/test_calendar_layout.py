"""The month calendar of activities: on a desktop the whole week, Sunday included, is on the
screen; on a phone the table gives way to a list of the days that have activities."""

import pytest

from tests.e2e.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

CALENDAR = "/services/activities/calendar/"

SUNDAY_RIGHT = """() => {
    const cells = document.querySelectorAll('.activity-calendar thead th');
    return [cells.length, cells[cells.length - 1].getBoundingClientRect().right, window.innerWidth];
}"""


def _calendar(browser, live_server, width: int, height: int):
    context = browser.new_context(
        locale="zh-CN", base_url=live_server.url, viewport={"width": width, "height": height}
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "district")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(CALENDAR)
    return context, page


# One test for both widths: the demo district is seeded once.
def test_sunday_on_a_desktop_screen_and_a_list_of_days_on_a_phone(browser, live_server, demo_district):
    context, page = _calendar(browser, live_server, 1366, 900)
    assert page.locator(".activity-calendar").is_visible()
    assert page.locator("#calendar-days").is_hidden()
    columns, sunday_right, screen = page.evaluate(SUNDAY_RIGHT)
    assert columns == 7
    assert page.locator(".activity-calendar thead th").last.inner_text() == "周日"
    assert sunday_right <= screen
    context.close()

    context, page = _calendar(browser, live_server, 390, 844)
    assert page.locator(".activity-calendar").is_hidden()
    days = page.locator("#calendar-days")
    assert days.is_visible()
    # The demo has activities this month, so the list has days in it, not its empty note.
    assert days.locator(".card").count() > 0
    context.close()
