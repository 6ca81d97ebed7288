"""The report as an Excel workbook: an information sheet, then one sheet per section, each
with its Chinese header row frozen, numbers stored as numbers and rates as percentages."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .model import HOURS, INT, MARK, RATE, Report, display

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
NUMBER_FORMATS = {INT: "0", HOURS: "0.0", RATE: "0.0%"}


def _value(value, type_: str):
    if value is None:
        return None
    if type_ in (INT, HOURS, RATE):
        return value
    if type_ == MARK:
        return display(value, MARK)
    # Counts in free-form columns (the summary's values) stay numbers in the spreadsheet.
    return value if isinstance(value, int | float) and not isinstance(value, bool) else str(value)


def _width(text: str) -> int:
    # CJK characters take two columns of Excel's width unit.
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)


def render_xlsx(report: Report) -> bytes:
    workbook = Workbook()
    info = workbook.active
    info.title = _("报表信息")
    for row in (
        (_("报表"), report.title),
        (
            _("统计期间"),
            f"{report.period.start.isoformat()} — {report.period.end.isoformat()}（{report.period.code}）",
        ),
        (_("统计范围"), report.scope_label),
        (_("生成时间"), report.generated_at.strftime("%Y-%m-%d %H:%M")),
        *((_("概述"), paragraph) for paragraph in report.paragraphs),
    ):
        info.append(row)
        info.cell(info.max_row, 1).font = HEADER_FONT
    info.column_dimensions["A"].width = 12
    info.column_dimensions["B"].width = 90

    for section in report.sections:
        sheet = workbook.create_sheet(section.title[:31])
        sheet.append([column.label for column in section.columns])
        for cell in sheet[1]:
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(vertical="center", wrap_text=True)
        widths = [_width(column.label) for column in section.columns]
        for row in section.rows:
            sheet.append([_value(row.get(column.key), column.type) for column in section.columns])
            for index, column in enumerate(section.columns):
                cell = sheet.cell(sheet.max_row, index + 1)
                if column.type in NUMBER_FORMATS and cell.value is not None:
                    cell.number_format = NUMBER_FORMATS[column.type]
                widths[index] = max(widths[index], min(_width(str(cell.value or "")), 60))
        if section.note:
            sheet.append([])
            sheet.append([section.note])
        sheet.freeze_panes = "A2"
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width + 2
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
