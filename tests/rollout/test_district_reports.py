"""The coverage and supervision reports of 2022Q4 on the hand-counted district of
tests/district.py: for district staff (the whole district) and for the 姜山镇 admin (姜山镇科协
and its three associations only), with literal totals, rows and spreadsheet cells."""

import datetime
import io

import pytest
from openpyxl import load_workbook

from organizations.scoping import scope_for
from rollout.models import Task, TaskUpdate
from rollout.reports import build_report, render
from tests.district import Q4, TODAY, at, build_district

pytestmark = pytest.mark.django_db

JIANGSHAN_ORGS = {"姜山镇科协", "姜山农技协会", "姜山科普教育协会", "姜山健康科普协会"}
OTHER_TOWNS = ("五乡", "云龙")


@pytest.fixture
def district(db):
    return build_district()


def supervision(user, **kwargs):
    return build_report("supervision", Q4, scope=scope_for(user), today=TODAY, **kwargs)


def coverage(user):
    return build_report("coverage", Q4, scope=scope_for(user), today=TODAY)


def summary_values(report) -> dict[str, object]:
    return {row["indicator"]: row["value"] for row in report.section("summary").rows}


def rows_by(section, key: str) -> dict[str, dict]:
    return {row[key]: row for row in section.rows}


def figures(row: dict) -> tuple:
    return (
        row["activities"],
        row["people_served"],
        row["volunteer_hours"],
        row["seats"],
        row["leader_seats"],
        row["tasks_due"],
        row["tasks_overdue"],
        row["inspections"],
        row["open_rectifications"],
    )


# --------------------------------------------------------------------------- supervision


def test_district_staff_see_the_whole_districts_totals(district):
    report = supervision(district.district_staff)
    assert report.scope_label == "全区"
    assert report.reference_day == datetime.date(2022, 12, 31)
    assert report.title == "关于2022年第四季度“三长带三会”工作推进情况的督查通报"
    summary = rows_by(report.section("summary"), "indicator")
    assert summary_values(report) == {
        "开展活动（场次）": 5,
        "服务人次": 74,
        # Numbers stay numbers in the report model: 11.5 hours, 7 of 12 seats.
        "志愿服务时长（小时）": 11.5,
        "三长/泛三长席位占比": pytest.approx(7 / 12),
        "本期到期推进任务": 2,
        "逾期推进任务": 1,
        "本期督查（次）": 1,
        "未销号整改事项": 1,
    }
    assert summary["服务人次"]["note"] == "其中 60 人次按 1 场活动的填报人数计（无扫码签到）"
    assert summary["三长/泛三长席位占比"]["note"] == "三长/泛三长 7 席，共 12 席"
    assert summary["逾期推进任务"]["note"] == "截至 2022-12-31"
    assert report.paragraphs == [
        "2022Q4，全区共开展活动 5 场，服务 74 人次，志愿服务时长 11.50 小时；"
        "领导机构席位中三长/泛三长占 58.3%。"
    ]


def test_the_district_rows_per_organisation(district):
    rows = rows_by(supervision(district.district_staff).section("organizations"), "organization")
    # activities, served, hours, seats, 三长 seats, tasks due, overdue, inspections, open items.
    # The dissolved and the preparing association have nothing to report and are left out.
    assert {name: figures(row) for name, row in rows.items()} == {
        "鄞州区科协": (0, 0, 0.0, 0, 0, 0, 0, 0, 0),
        "姜山镇科协": (1, 4, 4.0, 2, 1, 1, 0, 0, 0),
        "五乡镇科协": (0, 0, 0.0, 2, 1, 1, 1, 0, 0),
        "云龙镇科协": (0, 0, 0.0, 1, 0, 0, 0, 1, 1),
        "姜山农技协会": (1, 3, 2.0, 2, 1, 0, 0, 0, 0),
        "姜山科普教育协会": (1, 60, 0.0, 1, 1, 0, 0, 0, 0),
        "姜山健康科普协会": (0, 0, 0.0, 1, 1, 0, 0, 0, 0),
        "五乡农技协会": (1, 2, 3.0, 1, 1, 0, 0, 0, 0),
        "五乡生态科普协会": (0, 0, 0.0, 0, 0, 0, 0, 0, 0),
        "云龙农技协会": (0, 0, 0.0, 1, 1, 0, 0, 0, 0),
        "云龙健康协会": (1, 5, 2.5, 1, 0, 0, 0, 0, 0),
    }
    assert rows["姜山科普教育协会"]["reported"] == "1 场"
    assert rows["姜山镇科协"]["reported"] == "无"
    assert rows["姜山镇科协"]["leader_share"] == 0.5
    assert rows["云龙健康协会"]["leader_share"] == 0.0
    assert rows["五乡生态科普协会"]["leader_share"] is None


