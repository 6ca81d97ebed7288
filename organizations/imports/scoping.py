"""Who may see an import: district staff every import; an organisation's admins the imports
into the organisations they administer (a colleague's included, so that a batch left half-way
can be finished or discarded by another admin). Nobody else. Batches and their rows are written
by the import actions only."""

from __future__ import annotations

from django.db.models import QuerySet

from organizations.scoping import Scope, register


def _batches(scope: Scope, qs: QuerySet, write: bool) -> QuerySet:
    if scope.write_all:
        return qs
    return qs.filter(organization_id__in=scope.admin_org_ids)


def _rows(scope: Scope, qs: QuerySet, write: bool) -> QuerySet:
    if scope.write_all:
        return qs
    return qs.filter(batch__organization_id__in=scope.admin_org_ids)


def register_rules() -> None:
    from .models import ImportBatch, ImportRow

    register(ImportBatch, _batches)
    register(ImportRow, _rows)
