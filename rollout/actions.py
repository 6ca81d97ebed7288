"""Writes to the rollout: the plan, tasks, pilots, steering group, inspections and
rectification items, showcase, incentives and term reminders.

Every change goes through one of these functions, whoever asks (views, commands, tasks). Each
is atomic, checks the actor's scope, validates with Chinese messages keyed by field, saves,
and records history: status changes and progress notes of tasks and rectification items as
rows of their own history (shown on their pages), everything else in the audit trail.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from organizations.actions import audit_record, field_changes, require, role_assign
from organizations.links import absolute_url, join_names
from organizations.models import LeaderRole, Organization, Person, RoleAssignment
from organizations.scoping import Scope, scope_for, scoped
from organizations.uploads import validate_evidence_file
from sanhui.clock import today

from . import selectors
from .models import (
    Incentive,
    Inspection,
    Milestone,
    Phase,
    Pilot,
    Rectification,
    RectificationEvidence,
    RectificationUpdate,
    ShowcaseItem,
    Stage,
    SteeringMember,
    Task,
    TaskUpdate,
    TermReminder,
)

logger = logging.getLogger(__name__)


def _require_plan_manager(actor) -> Scope:
    """District staff manage the plan, tasks, pilots, steering group, showcase and incentives."""
    scope = scope_for(actor)
    require(scope.write_all)
    return scope


def _require_supervision(actor) -> Scope:
    """Inspections and rectification items are recorded by the steering group (supervisors)
    and by district staff, who staff its office."""
    scope = scope_for(actor)
    require(scope.write_all or scope.is_supervisor)
    return scope


def _check_dates(start: datetime.date | None, end: datetime.date | None, *, field: str = "end_date") -> None:
    if start and end and end < start:
        raise ValidationError({field: _("结束日期不能早于开始日期。")})


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


@contextlib.contextmanager
def _unique(field: str, message: str):
    """Turn a unique-constraint violation that slipped past the checks (two people saving the
    same thing at once) into the message the checks would have given."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError:
        raise ValidationError({field: message}) from None


# --------------------------------------------------------------------------- phases, stages, milestones


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
    audit_record(actor=actor, action="milestone_create", obj=milestone, summary=milestone.title)
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


# --------------------------------------------------------------------------- tasks


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
    audit_record(actor=actor, action="task_create", obj=task, summary=task.title)
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


# --------------------------------------------------------------------------- pilots


def _clean_pilot(*, organization: Organization, stage: Stage, exclude_pk: int | None = None) -> None:
    clash = Pilot.objects.filter(organization=organization, stage=stage)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError({"organization": _("该单位已是本阶段的试点。")})


@transaction.atomic
def pilot_create(
    *,
    actor,
    organization: Organization,
    stage: Stage,
    started_on: datetime.date | None = None,
    focus: str = "",
    findings: str = "",
    measures: str = "",
) -> Pilot:
    _require_plan_manager(actor)
    _clean_pilot(organization=organization, stage=stage)
    with _unique("organization", _("该单位已是本阶段的试点。")):
        pilot = Pilot.objects.create(
            organization=organization,
            stage=stage,
            started_on=started_on,
            focus=focus.strip(),
            findings=findings.strip(),
            measures=measures.strip(),
        )
    audit_record(actor=actor, action="pilot_create", obj=pilot, summary=str(pilot))
    return pilot


@transaction.atomic
def pilot_update(*, actor, pilot: Pilot, data: dict[str, Any]) -> Pilot:
    _require_plan_manager(actor)
    allowed = {
        key: data[key]
        for key in ("organization", "stage", "started_on", "focus", "findings", "measures")
        if key in data
    }
    for key in ("focus", "findings", "measures"):
        if key in allowed:
            allowed[key] = allowed[key].strip()
    _clean_pilot(
        organization=allowed.get("organization", pilot.organization),
        stage=allowed.get("stage", pilot.stage),
        exclude_pk=pilot.pk,
    )
    changes = field_changes(pilot, allowed)
    for key, value in allowed.items():
        setattr(pilot, key, value)
    with _unique("organization", _("该单位已是本阶段的试点。")):
        pilot.save()
    if changes:
        audit_record(actor=actor, action="pilot_update", obj=pilot, summary=str(pilot), changes=changes)
    return pilot


# --------------------------------------------------------------------------- steering group


