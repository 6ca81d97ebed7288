"""The plan itself: the dates of its phases and stages, and its milestones.

Atomic, scoped to the actor, validated with messages keyed by field; see the package's docstring."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from organizations.actions import audit_record, field_changes, initial_values
from rollout.models import (
    Milestone,
    Phase,
    Stage,
)
from sanhui.clock import today

from .checks import _check_dates, _raise, _require_plan_manager, _unique


@transaction.atomic
def phase_update(
    *,
    actor,
    phase: Phase,
    name: str,
    summary: str,
    start_date: datetime.date,
    end_date: datetime.date,
) -> Phase:
    _require_plan_manager(actor)
    _check_dates(start_date, end_date)
    outside = [
        stage for stage in phase.stages.all() if stage.start_date < start_date or stage.end_date > end_date
    ]
    if outside:
        raise ValidationError(
            {
                "start_date": _(
                    "子阶段“%(stage)s”（%(start)s 至 %(end)s）将超出本阶段的时间范围，请先调整子阶段。"
                )
                % {
                    "stage": outside[0].name,
                    "start": outside[0].start_date.isoformat(),
                    "end": outside[0].end_date.isoformat(),
                }
            }
        )
    data = {"name": name.strip(), "summary": summary.strip(), "start_date": start_date, "end_date": end_date}
    changes = field_changes(phase, data)
    for key, value in data.items():
        setattr(phase, key, value)
    phase.save()
    if changes:
        audit_record(actor=actor, action="phase_update", obj=phase, summary=str(phase), changes=changes)
    return phase


@transaction.atomic
def stage_update(
    *,
    actor,
    stage: Stage,
    name: str,
    summary: str,
    target: str,
    start_date: datetime.date,
    end_date: datetime.date,
) -> Stage:
    _require_plan_manager(actor)
    _check_dates(start_date, end_date)
    phase = stage.phase
    if start_date < phase.start_date or end_date > phase.end_date:
        raise ValidationError(
            {
                "start_date": _("子阶段须在“%(phase)s”的时间范围（%(start)s 至 %(end)s）之内。")
                % {
                    "phase": phase.name,
                    "start": phase.start_date.isoformat(),
                    "end": phase.end_date.isoformat(),
                }
            }
        )
    data = {
        "name": name.strip(),
        "summary": summary.strip(),
        "target": target.strip(),
        "start_date": start_date,
        "end_date": end_date,
    }
    changes = field_changes(stage, data)
    for key, value in data.items():
        setattr(stage, key, value)
    stage.save()
    if changes:
        audit_record(actor=actor, action="stage_update", obj=stage, summary=str(stage), changes=changes)
    return stage


def _clean_milestone(
    *, phase: Phase, stage: Stage | None, title: str, achieved_on: datetime.date | None, exclude_pk=None
) -> None:
    errors: dict[str, list[str]] = {}
    if stage is not None and stage.phase_id != phase.pk:
        errors["stage"] = [_("所选子阶段不属于该阶段。")]
    if achieved_on and achieved_on > today():
        errors["achieved_on"] = [_("达成日期不能晚于今天。")]
    clash = Milestone.objects.filter(phase=phase, title=title)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        errors["title"] = [_("本阶段已有同名的里程碑。")]
    _raise(errors)


@transaction.atomic
def milestone_create(
    *,
    actor,
    phase: Phase,
    title: str,
    due_date: datetime.date,
    stage: Stage | None = None,
    description: str = "",
    achieved_on: datetime.date | None = None,
) -> Milestone:
    _require_plan_manager(actor)
    title = title.strip()
    _clean_milestone(phase=phase, stage=stage, title=title, achieved_on=achieved_on)
    with _unique("title", _("本阶段已有同名的里程碑。")):
        milestone = Milestone.objects.create(
            phase=phase,
            stage=stage,
            title=title,
            description=description.strip(),
            due_date=due_date,
            achieved_on=achieved_on,
        )
    audit_record(
        actor=actor,
        action="milestone_create",
        obj=milestone,
        summary=milestone.title,
        changes=initial_values(
            milestone, ("phase", "stage", "title", "description", "due_date", "achieved_on")
        ),
    )
    return milestone


@transaction.atomic
def milestone_update(*, actor, milestone: Milestone, data: dict[str, Any]) -> Milestone:
    _require_plan_manager(actor)
    allowed = {
        key: data[key]
        for key in ("phase", "stage", "title", "description", "due_date", "achieved_on")
        if key in data
    }
    if "title" in allowed:
        allowed["title"] = allowed["title"].strip()
    _clean_milestone(
        phase=allowed.get("phase", milestone.phase),
        stage=allowed.get("stage", milestone.stage),
        title=allowed.get("title", milestone.title),
        achieved_on=allowed.get("achieved_on", milestone.achieved_on),
        exclude_pk=milestone.pk,
    )
    changes = field_changes(milestone, allowed)
    for key, value in allowed.items():
        setattr(milestone, key, value)
    with _unique("title", _("本阶段已有同名的里程碑。")):
        milestone.save()
    if changes:
        audit_record(
            actor=actor, action="milestone_update", obj=milestone, summary=milestone.title, changes=changes
        )
    return milestone
