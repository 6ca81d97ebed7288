"""The exports of the rollout's lists: tasks, inspections and rectification items
(``organizations.exports``).

Each export has the columns its page shows, in the page's order, with what the page abbreviates
written out (the phase and stage, the supervisor, the rectification counts, days overdue as a
number); the rows are the page's own (``rollout.plan.views.*_rows``), refused to those the page
refuses.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from organizations.exports.registry import Column, ListExport, choice_label, page_of, register

from .models import Rectification, Task
from .plan import views


def _phase(task) -> str:
    return f"{task.phase.label} · {task.stage.label}" if task.stage_id else task.phase.label


def _supervisor(inspection) -> str:
    user = inspection.supervisor
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


TASK_COLUMNS = (
    Column(gettext_lazy("任务"), lambda t: t.title, width=36),
    Column(gettext_lazy("责任单位"), lambda t: t.organization.name if t.organization_id else "", width=28),
    Column(gettext_lazy("阶段"), _phase, width=24),
    Column(gettext_lazy("完成时限"), lambda t: t.due_date, width=12),
    Column(gettext_lazy("状态"), choice_label(Task, "status"), width=10),
    Column(gettext_lazy("逾期天数"), lambda t: t.days_overdue(), width=10),
)

INSPECTION_COLUMNS = (
    Column(gettext_lazy("督查日期"), lambda i: i.inspected_on, width=12),
    Column(gettext_lazy("被督查单位"), lambda i: i.organization.name, width=28),
    Column(gettext_lazy("督查编号"), lambda i: i.reference),
    Column(gettext_lazy("督查人"), _supervisor, width=12),
    Column(gettext_lazy("评分"), lambda i: i.score, width=8),
    Column(gettext_lazy("整改事项"), lambda i: i.rectification_count, width=10),
    Column(gettext_lazy("未销号"), lambda i: i.open_count, width=8),
    Column(gettext_lazy("逾期"), lambda i: i.overdue_count, width=8),
)

RECTIFICATION_COLUMNS = (
    Column(gettext_lazy("整改事项"), lambda r: r.title, width=36),
    Column(gettext_lazy("责任人"), lambda r: r.owner_name, width=12),
    Column(gettext_lazy("整改单位"), lambda r: r.organization.name, width=28),
    Column(gettext_lazy("督查日期"), lambda r: r.inspection.inspected_on, width=12),
    Column(gettext_lazy("整改时限"), lambda r: r.deadline, width=12),
    Column(gettext_lazy("状态"), choice_label(Rectification, "status"), width=10),
    Column(gettext_lazy("逾期天数"), lambda r: r.days_overdue(), width=10),
    Column(gettext_lazy("佐证"), lambda r: r.evidence_count, width=8),
)


def register_exports() -> None:
    register(
        ListExport(
            key="tasks",
            title=gettext_lazy("推进任务"),
            columns=TASK_COLUMNS,
            rows=lambda request: views.task_rows(request)[1],
            page=page_of("rollout:task_list"),
        )
    )
    register(
        ListExport(
            key="inspections",
            title=gettext_lazy("督查记录"),
            columns=INSPECTION_COLUMNS,
            rows=lambda request: views.inspection_rows(request)[1],
            page=page_of("rollout:inspection_list"),
        )
    )
    register(
        ListExport(
            key="rectifications",
            title=gettext_lazy("整改事项"),
            columns=RECTIFICATION_COLUMNS,
            rows=lambda request: views.rectification_rows(request)[1],
            page=page_of("rollout:rectification_list"),
        )
    )
