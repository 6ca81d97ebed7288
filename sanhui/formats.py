"""How the portal shows a programme figure: one formatter for the report files (XLSX, PDF,
DOCX, CSV) and for the pages that show the same figures (dashboards), so that a figure reads
the same wherever it appears.

Counts are shown as they are, volunteer hours with two decimals (71.25 stays 71.25), rates as
percentages with one decimal, marks as √ or ×; a missing value is a dash. Rounding is half up on
the decimal value, as people round on paper and as Excel rounds a number format, never on the
binary fraction (2.675 hours is 2.68, not 2.67).

Imports nothing of the portal: reports, dashboards and templates may all use it.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

# Figure types: how a value is shown in text and typed in spreadsheets.
TEXT, INT, HOURS, RATE, MARK = "text", "int", "hours", "rate", "mark"
NUMERIC = (INT, HOURS, RATE)
MISSING = "—"


def _decimal(value, places: str) -> Decimal:
    return Decimal(str(value)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def display(value, type_: str = TEXT) -> str:
    """``value`` as every report format and page shows a figure of ``type_``."""
    if value is None:
        return MISSING
    if type_ == RATE:
        return f"{_decimal(Decimal(str(value)) * 100, '0.1')}%"
    if type_ == HOURS:
        return str(_decimal(value, "0.01"))
    if type_ == MARK:
        return "√" if value else "×"
    return str(value)
