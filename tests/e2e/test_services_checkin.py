"""In a real browser: a leader logs an activity, an attendee checks in on a phone-sized screen,
and the organiser sees the count go up without reloading."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from services.models import Activity, Attendance
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def local_input(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_leader_logs_an_activity_and_a_phone_checks_in(
    browser, live_server, page, leader_user, jiangshan_admin, jiangshan
):
    # The leader logs the lecture they are about to give.
    login(page, "leader")
    page.goto("/services/activities/add/")
    # The organiser, the venue's kind and the audiences are among the details folded away.
    page.locator("details.activity-more summary").click()
    assert page.locator("select[name=organizer] option:checked").inner_text() == "姜山镇科协"
    now = timezone.now()
    page.fill("input[name=title]", "社区健康科普讲座")
    page.select_option("select[name=kind]", "popular_lecture")
    page.select_option("select[name=venue_kind]", "civilization_center")
    page.fill("input[name=venue]", "姜山镇新时代文明实践所")
    page.fill("input[name=starts_at]", local_input(now - datetime.timedelta(minutes=30)))
    page.fill("input[name=ends_at]", local_input(now + datetime.timedelta(hours=2)))
    page.fill("input[name=planned_participants]", "40")
    page.get_by_label("老年人").check()
    page.get_by_role("button", name="保存").click()
    page.wait_for_selector(".alert-success")
    assert "已登记活动“社区健康科普讲座”" in page.locator(".alert-success").inner_text()
    screenshot(page, "services-activity-logged")
    activity = Activity.objects.get(title="社区健康科普讲座")
    assert list(activity.leaders.all()) == [jiangshan.leader]

    # The organiser's admin watches the activity page.
    admin_context = browser.new_context(
        locale="zh-CN", base_url=live_server.url, viewport={"width": 1366, "height": 900}
    )
    organiser = admin_context.new_page()
    login(organiser, "jiangshan")
    organiser.goto(f"/services/activities/{activity.pk}/")
    assert organiser.locator("#checkin-count").inner_text().strip() == "0"
    assert organiser.locator("img[alt=签到二维码]").count() == 1

    # An attendee scans the code with a phone.
    phone_context = browser.new_context(
        locale="zh-CN",
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    phone = phone_context.new_page()
    phone.goto(activity.checkin_path())
    assert phone.locator("#privacy-notice").is_visible()
    assert "个人信息保护法" in phone.locator("#privacy-notice").inner_text()
    # Nothing wider than the phone's screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.fill("input[name=name]", "陈阿姨")
    phone.fill("input[name=phone]", "139 0574 8888")
    phone.get_by_label("我已阅读上述说明").check()
    phone.get_by_role("button", name="签到").click()
    phone.wait_for_selector("#checkin-done")
    assert "陈阿姨，签到成功" in phone.locator("#checkin-done").inner_text()
    screenshot(phone, "services-checkin-phone")
    assert Attendance.objects.get(activity=activity).phone == "13905748888"

    # A second scan with the same number is refused.
    phone.goto(activity.checkin_path())
    phone.fill("input[name=name]", "陈阿姨")
    phone.fill("input[name=phone]", "13905748888")
    phone.get_by_label("我已阅读上述说明").check()
    phone.get_by_role("button", name="签到").click()
    phone.wait_for_selector(".invalid-feedback")
    assert "已签到过本次活动" in phone.locator(".invalid-feedback").first.inner_text()

    # The organiser's page picks up the new count by itself (htmx polling).
    # (Polled by Playwright's own matcher: a string predicate would need 'unsafe-eval' in the page.)
    expect(organiser.locator("#checkin-count")).to_have_text("1", timeout=15_000)
    organiser.reload()
    recent = organiser.locator("body").inner_text()
    assert "陈阿姨" in recent and "139****8888" in recent and "13905748888" not in recent
    screenshot(organiser, "services-organiser-count")
    phone_context.close()
    admin_context.close()
