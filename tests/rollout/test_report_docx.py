"""The supervision report's DOCX read back with python-docx: a 督查通报 laid out as GB/T
9704-2012 gives it (page and type area, 版头 with the year of issue, heading styles, body and
table fonts, page-number field in odd and even footers, charts, annexes, 版记), with the
figures of the hand-counted world of ``reports_world``."""

import datetime
import io
import zoneinfo

import pytest
import time_machine
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from organizations.scoping import Scope
from rollout.reports import build_report, render
from tests.rollout import reports_world
from tests.rollout.reports_world import Q4, TODAY

pytestmark = pytest.mark.django_db

# The 2022Q4 report, issued on 5 January 2023: the 文号 carries 2023, the year of issue.
ISSUED = datetime.datetime(2023, 1, 5, 10, 30, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def near(length, millimetres: float) -> bool:
    return abs(length - Mm(millimetres)) <= Mm(0.1)


@pytest.fixture
def world(jiangshan, wuxiang):
    return reports_world.build(jiangshan, wuxiang)


def docx_of(kind: str):
    with time_machine.travel(ISSUED, tick=False):
        report = build_report(kind, Q4, scope=Scope(read_all=True), today=TODAY)
    return Document(io.BytesIO(render(report, "docx")))


@pytest.fixture
def document(world):
    return docx_of("supervision")


def east_asia(style_or_run) -> str:
    return style_or_run.element.rPr.rFonts.get(qn("w:eastAsia"))


def test_the_page_is_a4_with_the_type_area_of_the_standard(document):
    first = document.sections[0]
    assert (near(first.page_width, 210), near(first.page_height, 297)) == (True, True)
    assert near(first.top_margin, 37) and near(first.left_margin, 28)
    assert near(first.page_width - first.left_margin - first.right_margin, 156)
    assert near(first.page_height - first.top_margin - first.bottom_margin, 225)
    grid = first._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars"
    assert int(grid.get(qn("w:linePitch"))) == 579  # 28.95 pt: 22 lines in 225 mm


def test_the_head_has_the_red_issuing_body_the_number_of_the_year_of_issue_and_a_red_rule(document):
    paragraphs = document.paragraphs
    mark = paragraphs[0]
    assert mark.text == "鄞州区科协“三长带三会”专项指导组办公室"
    assert mark.alignment == WD_ALIGN_PARAGRAPH.CENTER
    run = mark.runs[0]
    assert str(run.font.color.rgb) == "FF0000"
    assert east_asia(run) == "方正小标宋简体"
    number = paragraphs[1]
    assert number.text == "鄞科协督〔2023〕　号"  # 2022Q4, issued in 2023; the number left blank
    rule = number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert rule.get(qn("w:color")) == "FF0000"
    title = paragraphs[2]
    assert title.text == "关于2022年第四季度“三长带三会”工作推进情况的督查通报"
    assert title.runs[0].font.size == Pt(22)  # 2号
    assert east_asia(title.runs[0]) == "方正小标宋简体"
    assert paragraphs[4].text == "各镇（街道）科协，各相关单位："


def test_the_body_is_3hao_fangsong_and_headings_are_restyled_heading_styles(document):
    normal = document.styles["Normal"]
    assert normal.font.size == Pt(16) and east_asia(normal) == "仿宋_GB2312"
    expected = {
        1: ("黑体", False),
        2: ("楷体_GB2312", False),
        3: ("仿宋_GB2312", True),
        4: ("仿宋_GB2312", False),
    }
    for level, (face, bold) in expected.items():
        style = document.styles[f"Heading {level}"]
        assert east_asia(style) == face, level
        assert style.font.size == Pt(16) and bool(style.font.bold) is bold and style.font.italic is False
        assert str(style.font.color.rgb) == "000000"
        fonts = style.element.rPr.rFonts
        assert fonts.get(qn("w:eastAsiaTheme")) is None  # the theme font no longer wins
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:3] == [
        ("Heading 1", "一、基本情况"),
        ("Heading 2", "（一）总体情况"),
        ("Heading 2", "（二）分单位情况"),
    ]
    assert ("Heading 1", "二、存在的问题") in headings
    assert ("Heading 2", "（一）问题清单") in headings
    # The red flags told group by group under 1. 2. 3.: 24 of the 25 towns had no activity (all
    # but 姜山镇), 五乡镇科协 has an overdue task, and four associations have no 三长 in their
    # leadership (五乡农技协会's seats, and the three 姜山 grassroots associations with none).
    level3 = [text for style, text in headings if style == "Heading 3"]
    assert level3 == ["1.本期无活动（24项）", "2.任务逾期（1项）", "3.领导机构无三长（4项）"]
    assert headings[-1] == ("Heading 1", "四、下一步工作要求")
    # Headings carry no direct formatting: the style decides.
    for paragraph in document.paragraphs:
        if paragraph.style.name.startswith("Heading"):
            assert all(run.element.rPr is None for run in paragraph.runs), paragraph.text


