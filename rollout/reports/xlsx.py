"""The report as an Excel workbook: an information sheet, then one sheet per section, each with
its Chinese header row frozen and printed on every page, numbers stored as numbers with number
formats (counts ``0``, hours ``0.00``, rates ``0.0%``), columns as wide as their content, and a
print set-up that fits the columns on one landscape A4 page wide (pages run on downwards). Text
cells are written through ``sanhui.spreadsheets``: an organisation named ``=HYPERLINK(…)`` is
shown as text, never evaluated.

Rows are written with their own counter: openpyxl's ``max_row`` walks every cell of the sheet,
so asking for it per cell would make a large sheet quadratic."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from sanhui.spreadsheets import xlsx_row

from .model import HOURS, INT, MARK, NUMERIC, RATE, Report, Section, display

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
NUMBER_FORMATS = {INT: "0", HOURS: "0.00", RATE: "0.0%"}
WRAP = Alignment(vertical="top", wrap_text=True)
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


def _print_setup(sheet: Worksheet, *, landscape: bool = True) -> None:
    """A4, landscape, every column on one page wide and as many pages down as the rows need,
    the header row repeated at the top of each page."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE if landscape else sheet.ORIENTATION_PORTRAIT
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.oddFooter.center.text = _("第 &P 页，共 &N 页")


def _info_sheet(workbook: Workbook, report: Report) -> None:
    info = workbook.active
    info.title = _("报表信息")
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
    for number, row in enumerate(rows, start=1):
        info.append(xlsx_row(info, row))
        info.cell(number, 1).font = HEADER_FONT
        info.cell(number, 2).alignment = WRAP
    info.column_dimensions["A"].width = 12
    info.column_dimensions["B"].width = 90
    _print_setup(info, landscape=False)


def _section_sheet(workbook: Workbook, section: Section) -> None:
    sheet = workbook.create_sheet(section.title[:31])
    sheet.append(xlsx_row(sheet, [column.label for column in section.columns]))
    for cell in sheet[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    # A header may wrap onto two lines; a cell's content sets the width up to the cap.
    widths = [max(MIN_WIDTH, (_width(column.label) + 1) // 2) for column in section.columns]
    for number, (row, texts) in enumerate(zip(section.rows, section.text_rows(), strict=True), start=2):
        values = [_value(row.get(column.key), section.type_of(row, column)) for column in section.columns]
        sheet.append(xlsx_row(sheet, values))
        for index, column in enumerate(section.columns):
            type_ = section.type_of(row, column)
            cell = sheet.cell(number, index + 1)
            if type_ in NUMBER_FORMATS and cell.value is not None:
                cell.number_format = NUMBER_FORMATS[type_]
            width = _width(texts[index])
            if width > MAX_WIDTH:
                cell.alignment = WRAP
            widths[index] = max(widths[index], min(width, MAX_WIDTH))
    if section.note:
        sheet.append([])
        sheet.append(xlsx_row(sheet, [section.note]))
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width + 2
    _print_setup(sheet)


def render_xlsx(report: Report) -> bytes:
    workbook = Workbook()
    _info_sheet(workbook, report)
    for section in report.sections:
        _section_sheet(workbook, section)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