def _clean_steering_place(
    *, role: str, name: str, started_on, ended_on, exclude_pk: int | None = None
) -> None:
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("请填写姓名。")]
    if started_on and ended_on and ended_on < started_on:
        errors["ended_on"] = [_("离任日期不能早于任职日期。")]
    if ended_on is None:
        open_places = SteeringMember.objects.filter(ended_on__isnull=True)
        if exclude_pk is not None:
            open_places = open_places.exclude(pk=exclude_pk)
        if role in SteeringMember.SINGLE_HOLDER:
            holder = open_places.filter(role=role).first()
            if holder is not None:
                errors["role"] = [
                    _("%(role)s目前由%(name)s担任，请先为其登记离任日期。")
                    % {"role": SteeringMember.Role(role).label, "name": holder.name}
                ]
        if name and open_places.filter(role=role, name=name).exists():
            errors["name"] = [_("此人已担任该职务。")]
    _raise(errors)


def _grant_supervisor_role(actor, user) -> None:
    """A steering-group member with a login reads the whole rollout and records inspections."""
    held = set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True))
    if not held & {RoleAssignment.Role.SUPERVISOR, RoleAssignment.Role.DISTRICT_STAFF}:
        role_assign(actor=actor, user=user, role=RoleAssignment.Role.SUPERVISOR)


@transaction.atomic
def steering_member_create(
    *,
    actor,
    role: str,
    name: str,
    title: str = "",
    user=None,
    started_on: datetime.date | None = None,
    notes: str = "",
    grant_supervisor_role: bool = False,
) -> SteeringMember:
    _require_plan_manager(actor)
    name = name.strip()
    _clean_steering_place(role=role, name=name, started_on=started_on, ended_on=None)
    with _unique("role", _("组长和办公室主任各只能有一位在任，同一人不能重复担任同一职务。")):
        member = SteeringMember.objects.create(
            role=role, name=name, title=title.strip(), user=user, started_on=started_on, notes=notes.strip()
        )
    if user is not None and grant_supervisor_role:
        _grant_supervisor_role(actor, user)
    audit_record(actor=actor, action="steering_member_create", obj=member, summary=str(member))
    return member


@transaction.atomic
def steering_member_update(
    *, actor, member: SteeringMember, data: dict[str, Any], grant_supervisor_role: bool = False
) -> SteeringMember:
    _require_plan_manager(actor)
    allowed = {
        key: data[key]
        for key in ("role", "name", "title", "user", "started_on", "ended_on", "notes")
        if key in data
    }
    for key in ("name", "title", "notes"):
        if key in allowed:
            allowed[key] = allowed[key].strip()
    _clean_steering_place(
        role=allowed.get("role", member.role),
        name=allowed.get("name", member.name),
        started_on=allowed.get("started_on", member.started_on),
        ended_on=allowed.get("ended_on", member.ended_on),
        exclude_pk=member.pk,
    )
    changes = field_changes(member, allowed)
    for key, value in allowed.items():
        setattr(member, key, value)
    with _unique("role", _("组长和办公室主任各只能有一位在任，同一人不能重复担任同一职务。")):
        member.save()
    if member.user is not None and grant_supervisor_role:
        _grant_supervisor_role(actor, member.user)
    if changes:
        audit_record(
            actor=actor, action="steering_member_update", obj=member, summary=str(member), changes=changes
        )
    return member


# --------------------------------------------------------------------------- inspections and rectifications


def _organizations_below(organization: Organization) -> set[int]:
    """The organisation and every organisation under it, at any depth."""
    found = {organization.pk}
    frontier = {organization.pk}
    while frontier:
        frontier = set(
            Organization.objects.filter(parent_id__in=frontier)
            .exclude(pk__in=found)
            .values_list("pk", flat=True)
        )
        found |= frontier
    return found


def _clean_inspection(
    *, organization: Organization, inspected_on, score, reference: str, exclude_pk: int | None = None
) -> None:
    errors: dict[str, list[str]] = {}
    if inspected_on and inspected_on > today():
        errors["inspected_on"] = [_("督查日期不能晚于今天。")]
    if score is not None and not (Decimal(0) <= Decimal(score) <= Decimal(100)):
        errors["score"] = [_("评分应在0到100之间。")]
    if reference:
        clash = Inspection.objects.filter(reference=reference)
        if exclude_pk is not None:
            clash = clash.exclude(pk=exclude_pk)
        if clash.exists():
            errors["reference"] = [_("该督查编号已被使用。")]
    _raise(errors)


