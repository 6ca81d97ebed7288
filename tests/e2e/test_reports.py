"""A supervisor requests the quarterly supervision report, watches its status turn to done
(htmx polling) and downloads it, in a real browser."""

import io

import pytest
from openpyxl import load_workbook

from rollout.models import Phase, ReportRun, Stage
from rollout.reference import load_plan
from rollout.reports import actions
from tests.e2e.conftest import login, screenshot
from tests.rollout import reports_world

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_supervisor_requests_watches_and_downloads_the_quarterly_report(
    page, monkeypatch, supervisor_user, jiangshan, wuxiang, tmp_path
):
    load_plan(Phase, Stage)
    reports_world.build(jiangshan, wuxiang)
    # Hold the build back (tasks run eagerly without a broker) so that the page is seen
    # waiting and then updating by itself, as it does with a worker.
    queued = []
    monkeypatch.setattr(actions, "_enqueue", queued.append)

    login(page, "supervisor")
    page.locator("#reports-menu").click()  # 报表
    page.get_by_role("link", name="报表导出").click()
    page.wait_for_url("**/reports/")
    page.get_by_role("link", name="生成季度督查报告").click()
    page.check("input[name=kind][value=supervision]")
    page.check("input[name=period_type][value=quarter]")
    page.select_option("select[name=quarter]", "2022Q4")
    page.check("input[name=format][value=xlsx]")
    page.get_by_role("button", name="生成报表").click()
    page.wait_for_url("**/reports/*/")
    assert page.locator("[data-status]").inner_text().strip() == "排队中"

    run = ReportRun.objects.get()
    assert queued == [run.pk] and run.requested_by == supervisor_user
    assert actions.report_build(run_id=run.pk) == "done"
    page.wait_for_selector("#report-download", timeout=10_000)  # htmx polls every 2 s
    assert page.locator("[data-status]").inner_text().strip() == "已完成"
    screenshot(page, "reports")

    with page.expect_download() as info:
        page.locator("#report-download").click()
    download = info.value
    assert download.suggested_filename == "季度督查报告_2022Q4.xlsx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    workbook = load_workbook(io.BytesIO(path.read_bytes()))
    rows = list(workbook["分单位情况"].iter_rows(values_only=True))
    assert any(row[0] == "姜山镇科协" for row in rows)

    page.goto("/reports/")
    assert page.locator("tbody tr").count() == 1
    screenshot(page, "reports-list")
