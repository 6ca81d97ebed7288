"""Rectification items (整改事项) raised by inspections: created and changed by the steering
group, reported on by the organisation they concern (progress, evidence, closure — 销号), and
reopened by the steering group.

Atomic, scoped to the actor, validated with messages keyed by field; see the package's docstring."""

from __future__ import annotations

import datetime
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from organizations.actions import audit_record, field_changes, initial_values, require
from organizations.links import join_names
from organizations.models import Organization
from organizations.scoping import Scope, descendant_org_ids, scope_for
from organizations.uploads import validate_evidence_file
from rollout.models import (
    Inspection,
    Rectification,
    RectificationEvidence,
    RectificationUpdate,
)
from sanhui.clock import today

from .checks import _raise, _require_supervision, _unique


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
    if organization.pk not in descendant_org_ids({inspection.organization_id}):
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
    audit_record(
        actor=actor,
        action="rectification_create",
        obj=rectification,
        summary=rectification.title,
        changes=initial_values(
            rectification, ("inspection", "organization", "title", "requirement", "owner_name", "deadline")
        ),
    )
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
