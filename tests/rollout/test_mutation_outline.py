"""The document outline the DOCX and the PDF both lay out, and the file names of the formats:
the red flags of the district's 2022Q4 told flag by flag (tests/district.py counts them: 22
towns without activity, 1 overdue task, 3 associations without a 三长)."""

import datetime

import pytest

from organizations.scoping import scope_for
from rollout.indicators import Period
from rollout.reports import build_report
from rollout.reports.builder import file_extension
from rollout.reports.document import outline
from rollout.reports.model import Report
from tests.district import Q4, TODAY, build_district

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("fmt", "extension"), [("xlsx", "xlsx"), ("pdf", "pdf"), ("docx", "docx"), ("csv", "zip"), ("txt", "txt")]
)
def test_each_format_has_its_file_extension(fmt, extension):
    assert file_extension(fmt) == extension


def test_the_red_flags_are_told_flag_by_flag(db):
    district = build_district()
    report = build_report("supervision", Q4, scope=scope_for(district.district_staff), today=TODAY)
    body, _annexes = outline(report)
    start = next(
        i for i, block in enumerate(body) if block.kind == "heading" and block.text.endswith("问题清单")
    )
    flags = body[start + 1 : start + 7]
    assert [(block.kind, block.text, block.level) for block in flags[::2]] == [
        ("heading", "1.本期无活动（22项）", 3),
        ("heading", "2.任务逾期（1项）", 3),
        ("heading", "3.领导机构无三长（3项）", 3),
    ]
    tables = [block.section for block in flags[1::2]]
    assert [block.kind for block in flags[1::2]] == ["table"] * 3
    assert [(table.key, table.title, len(table.rows)) for table in tables] == [
        ("red_flags", "本期无活动", 22),
        ("red_flags", "任务逾期", 1),
        ("red_flags", "领导机构无三长", 3),
    ]
    # The flag is the group's heading: each table keeps the subject and the detail.
    assert [[column.key for column in table.columns] for table in tables] == [["subject", "detail"]] * 3
    assert [row["subject"] for row in tables[2].rows] == ["五乡生态科普协会", "云龙健康协会", "云龙镇科协"]


def test_the_notice_is_numbered_and_dated_by_its_day_of_issue_in_shanghai():
    # 16:10 UTC on 31 December is already 1 January in Shanghai: the notice is of 2023.
    generated_at = datetime.datetime(2022, 12, 31, 16, 10, tzinfo=datetime.UTC)
    report = Report(
        kind="supervision",
        title="督查通报",
        period=Period.quarter(2022, 4),
        scope_label="全区",
        generated_at=generated_at,
        reference_day=datetime.date(2022, 12, 31),
        sections=[],
        csv_section="organizations",
    )
    assert report.issue_date() == "2023年1月1日"
    assert report.document_number() == "鄞科协督〔2023〕　号"  # a blank for the number until issued
    report.number = 4
    assert report.document_number() == "鄞科协督〔2023〕4号"