def _clean_rectification(
    *,
    inspection: Inspection,
    organization: Organization,
    title: str,
    deadline: datetime.date | None,
    exclude_pk: int | None = None,
    prefix: str = "",
) -> None:
    errors: dict[str, list[str]] = {}
    if not title:
        errors[f"{prefix}title"] = [_("请填写整改事项。")]
    if deadline is None:
        errors[f"{prefix}deadline"] = [_("请填写整改时限。")]
    elif deadline < inspection.inspected_on:
        errors[f"{prefix}deadline"] = [_("整改时限不能早于督查日期。")]
    if organization.pk not in _organizations_below(inspection.organization):
        errors[f"{prefix}organization"] = [_("整改单位须为被督查单位或其下属组织。")]
    clash = Rectification.objects.filter(inspection=inspection, title=title)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if title and clash.exists():
        errors[f"{prefix}title"] = [_("本次督查已有同名的整改事项。")]
    _raise(errors)


def _new_rectification(
    *,
    actor,
    inspection: Inspection,
    organization: Organization,
    title: str,
    deadline: datetime.date,
    requirement: str = "",
    owner_name: str = "",
) -> Rectification:
    with _unique("title", _("本次督查已有同名的整改事项。")):
        rectification = Rectification.objects.create(
            inspection=inspection,
            organization=organization,
            title=title,
            requirement=requirement.strip(),
            owner_name=owner_name.strip(),
            deadline=deadline,
            created_by=actor,
        )
    RectificationUpdate.objects.create(
        rectification=rectification, actor=actor, old_status="", new_status=rectification.status
    )
    return rectification


@transaction.atomic
def inspection_create(
    *,
    actor,
    organization: Organization,
    inspected_on: datetime.date,
    findings: str,
    score: Decimal | None = None,
    reference: str = "",
    inspectors: str = "",
    rectifications: list[dict[str, Any]] | None = None,
) -> Inspection:
    """Record an inspection, with the rectification items it asks for (each a dict of
    ``title``, ``deadline`` and optionally ``requirement``, ``owner_name``, ``organization``)."""
    _require_supervision(actor)
    reference = reference.strip()
    _clean_inspection(organization=organization, inspected_on=inspected_on, score=score, reference=reference)
    if not findings.strip():
        raise ValidationError({"findings": _("请填写督查发现。")})
    with _unique("reference", _("该督查编号已被使用。")):
        inspection = Inspection.objects.create(
            reference=reference,
            organization=organization,
            supervisor=actor,
            inspectors=inspectors.strip(),
            inspected_on=inspected_on,
            score=score,
            findings=findings.strip(),
        )
    for index, item in enumerate(rectifications or []):
        target = item.get("organization") or organization
        title = (item.get("title") or "").strip()
        prefix = "rectification_" if index == 0 else f"rectification_{index}_"
        _clean_rectification(
            inspection=inspection,
            organization=target,
            title=title,
            deadline=item.get("deadline"),
            prefix=prefix,
        )
        _new_rectification(
            actor=actor,
            inspection=inspection,
            organization=target,
            title=title,
            deadline=item["deadline"],
            requirement=item.get("requirement", ""),
            owner_name=item.get("owner_name", ""),
        )
    audit_record(actor=actor, action="inspection_create", obj=inspection, summary=str(inspection))
    return inspection


@transaction.atomic
def inspection_update(*, actor, inspection: Inspection, data: dict[str, Any]) -> Inspection:
    _require_supervision(actor)
    allowed = {
        key: data[key]
        for key in ("reference", "inspectors", "inspected_on", "score", "findings")
        if key in data
    }
    for key in ("reference", "inspectors", "findings"):
        if key in allowed:
            allowed[key] = allowed[key].strip()
    if "findings" in allowed and not allowed["findings"]:
        raise ValidationError({"findings": _("请填写督查发现。")})
    _clean_inspection(
        organization=inspection.organization,
        inspected_on=allowed.get("inspected_on", inspection.inspected_on),
        score=allowed.get("score", inspection.score),
        reference=allowed.get("reference", inspection.reference),
        exclude_pk=inspection.pk,
    )
    inspected_on = allowed.get("inspected_on", inspection.inspected_on)
    if inspection.rectifications.filter(deadline__lt=inspected_on).exists():
        raise ValidationError({"inspected_on": _("督查日期不能晚于已有整改事项的整改时限。")})
    changes = field_changes(inspection, allowed)
    for key, value in allowed.items():
        setattr(inspection, key, value)
    with _unique("reference", _("该督查编号已被使用。")):
        inspection.save()
    if changes:
        audit_record(
            actor=actor, action="inspection_update", obj=inspection, summary=str(inspection), changes=changes
        )
    return inspection


