"""The figures of every report format equal the indicator module's for the same hand-built
world (XLSX read back with openpyxl, DOCX with python-docx, PDF text with pypdf, CSV with csv),
and an organisation admin's report holds no other organisation's or town's rows."""

import csv
import datetime
import io
import re
import zipfile
import zoneinfo
from dataclasses import dataclass
from pathlib import Path

import pytest
import time_machine
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from organizations.scoping import Scope, build_scope
from rollout.reports import ReportScopeError, build_report, display, render
from rollout.reports.model import HOURS, RATE
from tests.rollout import reports_world
from tests.rollout.reports_world import Q4, TODAY

pytestmark = pytest.mark.django_db

DISTRICT = Scope(read_all=True)


@pytest.fixture
def world(jiangshan, wuxiang):
    return reports_world.build(jiangshan, wuxiang)


# Counted by hand from reports_world: each town association has two current seats, one held by
# its hospital director (a 三长); 姜山镇科协 held one activity with 3 check-ins and 2.5 + 1.5
# volunteer hours; its production association one with nobody checked in and 40 reported; 五乡镇
# held nothing that counts in 2022Q4 (one planned activity only).
EXPECTED_ORGANIZATIONS = {
    "姜山镇科协": {
        "活动场次": 1,
        "服务人次": 3,
        "志愿服务时长（小时）": 4.0,
        "领导机构席位": 2,
        "三长/泛三长席位": 1,
        "三长占比": 0.5,
    },
    "五乡镇科协": {
        "活动场次": 0,
        "服务人次": 0,
        "志愿服务时长（小时）": 0.0,
        "领导机构席位": 2,
        "三长/泛三长席位": 1,
        "三长占比": 0.5,
    },
    "姜山production协会": {
        "活动场次": 1,
        "服务人次": 40,
        "志愿服务时长（小时）": 0.0,
        "领导机构席位": 0,
        "三长/泛三长席位": 0,
        "三长占比": None,
    },
}


def as_text(column: str, value) -> str:
    if column == "三长占比":
        return display(value, RATE)
    if column == "志愿服务时长（小时）":
        return display(value, HOURS)
    return str(value)


# The district's 25 towns and subdistricts in the reference list's order.
TOWN_NAMES = [
    row["name_zh"]
    for row in csv.DictReader(
        (Path(__file__).resolve().parents[2] / "organizations/data/yinzhou-towns.csv").open(encoding="utf-8")
    )
]
CONDITIONS = ("organised", "led", "three_associations", "working")


@dataclass(frozen=True)
class Town:
    organised: bool = False
    led: bool = False
    three_associations: bool = False
    working: bool = False
    activities: int = 0

    def met(self, condition: str) -> bool:
        return getattr(self, condition)

    @property
    def covered(self) -> bool:
        return all(self.met(condition) for condition in CONDITIONS)


# Counted by hand for 2022Q4: 姜山镇 meets all four (its association, a 三长's seat, three
# grassroots associations, two activities held in the town — one by the town association, one by
# its production association); 五乡镇 has its association and a 三长's seat but only a production
# association based in 云龙镇 and no activity; the other 23 towns have nothing. 云龙镇 hosts that
# one association but has no town association, so it meets nothing.
EXPECTED_TOWNS = {name: Town() for name in TOWN_NAMES} | {
    "姜山镇": Town(True, True, True, True, activities=2),
    "五乡镇": Town(True, True, False, False, activities=0),
}
# The four quarters before 2022Q4 and 2022Q4: seats begin on 2022-01-01, so 2021Q4 has no
# 三长 seat; 姜山镇 held an activity on 2022-09-20, so 2022Q3 is covered as 2022Q4 is.
EXPECTED_TREND = [("2021Q4", 0.0), ("2022Q1", 0.0), ("2022Q2", 0.0), ("2022Q3", 0.04), ("2022Q4", 0.04)]


# --------------------------------------------------------------------------- XLSX


def sheet_rows(workbook, title):
    sheet = workbook[title]
    values = list(sheet.iter_rows(values_only=True))
    header = values[0]
    rows = []
    for row in values[1:]:
        if not any(value is not None for value in row):
            break  # the section's note follows a blank row
        rows.append(dict(zip(header, row, strict=False)))
    return rows