def test_the_district_red_flags(district):
    report = supervision(district.district_staff)
    flags = report.section("red_flags").rows
    no_activity = {row["subject"] for row in flags if row["flag"] == "本期无活动"}
    # 22 of the 25 towns had no activity; 姜山镇, 五乡镇 and 云龙镇 each had one or more.
    assert len(no_activity) == 22
    assert not no_activity & {"姜山镇", "五乡镇", "云龙镇"}
    assert {"邱隘镇", "下应街道"} <= no_activity
    overdue = [row for row in flags if row["flag"] == "任务逾期"]
    assert [(row["subject"], row["detail"]) for row in overdue] == [
        ("五乡镇科协", "“五乡重建生活健康类协会”应于 2022-11-30 完成，已逾期 31 天")
    ]
    leaderless = [(row["subject"], row["detail"]) for row in flags if row["flag"] == "领导机构无三长"]
    # Of the ten associations active on 2022-12-31 (五乡卫生健康协会 was dissolved on 09-01, so
    # is no longer one to flag; 云龙科普教育协会 is still preparing), by code:
    # 五乡生态科普协会 has no seats at all; 云龙健康协会's one seat is not a 三长's; 云龙镇科协's
    # only 三长 seat ended in June.
    assert leaderless == [
        ("五乡生态科普协会", "领导机构尚无任何席位"),
        ("云龙健康协会", "现有 1 个席位，无一由三长/泛三长担任"),
        ("云龙镇科协", "现有 1 个席位，无一由三长/泛三长担任"),
    ]


def test_the_district_task_inspection_and_rectification_sections(district):
    report = supervision(district.district_staff)
    assert report.section("overdue_tasks").rows == [
        {
            "organization": "五乡镇科协",
            "task": "五乡重建生活健康类协会",
            "due_date": "2022-11-30",
            "status": "进行中",
            "days": 31,
        }
    ]
    assert report.section("inspections").rows == [
        {
            "organization": "云龙镇科协",
            "date": "2022-12-01",
            "score": "72.5",
            "items": 1,
            "findings": "生态服务类协会尚在筹备，镇科协领导机构中无三长。",
        }
    ]
    assert report.section("rectifications").rows == [
        {
            "organization": "云龙镇科协",
            "title": "云龙组建生态服务类协会",
            "deadline": "2022-12-20",
            "status": "待整改",
            "overdue": "是",
        }
    ]


def test_the_town_admins_report_holds_only_their_town(district):
    report = supervision(district.jiangshan_admin)
    assert report.scope_label == "姜山镇科协"
    assert summary_values(report) == {
        "开展活动（场次）": 3,
        "服务人次": 67,
        "志愿服务时长（小时）": 6.0,
        "三长/泛三长席位占比": pytest.approx(2 / 3),
        "本期到期推进任务": 1,
        "逾期推进任务": 0,
        "本期督查（次）": 0,
        "未销号整改事项": 0,
    }
    rows = rows_by(report.section("organizations"), "organization")
    assert {name: figures(row) for name, row in rows.items()} == {
        "姜山镇科协": (1, 4, 4.0, 2, 1, 1, 0, 0, 0),
        "姜山农技协会": (1, 3, 2.0, 2, 1, 0, 0, 0, 0),
        "姜山科普教育协会": (1, 60, 0.0, 1, 1, 0, 0, 0, 0),
        "姜山健康科普协会": (0, 0, 0.0, 1, 1, 0, 0, 0, 0),
    }
    assert report.section("red_flags").rows == []
    assert report.section("red_flags").note == "本期未发现问题。"
    for key in ("overdue_tasks", "inspections", "rectifications"):
        assert report.section(key).rows == [], key


