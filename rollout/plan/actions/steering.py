"""The steering group (专项指导组): its members, and the supervisor role a member with a login receives.

Atomic, scoped to the actor, validated with messages keyed by field; see the package's docstring."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from organizations.actions import audit_record, field_changes, initial_values, role_assign
from organizations.models import RoleAssignment
from rollout.models import (
    SteeringMember,
)

from .checks import _raise, _require_plan_manager, _unique


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
    audit_record(
        actor=actor,
        action="steering_member_create",
        obj=member,
        summary=str(member),
        changes=initial_values(member, ("role", "name", "title", "user", "started_on", "notes")),
    )
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
