"""Who may read and change the rollout's records, registered with ``organizations.scoping``.

- District staff read and change everything (they manage the plan, tasks, pilots, steering
  group, showcase and incentives).
- Supervisors (the steering group) read everything and change only inspections and
  rectification items.
- An organisation admin reads the tasks and rectification items assigned to the organisations
  they administer (and those below them) and updates only those; nothing else of the rollout.
- Leaders, users without a role and the public see published showcase items only.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from organizations.scoping import Scope, register

from . import models


def _plan(scope: Scope, qs: QuerySet, write: bool) -> QuerySet:
    """The plan itself: read by district staff and supervisors, changed by district staff."""
    if scope.write_all or (scope.read_all and not write):
        return qs
    return qs.none()


def _by_organization(field: str):
    def rule(scope: Scope, qs: QuerySet, write: bool) -> QuerySet:
        if scope.write_all or (scope.read_all and not write):
            return qs
        return qs.filter(**{f"{field}__in": scope.admin_org_ids})

    return rule


def _inspection(scope: Scope, qs: QuerySet, write: bool) -> QuerySet:
    if scope.write_all or scope.is_supervisor or (scope.read_all and not write):
        return qs
    return qs.none()


def _rectification_via(prefix: str):
    def rule(scope: Scope, qs: QuerySet, write: bool) -> QuerySet:
        if scope.write_all or scope.is_supervisor or (scope.read_all and not write):
            return qs
        return qs.filter(**{f"{prefix}organization_id__in": scope.admin_org_ids})

    return rule


def _showcase(scope: Scope, qs: QuerySet, write: bool) -> QuerySet:
    if scope.write_all or (scope.read_all and not write):
        return qs
    if write:
        return qs.none()
    return qs.filter(Q(status=models.ShowcaseItem.Status.PUBLISHED))


def _history(scope: Scope, qs: QuerySet, write: bool) -> QuerySet:
    """History rows and sent reminders are written by actions only, never edited."""
    if write:
        return qs.none()
    return qs


def _report_run(scope: Scope, qs: QuerySet, write: bool) -> QuerySet:
    """District staff and supervisors see (and re-run) every report run, the scheduled ones
    included; an organisation admin only runs requested by admins of the organisations they
    administer. ``Scope`` carries no user, so the report pages narrow this further to the
    runs the viewer requested (``rollout.report_views``)."""
    if scope.read_all:
        return qs
    if not scope.assigned_org_ids:
        return qs.none()
    from organizations.models import RoleAssignment

    requesters = RoleAssignment.objects.filter(
        role=RoleAssignment.Role.ORG_ADMIN, organization_id__in=scope.assigned_org_ids
    ).values("user_id")
    return qs.filter(requested_by__in=requesters)


def register_rules() -> None:
    for model in (models.Phase, models.Stage, models.Milestone, models.Pilot, models.SteeringMember):
        register(model, _plan)
    register(models.Incentive, _plan)
    register(models.Task, _by_organization("organization_id"))
    register(
        models.TaskUpdate,
        lambda scope, qs, write: _history(
            scope, _by_organization("task__organization_id")(scope, qs, False), write
        ),
    )
    register(models.Inspection, _inspection)
    register(models.Rectification, _rectification_via(""))
    register(
        models.RectificationUpdate,
        lambda scope, qs, write: _history(
            scope, _rectification_via("rectification__")(scope, qs, False), write
        ),
    )
    register(
        models.RectificationEvidence,
        lambda scope, qs, write: _history(
            scope, _rectification_via("rectification__")(scope, qs, False), write
        ),
    )
    register(models.ShowcaseItem, _showcase)
    register(models.TermReminder, lambda scope, qs, write: _history(scope, _plan(scope, qs, False), write))
    register(models.ReportRun, _report_run)
    # The towns' coverage spans: a summary the rebuild writes, read as the district's figures.
    for model in (
        models.TownStanding,
        models.TownStandingChange,
        models.TownStandingBuild,
        models.SeatShareStep,
    ):
        register(model, lambda scope, qs, write: _history(scope, _plan(scope, qs, False), write))