def test_a_grassroots_admins_report_holds_only_their_association(district):
    report = supervision(district.grassroots_admin)
    assert report.scope_label == "姜山农技协会"
    values = summary_values(report)
    assert (values["开展活动（场次）"], values["服务人次"], values["志愿服务时长（小时）"]) == (1, 3, 2.0)
    assert values["三长/泛三长席位占比"] == 0.5
    assert [row["organization"] for row in report.section("organizations").rows] == ["姜山农技协会"]


def test_district_staff_may_narrow_the_report_to_a_town(district):
    report = supervision(district.district_staff, organization=district.orgs["五乡镇科协"])
    assert report.scope_label == "五乡镇科协"
    values = summary_values(report)
    assert (values["开展活动（场次）"], values["服务人次"], values["志愿服务时长（小时）"]) == (1, 2, 3.0)
    assert values["三长/泛三长席位占比"] == pytest.approx(2 / 3)
    assert values["逾期推进任务"] == 1
    assert {row["organization"] for row in report.section("organizations").rows} == {
        "五乡镇科协",
        "五乡农技协会",
        "五乡生态科普协会",
    }


def test_a_task_finished_after_the_quarter_was_still_overdue_in_it(district):
    """Task status is taken as of the end of the period (DESIGN.md, “As of when”)."""
    district.overdue_task.status = Task.Status.DONE
    district.overdue_task.completed_on = datetime.date(2023, 1, 20)
    district.overdue_task.save()
    TaskUpdate.objects.create(
        task=district.overdue_task,
        old_status=Task.Status.IN_PROGRESS,
        new_status=Task.Status.DONE,
        created_at=at(2023, 1, 20),
    )
    report = supervision(district.district_staff)
    assert summary_values(report)["逾期推进任务"] == 1
    assert [row["task"] for row in report.section("overdue_tasks").rows] == ["五乡重建生活健康类协会"]


# --------------------------------------------------------------------------- coverage


def test_the_district_coverage_report(district):
    report = coverage(district.district_staff)
    summary = report.section("summary").rows
    assert [(row["met"], row["towns"]) for row in summary] == [(1, 25), (3, 25), (2, 25), (1, 25), (3, 25)]
    assert [row["rate"] for row in summary] == pytest.approx([0.04, 0.12, 0.08, 0.04, 0.12])
    assert summary[0]["indicator"] == "覆盖率（四项条件全部达标）"
    assert summary[1]["indicator"] == "组织覆盖率（有镇（街）科协）"
    assert summary[4]["indicator"] == "工作覆盖率（本期有活动）"
    matrix = rows_by(report.section("matrix"), "town")
    assert len(matrix) == 25
    marks = ("organised", "led", "three_associations", "working", "covered")
    assert {name: tuple(matrix[name][key] for key in marks) for name in ("姜山镇", "五乡镇", "云龙镇")} == {
        "姜山镇": (True, True, True, True, True),
        "五乡镇": (True, True, False, True, False),
        "云龙镇": (True, False, False, True, False),
    }
    assert (matrix["姜山镇"]["activities"], matrix["姜山镇"]["failing"]) == (3, "无")
    assert (matrix["五乡镇"]["failing"], matrix["五乡镇"]["missing_categories"]) == ("三会齐全", "生活健康类")
    assert (matrix["云龙镇"]["failing"], matrix["云龙镇"]["missing_categories"]) == (
        "三长进入领导机构、三会齐全",
        "生态服务类",
    )
    assert matrix["邱隘镇"]["failing"] == "有镇（街）科协、三长进入领导机构、三会齐全、本期有活动"
    assert matrix["邱隘镇"]["missing_categories"] == "生产服务类、生态服务类、生活健康类"
    trend = report.section("trend").rows
    assert [(row["quarter"], row["covered"]) for row in trend] == [
        ("2021Q4", 0),
        ("2022Q1", 0),
        ("2022Q2", 0),
        ("2022Q3", 1),
        ("2022Q4", 1),
    ]
    assert report.paragraphs == [
        "2022Q4，全区纳入统计的镇（街道）25 个，四项条件全部达标的 1 个，覆盖率 4.0%。"
    ]


