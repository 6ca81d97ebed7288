"""The shape of a report, shared by the builder and the four renderers: a ``Report`` of
``Section`` tables with typed ``Column``s, ``Chart``s and opening paragraphs. Plain data: this
module imports nothing of the portal but ``Period``."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from rollout.indicators import Period

ISSUING_BODY = "鄞州区科协“三长带三会”专项指导组办公室"

# Column types: how a value is shown in text formats and typed in spreadsheets.
TEXT, INT, HOURS, RATE, MARK = "text", "int", "hours", "rate", "mark"


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

    def cell(self, row: dict, column: Column) -> str:
        return display(row.get(column.key), column.type)


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
    # The section a CSV export carries (the town × condition matrix, the per-organisation table).
    csv_section: str
    charts: list[Chart] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)

    def section(self, key: str) -> Section:
        return next(section for section in self.sections if section.key == key)


def display(value, type_: str = TEXT) -> str:
    if value is None:
        return "—"
    if type_ == RATE:
        return f"{value * 100:.1f}%"
    if type_ == HOURS:
        return f"{value:.1f}"
    if type_ == MARK:
        return "√" if value else "×"
    return str(value)
