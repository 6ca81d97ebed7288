"""The 姜山镇 admin imports a member list in a real browser, on a phone's width: upload, the dry
run's outcome per row, the commit, and the rejected rows downloaded and opened."""

import io

import openpyxl
import pytest

from organizations.imports.models import ImportBatch
from organizations.models import Membership, Person
from tests.e2e.conftest import fits_the_width, login, screenshot

# Transactional so that the live server thread sees the data.
pytestmark = pytest.mark.django_db(transaction=True)


def member_file(path) -> str:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["姓名", "手机号码", "性别", "工作单位"])
    sheet.append(["林晓", "13857411001", "女", "姜山镇中心小学"])
    sheet.append(["方明", "138 5741 1002", "男", "姜山镇卫生院"])
    sheet.append(["错号码", "1385741", "男", ""])
    workbook.save(path)
    return str(path)


def test_dry_run_commit_and_rejected_rows(page, jiangshan_admin, jiangshan, tmp_path):
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "jiangshan")
    page.goto("/people/")
    assert fits_the_width(page)
    page.locator("#people-import").click()
    page.wait_for_url("**/organizations/imports/new/")
    assert fits_the_width(page)
    assert page.locator("select[name=organization] option:checked").inner_text() == "姜山镇科协"
    page.set_input_files("input[name=file]", member_file(tmp_path / "姜山会员.xlsx"))
    page.get_by_role("button", name="上传并检查").click()
    page.wait_for_selector("#import-counts")

    assert page.locator("[data-count=new]").inner_text() == "2"
    assert page.locator("[data-count=error]").inner_text() == "1"
    # Errors first: the bad row, its reason under the phone.
    rows = page.locator("#import-rows tbody tr")
    assert rows.count() == 1
    assert "请输入有效的11位中国大陆手机号码" in rows.first.locator("[data-error=手机号码]").inner_text()
    assert fits_the_width(page)
    screenshot(page, "import-dry-run-390")

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#import-commit").click()
    page.wait_for_selector("#import-done")
    assert "导入完成：新增 2 行" in page.locator(".alert-success").first.inner_text()
    assert fits_the_width(page)

    with page.expect_download() as download_info:
        page.locator("#import-rejected").click()
    path = download_info.value.path()
    sheet = openpyxl.load_workbook(io.BytesIO(open(path, "rb").read())).worksheets[0]  # noqa: SIM115
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("姓名", "手机号码", "性别", "工作单位", "错误原因")
    assert rows[1][:2] == ("错号码", "1385741")
    assert "手机号码" in rows[1][4]
    screenshot(page, "import-committed-390")

    assert ImportBatch.objects.get().status == ImportBatch.Status.COMMITTED
    assert (
        Membership.objects.filter(
            organization=jiangshan.association, person__name__in=["林晓", "方明"]
        ).count()
        == 2
    )
    assert Person.objects.get(name="方明").phone == "13857411002"
    assert errors == []