def test_xlsx_supervision_figures_equal_the_indicators(world, jiangshan, wuxiang):
    report = build_report("supervision", Q4, scope=DISTRICT, today=TODAY)
    workbook = load_workbook(io.BytesIO(render(report, "xlsx")))
    assert workbook.sheetnames[0] == "报表信息"
    assert {"总体情况", "分单位情况", "问题清单", "逾期推进任务", "本期督查", "未销号整改事项"} <= set(
        workbook.sheetnames
    )
    assert workbook["分单位情况"].freeze_panes == "A2"
    rows = {row["单位"]: row for row in sheet_rows(workbook, "分单位情况")}
    for name, figures in EXPECTED_ORGANIZATIONS.items():
        for column, value in figures.items():
            assert rows[name][column] == pytest.approx(value), (name, column)
    assert rows["姜山production协会"]["按填报人数计的活动"] == "1 场"
    assert rows["五乡镇科协"]["逾期任务"] == 1
    assert rows["五乡镇科协"]["本期督查"] == 1
    assert rows["五乡镇科协"]["未销号整改"] == 1
    assert rows["姜山镇科协"]["本期到期任务"] == 1

    summary = {row["指标"]: row for row in sheet_rows(workbook, "总体情况")}
    assert summary["开展活动（场次）"]["数值"] == 2
    assert summary["服务人次"]["数值"] == 43  # 3 check-ins and 40 reported
    assert "40 人次按 1 场活动的填报人数计" in summary["服务人次"]["说明"]

    flags = sheet_rows(workbook, "问题清单")
    subjects = {(row["问题类型"], row["镇（街道）/单位"]) for row in flags}
    assert ("本期无活动", "五乡镇") in subjects
    assert ("任务逾期", "五乡镇科协") in subjects
    assert ("领导机构无三长", "五乡农技协会") in subjects
    assert ("本期无活动", "姜山镇") not in subjects


def test_xlsx_coverage_matrix_and_trend_equal_the_indicators(world):
    report = build_report("coverage", Q4, scope=DISTRICT, today=TODAY)
    workbook = load_workbook(io.BytesIO(render(report, "xlsx")))
    matrix = {row["镇（街道）"]: row for row in sheet_rows(workbook, "镇（街道）覆盖情况")}
    assert list(matrix) == TOWN_NAMES
    labels = {
        "organised": "有镇（街）科协",
        "led": "三长进入领导机构",
        "three_associations": "三会齐全",
        "working": "本期有活动",
    }
    for name, row in EXPECTED_TOWNS.items():
        for condition in CONDITIONS:
            assert matrix[name][labels[condition]] == ("√" if row.met(condition) else "×"), (name, condition)
        assert matrix[name]["本期活动场次"] == row.activities
    assert matrix["五乡镇"]["未达标条件"] == "三会齐全、本期有活动"
    rates = {row["指标"]: row for row in sheet_rows(workbook, "覆盖率汇总")}
    assert rates["覆盖率（四项条件全部达标）"]["比率"] == pytest.approx(0.04)
    assert rates["覆盖率（四项条件全部达标）"]["达标镇（街道）数"] == 1
    assert rates["覆盖率（四项条件全部达标）"]["镇（街道）总数"] == 25
    assert rates["组织覆盖率（有镇（街）科协）"]["达标镇（街道）数"] == 2
    assert rates["工作覆盖率（本期有活动）"]["比率"] == pytest.approx(0.04)
    trend = sheet_rows(workbook, "覆盖率趋势")
    assert [(row["期间"], row["覆盖率"]) for row in trend] == [
        (code, pytest.approx(rate)) for code, rate in EXPECTED_TREND
    ]


# --------------------------------------------------------------------------- DOCX


def docx_table(document, first_header):
    for table in document.tables:
        header = [cell.text for cell in table.rows[0].cells]
        if header[0] == first_header and len(table.rows) > 1:
            return [
                dict(zip(header, [cell.text for cell in row.cells], strict=True)) for row in table.rows[1:]
            ]
    raise AssertionError(f"no table starting with {first_header}")


def test_docx_is_an_official_notice_with_the_indicator_figures(world, jiangshan, wuxiang):
    # The 2022Q4 report issued in January 2023 carries the year of issue in its number.
    issued = datetime.datetime(2023, 1, 5, 10, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(issued, tick=False):
        report = build_report("supervision", Q4, scope=DISTRICT, today=TODAY)
    document = Document(io.BytesIO(render(report, "docx")))
    text = [paragraph.text for paragraph in document.paragraphs]
    assert text[0] == "鄞州区科协“三长带三会”专项指导组办公室"
    assert "关于2022年第四季度“三长带三会”工作推进情况的督查通报" in text
    assert any(line.startswith("鄞科协督〔2023〕") for line in text)
    headings = [line for line in text if re.match(r"^[一二三四五六七八九十]、", line)]
    assert headings == ["一、基本情况", "二、存在的问题", "三、督查开展情况", "四、下一步工作要求"]
    rows = {row["单位"]: row for row in docx_table(document, "单位")}
    for name, figures in EXPECTED_ORGANIZATIONS.items():
        for column, value in figures.items():
            assert rows[name][column] == as_text(column, value), (name, column)


def test_docx_coverage_report_carries_the_matrix(world):
    report = build_report("coverage", Q4, scope=DISTRICT, today=TODAY)
    document = Document(io.BytesIO(render(report, "docx")))
    matrix = {row["镇（街道）"]: row for row in docx_table(document, "镇（街道）")}
    assert matrix["姜山镇"]["是否覆盖"] == "√"
    assert matrix["五乡镇"]["三会齐全"] == "×"
    assert matrix["五乡镇"]["本期活动场次"] == "0"
    assert matrix["姜山镇"]["本期活动场次"] == "2"


# --------------------------------------------------------------------------- PDF


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def unwrapped(text: str) -> str:
    """The text with the line breaks inside Chinese runs taken out (a long title wraps)."""
    return re.sub(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])", "", text)


