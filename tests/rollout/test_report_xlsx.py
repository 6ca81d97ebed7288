"""The XLSX read back with openpyxl: numbers stored as numbers with number formats (counts
``0``, hours ``0.00``, rates ``0.0%``), the summary's value column typed row by row, and a print
set-up (A4 landscape, one page wide, the header row on every page, frozen headers)."""

import io

import pytest
from openpyxl import load_workbook

from organizations.scoping import Scope
from rollout.reports import build_report, render
from tests.rollout import reports_world
from tests.rollout.reports_world import Q4, TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def workbook(jiangshan, wuxiang):
    reports_world.build(jiangshan, wuxiang)
    report = build_report("supervision", Q4, scope=Scope(read_all=True), today=TODAY)
    return load_workbook(io.BytesIO(render(report, "xlsx")))


def test_the_summary_keeps_each_value_a_number_with_its_own_format(workbook):
    summary = workbook["总体情况"]
    cells = {summary.cell(row, 1).value: summary.cell(row, 2) for row in range(2, summary.max_row + 1)}
    # Counted by hand from reports_world: 2 activities, 43 served, 2.5 + 1.5 hours, 2 of the
    # 5 seats held by a 三长 (one in each town association; 五乡农技协会's one seat is not).
    expected = {
        "开展活动（场次）": (2, "0"),
        "服务人次": (43, "0"),
        "志愿服务时长（小时）": (4.0, "0.00"),
        "三长/泛三长席位占比": (0.4, "0.0%"),
        "逾期推进任务": (1, "0"),
    }
    for label, (value, number_format) in expected.items():
        cell = cells[label]
        assert (cell.data_type, cell.value, cell.number_format) == ("n", value, number_format), label


def test_per_organisation_figures_are_numbers_with_number_formats(workbook):
    sheet = workbook["分单位情况"]
    header = [cell.value for cell in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "姜山镇科协")
    by_label = dict(zip(header, row, strict=False))
    assert (by_label["活动场次"].value, by_label["活动场次"].number_format) == (1, "0")
    assert (by_label["志愿服务时长（小时）"].value, by_label["志愿服务时长（小时）"].number_format) == (
        4.0,
        "0.00",
    )
    assert (by_label["三长占比"].value, by_label["三长占比"].number_format) == (0.5, "0.0%")
    assert all(by_label[label].data_type == "n" for label in ("活动场次", "服务人次", "三长占比"))


def test_every_section_sheet_prints_landscape_one_page_wide_with_its_header_on_each_page(workbook):
    for sheet in workbook.worksheets[1:]:
        setup = sheet.page_setup
        assert setup.orientation == "landscape", sheet.title
        assert setup.paperSize == 9  # A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0)
        assert sheet.print_title_rows == "$1:$1"
        assert sheet.freeze_panes == "A2"
    info = workbook["报表信息"]
    assert info.page_setup.orientation == "portrait" and info.page_setup.fitToWidth == 1


def test_columns_are_as_wide_as_their_content(workbook):
    sheet = workbook["分单位情况"]
    # 姜山life_health协会: 4 CJK characters (two units each) and 11 Latin ones, plus a margin.
    assert sheet.column_dimensions["A"].width >= 4 * 2 + 11
    # A count column with a four-character header: wide enough for the header over two lines.
    assert 6 <= sheet.column_dimensions["C"].width <= 10
