"""The report as an Excel workbook: an information sheet, then one sheet per section, each with
its Chinese header row frozen and printed on every page, numbers stored as numbers with number
formats (counts ``0``, hours ``0.00``, rates ``0.0%``), columns as wide as their content, and a
print set-up that fits the columns on one landscape A4 page wide (pages run on downwards). Text
cells are written through ``sanhui.spreadsheets``: an organisation named ``=HYPERLINK(…)`` is
shown as text, never evaluated.

The workbook is written in openpyxl's write-only mode: each row goes to the file as it is
appended, with its cells styled as they are made, so that time and memory grow with the rows and
nothing asks the sheet for its size (``max_row`` walks every cell, which made a sheet of 1,400
towns quadratic). A column's width depends on every row, so the widths are measured first, from
the section's text, and the rows written after."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from sanhui.spreadsheets import xlsx_cell, xlsx_row

from .model import HOURS, INT, MARK, NUMERIC, RATE, Report, Section, display

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
NUMBER_FORMATS = {INT: "0", HOURS: "0.00", RATE: "0.0%"}
WRAP = Alignment(vertical="top", wrap_text=True)
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)
# Widths in Excel's unit (about one Latin character; a CJK character takes two).
MIN_WIDTH, MAX_WIDTH = 6, 50


def _value(value, type_: str):
    if value is None:
        return None
    if type_ in NUMERIC:
        return value
    if type_ == MARK:
        return display(value, MARK)
    # Counts in free-form columns stay numbers in the spreadsheet.
    return value if isinstance(value, int | float) and not isinstance(value, bool) else str(value)


def _width(text: str) -> int:
    return sum(2 if ord(char) >= 0x2E80 else 1 for char in text)


def _print_setup(sheet: WriteOnlyWorksheet, *, landscape: bool = True) -> None:
    """A4, landscape, every column on one page wide and as many pages down as the rows need,
    the header row repeated at the top of each page."""
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    orientation = Worksheet.ORIENTATION_LANDSCAPE if landscape else Worksheet.ORIENTATION_PORTRAIT
    sheet.page_setup.orientation = orientation
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.HeaderFooter.oddFooter.center.text = _("第 &P 页，共 &N 页")


def _cell(sheet: WriteOnlyWorksheet, value, *, font=None, fill=None, alignment=None, number_format=None):
    """A cell ready to append: text through the formula guard, then the style given."""
    cell = xlsx_cell(sheet, value)
    if not isinstance(cell, Cell):
        cell = WriteOnlyCell(sheet, value=cell)
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if alignment is not None:
        cell.alignment = alignment
    if number_format is not None:
        cell.number_format = number_format
    return cell


def _info_sheet(workbook: Workbook, report: Report) -> None:
    info = workbook.create_sheet(_("报表信息"))
    info.column_dimensions["A"].width = 12
    info.column_dimensions["B"].width = 90
    _print_setup(info, landscape=False)
    rows = (
        (_("报表"), report.title),
        (
            _("统计期间"),
            f"{report.period.start.isoformat()} — {report.period.end.isoformat()}（{report.period.code}）",
        ),
        (_("统计范围"), report.scope_label),
        (_("生成时间"), report.generated_at.strftime("%Y-%m-%d %H:%M")),
        *((_("概述"), paragraph) for paragraph in report.paragraphs),
    )
    for label, text in rows:
        info.append([_cell(info, label, font=HEADER_FONT), _cell(info, text, alignment=WRAP)])


def _widths(section: Section, text_rows: list[list[str]]) -> list[int]:
    """Each column as wide as its widest cell, up to the cap; a header may wrap onto two lines."""
    widths = [max(MIN_WIDTH, (_width(column.label) + 1) // 2) for column in section.columns]
    for texts in text_rows:
        for index, text in enumerate(texts):
            widths[index] = max(widths[index], min(_width(text), MAX_WIDTH))
    return widths


def _section_sheet(workbook: Workbook, section: Section) -> None:
    sheet = workbook.create_sheet(section.title[:31])
    text_rows = section.text_rows()
    for index, width in enumerate(_widths(section, text_rows), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width + 2
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    _print_setup(sheet)
    sheet.append(
        [
            _cell(sheet, column.label, font=HEADER_FONT, fill=HEADER_FILL, alignment=HEADER_ALIGNMENT)
            for column in section.columns
        ]
    )
    for row, texts in zip(section.rows, text_rows, strict=True):
        cells = []
        for column, text in zip(section.columns, texts, strict=True):
            type_ = section.type_of(row, column)
            value = _value(row.get(column.key), type_)
            cells.append(
                _cell(
                    sheet,
                    value,
                    number_format=NUMBER_FORMATS.get(type_) if value is not None else None,
                    alignment=WRAP if _width(text) > MAX_WIDTH else None,
                )
            )
        sheet.append(cells)
    if section.note:
        sheet.append([])
        sheet.append(xlsx_row(sheet, [section.note]))


def render_xlsx(report: Report) -> bytes:
    workbook = Workbook(write_only=True)
    _info_sheet(workbook, report)
    for section in report.sections:
        _section_sheet(workbook, section)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
