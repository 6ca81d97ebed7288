"""The report as an A4 PDF: a Django template rendered by WeasyPrint, in the Noto CJK fonts of
Debian's fonts-noto-cjk package (embedded, subset, in the file), with server-drawn SVG charts."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from .charts import svg
from .model import ISSUING_BODY, Report


def render_pdf(report: Report) -> bytes:
    from weasyprint import HTML  # imported late: Pango is loaded only where PDFs are built

    context = {
        "report": report,
        "issuing_body": ISSUING_BODY,
        "charts": [mark_safe(svg(chart)) for chart in report.charts],  # noqa: S308 — built from escaped text
        "sections": [
            {
                "section": section,
                "wide": len(section.columns) > 7,
                "rows": [[section.cell(row, column) for column in section.columns] for row in section.rows],
            }
            for section in report.sections
        ],
    }
    html = render_to_string("rollout/reports/pdf.html", context)
    return HTML(string=html).write_pdf()
