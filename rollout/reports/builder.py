"""``build_report`` and ``render``: a kind, a period and the requester's scope in, a ``Report``
out, then laid out in one of the four formats."""

from __future__ import annotations

import datetime

from django.utils import timezone

from organizations.models import Organization
from organizations.scoping import Scope
from rollout.indicators import Period
from rollout.models import ReportRun
from sanhui import clock

from .coverage import coverage_report
from .model import Report
from .scope import report_scope
from .supervision import supervision_report

# What each format's file is: its media type and its extension. A CSV report is a ZIP of one
# CSV file per section; one section alone is a plain CSV file.
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "csv": "application/zip",
}
EXTENSIONS = {"xlsx": "xlsx", "pdf": "pdf", "docx": "docx", "csv": "zip"}
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
BUILDERS = {
    ReportRun.Kind.COVERAGE: coverage_report,
    ReportRun.Kind.SUPERVISION: supervision_report,
}


def build_report(
    kind: str,
    period: Period,
    *,
    scope: Scope,
    organization: Organization | None = None,
    today: datetime.date | None = None,
) -> Report:
    """The report of ``kind`` for ``period``, limited to what ``scope`` may see."""
    if kind not in BUILDERS:
        raise ValueError(f"unknown report kind: {kind}")
    rscope = report_scope(scope, organization)
    return BUILDERS[kind](period, rscope, today=today or clock.today(), generated_at=timezone.localtime())


def file_extension(fmt: str) -> str:
    """The extension of a file rendered in ``fmt`` (``zip`` for the CSV sections)."""
    return EXTENSIONS.get(fmt, fmt)


def render(report: Report, fmt: str, *, section: str | None = None) -> bytes:
    """The report laid out in one of the four formats; for CSV, ``section`` (a section's key)
    asks for that section alone as a plain CSV file instead of the ZIP of them all."""
    if fmt == "xlsx":
        from .xlsx import render_xlsx

        return render_xlsx(report)
    if fmt == "pdf":
        from .pdf import render_pdf

        return render_pdf(report)
    if fmt == "docx":
        from .docx import render_docx

        return render_docx(report)
    if fmt == "csv":
        from .csv import render_csv

        return render_csv(report, section)
    raise ValueError(f"unknown report format: {fmt}")