def test_pdf_text_carries_the_indicator_figures_in_an_embedded_cjk_font(world, jiangshan, wuxiang):
    report = build_report("supervision", Q4, scope=DISTRICT, today=TODAY)
    data = render(report, "pdf")
    text = pdf_text(data)
    assert "关于2022年第四季度“三长带三会”工作推进情况的督查通报" in unwrapped(text)
    assert "开展活动（场次） 2" in text
    assert "服务人次 43" in text
    for name, figures in EXPECTED_ORGANIZATIONS.items():
        cells = " ".join(
            as_text(column, figures[column]) for column in ("领导机构席位", "三长/泛三长席位", "三长占比")
        )
        assert name in text
        assert cells in text, (name, cells)
    reader = PdfReader(io.BytesIO(data))
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"].get("/Font", {}).values()
    }
    assert any("Noto-Sans-CJK-SC" in font for font in fonts), fonts
    # Subset fonts are embedded in the file (a "+"-prefixed name and a font file).
    assert all("+" in font for font in fonts)
    assert (
        "<svg" not in text and "各项条件达标率" not in text
    )  # the supervision report's chart is per organisation
    assert "各单位活动场次" in text


def test_pdf_coverage_report_has_rates_and_charts(world):
    report = build_report("coverage", Q4, scope=DISTRICT, today=TODAY)
    text = pdf_text(render(report, "pdf"))
    assert "覆盖率（四项条件全部达标） 1 25 4.0%" in text
    assert "各项条件达标率" in text and "覆盖率趋势" in text
    assert "五乡镇 √ √ × × × 0 三会齐全、本期有活动" in text


# --------------------------------------------------------------------------- CSV


def read_csv(data: bytes):
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def zipped_csv(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_csv_is_utf8_with_bom_and_equals_the_indicators(world, jiangshan, wuxiang):
    files = zipped_csv(render(build_report("supervision", Q4, scope=DISTRICT, today=TODAY), "csv"))
    supervision = read_csv(files["02_分单位情况.csv"])
    rows = {row["单位"]: row for row in supervision}
    for name, figures in EXPECTED_ORGANIZATIONS.items():
        for column, value in figures.items():
            assert rows[name][column] == as_text(column, value), (name, column)
    coverage = read_csv(
        render(build_report("coverage", Q4, scope=DISTRICT, today=TODAY), "csv", section="matrix")
    )
    assert [row["镇（街道）"] for row in coverage] == TOWN_NAMES
    assert {row["镇（街道）"]: row["是否覆盖"] for row in coverage}["姜山镇"] == "√"


# --------------------------------------------------------------------------- scope


def all_text(kind: str, fmt: str, data: bytes) -> str:
    if fmt == "xlsx":
        workbook = load_workbook(io.BytesIO(data))
        return " ".join(
            str(value)
            for sheet in workbook
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value
        )
    if fmt == "docx":
        document = Document(io.BytesIO(data))
        parts = [paragraph.text for paragraph in document.paragraphs]
        parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
        return " ".join(parts)
    if fmt == "pdf":
        return pdf_text(data)
    return " ".join(part.decode("utf-8-sig") for part in zipped_csv(data).values())


@pytest.mark.parametrize("fmt", ["xlsx", "pdf", "docx", "csv"])
@pytest.mark.parametrize("kind", ["coverage", "supervision"])
def test_an_org_admins_report_holds_only_their_organisations(world, jiangshan_admin, kind, fmt):
    report = build_report(kind, Q4, scope=build_scope(jiangshan_admin), today=TODAY)
    text = all_text(kind, fmt, render(report, fmt))
    assert "姜山" in text
    assert "五乡" not in text
    other_towns = [name for name in TOWN_NAMES if name != "姜山镇"]
    assert not [name for name in other_towns if name in text]
    if kind == "supervision":
        names = {row["organization"] for row in report.section("organizations").rows}
        assert names == {"姜山镇科协", *(org.name for org in world["grassroots"].values())}
    else:
        assert [row["town"] for row in report.section("matrix").rows] == ["姜山镇"]


def test_an_org_admin_cannot_report_on_another_organisation(world, jiangshan_admin, wuxiang):
    with pytest.raises(ReportScopeError):
        build_report("supervision", Q4, scope=build_scope(jiangshan_admin), organization=wuxiang.association)


def test_a_leader_cannot_build_a_report(world, leader_user):
    with pytest.raises(ReportScopeError):
        build_report("coverage", Q4, scope=build_scope(leader_user))


def test_district_staff_may_narrow_to_one_organisation(world, district_user, wuxiang):
    report = build_report(
        "supervision", Q4, scope=build_scope(district_user), organization=wuxiang.association
    )
    names = {row["organization"] for row in report.section("organizations").rows}
    assert names == {"五乡镇科协", "五乡农技协会"}
    assert [
        row["town"]
        for row in build_report(
            "coverage", Q4, scope=build_scope(district_user), organization=wuxiang.association
        )
        .section("matrix")
        .rows
    ] == ["五乡镇"]
