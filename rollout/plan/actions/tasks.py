"""Tasks of the plan: creating and changing them (district staff) and recording their progress
(the responsible organisation), with each status change kept in the task's history.

Atomic, scoped to the actor, validated with messages keyed by field; see the package's docstring."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from organizations.actions import audit_record, field_changes, initial_values, require
from organizations.models import Organization
from organizations.scoping import scope_for, scoped
from rollout.models import (
    Phase,
    Stage,
    Task,
    TaskUpdate,
)
from sanhui.clock import today

from .checks import _raise, _require_plan_manager, _unique


def _clean_task(
    *,
    phase: Phase,
    stage: Stage | None,
    organization: Organization,
    title: str,
    exclude_pk: int | None = None,
    organization_changed: bool = True,
) -> None:
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [_("请填写任务名称。")]
    if stage is not None and stage.phase_id != phase.pk:
        errors["stage"] = [_("所选子阶段不属于该阶段。")]
    if organization_changed and organization.status == Organization.Status.DISSOLVED:
        errors["organization"] = [_("不能把任务交给已撤销的组织。")]
    clash = Task.objects.filter(phase=phase, organization=organization, title=title)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if title and clash.exists():
        errors["title"] = [_("该责任单位在本阶段已有同名任务。")]
    _raise(errors)


def _task_transition(*, actor, task: Task, status: str, note: str) -> TaskUpdate:
    """Move the task to ``status`` (possibly the same) and write the history row."""
    old = task.status
    if status != old:
        task.status = status
        task.completed_on = today() if status == Task.Status.DONE else None
        task.save(update_fields=["status", "completed_on", "updated_at"])
    return TaskUpdate.objects.create(
        task=task,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        old_status=old,
        new_status=status,
        note=note,
    )


@transaction.atomic
def task_create(
    *,
    actor,
    phase: Phase,
    title: str,
    organization: Organization,
    due_date: datetime.date,
    stage: Stage | None = None,
    description: str = "",
) -> Task:
    _require_plan_manager(actor)
    title = title.strip()
    _clean_task(phase=phase, stage=stage, organization=organization, title=title)
    try:
        with transaction.atomic():
            task = Task.objects.create(
                phase=phase,
                stage=stage,
                title=title,
                description=description.strip(),
                organization=organization,
                due_date=due_date,
                created_by=actor,
            )
    except IntegrityError:
        raise ValidationError({"title": _("该责任单位在本阶段已有同名任务。")}) from None
    # The history starts with the task: no earlier status, the status it was created with.
    TaskUpdate.objects.create(task=task, actor=actor, old_status="", new_status=task.status)
    audit_record(
        actor=actor,
        action="task_create",
        obj=task,
        summary=task.title,
        changes=initial_values(
            task, ("phase", "stage", "title", "description", "organization", "due_date", "status")
        ),
    )
    return task


@transaction.atomic
def task_update(*, actor, task: Task, data: dict[str, Any]) -> Task:
    """District staff change any field of a task; a status change also enters its history."""
    _require_plan_manager(actor)
    allowed = {
        key: data[key]
        for key in ("phase", "stage", "title", "description", "organization", "due_date")
        if key in data
    }
    for key in ("title", "description"):
        if key in allowed:
            allowed[key] = allowed[key].strip()
    organization = allowed.get("organization", task.organization)
    _clean_task(
        phase=allowed.get("phase", task.phase),
        stage=allowed.get("stage", task.stage),
        organization=organization,
        title=allowed.get("title", task.title),
        exclude_pk=task.pk,
        organization_changed=organization.pk != task.organization_id,
    )
    changes = field_changes(task, allowed)
    for key, value in allowed.items():
        setattr(task, key, value)
    with _unique("title", _("该责任单位在本阶段已有同名任务。")):
        task.save()
    status = data.get("status")
    if status and status != task.status:
        # The move also enters the task's own history (with its note).
        changes["status"] = [task.status, status]
        _task_transition(actor=actor, task=task, status=status, note=data.get("note", "").strip())
    if changes:
        audit_record(actor=actor, action="task_update", obj=task, summary=task.title, changes=changes)
    return task


@transaction.atomic
def task_record_progress(*, actor, task: Task, status: str = "", note: str = "") -> TaskUpdate:
    """The responsible organisation (or district staff) reports progress: a new status, a
    progress note, or both. Cancelling a task, or reviving a cancelled one, is for district
    staff, who own the plan."""
    scope = scope_for(actor)
    require(scoped(actor, Task, write=True).filter(pk=task.pk).exists())
    # Lock the row so that two reports at the same moment each see the other's status.
    task = Task.objects.select_for_update().get(pk=task.pk)
    note = (note or "").strip()
    status = status or task.status
    if status not in Task.Status.values:
        raise ValidationError({"status": _("无效的任务状态。")})
    if not scope.write_all and Task.Status.CANCELLED in (status, task.status) and status != task.status:
        raise ValidationError({"status": _("只有区科协可以取消任务或恢复已取消的任务。")})
    if status == task.status and not note:
        raise ValidationError({"note": _("请填写进展说明，或更改任务状态。")})
    return _task_transition(actor=actor, task=task, status=status, note=note)