@transaction.atomic
def rectification_create(
    *,
    actor,
    inspection: Inspection,
    title: str,
    deadline: datetime.date,
    organization: Organization | None = None,
    requirement: str = "",
    owner_name: str = "",
) -> Rectification:
    _require_supervision(actor)
    organization = organization or inspection.organization
    title = title.strip()
    _clean_rectification(inspection=inspection, organization=organization, title=title, deadline=deadline)
    rectification = _new_rectification(
        actor=actor,
        inspection=inspection,
        organization=organization,
        title=title,
        deadline=deadline,
        requirement=requirement,
        owner_name=owner_name,
    )
    audit_record(actor=actor, action="rectification_create", obj=rectification, summary=rectification.title)
    return rectification


@transaction.atomic
def rectification_update(*, actor, rectification: Rectification, data: dict[str, Any]) -> Rectification:
    """The steering group corrects an item or moves its deadline; a new deadline is noted in
    the item's history so that the organisation sees why it changed."""
    _require_supervision(actor)
    allowed = {
        key: data[key]
        for key in ("organization", "title", "requirement", "owner_name", "deadline")
        if key in data
    }
    for key in ("title", "requirement", "owner_name"):
        if key in allowed:
            allowed[key] = allowed[key].strip()
    _clean_rectification(
        inspection=rectification.inspection,
        organization=allowed.get("organization", rectification.organization),
        title=allowed.get("title", rectification.title),
        deadline=allowed.get("deadline", rectification.deadline),
        exclude_pk=rectification.pk,
    )
    old_deadline = rectification.deadline
    changes = field_changes(rectification, allowed)
    for key, value in allowed.items():
        setattr(rectification, key, value)
    with _unique("title", _("本次督查已有同名的整改事项。")):
        rectification.save()
    if rectification.deadline != old_deadline:
        note = _("整改时限由 %(old)s 调整为 %(new)s。") % {
            "old": old_deadline.isoformat(),
            "new": rectification.deadline.isoformat(),
        }
        reason = (data.get("note") or "").strip()
        RectificationUpdate.objects.create(
            rectification=rectification,
            actor=actor,
            old_status=rectification.status,
            new_status=rectification.status,
            note=f"{note}{reason}",
        )
    if changes:
        audit_record(
            actor=actor,
            action="rectification_update",
            obj=rectification,
            summary=rectification.title,
            changes=changes,
        )
    return rectification


def _store_evidence(
    *, actor, rectification: Rectification, files: list[UploadedFile], stored: list[RectificationEvidence]
) -> None:
    """Save the files, appending each saved row to ``stored`` so that the caller can remove
    the files again should the transaction fail after them."""
    for upload in files:
        stored.append(
            RectificationEvidence.objects.create(
                rectification=rectification,
                file=upload,
                original_name=PurePath(upload.name or "evidence").name[:200],
                size=upload.size or 0,
                uploaded_by=actor,
            )
        )


def _delete_files(stored: list[RectificationEvidence]) -> None:
    for evidence in stored:
        evidence.file.delete(save=False)


def may_report_on(scope: Scope, rectification: Rectification) -> bool:
    """Progress, evidence and closure of an item are reported by the organisation it was
    raised with (its admins) and by district staff."""
    return scope.write_all or rectification.organization_id in scope.admin_org_ids


def rectification_record_progress(
    *,
    actor,
    rectification: Rectification,
    status: str = "",
    note: str = "",
    files: list[UploadedFile] | None = None,
) -> RectificationUpdate:
    """The organisation reports on an item: progress, evidence, and closure.

    Closing (销号) needs a note on what was done and at least one piece of evidence, uploaded
    now or before. Nothing is written unless everything is valid; stored files are removed
    again if the write fails."""
    files = list(files or [])
    stored: list[RectificationEvidence] = []
    try:
        with transaction.atomic():
            update = _record_rectification_progress(
                actor=actor, rectification=rectification, status=status, note=note, files=files, stored=stored
            )
    except Exception:
        _delete_files(stored)
        raise
    return update


