"""Cells of the portal's CSV and XLSX exports, safe to open in Excel and WPS.

A spreadsheet may read a text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return as a formula (CSV injection): a person named ``=HYPERLINK(…)`` would become a
live link in a town secretary's copy of the people list. Such text is written with a single
quote in front, as OWASP's guidance on CSV injection says; in XLSX it is also stored as a
string cell, which Excel shows and never evaluates (openpyxl would otherwise store a str that
begins with ``=`` as a formula). Numbers are not text: a negative count stays a number.

Every export writes its cells through this module: the people list (CSV), the volunteer
records for the national platform (XLSX) and the report files (XLSX and CSV).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.utils.functional import Promise
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import TYPE_STRING

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def is_number(value) -> bool:
    """Whether ``value`` is a number a spreadsheet should keep as a number (not a bool)."""
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def neutralise(value):
    """``value`` with a single quote in front when it is text that begins like a formula;
    anything else (numbers, dates, ``None``) unchanged."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def restored(value):
    """``value`` as it was before ``neutralise``: the single quote in front of text that begins
    like a formula is taken away, so that a file the portal wrote (an export, the rejected rows
    of an import) reads back as it was written. Any other value is unchanged."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def csv_row(values: Iterable) -> list:
    """A row for ``csv.writer``, every text cell neutralised."""
    return [neutralise(value) for value in values]


def xlsx_cell(sheet, value):
    """What to append to an openpyxl sheet (normal or write-only) for ``value``: text becomes a
    string cell, neutralised; numbers, dates, ``None`` and cells already built pass through."""
    if isinstance(value, Promise):
        value = str(value)
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value=neutralise(value))
    cell.data_type = TYPE_STRING
    return cell


def xlsx_row(sheet, values: Iterable) -> list:
    """A row for ``sheet.append``, every text cell a neutralised string cell."""
    return [xlsx_cell(sheet, value) for value in values]
