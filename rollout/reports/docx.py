"""The report as a Word document laid out like an official notice (公文): issuing body and
document number over a red rule, the title, the addressees, numbered sections 一、二、三… each
with its table, room for the office's requirements, and the issuing body and date at the foot.
Staff finish it in Word or WPS (number, wording of the requirements, seal)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from .model import ISSUING_BODY, Report

NUMERALS = "一二三四五六七八九十"
BODY_FONT, HEADING_FONT, TITLE_FONT = "仿宋_GB2312", "黑体", "方正小标宋简体"
RED = RGBColor(0xC0, 0x00, 0x00)


def _font(run, name: str, size: float, *, bold: bool = False, color: RGBColor | None = None) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)


def _paragraph(
    document, text: str, *, font=BODY_FONT, size=16, bold=False, align=None, color=None, indent=True
):
    paragraph = document.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    if indent and align is None:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    paragraph.paragraph_format.space_after = Pt(0)
    _font(paragraph.add_run(text), font, size, bold=bold, color=color)
    return paragraph


def _red_rule(paragraph) -> None:
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "18"), ("w:space", "4"), ("w:color", "C00000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _repeat_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _table(document, section, size: float) -> None:
    table = document.add_table(rows=1, cols=len(section.columns))
    table.style = "Table Grid"
    header = table.rows[0]
    _repeat_header(header)
    for cell, column in zip(header.cells, section.columns, strict=True):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(column.label), HEADING_FONT, size, bold=True)
    if not section.rows:
        row = table.add_row()
        merged = row.cells[0].merge(row.cells[-1])
        _font(merged.paragraphs[0].add_run(_("无")), BODY_FONT, size)
    for data in section.rows:
        cells = table.add_row().cells
        for cell, column in zip(cells, section.columns, strict=True):
            _font(cell.paragraphs[0].add_run(section.cell(data, column)), BODY_FONT, size)
    if section.note:
        _paragraph(document, section.note, size=10.5, indent=False)


def _orient(document, landscape: bool) -> None:
    new = document.add_section(WD_SECTION.NEW_PAGE)
    width, height = Cm(21), Cm(29.7)
    new.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    new.page_width, new.page_height = (height, width) if landscape else (width, height)


def render_docx(report: Report) -> bytes:
    document = Document()
    page = document.sections[0]
    page.page_width, page.page_height = Cm(21), Cm(29.7)
    page.top_margin, page.bottom_margin = Cm(3.7), Cm(3.5)
    page.left_margin, page.right_margin = Cm(2.8), Cm(2.6)
    document.core_properties.title = report.title
    document.core_properties.author = ISSUING_BODY

    _paragraph(
        document,
        ISSUING_BODY,
        font=TITLE_FONT,
        size=22,
        bold=True,
        color=RED,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    number = _paragraph(
        document,
        _("鄞科协督〔%(year)s〕　号") % {"year": report.period.end.year},
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    _red_rule(number)
    document.add_paragraph()
    _paragraph(document, report.title, font=TITLE_FONT, size=22, align=WD_ALIGN_PARAGRAPH.CENTER)
    document.add_paragraph()
    _paragraph(document, _("各镇（街道）科协，各相关单位："), indent=False)
    for paragraph in report.paragraphs:
        _paragraph(document, paragraph)
    _paragraph(
        document,
        _("现将%(scope)s有关情况通报如下：") % {"scope": report.scope_label},
    )

    number = 0
    for section in report.sections:
        landscape = len(section.columns) > 7
        if landscape:
            _orient(document, True)
        _paragraph(document, f"{NUMERALS[number]}、{section.title}", font=HEADING_FONT, size=16)
        number += 1
        _table(document, section, 9 if landscape else 10.5)
        if landscape:
            _orient(document, False)
    _paragraph(document, f"{NUMERALS[number]}、{_('下一步工作要求')}", font=HEADING_FONT, size=16)
    _paragraph(document, _("（请填写整改要求和下一步工作安排。）"))

    document.add_paragraph()
    _paragraph(document, ISSUING_BODY, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _paragraph(
        document,
        _("%(year)s年%(month)s月%(day)s日")
        % {
            "year": report.generated_at.year,
            "month": report.generated_at.month,
            "day": report.generated_at.day,
        },
        align=WD_ALIGN_PARAGRAPH.RIGHT,
    )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
