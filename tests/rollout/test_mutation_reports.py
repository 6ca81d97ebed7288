"""Whole reports compared with what is written below, counted by hand from the world of
tests/rollout/reports_world.py (2022Q4, reference day 2022-12-31), with every town but 姜山镇
and 五乡镇 taken out of the programme's scope so that a town list fits on paper.

The world, as the reports see it:

- 姜山镇科协 (TA-JS): seats 姜山会员 and 姜山院长 (a 三长); one held activity on 11-10 with 3
  check-ins and 2.5 + 1.5 volunteer hours; a task due 12-15, done 12-10. Below it three
  grassroots associations (GA-JS-ecology, GA-JS-life_health, GA-JS-production) based in 姜山镇,
  without seats; GA-JS-production held one activity on 12-05 with a reported count of 40 and no
  check-in. A 姜山镇科协 activity of 2022-09-20 falls in 2022Q3.
- 五乡镇科协 (TA-WX): seats 五乡会员 and 五乡院长 (a 三长); a planned (not held) activity; a task
  due 11-30 still in progress (31 days overdue on 12-31); an inspection on 12-01 (score 85.0,
  finding 五乡进度滞后) with the open item 五乡补齐三会 (deadline 12-31). Below it 五乡农技协会
  (GA-WX-production), based in 云龙镇, with one seat held by no 三长.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from organizations.models import Organization, Region, Seat
from organizations.scoping import Scope
from rollout.indicators import Period
from rollout.models import Task
from rollout.reports import build_report
from rollout.reports.model import HOURS, RATE, ROW_TYPES
from rollout.reports.supervision import title
from tests import factories as f
from tests.rollout import factories as rf
from tests.rollout import reports_world
from tests.rollout.reports_world import Q4, TODAY
from tests.services.factories import ActivityFactory, VolunteerServiceFactory

pytestmark = pytest.mark.django_db

DISTRICT = Scope(read_all=True)
QUARTER_END = datetime.date(2022, 12, 31)


@pytest.fixture
def world(jiangshan, wuxiang):
    Region.objects.towns().exclude(name__in=["姜山镇", "五乡镇"]).update(in_scope=False)
    return reports_world.build(jiangshan, wuxiang)


def laid_out(section) -> dict:
    return {
        "title": section.title,
        "columns": [(column.key, column.label, column.type) for column in section.columns],
        "rows": section.rows,
        "note": section.note,
    }


# --------------------------------------------------------------------------- supervision


# The value column holds counts; a row of hours or of a rate says so for its own cell.
SUMMARY_COLUMNS = [("indicator", "指标", "text"), ("value", "数值", "int"), ("note", "说明", "text")]
ORGANIZATION_COLUMNS = [
    ("organization", "单位", "text"),
    ("kind", "类型", "text"),
    ("activities", "活动场次", "int"),
    ("people_served", "服务人次", "int"),
    ("reported", "按填报人数计的活动", "text"),
    ("volunteer_hours", "志愿服务时长（小时）", "hours"),
    ("seats", "领导机构席位", "int"),
    ("leader_seats", "三长/泛三长席位", "int"),
    ("leader_share", "三长占比", "rate"),
    ("tasks_due", "本期到期任务", "int"),
    ("tasks_overdue", "逾期任务", "int"),
    ("inspections", "本期督查", "int"),
    ("open_rectifications", "未销号整改", "int"),
]
ORGANIZATIONS_NOTE = (
    "服务人次为扫码签到人数；无人签到的活动按填报人数计，并在“按填报人数计的活动”一栏注明场次。"
)
RED_FLAG_COLUMNS = [
    ("flag", "问题类型", "text"),
    ("subject", "镇（街道）/单位", "text"),
    ("detail", "说明", "text"),
]
OVERDUE_COLUMNS = [
    ("organization", "责任单位", "text"),
    ("task", "任务", "text"),
    ("due_date", "完成时限", "text"),
    ("status", "状态", "text"),
    ("days", "逾期天数", "int"),
]
INSPECTION_COLUMNS = [
    ("organization", "被督查单位", "text"),
    ("date", "督查日期", "text"),
    ("score", "评分", "text"),
    ("items", "整改事项", "int"),
    ("findings", "督查发现", "text"),
]
RECTIFICATION_COLUMNS = [
    ("organization", "整改单位", "text"),
    ("title", "整改事项", "text"),
    ("deadline", "整改时限", "text"),
    ("status", "状态", "text"),
    ("overdue", "是否逾期", "text"),
]
GRASSROOTS = "基层科普协会（三会）"
TOWN_ASSOCIATION = "镇（街）科协"


def organization_row(name, code, kind, **figures) -> dict:
    row = {
        "organization": name,
        "code": code,
        "kind": kind,
        "activities": 0,
        "people_served": 0,
        "reported": "无",
        "reported_activities": 0,
        "volunteer_hours": 0.0,
        "seats": 0,
        "leader_seats": 0,
        "leader_share": None,
        "tasks_due": 0,
        "tasks_overdue": 0,
        "inspections": 0,
        "open_rectifications": 0,
    }
    row.update(figures)
    return row


def test_the_supervision_report_of_wuxiang(world, wuxiang):
    # A second open item, already past its deadline on the reference day.
    rf.RectificationFactory(
        inspection=world["inspection"], title="五乡补签到", deadline=datetime.date(2022, 12, 20)
    )
    report = build_report("supervision", Q4, scope=DISTRICT, organization=wuxiang.association, today=TODAY)

    assert report.kind == "supervision"
    assert report.title == "关于2022年第四季度“三长带三会”工作推进情况的督查通报"
    assert report.period == Q4
    assert report.scope_label == "五乡镇科协"
    assert report.reference_day == QUARTER_END
    assert report.csv_section == "organizations"
    assert [section.key for section in report.sections] == [
        "summary",
        "organizations",
        "red_flags",
        "overdue_tasks",
        "inspections",
        "rectifications",
    ]
    assert laid_out(report.section("summary")) == {
        "title": "总体情况",
        "columns": SUMMARY_COLUMNS,
        "rows": [
            {"indicator": "开展活动（场次）", "value": 0, "note": ""},
            {"indicator": "服务人次", "value": 0, "note": "均为扫码签到人数"},
            {"indicator": "志愿服务时长（小时）", "value": 0.0, "note": "", ROW_TYPES: {"value": HOURS}},
            {
                "indicator": "三长/泛三长席位占比",
                "value": pytest.approx(1 / 3),
                "note": "三长/泛三长 1 席，共 3 席",
                ROW_TYPES: {"value": RATE},
            },
            {"indicator": "本期到期推进任务", "value": 1, "note": ""},
            {"indicator": "逾期推进任务", "value": 1, "note": "截至 2022-12-31"},
            {"indicator": "本期督查（次）", "value": 1, "note": ""},
            {"indicator": "未销号整改事项", "value": 2, "note": ""},
        ],
        "note": "",
    }
    assert laid_out(report.section("organizations")) == {
        "title": "分单位情况",
        "columns": ORGANIZATION_COLUMNS,
        "rows": [
            organization_row(
                "五乡镇科协",
                "TA-WX",
                TOWN_ASSOCIATION,
                seats=2,
                leader_seats=1,
                leader_share=0.5,
                tasks_due=1,
                tasks_overdue=1,
                inspections=1,
                open_rectifications=2,
            ),
            organization_row("五乡农技协会", "GA-WX-production", GRASSROOTS, seats=1, leader_share=0.0),
        ],
        "note": ORGANIZATIONS_NOTE,
    }
    assert laid_out(report.section("red_flags")) == {
        "title": "问题清单",
        "columns": RED_FLAG_COLUMNS,
        "rows": [
            {"flag": "本期无活动", "subject": "五乡镇", "detail": "2022Q4 内该镇（街道）没有已开展的活动"},
            {
                "flag": "任务逾期",
                "subject": "五乡镇科协",
                "detail": "“五乡组建三会”应于 2022-11-30 完成，已逾期 31 天",
            },
            {
                "flag": "领导机构无三长",
                "subject": "五乡农技协会",
                "detail": "现有 1 个席位，无一由三长/泛三长担任",
            },
        ],
        "note": "",
    }
    assert laid_out(report.section("overdue_tasks")) == {
        "title": "逾期推进任务",
        "columns": OVERDUE_COLUMNS,
        "rows": [
            {
                "organization": "五乡镇科协",
                "task": "五乡组建三会",
                "due_date": "2022-11-30",
                "status": "进行中",
                "days": 31,
            }
        ],
        "note": "",
    }
    assert laid_out(report.section("inspections")) == {
        "title": "本期督查",
        "columns": INSPECTION_COLUMNS,
        "rows": [
            {
                "organization": "五乡镇科协",
                "date": "2022-12-01",
                "score": "85.0",
                "items": 2,
                "findings": "五乡进度滞后",
            }
        ],
        "note": "",
    }
    assert laid_out(report.section("rectifications")) == {
        "title": "未销号整改事项",
        "columns": RECTIFICATION_COLUMNS,
        "rows": [
            {
                "organization": "五乡镇科协",
                "title": "五乡补签到",
                "deadline": "2022-12-20",
                "status": "待整改",
                "overdue": "是",
            },
            {
                "organization": "五乡镇科协",
                "title": "五乡补齐三会",
                "deadline": "2022-12-31",
                "status": "待整改",
                "overdue": "否",
            },
        ],
        "note": "",
    }
    assert report.paragraphs == [
        "2022Q4，五乡镇科协共开展活动 0 场，服务 0 人次，志愿服务时长 0.00 小时；"
        "领导机构席位中三长/泛三长占 33.3%。"
    ]
    [chart] = report.charts
    assert (chart.title, chart.kind, chart.labels, chart.values, chart.percent) == (
        "各单位活动场次",
        "bar",
        ["五乡镇科协", "五乡农技协会"],
        [0, 0],
        False,
    )


def test_the_supervision_report_of_jiangshan(world, jiangshan):
    report = build_report("supervision", Q4, scope=DISTRICT, organization=jiangshan.association, today=TODAY)

    assert report.scope_label == "姜山镇科协"
    assert report.section("summary").rows == [
        {"indicator": "开展活动（场次）", "value": 2, "note": ""},
        {"indicator": "服务人次", "value": 43, "note": "其中 40 人次按 1 场活动的填报人数计（无扫码签到）"},
        {"indicator": "志愿服务时长（小时）", "value": 4.0, "note": "", ROW_TYPES: {"value": HOURS}},
        {
            "indicator": "三长/泛三长席位占比",
            "value": 0.5,
            "note": "三长/泛三长 1 席，共 2 席",
            ROW_TYPES: {"value": RATE},
        },
        {"indicator": "本期到期推进任务", "value": 1, "note": ""},
        {"indicator": "逾期推进任务", "value": 0, "note": "截至 2022-12-31"},
        {"indicator": "本期督查（次）", "value": 0, "note": ""},
        {"indicator": "未销号整改事项", "value": 0, "note": ""},
    ]
    # Every active organisation is listed, a blank row being a finding too: the town
    # association first, then the grassroots associations by code.
    assert report.section("organizations").rows == [
        organization_row(
            "姜山镇科协",
            "TA-JS",
            TOWN_ASSOCIATION,
            activities=1,
            people_served=3,
            volunteer_hours=4.0,
            seats=2,
            leader_seats=1,
            leader_share=0.5,
            tasks_due=1,
        ),
        organization_row("姜山ecology协会", "GA-JS-ecology", GRASSROOTS),
        organization_row("姜山life_health协会", "GA-JS-life_health", GRASSROOTS),
        organization_row(
            "姜山production协会",
            "GA-JS-production",
            GRASSROOTS,
            activities=1,
            people_served=40,
            reported="1 场",
            reported_activities=1,
        ),
    ]
    # The three associations below 姜山镇科协 have no seats at all: no 三长 in their leadership.
    red_flags = report.section("red_flags")
    no_seats = "领导机构尚无任何席位"
    assert (red_flags.rows, red_flags.note) == (
        [
            {"flag": "领导机构无三长", "subject": "姜山ecology协会", "detail": no_seats},
            {"flag": "领导机构无三长", "subject": "姜山life_health协会", "detail": no_seats},
            {"flag": "领导机构无三长", "subject": "姜山production协会", "detail": no_seats},
        ],
        "",
    )
    for key in ("overdue_tasks", "inspections", "rectifications"):
        assert report.section(key).rows == [], key
    assert report.paragraphs == [
        "2022Q4，姜山镇科协共开展活动 2 场，服务 43 人次，志愿服务时长 4.00 小时；"
        "领导机构席位中三长/泛三长占 50.0%。"
    ]
    # The most active first; ties keep the table's order.
    [chart] = report.charts
    assert chart.labels == ["姜山镇科协", "姜山production协会", "姜山ecology协会", "姜山life_health协会"]
    assert chart.values == [1, 1, 0, 0]


def test_the_district_supervision_report_lists_every_organisation(world):
    report = build_report("supervision", Q4, scope=DISTRICT, today=TODAY)
    assert report.scope_label == "全区"
    table = report.section("organizations").rows
    assert [(row["code"], row["activities"], row["seats"]) for row in table] == [
        ("TA-JS", 1, 2),
        ("TA-WX", 0, 2),
        ("GA-JS-ecology", 0, 0),
        ("GA-JS-life_health", 0, 0),
        ("GA-JS-production", 1, 0),
        ("GA-WX-production", 0, 1),
    ]
    assert [(row["flag"], row["subject"]) for row in report.section("red_flags").rows] == [
        ("本期无活动", "五乡镇"),
        ("任务逾期", "五乡镇科协"),
        ("领导机构无三长", "姜山ecology协会"),
        ("领导机构无三长", "姜山life_health协会"),
        ("领导机构无三长", "姜山production协会"),
        ("领导机构无三长", "五乡农技协会"),
    ]
    assert report.section("summary").rows[3]["value"] == 0.4  # 2 of 5 seats


def test_the_chart_shows_the_twelve_most_active_organisations(world, jiangshan):
    for number in range(1, 13):
        f.OrganizationFactory(code=f"SOC-{number:02d}", name=f"学会{number:02d}")
    report = build_report("supervision", Q4, scope=DISTRICT, today=TODAY)
    [chart] = report.charts
    assert chart.labels == [
        "姜山镇科协",
        "姜山production协会",
        "五乡镇科协",
        "学会01",
        "学会02",
        "学会03",
        "学会04",
        "学会05",
        "学会06",
        "学会07",
        "学会08",
        "学会09",
    ]
    assert chart.values == [1, 1] + [0] * 10


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        (Period.quarter(2023, 1), "关于2023年第一季度“三长带三会”工作推进情况的督查通报"),
        (Period.quarter(2023, 2), "关于2023年第二季度“三长带三会”工作推进情况的督查通报"),
        (Period.quarter(2023, 3), "关于2023年第三季度“三长带三会”工作推进情况的督查通报"),
        (Period.quarter(2023, 4), "关于2023年第四季度“三长带三会”工作推进情况的督查通报"),
        (Period.year(2023), "关于2023-01-01至2023-12-31“三长带三会”工作推进情况的督查通报"),
        (
            Period.parse("2023-02-10..2023-05-20"),
            "关于2023-02-10至2023-05-20“三长带三会”工作推进情况的督查通报",
        ),
    ],
)
def test_the_title_names_the_quarter_or_the_dates(period, expected):
    assert title(period) == expected


# --------------------------------------------------------------------------- coverage


def test_the_coverage_report_of_the_two_towns(world):
    report = build_report("coverage", Q4, scope=DISTRICT, today=TODAY)

    assert report.kind == "coverage"
    assert report.title == "“三长带三会”覆盖情况报表（2022Q4）"
    assert report.period == Q4
    assert report.scope_label == "全区"
    assert report.reference_day == QUARTER_END
    assert report.csv_section == "matrix"
    assert [section.key for section in report.sections] == ["summary", "matrix", "trend"]
    assert laid_out(report.section("summary")) == {
        "title": "覆盖率汇总",
        "columns": [
            ("indicator", "指标", "text"),
            ("met", "达标镇（街道）数", "int"),
            ("towns", "镇（街道）总数", "int"),
            ("rate", "比率", "rate"),
        ],
        "rows": [
            {"indicator": "覆盖率（四项条件全部达标）", "met": 1, "towns": 2, "rate": 0.5},
            {"indicator": "组织覆盖率（有镇（街）科协）", "met": 2, "towns": 2, "rate": 1.0},
            {"indicator": "三长进入领导机构", "met": 2, "towns": 2, "rate": 1.0},
            {"indicator": "三会齐全", "met": 1, "towns": 2, "rate": 0.5},
            {"indicator": "工作覆盖率（本期有活动）", "met": 1, "towns": 2, "rate": 0.5},
        ],
        "note": "",
    }
    assert laid_out(report.section("matrix")) == {
        "title": "镇（街道）覆盖情况",
        "columns": [
            ("town", "镇（街道）", "text"),
            ("organised", "有镇（街）科协", "mark"),
            ("led", "三长进入领导机构", "mark"),
            ("three_associations", "三会齐全", "mark"),
            ("working", "本期有活动", "mark"),
            ("covered", "是否覆盖", "mark"),
            ("activities", "本期活动场次", "int"),
            ("failing", "未达标条件", "text"),
            ("missing_categories", "缺少的三会类别", "text"),
        ],
        "rows": [
            {
                "town": "五乡镇",
                "organised": True,
                "led": True,
                "three_associations": False,
                "working": False,
                "covered": False,
                "activities": 0,
                "failing": "三会齐全、本期有活动",
                "missing_categories": "生产服务类、生态服务类、生活健康类",
            },
            {
                "town": "姜山镇",
                "organised": True,
                "led": True,
                "three_associations": True,
                "working": True,
                "covered": True,
                "activities": 2,
                "failing": "无",
                "missing_categories": "无",
            },
        ],
        "note": "√ 表示达标，× 表示未达标。",
    }
    # The seats start on 2022-01-01: nobody is seated at the end of 2021Q4. 姜山镇 worked in
    # 2022Q3 too (its 09-20 activity) and is covered then.
    assert laid_out(report.section("trend")) == {
        "title": "覆盖率趋势",
        "columns": [
            ("quarter", "期间", "text"),
            ("towns", "镇（街道）数", "int"),
            ("covered", "覆盖数", "int"),
            ("coverage_rate", "覆盖率", "rate"),
            ("organisation_rate", "组织覆盖率", "rate"),
            ("work_rate", "工作覆盖率", "rate"),
        ],
        "rows": [
            {
                "quarter": "2021Q4",
                "towns": 2,
                "covered": 0,
                "coverage_rate": 0.0,
                "organisation_rate": 1.0,
                "work_rate": 0.0,
            },
            {
                "quarter": "2022Q1",
                "towns": 2,
                "covered": 0,
                "coverage_rate": 0.0,
                "organisation_rate": 1.0,
                "work_rate": 0.0,
            },
            {
                "quarter": "2022Q2",
                "towns": 2,
                "covered": 0,
                "coverage_rate": 0.0,
                "organisation_rate": 1.0,
                "work_rate": 0.0,
            },
            {
                "quarter": "2022Q3",
                "towns": 2,
                "covered": 1,
                "coverage_rate": 0.5,
                "organisation_rate": 1.0,
                "work_rate": 0.5,
            },
            {
                "quarter": "2022Q4",
                "towns": 2,
                "covered": 1,
                "coverage_rate": 0.5,
                "organisation_rate": 1.0,
                "work_rate": 0.5,
            },
        ],
        "note": "",
    }
    bars, line = report.charts
    assert (bars.title, bars.kind, bars.percent) == ("各项条件达标率", "bar", True)
    assert bars.labels == ["覆盖率", "组织覆盖率", "三长进入领导机构", "三会齐全", "工作覆盖率"]
    assert bars.values == [0.5, 1.0, 1.0, 0.5, 0.5]
    assert (line.title, line.kind, line.percent) == ("覆盖率趋势", "line", True)
    assert line.labels == ["2021Q4", "2022Q1", "2022Q2", "2022Q3", "2022Q4"]
    assert line.values == [0.0, 0.0, 0.0, 0.5, 0.5]
    assert report.paragraphs == [
        "2022Q4，全区纳入统计的镇（街道）2 个，四项条件全部达标的 1 个，覆盖率 50.0%。"
    ]


def test_a_coverage_report_without_towns_draws_zeros(world):
    society = f.OrganizationFactory(code="SOC-1", name="区级示例学会")  # based in 鄞州区, above every town
    report = build_report("coverage", Q4, scope=DISTRICT, organization=society, today=TODAY)
    assert report.section("matrix").rows == []
    assert [row["rate"] for row in report.section("summary").rows] == [None] * 5
    assert [row["coverage_rate"] for row in report.section("trend").rows] == [None] * 5
    assert report.charts[0].values == [0] * 5
    assert report.charts[1].values == [0] * 5
    assert report.paragraphs == [
        "2022Q4，区级示例学会纳入统计的镇（街道）0 个，四项条件全部达标的 0 个，覆盖率 —。"
    ]


def test_a_longer_period_trends_over_the_quarters_it_spans(world):
    report = build_report("coverage", Period.parse("2022-08-01..2022-12-31"), scope=DISTRICT, today=TODAY)
    assert [row["quarter"] for row in report.section("trend").rows] == ["2022Q3", "2022Q4"]
    assert report.title == "“三长带三会”覆盖情况报表（2022-08-01..2022-12-31）"


def test_the_trend_of_a_running_quarter_is_as_of_the_day_given(world, jiangshan):
    # 姜山镇's only 三长 seat ends on 2022-11-30: on 11-15 the town is led, hence covered.
    Seat.objects.filter(pk=jiangshan.leader_seat.pk).update(term_end=datetime.date(2022, 11, 30))
    report = build_report("coverage", Q4, scope=DISTRICT, today=datetime.date(2022, 11, 15))
    assert report.reference_day == datetime.date(2022, 11, 15)
    assert [(row["quarter"], row["covered"]) for row in report.section("trend").rows] == [
        ("2021Q4", 0),
        ("2022Q1", 0),
        ("2022Q2", 0),
        ("2022Q3", 1),
        ("2022Q4", 1),
    ]
    assert [row["covered"] for row in report.section("matrix").rows] == [False, True]


# --------------------------------------------------------------------------- supervision: edges


def test_what_falls_outside_the_quarter_is_left_out(world, wuxiang):
    wx = wuxiang.association
    rf.InspectionFactory(organization=wx, inspected_on=datetime.date(2022, 9, 30), findings="九月督查")
    rf.InspectionFactory(organization=wx, inspected_on=datetime.date(2023, 1, 2), findings="一月督查")
    rf.TaskFactory(
        organization=wx,
        title="五乡九月任务",
        due_date=datetime.date(2022, 9, 30),
        status=Task.Status.DONE,
        completed_on=datetime.date(2022, 9, 29),
    )
    rf.TaskFactory(organization=wx, title="五乡一月任务", due_date=datetime.date(2023, 1, 15))
    report = build_report("supervision", Q4, scope=DISTRICT, organization=wx, today=TODAY)
    assert [row["findings"] for row in report.section("inspections").rows] == ["五乡进度滞后"]
    assert [row["task"] for row in report.section("overdue_tasks").rows] == ["五乡组建三会"]
    summary = {row["indicator"]: row["value"] for row in report.section("summary").rows}
    assert (summary["本期到期推进任务"], summary["逾期推进任务"], summary["本期督查（次）"]) == (1, 1, 1)


def test_rows_come_in_date_order(world, wuxiang):
    # Made after the world's ones, so that their ids run the other way.
    wx = wuxiang.association
    rf.TaskFactory(
        organization=wx,
        title="五乡补报台账",
        due_date=datetime.date(2022, 10, 15),
        status=Task.Status.IN_PROGRESS,
    )
    october = rf.InspectionFactory(
        organization=wx, inspected_on=datetime.date(2022, 10, 20), findings="十月督查", score=None
    )
    rf.RectificationFactory(inspection=october, title="五乡补交材料", deadline=datetime.date(2022, 11, 15))
    report = build_report("supervision", Q4, scope=DISTRICT, organization=wx, today=TODAY)
    assert [(row["task"], row["days"]) for row in report.section("overdue_tasks").rows] == [
        ("五乡补报台账", 77),
        ("五乡组建三会", 31),
    ]
    assert [(row["date"], row["items"], row["score"]) for row in report.section("inspections").rows] == [
        ("2022-10-20", 1, ""),  # not scored
        ("2022-12-01", 1, "85.0"),
    ]
    assert [(row["title"], row["overdue"]) for row in report.section("rectifications").rows] == [
        ("五乡补交材料", "是"),
        ("五乡补齐三会", "否"),
    ]


def test_seats_are_counted_on_the_reference_day(world, wuxiang):
    # A seat of 五乡农技协会 ending in 2023 was held at the end of 2022Q4.
    f.SeatFactory(organization=world["wx_grassroots"], term_end=datetime.date(2023, 6, 30))
    report = build_report("supervision", Q4, scope=DISTRICT, organization=wuxiang.association, today=TODAY)
    share = report.section("summary").rows[3]
    assert (share["value"], share["note"]) == (0.25, "三长/泛三长 1 席，共 4 席")
    rows = {row["code"]: row for row in report.section("organizations").rows}
    assert (rows["GA-WX-production"]["seats"], rows["GA-WX-production"]["leader_seats"]) == (2, 0)


def test_hours_are_shown_to_two_decimals(world, jiangshan):
    VolunteerServiceFactory(activity=world["checked"], hours=Decimal("0.25"))
    report = build_report("supervision", Q4, scope=DISTRICT, organization=jiangshan.association, today=TODAY)
    summary = report.section("summary")
    hours = summary.rows[2]
    assert hours == {
        "indicator": "志愿服务时长（小时）",
        "value": 4.25,
        "note": "",
        ROW_TYPES: {"value": HOURS},
    }
    assert summary.cell(hours, summary.columns[1]) == "4.25"
    assert "志愿服务时长 4.25 小时" in report.paragraphs[0]
    assert report.section("organizations").rows[0]["volunteer_hours"] == 4.25


def test_an_inactive_organisation_is_listed_when_it_has_something_to_report(world):
    dissolved, preparing = Organization.Status.DISSOLVED, Organization.Status.PREPARING
    seated = f.OrganizationFactory(code="X-SEAT", name="撤销学会甲", status=dissolved)
    f.SeatFactory(organization=seated)
    active = f.OrganizationFactory(code="X-ACT", name="筹备学会乙", status=preparing)
    ActivityFactory(organizer=active, starts_at=reports_world.in_q4(15))
    inspected = f.OrganizationFactory(code="X-INSP", name="撤销学会丙", status=dissolved)
    rf.InspectionFactory(organization=inspected, inspected_on=datetime.date(2022, 11, 11))
    tasked = f.OrganizationFactory(code="X-TASK", name="撤销学会丁", status=dissolved)
    rf.TaskFactory(
        organization=tasked,
        due_date=datetime.date(2022, 12, 20),
        status=Task.Status.DONE,
        completed_on=datetime.date(2022, 12, 19),
    )
    f.OrganizationFactory(code="X-NONE", name="撤销学会戊", status=dissolved)
    report = build_report("supervision", Q4, scope=DISTRICT, today=TODAY)
    assert [row["code"] for row in report.section("organizations").rows] == [
        "TA-JS",
        "TA-WX",
        "X-ACT",
        "X-INSP",
        "X-SEAT",
        "X-TASK",
        "GA-JS-ecology",
        "GA-JS-life_health",
        "GA-JS-production",
        "GA-WX-production",
    ]


def test_an_organisation_of_a_kind_no_longer_offered_comes_last(world):
    retired = f.OrganizationFactory(code="A-OLD", name="旧类型组织")
    Organization.objects.filter(pk=retired.pk).update(kind="retired_kind")
    report = build_report("supervision", Q4, scope=DISTRICT, today=TODAY)
    last = report.section("organizations").rows[-1]
    assert (last["code"], last["kind"]) == ("A-OLD", "retired_kind")


def test_the_report_takes_as_many_queries_however_many_rows(world, jiangshan, wuxiang):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            build_report("supervision", Q4, scope=DISTRICT, today=TODAY)
        return len(captured.captured_queries)

    before = queries()
    for organization in (jiangshan.association, world["grassroots"]["ecology"], world["wx_grassroots"]):
        rf.TaskFactory(organization=organization, due_date=datetime.date(2022, 10, 31))
        inspection = rf.InspectionFactory(organization=organization, inspected_on=datetime.date(2022, 11, 2))
        rf.RectificationFactory(inspection=inspection)
    assert queries() == before
