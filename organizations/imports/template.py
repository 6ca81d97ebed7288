"""The downloadable templates of each kind of import: an XLSX workbook (the headers, required
ones marked *, an example row, the header row frozen, phone and ID columns stored as text so
that Excel and WPS keep every digit, and a 说明 sheet with each column's rules) and a CSV file
(UTF-8 with a byte-order mark, so that Excel opens it in the right encoding)."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from sanhui.spreadsheets import csv_row, neutralise

from .engine import Importer

# Columns whose cells are long digit strings: stored as text ("@"), never as numbers.
TEXT_COLUMNS = frozenset({"phone", "id_number"})
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def header(column) -> str:
    return f"{column.label}*" if column.required else str(column.label)


def _width(text: str) -> int:
    # A CJK character takes about two widths of a Latin one.
    return max(10, min(40, sum(2 if ord(char) > 0x2E7F else 1 for char in text) + 4))


def template_xlsx(importer: Importer) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(importer.sheet_title)[:31]
    for index, column in enumerate(importer.columns, start=1):
        cell = sheet.cell(row=1, column=index, value=neutralise(header(column)))
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        example = sheet.cell(row=2, column=index, value=neutralise(str(column.example)))
        example.data_type = "s"
        letter = get_column_letter(index)
        if column.key in TEXT_COLUMNS:
            # The whole column, so that rows typed below the example keep their digits too.
            for row in range(2, 1002):
                sheet.cell(row=row, column=index).number_format = "@"
        sheet.column_dimensions[letter].width = _width(max(header(column), str(column.example), key=len))
    sheet.freeze_panes = "A2"
    _notes_sheet(workbook.create_sheet(_("说明")), importer)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _notes_sheet(sheet, importer: Importer) -> None:
    titles = (_("列名"), _("是否必填"), _("也可写作"), _("填写说明"))
    for index, title in enumerate(titles, start=1):
        cell = sheet.cell(row=1, column=index, value=title)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    for row, column in enumerate(importer.columns, start=2):
        values = (
            str(column.label),
            _("必填") if column.required else _("选填"),
            "、".join(str(name) for name in column.synonyms),
            str(column.help),
        )
        for index, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=index, value=neutralise(value))
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCD", (16, 10, 36, 60), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"


def template_csv(importer: Importer) -> bytes:
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(csv_row(header(column) for column in importer.columns))
    writer.writerow(csv_row(str(column.example) for column in importer.columns))
    return ("\ufeff" + output.getvalue()).encode("utf-8")