def test_the_town_admins_coverage_report_holds_only_their_town(district):
    report = coverage(district.jiangshan_admin)
    assert [row["town"] for row in report.section("matrix").rows] == ["姜山镇"]
    assert (report.section("summary").rows[0]["met"], report.section("summary").rows[0]["towns"]) == (1, 1)
    assert report.section("summary").rows[0]["rate"] == 1.0
    assert report.section("matrix").rows[0]["activities"] == 3


# --------------------------------------------------------------------------- spreadsheets


def sheet(report, title):
    return load_workbook(io.BytesIO(render(report, "xlsx")))[title]


def test_the_district_supervision_workbook(district):
    workbook = load_workbook(io.BytesIO(render(supervision(district.district_staff), "xlsx")))
    info = workbook["报表信息"]
    assert info["B2"].value == "2022-10-01 — 2022-12-31（2022Q4）"
    assert info["B3"].value == "全区"
    summary = workbook["总体情况"]
    assert [cell.value for cell in summary[1]] == ["指标", "数值", "说明"]
    assert (summary["A2"].value, summary["B2"].value) == ("开展活动（场次）", 5)
    assert (summary["A3"].value, summary["B3"].value) == ("服务人次", 74)
    assert summary["C3"].value == "其中 60 人次按 1 场活动的填报人数计（无扫码签到）"
    # Hours and rates are numbers with number formats, so that Excel can sum them.
    assert (summary["A4"].value, summary["B4"].value) == ("志愿服务时长（小时）", 11.5)
    assert summary["B4"].number_format == "0.00"
    assert summary["B5"].value == pytest.approx(7 / 12)
    assert summary["B5"].number_format == "0.0%"
    assert summary["B2"].number_format == "0"
    table = workbook["分单位情况"]
    header = [cell.value for cell in table[1]]
    assert header[:6] == [
        "单位",
        "类型",
        "活动场次",
        "服务人次",
        "按填报人数计的活动",
        "志愿服务时长（小时）",
    ]
    rows = {row[0]: row for row in table.iter_rows(min_row=2, values_only=True) if row[0]}
    assert rows["云龙健康协会"][2:6] == (1, 5, "无", 2.5)
    assert rows["姜山科普教育协会"][2:6] == (1, 60, "1 场", 0)
    column = header.index("三长占比")
    assert rows["姜山镇科协"][column] == 0.5
    assert table.freeze_panes == "A2"


def test_the_town_admins_supervision_workbook_has_no_other_town(district):
    workbook = load_workbook(io.BytesIO(render(supervision(district.jiangshan_admin), "xlsx")))
    assert workbook["报表信息"]["B3"].value == "姜山镇科协"
    summary = workbook["总体情况"]
    assert (summary["B2"].value, summary["B3"].value, summary["B4"].value) == (3, 67, 6.0)
    table = workbook["分单位情况"]
    names = {row[0] for row in table.iter_rows(min_row=2, values_only=True) if row[0]}
    assert names >= JIANGSHAN_ORGS
    for sheet_ in workbook.worksheets:
        for row in sheet_.iter_rows(values_only=True):
            for value in row:
                assert not (isinstance(value, str) and value.startswith(OTHER_TOWNS)), (sheet_.title, value)


def test_the_district_coverage_workbook(district):
    matrix = sheet(coverage(district.district_staff), "镇（街道）覆盖情况")
    header = [cell.value for cell in matrix[1]]
    assert header == [
        "镇（街道）",
        "有镇（街）科协",
        "三长进入领导机构",
        "三会齐全",
        "本期有活动",
        "是否覆盖",
        "本期活动场次",
        "未达标条件",
        "缺少的三会类别",
    ]
    rows = {row[0]: row for row in matrix.iter_rows(min_row=2, values_only=True) if row[0]}
    assert rows["姜山镇"][1:7] == ("√", "√", "√", "√", "√", 3)
    assert rows["五乡镇"][1:] == ("√", "√", "×", "√", "×", 1, "三会齐全", "生活健康类")
    assert rows["云龙镇"][1:] == ("√", "×", "×", "√", "×", 1, "三长进入领导机构、三会齐全", "生态服务类")
    summary = sheet(coverage(district.district_staff), "覆盖率汇总")
    assert (summary["B2"].value, summary["C2"].value) == (1, 25)
    assert summary["D2"].value == pytest.approx(0.04)
    assert summary["D2"].number_format == "0.0%"
