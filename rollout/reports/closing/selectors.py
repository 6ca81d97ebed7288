"""Reads about closed quarters: whether a day's ledger is locked, the quarters with their
state, a quarter's history, the figures of a report as the issued report keeps them, and what
differs between two sets of figures."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Min, Prefetch
from django.utils import timezone

from rollout.indicators import Period
from rollout.models import IssuedReport, IssuedReportFile, Phase, QuarterClosing, ReportRun
from sanhui import clock

from ..builder import build_report
from ..model import Report

# Quarters listed when the plan has no dates to start from.
FALLBACK_QUARTERS = 8


def closed_quarter_on(day: datetime.date) -> str | None:
    """The code of the closed quarter holding ``day`` (the ledger lock asks this), or None."""
    return (
        QuarterClosing.objects.filter(starts_on__lte=day, ends_on__gte=day, reopened_at__isnull=True)
        .values_list("quarter", flat=True)
        .first()
    )


def parse_quarter(code: str) -> Period | None:
    """The quarter named by ``code`` ("2022Q4"), or None for anything else."""
    try:
        period = Period.parse(code)
    except ValueError:
        return None
    return period if period.is_quarter else None


def is_finished(period: Period, today: datetime.date | None = None) -> bool:
    """A quarter may be closed from the first day after it, in Asia/Shanghai."""
    return period.end < (today or clock.today())


@dataclass
class QuarterState:
    period: Period
    closing: QuarterClosing | None  # the closing in force, if the quarter is closed
    latest: IssuedReport | None  # the report issued last for the quarter
    closings: int  # how many times it has been closed
    finished: bool

    @property
    def code(self) -> str:
        return self.period.code

    @property
    def is_closed(self) -> bool:
        return self.closing is not None

    @property
    def was_reopened(self) -> bool:
        return self.closing is None and self.closings > 0


def _first_quarter(today: datetime.date) -> Period:
    starts = [
        day
        for day in (
            Phase.objects.aggregate(first=Min("start_date"))["first"],
            QuarterClosing.objects.aggregate(first=Min("starts_on"))["first"],
        )
        if day is not None
    ]
    if not starts:
        return Period.containing(today).previous_quarters(FALLBACK_QUARTERS - 1)[0]
    return Period.containing(min(starts))


def quarter_states(today: datetime.date | None = None) -> list[QuarterState]:
    """Every quarter from the start of the plan to the current one, newest first."""
    today = today or clock.today()
    current = Period.containing(today)
    quarters = [current]
    first = _first_quarter(today)
    while quarters[-1].start > first.start:
        quarters.append(quarters[-1].previous_quarters(1)[0])
    closings = Counter(QuarterClosing.objects.values_list("quarter", flat=True))
    open_closings = {c.quarter: c for c in QuarterClosing.objects.filter(reopened_at__isnull=True)}
    latest: dict[str, IssuedReport] = {}
    for issued in IssuedReport.objects.order_by("issued_at", "pk").only("quarter", "reference", "issued_at"):
        latest[issued.quarter] = issued
    return [
        QuarterState(
            period=period,
            closing=open_closings.get(period.code),
            latest=latest.get(period.code),
            closings=closings[period.code],
            finished=is_finished(period, today),
        )
        for period in quarters
    ]


def quarter_state(period: Period, today: datetime.date | None = None) -> QuarterState:
    closings = QuarterClosing.objects.filter(quarter=period.code)
    return QuarterState(
        period=period,
        closing=closings.filter(reopened_at__isnull=True).select_related("closed_by").first(),
        latest=IssuedReport.objects.filter(quarter=period.code).order_by("-issued_at", "-pk").first(),
        closings=closings.count(),
        finished=is_finished(period, today),
    )


def quarter_history(period: Period) -> list[QuarterClosing]:
    """The quarter's closings, newest first, each with its issued report and files."""
    return list(
        QuarterClosing.objects.filter(quarter=period.code)
        .select_related("closed_by", "reopened_by", "issued_report")
        .prefetch_related(
            Prefetch("issued_report__files", queryset=IssuedReportFile.objects.order_by("format"))
        )
        .order_by("-closed_at", "-pk")
    )


