"""Who may fetch a background export: only the user who asked for it. ``Scope`` carries roles,
not the user, so the rule here keeps out those who may export nothing at all, and the export
pages narrow every lookup to ``created_by=request.user`` (``organizations.exports.views``)."""

from __future__ import annotations

from django.db.models import QuerySet

from organizations.scoping import Scope, register


def _exports(scope: Scope, qs: QuerySet, write: bool) -> QuerySet:
    if write:
        return qs.none()
    if scope.read_all or scope.admin_org_ids or scope.person_ids:
        return qs
    return qs.none()


def register_rules() -> None:
    from .models import ExportFile

    register(ExportFile, _exports)