def _record_rectification_progress(
    *,
    actor,
    rectification: Rectification,
    status: str,
    note: str,
    files: list[UploadedFile],
    stored: list[RectificationEvidence],
) -> RectificationUpdate:
    require(may_report_on(scope_for(actor), rectification))
    rectification = Rectification.objects.select_for_update().get(pk=rectification.pk)
    note = (note or "").strip()
    status = status or rectification.status
    errors: dict[str, list[str]] = {}
    if rectification.is_closed:
        raise ValidationError(_("该整改事项已销号；如需继续整改，请督查人员重新打开。"), code="closed")
    if status not in Rectification.Status.values:
        errors["status"] = [_("无效的整改状态。")]
    for upload in files:
        try:
            validate_evidence_file(upload)
        except ValidationError as error:
            errors.setdefault("files", []).extend(
                _("%(name)s：%(error)s") % {"name": PurePath(upload.name or "").name, "error": message}
                for message in error.messages
            )
    if status == Rectification.Status.CLOSED:
        if not note:
            errors.setdefault("note", []).append(_("销号须填写整改情况说明。"))
        if not files and not rectification.evidence.exists():
            errors.setdefault("files", []).append(_("销号须上传至少一份整改佐证材料（图片或PDF）。"))
    elif status == rectification.status and not note and not files:
        errors["note"] = [_("请填写整改进展、上传佐证材料，或更改状态。")]
    _raise(errors)

    _store_evidence(actor=actor, rectification=rectification, files=files, stored=stored)
    old = rectification.status
    if status != old:
        rectification.status = status
        if status == Rectification.Status.CLOSED:
            rectification.closed_on = today()
            rectification.closure_note = note
        rectification.save(update_fields=["status", "closed_on", "closure_note", "updated_at"])
    if stored:
        names = join_names(item.original_name for item in stored)
        note = (note + "\n" if note else "") + _("上传佐证材料：%(names)s") % {"names": names}
    return RectificationUpdate.objects.create(
        rectification=rectification, actor=actor, old_status=old, new_status=status, note=note
    )


@transaction.atomic
def rectification_reopen(*, actor, rectification: Rectification, note: str) -> RectificationUpdate:
    """The steering group sends a closed item back when the evidence does not convince."""
    _require_supervision(actor)
    rectification = Rectification.objects.select_for_update().get(pk=rectification.pk)
    note = (note or "").strip()
    if not rectification.is_closed:
        raise ValidationError(_("只有已销号的整改事项可以重新打开。"), code="not_closed")
    if not note:
        raise ValidationError({"note": _("请说明重新打开的原因。")})
    old = rectification.status
    rectification.status = Rectification.Status.IN_PROGRESS
    rectification.closed_on = None
    rectification.save(update_fields=["status", "closed_on", "updated_at"])
    return RectificationUpdate.objects.create(
        rectification=rectification, actor=actor, old_status=old, new_status=rectification.status, note=note
    )


# --------------------------------------------------------------------------- showcase


def _is_leader(person: Person, on: datetime.date | None = None) -> bool:
    roles = LeaderRole.objects.filter(person=person)
    return (roles.open_on(on) if on else roles).exists()


def _clean_showcase(
    *, kind: str, title: str, organization: Organization | None, person: Person | None, exclude_pk=None
) -> None:
    errors: dict[str, list[str]] = {}
    if kind == ShowcaseItem.Kind.LEADER:
        if person is None:
            errors["person"] = [_("典型带头人须选择人员。")]
        elif not _is_leader(person):
            errors["person"] = [_("典型带头人须为三长或泛三长。")]
    if kind == ShowcaseItem.Kind.ORGANIZATION and organization is None:
        errors["organization"] = [_("典型组织须选择组织。")]
    clash = ShowcaseItem.objects.filter(kind=kind, title=title)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if title and clash.exists():
        errors["title"] = [_("已有同类型、同标题的典型。")]
    _raise(errors)


