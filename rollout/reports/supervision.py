"""The quarterly supervision report (督查通报): what was done in the period, organisation by
organisation, and what needs attention — towns with no activity, overdue tasks, associations
whose leadership holds no 三长, inspections and open rectification items.

``gather`` reads the period's facts once (ledger figures from ``rollout.indicators``; tasks,
inspections and rectification items from grouped queries on the rollout's own tables, all
filtered by the report's scope); each section is then laid out by a function of its own.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from organizations.models import Organization, Seat, active_on
from rollout import indicators as ind
from rollout.indicators import Period
from rollout.models import Inspection, Rectification, ReportRun, Task

from .model import HOURS, INT, RATE, ROW_TYPES, TEXT, Chart, Column, Report, Section, display
from .scope import ReportScope

QUARTER_NAMES = {1: "一", 2: "二", 3: "三", 4: "四"}
EMPTY_FIGURES = {"activities": 0, "people_served": 0, "reported_activities": 0, "volunteer_hours": 0.0}


@dataclass(frozen=True)
class Facts:
    """What the supervision report of one period and scope is laid out from."""

    period: Period
    on: datetime.date  # the reference day: every state is taken as it stood on it
    totals: ind.ActivityFigures
    share: ind.SeatShare
    per_org: dict[int, dict]  # organisation id → activity figures
    shares: dict[int, ind.SeatShare]
    tasks_due: dict[int, int]
    inspections: list[Inspection]
    open_items: list[Rectification]
    flags: ind.RedFlags

    @property
    def overdue_tasks(self) -> list[Task]:
        return self.flags.overdue_tasks

    def count_by_organization(self, rows) -> Counter:
        return Counter(row.organization_id for row in rows)


def _grouped_counts(queryset, field_name: str = "organization_id") -> dict[int, int]:
    return dict(queryset.order_by().values(field_name).annotate(n=Count("pk")).values_list(field_name, "n"))


def gather(period: Period, rscope: ReportScope, today: datetime.date) -> Facts:
    on = period.reference_day(today)
    activities = ind.Ledger(organizer_ids=rscope.org_ids)
    seats = rscope.filter(Seat.objects.all())
    tasks = rscope.filter(Task.objects.all())
    inspections = rscope.filter(
        Inspection.objects.filter(inspected_on__gte=period.start, inspected_on__lte=period.end)
    )
    open_items = (
        rscope.filter(ind.rectifications_on(Rectification.objects.all(), on))
        .filter(ind.rectification_open_on(on))
        .annotate(status_then=ind.status_then(Rectification))
    )
    coverage = ind.town_coverage(period, towns=rscope.towns, today=today)
    return Facts(
        period=period,
        on=on,
        totals=ind.activity_figures(activities, period),
        share=ind.seat_share(seats, on),
        per_org={row["key"]: row for row in ind.activity_breakdown(activities, period, "organizer")},
        shares=ind.seat_share_by_organization(seats, on),
        tasks_due=_grouped_counts(tasks.filter(due_date__gte=period.start, due_date__lte=period.end)),
        inspections=list(
            inspections.select_related("organization")
            .annotate(items=Count("rectifications"))
            .order_by("inspected_on", "pk")
        ),
        open_items=list(open_items.select_related("organization").order_by("deadline", "pk")),
        flags=ind.red_flags(coverage, tasks, rscope.organizations(), on),
    )


def summary_section(facts: Facts) -> Section:
    """总体情况: the headline figures."""
    totals, share = facts.totals, facts.share
    served_note = (
        _("其中 %(n)s 人次按 %(a)s 场活动的填报人数计（无扫码签到）")
        % {"n": totals.people_served_reported, "a": totals.reported_activities}
        if totals.served_is_partly_reported
        else _("均为扫码签到人数")
    )
    section = Section(
        "summary",
        _("总体情况"),
        [Column("indicator", _("指标")), Column("value", _("数值"), INT), Column("note", _("说明"))],
    )
    section.rows = [
        {"indicator": _("开展活动（场次）"), "value": totals.activities, "note": ""},
        {"indicator": _("服务人次"), "value": totals.people_served, "note": served_note},
        {
            "indicator": _("志愿服务时长（小时）"),
            "value": totals.volunteer_hours,
            "note": "",
            ROW_TYPES: {"value": HOURS},
        },
        {
            "indicator": _("三长/泛三长席位占比"),
            "value": share.share,
            ROW_TYPES: {"value": RATE},
            "note": _("三长/泛三长 %(led)s 席，共 %(total)s 席") % {"led": share.led, "total": share.total},
        },
        {"indicator": _("本期到期推进任务"), "value": sum(facts.tasks_due.values()), "note": ""},
        {
            "indicator": _("逾期推进任务"),
            "value": len(facts.overdue_tasks),
            "note": _("截至 %(day)s") % {"day": facts.on.isoformat()},
        },
        {"indicator": _("本期督查（次）"), "value": len(facts.inspections), "note": ""},
        {"indicator": _("未销号整改事项"), "value": len(facts.open_items), "note": ""},
    ]
    return section


def _organizations(facts: Facts, rscope: ReportScope) -> list[Organization]:
    """The organisations the report speaks of: every one active on the reference day (a blank
    row is a finding too), and any other with something to report in the period; by kind, then
    code."""
    involved = (
        set(facts.per_org)
        | set(facts.shares)
        | set(facts.tasks_due)
        | {row.organization_id for row in (*facts.overdue_tasks, *facts.inspections, *facts.open_items)}
    )
    organizations = list(
        rscope.organizations().filter(Q(pk__in=involved) | active_on(facts.on)).order_by("code", "pk")
    )
    kind_order = {kind: index for index, kind in enumerate(Organization.Kind.values)}
    organizations.sort(key=lambda organization: kind_order.get(organization.kind, len(kind_order)))
    return organizations


ORGANIZATION_COLUMNS = (
    ("organization", gettext_lazy("单位"), TEXT),
    ("kind", gettext_lazy("类型"), TEXT),
    ("activities", gettext_lazy("活动场次"), INT),
    ("people_served", gettext_lazy("服务人次"), INT),
    ("reported", gettext_lazy("按填报人数计的活动"), TEXT),
    ("volunteer_hours", gettext_lazy("志愿服务时长（小时）"), HOURS),
    ("seats", gettext_lazy("领导机构席位"), INT),
    ("leader_seats", gettext_lazy("三长/泛三长席位"), INT),
    ("leader_share", gettext_lazy("三长占比"), RATE),
    ("tasks_due", gettext_lazy("本期到期任务"), INT),
    ("tasks_overdue", gettext_lazy("逾期任务"), INT),
    ("inspections", gettext_lazy("本期督查"), INT),
    ("open_rectifications", gettext_lazy("未销号整改"), INT),
)


def _reported(activities: int) -> str:
    """How many activities were counted by their reported numbers, as the table reads it."""
    return ngettext("%(n)s 场", "%(n)s 场", activities) % {"n": activities} if activities else _("无")


def organizations_section(facts: Facts, rscope: ReportScope) -> Section:
    """分单位情况: one row an organisation."""
    section = Section(
        "organizations",
        _("分单位情况"),
        [Column(key, str(label), type_) for key, label, type_ in ORGANIZATION_COLUMNS],
        note=_("服务人次为扫码签到人数；无人签到的活动按填报人数计，并在“按填报人数计的活动”一栏注明场次。"),
    )
    kind_labels = dict(Organization.Kind.choices)
    overdue = facts.count_by_organization(facts.overdue_tasks)
    inspected = facts.count_by_organization(facts.inspections)
    open_count = facts.count_by_organization(facts.open_items)
    for organization in _organizations(facts, rscope):
        figures = facts.per_org.get(organization.pk, EMPTY_FIGURES)
        share = facts.shares.get(organization.pk, ind.SeatShare(0, 0))
        reported = figures["reported_activities"]
        section.rows.append(
            {
                "organization": organization.name,
                "code": organization.code,
                "kind": str(kind_labels.get(organization.kind, organization.kind)),
                "activities": figures["activities"],
                "people_served": figures["people_served"],
                "reported": _reported(reported),
                "reported_activities": reported,
                "volunteer_hours": round(figures["volunteer_hours"], 2),
                "seats": share.total,
                "leader_seats": share.led,
                "leader_share": share.share,
                "tasks_due": facts.tasks_due.get(organization.pk, 0),
                "tasks_overdue": overdue[organization.pk],
                "inspections": inspected[organization.pk],
                "open_rectifications": open_count[organization.pk],
            }
        )
    return section


def red_flags_section(facts: Facts) -> Section:
    """问题清单: towns without activity, overdue tasks, leaderships without a 三长."""
    section = Section(
        "red_flags",
        _("问题清单"),
        [Column("flag", _("问题类型")), Column("subject", _("镇（街道）/单位")), Column("detail", _("说明"))],
    )
    for row in facts.flags.idle_towns:
        detail = _("%(period)s 内该镇（街道）没有已开展的活动") % {"period": facts.period.code}
        section.rows.append({"flag": _("本期无活动"), "subject": row.region.name, "detail": detail})
    for task in facts.overdue_tasks:
        detail = _("“%(title)s”应于 %(due)s 完成，已逾期 %(days)s 天") % {
            "title": task.title,
            "due": task.due_date.isoformat(),
            "days": (facts.on - task.due_date).days,
        }
        section.rows.append({"flag": _("任务逾期"), "subject": task.organization.name, "detail": detail})
    for organization in facts.flags.leaderless:
        detail = (
            _("现有 %(n)s 个席位，无一由三长/泛三长担任") % {"n": organization.seat_count}
            if organization.seat_count
            else _("领导机构尚无任何席位")
        )
        section.rows.append({"flag": _("领导机构无三长"), "subject": organization.name, "detail": detail})
    section.note = "" if section.rows else _("本期未发现问题。")
    return section


def overdue_section(facts: Facts) -> Section:
    """逾期推进任务."""
    section = Section(
        "overdue_tasks",
        _("逾期推进任务"),
        [
            Column("organization", _("责任单位")),
            Column("task", _("任务")),
            Column("due_date", _("完成时限")),
            Column("status", _("状态")),
            Column("days", _("逾期天数"), INT),
        ],
    )
    section.rows = [
        {
            "organization": task.organization.name,
            "task": task.title,
            "due_date": task.due_date.isoformat(),
            "status": str(Task.Status(task.status_then).label),
            "days": (facts.on - task.due_date).days,
        }
        for task in facts.overdue_tasks
    ]
    return section


def inspections_section(facts: Facts) -> Section:
    """本期督查."""
    section = Section(
        "inspections",
        _("本期督查"),
        [
            Column("organization", _("被督查单位")),
            Column("date", _("督查日期")),
            Column("score", _("评分")),
            Column("items", _("整改事项"), INT),
            Column("findings", _("督查发现")),
        ],
    )
    section.rows = [
        {
            "organization": inspection.organization.name,
            "date": inspection.inspected_on.isoformat(),
            "score": "" if inspection.score is None else str(inspection.score),
            "items": inspection.items,
            "findings": inspection.findings,
        }
        for inspection in facts.inspections
    ]
    return section


def rectifications_section(facts: Facts) -> Section:
    """未销号整改事项."""
    section = Section(
        "rectifications",
        _("未销号整改事项"),
        [
            Column("organization", _("整改单位")),
            Column("title", _("整改事项")),
            Column("deadline", _("整改时限")),
            Column("status", _("状态")),
            Column("overdue", _("是否逾期")),
        ],
    )
    section.rows = [
        {
            "organization": item.organization.name,
            "title": item.title,
            "deadline": item.deadline.isoformat(),
            "status": str(Rectification.Status(item.status_then).label),
            "overdue": _("是") if item.deadline < facts.on else _("否"),
        }
        for item in facts.open_items
    ]
    return section


def title(period: Period) -> str:
    if period.is_quarter:
        return _("关于%(year)s年第%(quarter)s季度“三长带三会”工作推进情况的督查通报") % {
            "year": period.start.year,
            "quarter": QUARTER_NAMES[(period.start.month - 1) // 3 + 1],
        }
    return _("关于%(start)s至%(end)s“三长带三会”工作推进情况的督查通报") % {
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
    }


def supervision_report(
    period: Period, rscope: ReportScope, *, today: datetime.date, generated_at: datetime.datetime
) -> Report:
    facts = gather(period, rscope, today)
    table = organizations_section(facts, rscope)
    top = sorted(table.rows, key=lambda row: -row["activities"])[:12]
    paragraph = _(
        "%(period)s，%(scope)s共开展活动 %(activities)s 场，服务 %(served)s 人次，"
        "志愿服务时长 %(hours)s 小时；"
        "领导机构席位中三长/泛三长占 %(share)s。"
    ) % {
        "period": period.code,
        "scope": rscope.label,
        "activities": facts.totals.activities,
        "served": facts.totals.people_served,
        "hours": display(facts.totals.volunteer_hours, HOURS),
        "share": display(facts.share.share, RATE),
    }
    return Report(
        kind=ReportRun.Kind.SUPERVISION,
        title=title(period),
        period=period,
        scope_label=rscope.label,
        generated_at=generated_at,
        reference_day=facts.on,
        sections=[
            summary_section(facts),
            table,
            red_flags_section(facts),
            overdue_section(facts),
            inspections_section(facts),
            rectifications_section(facts),
        ],
        csv_section="organizations",
        charts=[
            Chart(
                _("各单位活动场次"),
                "bar",
                [row["organization"] for row in top],
                [row["activities"] for row in top],
            )
        ],
        paragraphs=[paragraph],
    )
