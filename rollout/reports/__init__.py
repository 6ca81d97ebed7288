"""The coverage report and the quarterly supervision report.

Owns: the report model (``model``: ``Report``, ``Section``, ``Column``, ``Chart``), the part of
the district a requester may report on (``scope``), one module per kind of report whose
functions each lay out one section (``coverage``, ``supervision``), ``build_report`` and
``render`` (``builder``), the four renderers (``xlsx``, ``pdf``, ``docx``, ``csv``, which import
``model`` only), and the stored report runs with their pages, form and background tasks
(``actions``, ``views``, ``urls``, ``forms``).

May import: ``rollout.indicators`` (every ledger and coverage figure comes from there, never
computed here), ``rollout.models`` (tasks, inspections and rectification items are counted with
grouped queries of their own), ``organizations`` and ``services.models``. Nothing in
``rollout.plan`` or ``rollout.dashboards`` imports it, nor does it import them.
"""

from .builder import CONTENT_TYPES, build_report, render
from .model import Chart, Column, Report, Section, display
from .scope import ReportScope, ReportScopeError, report_scope

__all__ = [
    "CONTENT_TYPES",
    "Chart",
    "Column",
    "Report",
    "ReportScope",
    "ReportScopeError",
    "Section",
    "build_report",
    "display",
    "render",
    "report_scope",
]