@transaction.atomic
def showcase_nominate(
    *,
    actor,
    kind: str,
    title: str,
    summary: str,
    nominated_on: datetime.date,
    story: str = "",
    organization: Organization | None = None,
    person: Person | None = None,
    nominated_by: str = "",
) -> ShowcaseItem:
    _require_plan_manager(actor)
    title = title.strip()
    _clean_showcase(kind=kind, title=title, organization=organization, person=person)
    with _unique("title", _("已有同类型、同标题的典型。")):
        item = ShowcaseItem.objects.create(
            kind=kind,
            title=title,
            summary=summary.strip(),
            story=story.strip(),
            organization=organization,
            person=person if kind != ShowcaseItem.Kind.ORGANIZATION else None,
            nominated_on=nominated_on,
            nominated_by=nominated_by.strip(),
        )
    audit_record(actor=actor, action="showcase_nominate", obj=item, summary=item.title)
    return item


@transaction.atomic
def showcase_update(*, actor, item: ShowcaseItem, data: dict[str, Any]) -> ShowcaseItem:
    _require_plan_manager(actor)
    allowed = {
        key: data[key]
        for key in (
            "kind",
            "title",
            "summary",
            "story",
            "organization",
            "person",
            "nominated_on",
            "nominated_by",
        )
        if key in data
    }
    for key in ("title", "summary", "story", "nominated_by"):
        if key in allowed:
            allowed[key] = allowed[key].strip()
    kind = allowed.get("kind", item.kind)
    if kind == ShowcaseItem.Kind.ORGANIZATION:
        allowed["person"] = None
    _clean_showcase(
        kind=kind,
        title=allowed.get("title", item.title),
        organization=allowed.get("organization", item.organization),
        person=allowed.get("person", item.person),
        exclude_pk=item.pk,
    )
    changes = field_changes(item, allowed)
    for key, value in allowed.items():
        setattr(item, key, value)
    with _unique("title", _("已有同类型、同标题的典型。")):
        item.save()
    if changes:
        audit_record(actor=actor, action="showcase_update", obj=item, summary=item.title, changes=changes)
    return item


# Which step leads from which status: nominated → approved → published, with the way back.
SHOWCASE_STEPS: dict[str, tuple[tuple[str, ...], str]] = {
    "approve": ((ShowcaseItem.Status.NOMINATED,), ShowcaseItem.Status.APPROVED),
    "publish": ((ShowcaseItem.Status.APPROVED,), ShowcaseItem.Status.PUBLISHED),
    "unpublish": ((ShowcaseItem.Status.PUBLISHED,), ShowcaseItem.Status.APPROVED),
    "reject": ((ShowcaseItem.Status.NOMINATED, ShowcaseItem.Status.APPROVED), ShowcaseItem.Status.REJECTED),
    "renominate": ((ShowcaseItem.Status.REJECTED,), ShowcaseItem.Status.NOMINATED),
}


@transaction.atomic
def showcase_advance(*, actor, item: ShowcaseItem, step: str) -> ShowcaseItem:
    _require_plan_manager(actor)
    item = ShowcaseItem.objects.select_for_update().get(pk=item.pk)
    if step not in SHOWCASE_STEPS:
        raise ValidationError(_("无效的操作。"), code="invalid_step")
    sources, target = SHOWCASE_STEPS[step]
    if item.status not in sources:
        raise ValidationError(
            _("“%(title)s”当前为%(status)s，不能执行此操作。")
            % {"title": item.title, "status": item.get_status_display()},
            code="invalid_transition",
        )
    old = item.status
    item.status = target
    if target == ShowcaseItem.Status.APPROVED and old == ShowcaseItem.Status.NOMINATED:
        item.approved_on = today()
    if target == ShowcaseItem.Status.PUBLISHED:
        item.published_on = today()
    if old == ShowcaseItem.Status.PUBLISHED:
        item.published_on = None
    item.save()
    audit_record(
        actor=actor,
        action=f"showcase_{step}",
        obj=item,
        summary=item.title,
        changes={"status": [old, target]},
    )
    return item


# --------------------------------------------------------------------------- incentives


