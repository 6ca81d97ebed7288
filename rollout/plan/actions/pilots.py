"""Pilot units of an implementation stage (试点), chosen and described by district staff.

Atomic, scoped to the actor, validated with messages keyed by field; see the package's docstring."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from organizations.actions import audit_record, field_changes, initial_values
from organizations.models import Organization
from rollout.models import (
    Pilot,
    Stage,
)

from .checks import _require_plan_manager, _unique


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
    audit_record(
        actor=actor,
        action="pilot_create",
        obj=pilot,
        summary=str(pilot),
        changes=initial_values(
            pilot, ("organization", "stage", "started_on", "focus", "findings", "measures")
        ),
    )
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
