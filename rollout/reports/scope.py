"""Which part of the district a report may count: the whole district for district staff,
supervisors and scheduled runs (optionally narrowed to one organisation and those below it), or
the organisations an admin administers and the towns they lie in."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from organizations.models import Organization, Region
from organizations.scoping import Scope, descendant_org_ids
from rollout import indicators as ind


class ReportScopeError(Exception):
    """The requester may not report on what was asked (e.g. another organisation)."""


@dataclass(frozen=True)
class ReportScope:
    """What a run may count: ``org_ids`` None means the whole district."""

    org_ids: frozenset[int] | None
    towns: tuple[Region, ...]
    label: str

    def organizations(self):
        qs = Organization.objects.all()
        return qs if self.org_ids is None else qs.filter(pk__in=self.org_ids)

    def filter(self, queryset, field_name: str = "organization_id"):
        if self.org_ids is None:
            return queryset
        return queryset.filter(**{f"{field_name}__in": self.org_ids})


def _towns_containing(home_region_paths: set[str]) -> tuple[Region, ...]:
    return tuple(
        town for town in ind.towns_in_scope() if any(path.startswith(town.path) for path in home_region_paths)
    )


def report_scope(scope: Scope, organization: Organization | None = None) -> ReportScope:
    """The part of the district a requester with ``scope`` may report on, narrowed to
    ``organization`` (and those below it) when given."""
    if not scope.read_all and not scope.admin_org_ids:
        raise ReportScopeError(_("您没有生成报表的权限。"))
    if organization is None:
        if scope.read_all:
            return ReportScope(None, tuple(ind.towns_in_scope()), _("全区"))
        org_ids = frozenset(scope.admin_org_ids)
        names = list(
            Organization.objects.filter(pk__in=scope.assigned_org_ids)
            .order_by("code")
            .values_list("name", flat=True)
        )
        label = "、".join(names)
    else:
        if not scope.read_all and organization.pk not in scope.admin_org_ids:
            raise ReportScopeError(_("只能对本单位及下属组织生成报表。"))
        org_ids = frozenset(descendant_org_ids({organization.pk}))
        if not scope.read_all:
            org_ids &= scope.admin_org_ids
        label = organization.name
    # The towns are those of the organisations named (the requester's own, or the one chosen),
    # not of every association below them that may be based elsewhere.
    named = scope.assigned_org_ids if organization is None else {organization.pk}
    paths = set(Organization.objects.filter(pk__in=named).values_list("home_region__path", flat=True))
    return ReportScope(org_ids, _towns_containing(paths), label)
