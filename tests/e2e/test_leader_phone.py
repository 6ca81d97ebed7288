"""A leader's whole flow on a 390×844 phone, in the demo district: sign in, land on 登记活动 and the
next activity's check-in code, log an activity with the essentials only (the form starts from her
own association and region, the rest folded away), open its check-in code full screen and its
A4 poster — nothing cut, nothing scrolling sideways. The screenshots saved here
(test-artifacts/phone-*.png) are the README's pictures of the phone."""

import re

import pytest

from services.models import Activity
from tests.e2e.conftest import DEMO_PASSWORD, fits_the_width, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        locale="zh-CN",
        base_url=live_server.url,
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []

    def console(message) -> None:
        if message.type == "error":
            errors.append(f"{message.text} ({message.location['url']})")

    page.on("console", console)
    yield page
    context.close()
    assert not errors, errors


def test_a_leader_logs_an_activity_and_shows_its_code_on_a_phone(phone, demo_district):
    page = phone
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "leader")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")

    # Home: 登记活动 first, then the next activity with its code (loaded by htmx).
    first_button = page.locator("main a.btn").first
    assert first_button.inner_text().strip() == "登记活动"
    page.wait_for_selector("#next-activity")
    assert fits_the_width(page)
    screenshot(page, "phone-home")

    # The form: the essentials on top, the rest folded away; no Ctrl-held multiple <select>.
    first_button.click()
    page.wait_for_url("**/services/activities/add/")
    assert page.locator("select[multiple]").count() == 0
    assert not page.locator("details.activity-more").evaluate("el => el.open")
    assert page.locator("#id_organizer").input_value() != ""
    assert page.locator("#id_region").input_value() != ""
    screenshot(page, "phone-activity-form")
    page.fill("#id_title", "村民健康知识讲座（手机登记）")
    page.select_option("#id_kind", "popular_lecture")
    page.fill("#id_starts_at", "2031-05-10T09:00")
    page.fill("#id_venue", "村文化礼堂")
    page.fill("#id_planned_participants", "40")
    assert fits_the_width(page)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r".*/services/activities/\d+/$"))
    activity = Activity.objects.get(title="村民健康知识讲座（手机登记）")
    assert activity.leaders.filter(pk__in=activity.organizer.memberships.values("person_id")).exists()
    assert fits_the_width(page)

    # The full-screen code: the square fills the width and is all on the screen.
    page.locator("#qr-screen-link").click()
    page.wait_for_url(f"**/services/activities/{activity.pk}/qr/")
    box = page.locator("#screen-qr svg").bounding_box()
    assert box["width"] >= 0.85 * PHONE["width"] and box["x"] >= 0
    assert box["x"] + box["width"] <= PHONE["width"] and box["y"] + box["height"] <= PHONE["height"]
    assert fits_the_width(page)
    screenshot(page, "phone-checkin-code")

    # The printable poster, on the phone: the code is whole, not cut in half.
    page.goto(f"/services/activities/{activity.pk}/poster/")
    qr = page.locator("#poster-qr svg").bounding_box()
    assert qr["x"] >= 0 and qr["x"] + qr["width"] <= PHONE["width"]
    assert fits_the_width(page)

    # The next activity on the home page is now this one (the demo's may come sooner).
    page.goto("/")
    page.wait_for_selector("#next-activity svg")
    assert fits_the_width(page)
