"""Reads of the audit trail: every entry for district staff's log, and the entries of one record
(and of its own child records) for its 变更记录 page."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast

from ..models import (
    AuditEntry,
    LeaderRole,
    Membership,
    Organization,
    Person,
    Seat,
    TeamMembership,
    VolunteerTeam,
)
from ..scoping import scoped
from .changes import type_label


def audit_entries() -> QuerySet[AuditEntry]:
    return AuditEntry.objects.select_related("actor").order_by("-created_at", "-pk")


def object_types() -> list[tuple[str, str]]:
    """The kinds of record the trail names, as (model label, verbose name), by name."""
    labels = AuditEntry.objects.order_by().values_list("object_type", flat=True).distinct()
    return sorted(((label, type_label(label)) for label in labels), key=lambda choice: choice[1])


def _about(rows: QuerySet) -> Q:
    """Entries that name one of ``rows`` (object ids are kept as text)."""
    ids = rows.order_by().annotate(audit_id=Cast("pk", CharField(max_length=64))).values("audit_id")
    return Q(object_type=rows.model._meta.label_lower, object_id__in=ids)


def entries_about(obj, *, children: Iterable[QuerySet] = (), also: Q | None = None) -> QuerySet[AuditEntry]:
    """The entries of ``obj`` and of the rows of each of ``children`` (querysets the viewer
    may read), plus those matching ``also``; newest first."""
    condition = Q(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    for rows in children:
        condition |= _about(rows)
    if also is not None:
        condition |= also
    return audit_entries().filter(condition)


def person_history(*, user, person: Person) -> QuerySet[AuditEntry]:
    """A person's entries, and those of their leader roles, memberships, seats and places in
    volunteer teams that the viewer may read."""
    return entries_about(
        person,
        children=[
            scoped(user, model).filter(person=person)
            for model in (LeaderRole, Membership, Seat, TeamMembership)
        ],
    )


def organization_history(*, user, organization: Organization) -> QuerySet[AuditEntry]:
    """An organisation's entries, and those of its seats, memberships and volunteer teams that
    the viewer may read."""
    return entries_about(
        organization,
        children=[
            scoped(user, model).filter(organization=organization)
            for model in (Seat, Membership, VolunteerTeam)
        ],
    )
