"""The coverage report (覆盖情况报表): the four conditions town by town, the rates they give and
their trend over the last quarters. Every figure comes from ``rollout.indicators``."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from organizations.models import Organization
from rollout import indicators as ind
from rollout.indicators import Period
from rollout.models import ReportRun

from .model import INT, MARK, RATE, Chart, Column, Report, Section, display
from .scope import ReportScope

TREND_QUARTERS = 4


def summary_section(summary: ind.CoverageSummary) -> Section:
    """覆盖率汇总: full coverage, then each condition alone."""
    section = Section(
        "summary",
        _("覆盖率汇总"),
        [
            Column("indicator", _("指标")),
            Column("met", _("达标镇（街道）数"), INT),
            Column("towns", _("镇（街道）总数"), INT),
            Column("rate", _("比率"), RATE),
        ],
    )
    section.rows.append(
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
        section.rows.append(
            {
                "indicator": label,
                "met": getattr(summary, condition),
                "towns": summary.towns,
                "rate": summary.rate_of(condition),
            }
        )
    return section


def matrix_section(rows: list[ind.TownCoverage]) -> Section:
    """镇（街道）覆盖情况: one row a town, a mark a condition, and what it misses."""
    category_labels = dict(Organization.Category.choices)
    section = Section(
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
        section.rows.append(
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
    return section


def trend_section(
    period: Period, rscope: ReportScope, today: datetime.date, known: dict | None = None
) -> Section:
    """覆盖率趋势: the quarters before the period and the period itself (or the quarters a
    longer period spans)."""
    section = Section(
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
    trend = ind.coverage_trend(period, TREND_QUARTERS, towns=rscope.towns, today=today, known=known)
    for quarter, figures in trend:
        section.rows.append(
            {
                "quarter": quarter.code,
                "towns": figures.towns,
                "covered": figures.covered,
                "coverage_rate": figures.coverage_rate,
                "organisation_rate": figures.organisation_rate,
                "work_rate": figures.work_rate,
            }
        )
    return section


def charts(summary: Section, trend: Section) -> list[Chart]:
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


def coverage_report(
    period: Period, rscope: ReportScope, *, today: datetime.date, generated_at: datetime.datetime
) -> Report:
    known = ind.town_coverages(
        [period, *ind.trend_periods(period, TREND_QUARTERS)], towns=rscope.towns, today=today
    )
    rows = known[period]
    summary = summary_section(ind.summarize(rows))
    trend = trend_section(period, rscope, today, known)
    headline = summary.rows[0]
    paragraph = _(
        "%(period)s，%(scope)s纳入统计的镇（街道）%(towns)s 个，"
        "四项条件全部达标的 %(covered)s 个，覆盖率 %(rate)s。"
    ) % {
        "period": period.code,
        "scope": rscope.label,
        "towns": headline["towns"],
        "covered": headline["met"],
        "rate": display(headline["rate"], RATE),
    }
    return Report(
        kind=ReportRun.Kind.COVERAGE,
        title=_("“三长带三会”覆盖情况报表（%(period)s）") % {"period": period.code},
        period=period,
        scope_label=rscope.label,
        generated_at=generated_at,
        reference_day=period.reference_day(today),
        sections=[summary, matrix_section(rows), trend],
        csv_section="matrix",
        charts=charts(summary, trend),
        paragraphs=[paragraph],
    )
