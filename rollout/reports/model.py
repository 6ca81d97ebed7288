"""The shape of a report, shared by the builder and the four renderers: a ``Report`` of
``Section`` tables with typed ``Column``s, ``Chart``s and opening paragraphs. Plain data: this
module imports nothing of the portal but ``Period`` and the shared figure formatter
(``sanhui.formats``); how the DOCX and the PDF lay a report out as a document is
``rollout.reports.document``.

A cell keeps its value (a number stays a number) until a renderer shows it; its type is the
column's, unless the row names another for that column (``ROW_TYPES``), as the headline rows of
a summary do: one row a count, the next hours, the next a rate.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rollout.indicators import Period
from sanhui.formats import HOURS, INT, MARK, NUMERIC, RATE, TEXT, display

__all__ = [
    "HOURS",
    "INT",
    "MARK",
    "NUMERIC",
    "RATE",
    "ROW_TYPES",
    "TEXT",
    "Chart",
    "Column",
    "Report",
    "Section",
    "display",
]

ISSUING_BODY = "鄞州区科协“三长带三会”专项指导组办公室"
# The 主送机关 and 抄送机关 of the notice; staff may change them in Word before it is issued.
ADDRESSEES = gettext_lazy("各镇（街道）科协，各相关单位：")
COPIED_TO = gettext_lazy("区科协领导班子成员，专项指导组各成员。")
# A row's own types for some of its cells, e.g. {"value": HOURS}, over the columns' types.
ROW_TYPES = "_types"
# Tables wider than this many columns go to an annex, on landscape pages of their own.
ANNEX_COLUMNS = 7


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    type: str = TEXT


@dataclass
class Section:
    key: str
    title: str
    columns: list[Column]
    rows: list[dict] = field(default_factory=list)
    note: str = ""

    def type_of(self, row: dict, column: Column) -> str:
        return row.get(ROW_TYPES, {}).get(column.key, column.type)

    def cell(self, row: dict, column: Column) -> str:
        return display(row.get(column.key), self.type_of(row, column))

    def text_rows(self) -> list[list[str]]:
        return [[self.cell(row, column) for column in self.columns] for row in self.rows]

    @property
    def wide(self) -> bool:
        return len(self.columns) > ANNEX_COLUMNS


@dataclass
class Chart:
    title: str
    kind: str  # "bar" or "line"
    labels: list[str]
    values: list[float]
    percent: bool = False


@dataclass
class Report:
    kind: str
    title: str
    period: Period
    scope_label: str
    generated_at: datetime.datetime
    reference_day: datetime.date
    sections: list[Section]
    # The section a CSV export of one table carries (the town × condition matrix, the
    # per-organisation table); the full CSV export holds every section.
    csv_section: str
    charts: list[Chart] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    # The number of the issued notice (发文字号); blank for staff to fill in until it is issued.
    number: int | None = None

    def section(self, key: str) -> Section:
        return next(section for section in self.sections if section.key == key)

    @property
    def issued_on(self) -> datetime.date:
        return timezone.localtime(self.generated_at).date()

    def document_number(self) -> str:
        """发文字号 with the year of issue, e.g. 鄞科协督〔2023〕4号."""
        number = "　" if self.number is None else str(self.number)
        return _("鄞科协督〔%(year)s〕%(number)s号") % {"year": self.issued_on.year, "number": number}

    def issue_date(self) -> str:
        day = self.issued_on
        return _("%(year)s年%(month)s月%(day)s日") % {"year": day.year, "month": day.month, "day": day.day}
