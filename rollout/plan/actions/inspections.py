"""Inspections (督查) recorded by the steering group and district staff, with the rectification
items they raise.

Atomic, scoped to the actor, validated with messages keyed by field; see the package's docstring."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from organizations.actions import audit_record, field_changes, initial_values
from organizations.models import Organization
from rollout.models import (
    Inspection,
)
from sanhui.clock import today

from .checks import _raise, _require_supervision, _unique
from .rectifications import _clean_rectification, _new_rectification


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
    audit_record(
        actor=actor,
        action="inspection_create",
        obj=inspection,
        summary=str(inspection),
        changes=initial_values(
            inspection, ("reference", "organization", "inspectors", "inspected_on", "score", "findings")
        ),
    )
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