def test_page_numbers_are_a_page_field_at_the_outer_edge_of_odd_and_even_pages(document):
    assert document.settings.odd_and_even_pages_header_footer
    section = document.sections[0]
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    for paragraph, align in ((odd, WD_ALIGN_PARAGRAPH.RIGHT), (even, WD_ALIGN_PARAGRAPH.LEFT)):
        assert paragraph.alignment == align
        assert [t.text for t in paragraph._p.iter(f"{W}instrText")] == [" PAGE "]
        assert paragraph.text == "— 1 —"
        assert paragraph.style.font.size == Pt(14) and east_asia(paragraph.style) == "宋体"
    assert odd.paragraph_format.right_indent == Pt(14) and even.paragraph_format.left_indent == Pt(14)
    # Every later section keeps the same footers.
    assert all(later.footer.is_linked_to_previous for later in document.sections[1:])


def test_tables_fit_their_content_in_readable_sizes(document):
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "单位")
    widths = [column.width for column in table.columns]
    assert abs(sum(widths) - Mm(225)) <= Mm(1)  # the annex fills the turned type area
    # Names of up to six characters (五乡农技协会, 镇（街）科协) never break: the name and kind
    # columns hold six 五号 characters besides the cell margins.
    assert widths[0] >= Pt(10.5) * 6 + Pt(10.8) and widths[1] >= Pt(10.5) * 6 + Pt(10.8)
    # A count column with a four-character header gets two characters: 活动/场次 on two lines.
    assert Pt(10.5) * 2 + Pt(10.8) <= widths[2] < Pt(10.5) * 3 + Pt(10.8)
    for row in table.rows[1:]:
        for paragraph in row.cells[0].paragraphs:
            assert paragraph.style.font.size == Pt(10.5)
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    body = next(t for t in document.tables if t.rows[0].cells[0].text == "指标")
    assert body.rows[1].cells[0].paragraphs[0].style.font.size == Pt(12)  # 小四
    assert abs(sum(column.width for column in body.columns) - Mm(156)) <= Mm(1)


def test_the_wide_table_is_an_annex_on_a_landscape_page(document):
    texts = [p.text for p in document.paragraphs]
    assert "附件：1.分单位情况" in texts
    assert "附件1" in texts
    landscape = [s for s in document.sections if s.orientation == WD_ORIENT.LANDSCAPE]
    assert len(landscape) == 1
    assert near(landscape[0].page_width, 297)
    assert near(landscape[0].page_width - landscape[0].left_margin - landscape[0].right_margin, 225)


def test_the_chart_is_an_image_with_its_caption(document):
    pictures = document.inline_shapes
    assert len(pictures) == 1
    assert near(pictures[0].width, 156)
    assert "图1　各单位活动场次" in [p.text for p in document.paragraphs]
    parts = [part.partname for part in document.part.package.parts]
    assert any(str(name).endswith(".png") for name in parts)


def test_the_imprint_closes_the_last_page(document):
    last = document.sections[-1]
    assert last._sectPr.find(qn("w:vAlign")).get(qn("w:val")) == "bottom"
    copied, printed = document.paragraphs[-2], document.paragraphs[-1]
    assert copied.text == "　抄送：区科协领导班子成员，专项指导组各成员。"
    assert printed.text == "　鄞州区科协“三长带三会”专项指导组办公室\t2023年1月5日印发"
    for paragraph in (copied, printed):
        assert paragraph.runs[0].font.size == Pt(14) and east_asia(paragraph.runs[0]) == "仿宋_GB2312"
    borders = copied._p.pPr.find(qn("w:pBdr"))
    assert borders.find(qn("w:top")).get(qn("w:sz")) == "8"  # 0.35 mm, thick
    assert borders.find(qn("w:bottom")).get(qn("w:sz")) == "6"  # 0.25 mm, thin
    assert printed._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom")).get(qn("w:sz")) == "8"
    # The signature and 成文日期 above, four characters in from the right.
    texts = [p.text for p in document.paragraphs]
    date = texts.index("2023年1月5日")
    assert texts[date - 1] == "鄞州区科协“三长带三会”专项指导组办公室"
    assert document.paragraphs[date].paragraph_format.right_indent == Pt(64)


def test_the_coverage_report_has_both_charts(world):
    document = docx_of("coverage")
    assert len(document.inline_shapes) == 2
    texts = [p.text for p in document.paragraphs]
    assert "图1　各项条件达标率" in texts and "图2　覆盖率趋势" in texts
    assert document.paragraphs[1].text == "鄞科协督〔2023〕　号"
