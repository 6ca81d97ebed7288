"""In a real browser: a supervisor records an inspection with a rectification item, the 姜山镇
admin closes it with evidence, and the supervisor sees it closed."""

import datetime

import pytest

from rollout.models import Inspection, Rectification
from sanhui import clock
from tests.e2e.conftest import choose_by_search, login, screenshot
from tests.rollout.factories import PNG

# Transactional so that the live server thread sees the data.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_an_inspection_item_is_recorded_closed_with_evidence_and_seen_closed(
    page, supervisor_user, jiangshan_admin, jiangshan, tmp_path
):
    deadline = clock.today() + datetime.timedelta(days=20)

    # The supervisor records the inspection and one rectification item in one form.
    login(page, "supervisor")
    page.get_by_role("button", name="推进工作").click()
    page.get_by_role("link", name="督查与整改").click()
    page.get_by_role("link", name="登记督查").click()
    page.wait_for_url("**/rollout/inspections/add/")
    choose_by_search(page, "organization", "姜山", "姜山镇科协")
    page.fill("input[name=score]", "88.5")
    page.fill("textarea[name=findings]", "三类协会活动正常；服务队名册未随人员变动更新。")
    page.fill("input[name=rectification_title]", "更新服务队队员名册")
    page.fill("input[name=rectification_deadline]", deadline.isoformat())
    page.fill("input[name=rectification_owner_name]", "镇科协秘书长")
    page.get_by_role("button", name="保存督查记录").click()
    page.wait_for_selector("#inspection-rectifications")
    assert "已保存督查记录" in page.locator(".alert-success").inner_text()
    row = page.locator("#inspection-rectifications tr", has_text="更新服务队队员名册")
    assert "待整改" in row.inner_text()
    screenshot(page, "rollout-inspection-recorded")
    inspection = Inspection.objects.get()
    assert inspection.supervisor == supervisor_user and inspection.organization == jiangshan.association

    # The 姜山镇 admin finds the item under 整改事项 and closes it with a photo.
    page.context.clear_cookies()
    login(page, "jiangshan")
    page.get_by_role("link", name="整改事项", exact=True).click()
    page.locator("#rectifications-table").get_by_role("link", name="更新服务队队员名册").click()
    photo = tmp_path / "名册照片.png"
    photo.write_bytes(PNG)
    # Closing without evidence is refused with a message, and nothing changes.
    page.select_option("select[name=status]", "closed")
    page.fill("textarea[name=note]", "已核对全部队员，退出人员已登记退出日期。")
    page.get_by_role("button", name="提交").click()
    page.wait_for_selector(".invalid-feedback, .alert-danger")
    assert "销号须上传至少一份整改佐证材料" in page.content()
    assert Rectification.objects.get().status == "open"
    page.select_option("select[name=status]", "closed")
    page.fill("textarea[name=note]", "已核对全部队员，退出人员已登记退出日期。")
    page.set_input_files("input[name=files]", str(photo))
    page.get_by_role("button", name="提交").click()
    page.wait_for_selector(".alert-success")
    assert "整改事项已销号" in page.locator(".alert-success").inner_text()
    assert "已销号" in page.locator("#rectification-status").inner_text()
    evidence = page.locator("#evidence li")
    assert evidence.count() == 1 and "名册照片.png" in evidence.inner_text()
    assert evidence.locator("img").count() == 1
    screenshot(page, "rollout-rectification-closed")

    # The supervisor sees it closed: gone from the open list, closed on the inspection.
    page.context.clear_cookies()
    login(page, "supervisor")
    page.goto("/rollout/supervision/")
    assert page.locator("#open-rectifications").get_by_text("更新服务队队员名册").count() == 0
    assert page.locator("#stat-open").inner_text().strip() == "0"
    page.goto(inspection.get_absolute_url())
    row = page.locator("#inspection-rectifications tr", has_text="更新服务队队员名册")
    assert "已销号" in row.inner_text()
    row.get_by_role("link", name="更新服务队队员名册").click()
    assert "已核对全部队员" in page.locator("#history").inner_text()
    assert page.locator("#reopen-form").count() == 1
    screenshot(page, "rollout-rectification-seen-closed")
    item = Rectification.objects.get()
    assert item.status == "closed" and item.evidence.count() == 1