# --------------------------------------------------------------------------- figures


def _row_key(row: dict, first_cell: str, seen: Counter) -> str:
    base = str(row.get("code") or first_cell)
    seen[base] += 1
    return base if seen[base] == 1 else f"{base}#{seen[base]}"


def report_figures(report: Report) -> dict:
    """Every section and row of ``report`` as JSON: the text of each cell as the report shows
    it, keyed so that two builds of the same quarter can be compared row by row."""
    sections = []
    for section in report.sections:
        seen: Counter = Counter()
        rows = []
        for row in section.rows:
            cells = {column.key: section.cell(row, column) for column in section.columns}
            first = next(iter(cells.values()), "")
            rows.append({"key": _row_key(row, first, seen), "label": first, "cells": cells})
        sections.append(
            {
                "key": section.key,
                "title": str(section.title),
                "columns": [{"key": column.key, "label": str(column.label)} for column in section.columns],
                "rows": rows,
            }
        )
    return {
        "title": str(report.title),
        "period": report.period.code,
        "scope": str(report.scope_label),
        "reference_day": report.reference_day.isoformat(),
        "sections": sections,
    }


def current_figures(period: Period, *, scope) -> dict:
    """The district-wide supervision report of ``period`` as it would be built now."""
    return report_figures(build_report(ReportRun.Kind.SUPERVISION, period, scope=scope))


def _row_text(row: dict) -> str:
    return "；".join(text for text in row["cells"].values() if text not in ("", "—")) or "—"


def _section_differences(title: str, issued: dict | None, now: dict | None) -> list[dict]:
    old_rows = {row["key"]: row for row in (issued or {}).get("rows", [])}
    new_rows = {row["key"]: row for row in (now or {}).get("rows", [])}
    labels = {column["key"]: column["label"] for column in ((now or issued) or {}).get("columns", [])}
    found = []
    for key in [*new_rows, *(key for key in old_rows if key not in new_rows)]:
        old, new = old_rows.get(key), new_rows.get(key)
        if old is None or new is None:
            found.append(
                {
                    "section": title,
                    "row": (new or old)["label"],
                    "column": "",
                    "issued": _row_text(old) if old else "—",
                    "now": _row_text(new) if new else "—",
                }
            )
            continue
        for column, label in labels.items():
            before, after = old["cells"].get(column, "—"), new["cells"].get(column, "—")
            if before != after:
                found.append(
                    {"section": title, "row": new["label"], "column": label, "issued": before, "now": after}
                )
    return found


def figure_differences(issued: dict, now: dict) -> list[dict]:
    """What differs between the figures issued and those of now, section by section and row
    by row: one entry a changed cell (the figure issued, the figure now), or one entry a row
    that is only in one of them."""
    old_sections = {section["key"]: section for section in issued.get("sections", [])}
    new_sections = {section["key"]: section for section in now.get("sections", [])}
    found: list[dict] = []
    for key in [*new_sections, *(key for key in old_sections if key not in new_sections)]:
        title = (new_sections.get(key) or old_sections[key])["title"]
        found.extend(_section_differences(title, old_sections.get(key), new_sections.get(key)))
    return found


@dataclass
class Comparison:
    """The report issued last for a quarter against the same report built now."""

    issued: IssuedReport
    differences: list[dict] = field(default_factory=list)
    compared_at: datetime.datetime = field(default_factory=timezone.localtime)


def compare_with_now(issued: IssuedReport, *, scope) -> Comparison:
    now = current_figures(Period.parse(issued.quarter), scope=scope)
    return Comparison(issued, figure_differences(issued.figures, now))


def issued_file_name(issued_file: IssuedReportFile) -> str:
    """The Chinese name of a download, e.g. 季度督查报告_2022Q4_鄞科协督〔2023〕1号.docx."""
    report = issued_file.report
    return f"{ReportRun.Kind.SUPERVISION.label}_{report.quarter}_{report.reference}.{issued_file.format}"