def _clean_incentive(
    *, person: Person, kind: str, title: str, granted_on, amount, exclude_pk: int | None = None
) -> Decimal | None:
    errors: dict[str, list[str]] = {}
    if not _is_leader(person, granted_on):
        errors["person"] = [_("激励只能记在三长/泛三长名下：该人员在此日期不具有三长/泛三长身份。")]
    if kind == Incentive.Kind.FUNDING:
        if amount is None or amount <= 0:
            errors["amount"] = [_("经费保障须填写大于0的金额。")]
    else:
        amount = None
    if granted_on and granted_on > today():
        errors["granted_on"] = [_("日期不能晚于今天。")]
    clash = Incentive.objects.filter(person=person, kind=kind, title=title)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if title and clash.exists():
        errors["title"] = [_("该人员已有同类别、同名称的激励记录。")]
    _raise(errors)
    return amount


@transaction.atomic
def incentive_create(
    *,
    actor,
    person: Person,
    kind: str,
    title: str,
    granted_on: datetime.date,
    granted_by: str = "",
    amount: Decimal | None = None,
    organization: Organization | None = None,
    notes: str = "",
) -> Incentive:
    _require_plan_manager(actor)
    title = title.strip()
    amount = _clean_incentive(person=person, kind=kind, title=title, granted_on=granted_on, amount=amount)
    with _unique("title", _("该人员已有同类别、同名称的激励记录。")):
        incentive = Incentive.objects.create(
            person=person,
            kind=kind,
            title=title,
            granted_on=granted_on,
            granted_by=granted_by.strip(),
            amount=amount,
            organization=organization,
            notes=notes.strip(),
        )
    audit_record(actor=actor, action="incentive_create", obj=incentive, summary=str(incentive))
    return incentive


@transaction.atomic
def incentive_update(*, actor, incentive: Incentive, data: dict[str, Any]) -> Incentive:
    _require_plan_manager(actor)
    allowed = {
        key: data[key]
        for key in ("kind", "title", "granted_on", "granted_by", "amount", "organization", "notes")
        if key in data
    }
    for key in ("title", "granted_by", "notes"):
        if key in allowed:
            allowed[key] = allowed[key].strip()
    allowed["amount"] = _clean_incentive(
        person=incentive.person,
        kind=allowed.get("kind", incentive.kind),
        title=allowed.get("title", incentive.title),
        granted_on=allowed.get("granted_on", incentive.granted_on),
        amount=allowed.get("amount", incentive.amount),
        exclude_pk=incentive.pk,
    )
    changes = field_changes(incentive, allowed)
    for key, value in allowed.items():
        setattr(incentive, key, value)
    with _unique("title", _("该人员已有同类别、同名称的激励记录。")):
        incentive.save()
    if changes:
        audit_record(
            actor=actor, action="incentive_update", obj=incentive, summary=str(incentive), changes=changes
        )
    return incentive


# --------------------------------------------------------------------------- term reminders


def term_reminder_days() -> int:
    """How many days ahead of a term's end its organisation is reminded (a setting)."""
    return int(getattr(settings, "SANHUI_TERM_REMINDER_DAYS", 90))


@transaction.atomic
def term_reminder_send(
    *, organization_id: int, on: datetime.date | None = None, days: int | None = None
) -> int:
    """Mail the admins of one organisation about its seats whose term ends within the window
    and that were not reminded yet for that term end; return how many seats were reminded.

    The organisation's row is locked while the mail goes out, so that two workers running the
    same reminder cannot both send it; if sending fails nothing is recorded and the reminder
    is tried again on the next run."""
    on = on or today()
    days = term_reminder_days() if days is None else days
    organization = Organization.objects.select_for_update().filter(pk=organization_id).first()
    if organization is None:
        return 0
    seats = list(selectors.seats_due_reminder(organization_id=organization.pk, on=on, days=days))
    if not seats:
        return 0
    recipients = selectors.term_reminder_recipients(organization)
    if not recipients:
        logger.info("No admin with an e-mail address for %s; term reminder not sent.", organization.code)
        return 0
    context = {
        "organization": organization,
        "seats": seats,
        "days": days,
        "site_url": absolute_url(""),
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string("rollout/email/term_reminder_subject.txt", context).split())
        body = render_to_string("rollout/email/term_reminder_body.txt", context)
    connection = get_connection()
    messages = [EmailMessage(subject, body, to=[address], connection=connection) for address in recipients]
    connection.send_messages(messages)
    TermReminder.objects.bulk_create(
        [
            TermReminder(
                seat=seat, term_end=seat.term_end, organization=organization, recipients=", ".join(recipients)
            )
            for seat in seats
        ]
    )
    return len(seats)
