"""Showcase items (典型): nominated, approved and published.

Atomic, scoped to the actor, validated with messages keyed by field; see the package's docstring."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from organizations.actions import audit_record, field_changes, initial_values
from organizations.models import Organization, Person
from rollout.models import (
    ShowcaseItem,
)
from sanhui.clock import today

from .checks import _is_leader, _raise, _require_plan_manager, _unique


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
    audit_record(
        actor=actor,
        action="showcase_nominate",
        obj=item,
        summary=item.title,
        changes=initial_values(
            item,
            ("kind", "title", "summary", "story", "organization", "person", "nominated_on", "nominated_by"),
        ),
    )
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
