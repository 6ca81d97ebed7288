"""Incentives granted to leaders (激励).

Atomic, scoped to the actor, validated with messages keyed by field; see the package's docstring."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from organizations.actions import audit_record, field_changes, initial_values
from organizations.models import Organization, Person
from rollout.models import (
    Incentive,
)
from sanhui.clock import today

from .checks import _is_leader, _raise, _require_plan_manager, _unique


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
    audit_record(
        actor=actor,
        action="incentive_create",
        obj=incentive,
        summary=str(incentive),
        changes=initial_values(
            incentive,
            ("person", "kind", "title", "granted_on", "granted_by", "amount", "organization", "notes"),
        ),
    )
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
