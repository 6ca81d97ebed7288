"""The coverage report and the quarterly supervision report, as plain data.

``build_report`` turns a kind, a period and the requester's scope into a ``Report``: sections
of rows whose every figure comes from ``rollout.indicators`` (or, for tasks, inspections and
rectifications, from grouped queries on the rollout's own tables). The format modules beside
this one (``xlsx``, ``pdf``, ``docx``, ``csv``) only lay a ``Report`` out; ``render`` picks one.

Scope: district staff, supervisors and the scheduled runs see the whole district (optionally
narrowed to one organisation and those below it); an organisation admin sees only the
organisations they administer and the towns those lie in — every row of every section is
filtered by ``ReportScope`` before anything is counted.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.models import Organization, Region, Seat
from organizations.scoping import Scope, descendant_org_ids
from rollout import indicators as ind
from rollout.indicators import Period
from rollout.models import Inspection, Rectification, ReportRun, Task
from services.models import Activity

ISSUING_BODY = "鄞州区科协“三长带三会”专项指导组办公室"
QUARTER_NAMES = {1: "一", 2: "二", 3: "三", 4: "四"}
TREND_QUARTERS = 4
# Kinds whose leadership bodies the "no 三长 in the leadership" red flag looks at.
ASSOCIATION_KINDS = (Organization.Kind.TOWN_ASSOCIATION, Organization.Kind.GRASSROOTS_ASSOCIATION)

# Column types: how a value is shown in text formats and typed in spreadsheets.
TEXT, INT, HOURS, RATE, MARK = "text", "int", "hours", "rate", "mark"


class ReportScopeError(Exception):
    """The requester may not report on what was asked (e.g. another organisation)."""


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


# --------------------------------------------------------------------------- scope


@dataclass(frozen=True)
class ReportScope:
    """What a run may count: ``org_ids`` None means the whole district."""

    org_ids: frozenset[int] | None
    towns: tuple[Region, ...]
    label: str

    def organizations(self):
        qs = Organization.objects.all()
        return qs if self.org_ids is None else qs.filter(pk__in=self.org_ids)

    def filter(self, queryset, field_name: str = "organization_id"):
        if self.org_ids is None:
            return queryset
        return queryset.filter(**{f"{field_name}__in": self.org_ids})


def _towns_containing(home_region_paths: set[str]) -> tuple[Region, ...]:
    return tuple(
        town for town in ind.towns_in_scope() if any(path.startswith(town.path) for path in home_region_paths)
    )


def report_scope(scope: Scope, organization: Organization | None = None) -> ReportScope:
    """The part of the district a requester with ``scope`` may report on, narrowed to
    ``organization`` (and those below it) when given."""
    if not scope.read_all and not scope.admin_org_ids:
        raise ReportScopeError(_("您没有生成报表的权限。"))
    if organization is None:
        if scope.read_all:
            return ReportScope(None, tuple(ind.towns_in_scope()), _("全区"))
        org_ids = frozenset(scope.admin_org_ids)
        names = list(
            Organization.objects.filter(pk__in=scope.assigned_org_ids)
            .order_by("code")
            .values_list("name", flat=True)
        )
        label = "、".join(names)
    else:
        if not scope.read_all and organization.pk not in scope.admin_org_ids:
            raise ReportScopeError(_("只能对本单位及下属组织生成报表。"))
        org_ids = frozenset(descendant_org_ids({organization.pk}))
        if not scope.read_all:
            org_ids &= scope.admin_org_ids
        label = organization.name
    # The towns are those of the organisations named (the requester's own, or the one chosen),
    # not of every association below them that may be based elsewhere.
    named = scope.assigned_org_ids if organization is None else {organization.pk}
    paths = set(Organization.objects.filter(pk__in=named).values_list("home_region__path", flat=True))
    return ReportScope(org_ids, _towns_containing(paths), label)


# --------------------------------------------------------------------------- coverage


def _coverage_sections(period: Period, rscope: ReportScope, today: datetime.date) -> list[Section]:
    rows = ind.town_coverage(period, towns=rscope.towns, today=today)
    summary = ind.summarize(rows)
    summary_section = Section(
        "summary",
        _("覆盖率汇总"),
        [
            Column("indicator", _("指标")),
            Column("met", _("达标镇（街道）数"), INT),
            Column("towns", _("镇（街道）总数"), INT),
            Column("rate", _("比率"), RATE),
        ],
    )
    summary_section.rows.append(
        {
            "indicator": _("覆盖率（四项条件全部达标）"),
            "met": summary.covered,
            "towns": summary.towns,
            "rate": summary.coverage_rate,
        }
    )
    for condition in ind.CONDITIONS:
        label = str(ind.CONDITION_LABELS[condition])
        if condition == "organised":
            label = _("组织覆盖率（%(label)s）") % {"label": label}
        elif condition == "working":
            label = _("工作覆盖率（%(label)s）") % {"label": label}
        summary_section.rows.append(
            {
                "indicator": label,
                "met": getattr(summary, condition),
                "towns": summary.towns,
                "rate": summary.rate_of(condition),
            }
        )

    category_labels = dict(Organization.Category.choices)
    matrix = Section(
        "matrix",
        _("镇（街道）覆盖情况"),
        [
            Column("town", _("镇（街道）")),
            *(Column(condition, str(ind.CONDITION_LABELS[condition]), MARK) for condition in ind.CONDITIONS),
            Column("covered", _("是否覆盖"), MARK),
            Column("activities", _("本期活动场次"), INT),
            Column("failing", _("未达标条件")),
            Column("missing_categories", _("缺少的三会类别")),
        ],
        note=_("√ 表示达标，× 表示未达标。"),
    )
    for row in rows:
        matrix.rows.append(
            {
                "town": row.region.name,
                **{condition: row.met(condition) for condition in ind.CONDITIONS},
                "covered": row.covered,
                "activities": row.activities,
                "failing": "、".join(row.failing_labels) or _("无"),
                "missing_categories": "、".join(str(category_labels[c]) for c in row.missing_categories)
                or _("无"),
            }
        )

    trend = Section(
        "trend",
        _("覆盖率趋势"),
        [
            Column("quarter", _("期间")),
            Column("towns", _("镇（街道）数"), INT),
            Column("covered", _("覆盖数"), INT),
            Column("coverage_rate", _("覆盖率"), RATE),
            Column("organisation_rate", _("组织覆盖率"), RATE),
            Column("work_rate", _("工作覆盖率"), RATE),
        ],
    )
    for quarter, figures in ind.coverage_trend(period, TREND_QUARTERS, towns=rscope.towns, today=today):
        trend.rows.append(
            {
                "quarter": quarter.code,
                "towns": figures.towns,
                "covered": figures.covered,
                "coverage_rate": figures.coverage_rate,
                "organisation_rate": figures.organisation_rate,
                "work_rate": figures.work_rate,
            }
        )
    return [summary_section, matrix, trend]


def _coverage_charts(sections: list[Section]) -> list[Chart]:
    summary, _matrix, trend = sections
    return [
        Chart(
            _("各项条件达标率"),
            "bar",
            [row["indicator"].split("（")[0] for row in summary.rows],
            [row["rate"] or 0 for row in summary.rows],
            percent=True,
        ),
        Chart(
            _("覆盖率趋势"),
            "line",
            [row["quarter"] for row in trend.rows],
            [row["coverage_rate"] or 0 for row in trend.rows],
            percent=True,
        ),
    ]


# --------------------------------------------------------------------------- supervision


def _overdue_on(on: datetime.date) -> Q:
    """Tasks overdue on the day: due before it and not finished by then (cancelled ones never)."""
    return Q(due_date__lt=on) & (
        Q(status__in=(Task.Status.NOT_STARTED, Task.Status.IN_PROGRESS))
        | Q(status=Task.Status.DONE, completed_on__gt=on)
    )


def _grouped_counts(queryset, field_name: str = "organization_id") -> dict[int, int]:
    return dict(queryset.order_by().values(field_name).annotate(n=Count("pk")).values_list(field_name, "n"))


def _supervision_sections(period: Period, rscope: ReportScope, today: datetime.date):
    on = period.reference_day(today)
    activities = rscope.filter(Activity.objects.all(), "organizer_id")
    per_org = {row["key"]: row for row in ind.activity_breakdown(activities, period, "organizer")}
    totals = ind.activity_figures(activities, period)
    seats = rscope.filter(Seat.objects.all())
    shares = ind.seat_share_by_organization(seats, on)
    share_total = ind.seat_share(seats, on)
    tasks = rscope.filter(Task.objects.all())
    due = _grouped_counts(tasks.filter(due_date__gte=period.start, due_date__lte=period.end))
    overdue_tasks = list(
        tasks.filter(_overdue_on(on)).select_related("organization").order_by("due_date", "pk")
    )
    overdue = defaultdict(int)
    for task in overdue_tasks:
        overdue[task.organization_id] += 1
    inspections = list(
        rscope.filter(Inspection.objects.filter(inspected_on__gte=period.start, inspected_on__lte=period.end))
        .select_related("organization")
        .annotate(items=Count("rectifications"))
        .order_by("inspected_on", "pk")
    )
    inspected = defaultdict(int)
    for inspection in inspections:
        inspected[inspection.organization_id] += 1
    open_items = list(
        rscope.filter(Rectification.objects.open().filter(inspection__inspected_on__lte=period.end))
        .select_related("organization")
        .order_by("deadline", "pk")
    )
    open_count = defaultdict(int)
    for item in open_items:
        open_count[item.organization_id] += 1

    # The organisations the report speaks of: every active one (a blank row is a finding too),
    # and any other with something to report in the period.
    involved = set(per_org) | set(shares) | set(due) | set(overdue) | set(inspected) | set(open_count)
    organizations = list(
        rscope.organizations()
        .filter(Q(pk__in=involved) | Q(status=Organization.Status.ACTIVE))
        .order_by("code", "pk")
    )
    kind_order = {kind: index for index, kind in enumerate(Organization.Kind.values)}
    organizations.sort(key=lambda organization: kind_order.get(organization.kind, len(kind_order)))
    kind_labels = dict(Organization.Kind.choices)

    summary = Section(
        "summary",
        _("总体情况"),
        [Column("indicator", _("指标")), Column("value", _("数值")), Column("note", _("说明"))],
    )
    share_note = _("三长/泛三长 %(led)s 席，共 %(total)s 席") % {
        "led": share_total.led,
        "total": share_total.total,
    }
    summary.rows = [
        {"indicator": _("开展活动（场次）"), "value": totals.activities, "note": ""},
        {
            "indicator": _("服务人次"),
            "value": totals.people_served,
            "note": _("其中 %(n)s 人次按 %(a)s 场活动的填报人数计（无扫码签到）")
            % {"n": totals.people_served_reported, "a": totals.reported_activities}
            if totals.served_is_partly_reported
            else _("均为扫码签到人数"),
        },
        {"indicator": _("志愿服务时长（小时）"), "value": display(totals.volunteer_hours, HOURS), "note": ""},
        {
            "indicator": _("三长/泛三长席位占比"),
            "value": display(share_total.share, RATE),
            "note": share_note,
        },
        {"indicator": _("本期到期推进任务"), "value": sum(due.values()), "note": ""},
        {
            "indicator": _("逾期推进任务"),
            "value": len(overdue_tasks),
            "note": _("截至 %(day)s") % {"day": on.isoformat()},
        },
        {"indicator": _("本期督查（次）"), "value": len(inspections), "note": ""},
        {"indicator": _("未销号整改事项"), "value": len(open_items), "note": ""},
    ]

    table = Section(
        "organizations",
        _("分单位情况"),
        [
            Column("organization", _("单位")),
            Column("kind", _("类型")),
            Column("activities", _("活动场次"), INT),
            Column("people_served", _("服务人次"), INT),
            Column("reported", _("按填报人数计的活动")),
            Column("volunteer_hours", _("志愿服务时长（小时）"), HOURS),
            Column("seats", _("领导机构席位"), INT),
            Column("leader_seats", _("三长/泛三长席位"), INT),
            Column("leader_share", _("三长占比"), RATE),
            Column("tasks_due", _("本期到期任务"), INT),
            Column("tasks_overdue", _("逾期任务"), INT),
            Column("inspections", _("本期督查"), INT),
            Column("open_rectifications", _("未销号整改"), INT),
        ],
        note=_("服务人次为扫码签到人数；无人签到的活动按填报人数计，并在“按填报人数计的活动”一栏注明场次。"),
    )
    empty = {"activities": 0, "people_served": 0, "reported_activities": 0, "volunteer_hours": 0.0}
    for organization in organizations:
        figures = per_org.get(organization.pk, empty)
        share = shares.get(organization.pk, ind.SeatShare(0, 0))
        table.rows.append(
            {
                "organization": organization.name,
                "code": organization.code,
                "kind": str(kind_labels.get(organization.kind, organization.kind)),
                "activities": figures["activities"],
                "people_served": figures["people_served"],
                "reported": _("%(n)s 场") % {"n": figures["reported_activities"]}
                if figures["reported_activities"]
                else _("无"),
                "reported_activities": figures["reported_activities"],
                "volunteer_hours": round(figures["volunteer_hours"], 2),
                "seats": share.total,
                "leader_seats": share.led,
                "leader_share": share.share,
                "tasks_due": due.get(organization.pk, 0),
                "tasks_overdue": overdue.get(organization.pk, 0),
                "inspections": inspected.get(organization.pk, 0),
                "open_rectifications": open_count.get(organization.pk, 0),
            }
        )

    flags = Section(
        "red_flags",
        _("问题清单"),
        [Column("flag", _("问题类型")), Column("subject", _("镇（街道）/单位")), Column("detail", _("说明"))],
    )
    for row in ind.town_coverage(period, towns=rscope.towns, today=today):
        if not row.working:
            flags.rows.append(
                {
                    "flag": _("本期无活动"),
                    "subject": row.region.name,
                    "detail": _("%(period)s 内该镇（街道）没有已开展的活动") % {"period": period.code},
                }
            )
    for task in overdue_tasks:
        flags.rows.append(
            {
                "flag": _("任务逾期"),
                "subject": task.organization.name,
                "detail": _("“%(title)s”应于 %(due)s 完成，已逾期 %(days)s 天")
                % {"title": task.title, "due": task.due_date.isoformat(), "days": (on - task.due_date).days},
            }
        )
    association_names = dict(
        rscope.organizations().filter(kind__in=ASSOCIATION_KINDS).values_list("pk", "name")
    )
    for organization_id, share in sorted(shares.items()):
        if organization_id in association_names and share.total and not share.led:
            flags.rows.append(
                {
                    "flag": _("领导机构无三长"),
                    "subject": association_names[organization_id],
                    "detail": _("现有 %(n)s 个席位，无一由三长/泛三长担任") % {"n": share.total},
                }
            )
    flags.note = "" if flags.rows else _("本期未发现问题。")

    overdue_section = Section(
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
    for task in overdue_tasks:
        overdue_section.rows.append(
            {
                "organization": task.organization.name,
                "task": task.title,
                "due_date": task.due_date.isoformat(),
                "status": str(task.get_status_display()),
                "days": (on - task.due_date).days,
            }
        )

    inspection_section = Section(
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
    for inspection in inspections:
        inspection_section.rows.append(
            {
                "organization": inspection.organization.name,
                "date": inspection.inspected_on.isoformat(),
                "score": "" if inspection.score is None else str(inspection.score),
                "items": inspection.items,
                "findings": inspection.findings,
            }
        )

    rectification_section = Section(
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
    for item in open_items:
        rectification_section.rows.append(
            {
                "organization": item.organization.name,
                "title": item.title,
                "deadline": item.deadline.isoformat(),
                "status": str(item.get_status_display()),
                "overdue": _("是") if item.deadline < on else _("否"),
            }
        )
    sections = [summary, table, flags, overdue_section, inspection_section, rectification_section]
    return sections, totals, share_total


def _supervision_title(period: Period) -> str:
    if period.is_quarter:
        return _("关于%(year)s年第%(quarter)s季度“三长带三会”工作推进情况的督查通报") % {
            "year": period.start.year,
            "quarter": QUARTER_NAMES[(period.start.month - 1) // 3 + 1],
        }
    return _("关于%(start)s至%(end)s“三长带三会”工作推进情况的督查通报") % {
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
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
    today = today or timezone.localdate()
    rscope = report_scope(scope, organization)
    generated_at = timezone.localtime()
    if kind == ReportRun.Kind.COVERAGE:
        sections = _coverage_sections(period, rscope, today)
        summary = sections[0].rows[0]
        paragraphs = [
            _(
                "%(period)s，%(scope)s纳入统计的镇（街道）%(towns)s 个，"
                "四项条件全部达标的 %(covered)s 个，覆盖率 %(rate)s。"
            )
            % {
                "period": period.code,
                "scope": rscope.label,
                "towns": summary["towns"],
                "covered": summary["met"],
                "rate": display(summary["rate"], RATE),
            }
        ]
        return Report(
            kind=kind,
            title=_("“三长带三会”覆盖情况报表（%(period)s）") % {"period": period.code},
            period=period,
            scope_label=rscope.label,
            generated_at=generated_at,
            reference_day=period.reference_day(today),
            sections=sections,
            csv_section="matrix",
            charts=_coverage_charts(sections),
            paragraphs=paragraphs,
        )
    if kind == ReportRun.Kind.SUPERVISION:
        sections, totals, share = _supervision_sections(period, rscope, today)
        table = sections[1]
        top = sorted(table.rows, key=lambda row: -row["activities"])[:12]
        paragraphs = [
            _(
                "%(period)s，%(scope)s共开展活动 %(activities)s 场，服务 %(served)s 人次，"
                "志愿服务时长 %(hours)s 小时；"
                "领导机构席位中三长/泛三长占 %(share)s。"
            )
            % {
                "period": period.code,
                "scope": rscope.label,
                "activities": totals.activities,
                "served": totals.people_served,
                "hours": display(totals.volunteer_hours, HOURS),
                "share": display(share.share, RATE),
            }
        ]
        return Report(
            kind=kind,
            title=_supervision_title(period),
            period=period,
            scope_label=rscope.label,
            generated_at=generated_at,
            reference_day=period.reference_day(today),
            sections=sections,
            csv_section="organizations",
            charts=[
                Chart(
                    _("各单位活动场次"),
                    "bar",
                    [row["organization"] for row in top],
                    [row["activities"] for row in top],
                )
            ],
            paragraphs=paragraphs,
        )
    raise ValueError(f"unknown report kind: {kind}")


CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "csv": "text/csv; charset=utf-8",
}


def render(report: Report, fmt: str) -> bytes:
    """The report laid out in one of the four formats."""
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

        return render_csv(report)
    raise ValueError(f"unknown report format: {fmt}")
