"""Who may read and change the service ledger's records (rules for ``organizations.scoping``).

- District staff read and change everything; supervisors read everything.
- An organisation admin reads the activities their organisations organised or co-organised and
  changes those their organisations organised.
- A leader reads the activities they led and changes them until they are verified; they read
  their own volunteer service.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from organizations.scoping import Scope

from .models import Activity


def activity_condition(scope: Scope, write: bool) -> Q | None:
    """The condition on ``Activity`` for the scope; None when the scope reaches every row.

    One ``pk IN (… UNION …)`` over the id sets (organised, co-organised, led), not an OR of
    conditions: the database reads each set from its index and the page from those ids, where
    with an OR it guessed that half the ledger matched and walked the whole ledger by date,
    filtering, to fill a page of a town's few hundred activities."""
    if scope.write_all or (scope.read_all and not write):
        return None
    parts = [Activity.objects.filter(organizer_id__in=scope.admin_org_ids).order_by().values("pk")]
    if not write:
        co_organized = Activity.co_organizers.through.objects.filter(organization_id__in=scope.admin_org_ids)
        parts.append(co_organized.order_by().values("activity_id"))
    if scope.person_ids:
        led = Activity.leaders.through.objects.filter(person_id__in=scope.person_ids).values("activity_id")
        if write:
            editable = (Activity.Status.PLANNED, Activity.Status.HELD)
            parts.append(Activity.objects.filter(pk__in=led, status__in=editable).order_by().values("pk"))
        else:
            parts.append(led.order_by())
    return Q(pk__in=parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0])


def activity_rule(scope: Scope, qs: QuerySet, write: bool) -> QuerySet:
    condition = activity_condition(scope, write)
    return qs if condition is None else qs.filter(condition)


def _via_activity(scope: Scope, qs: QuerySet, write: bool) -> QuerySet:
    condition = activity_condition(scope, write)
    if condition is None:
        return qs
    return qs.filter(activity__in=Activity.objects.filter(condition).values("pk"))


def attendance_rule(scope: Scope, qs: QuerySet, write: bool) -> QuerySet:
    return _via_activity(scope, qs, write)


def evidence_rule(scope: Scope, qs: QuerySet, write: bool) -> QuerySet:
    return _via_activity(scope, qs, write)


def transition_rule(scope: Scope, qs: QuerySet, write: bool) -> QuerySet:
    return _via_activity(scope, qs, write)


def volunteer_service_condition(scope: Scope, write: bool) -> Q | None:
    """Hours are entered and corrected by the admins of the organiser or of the volunteer's
    team; they are read by whoever reads the activity, and by the volunteer themselves."""
    if scope.write_all or (scope.read_all and not write):
        return None
    condition = Q(activity__organizer_id__in=scope.admin_org_ids) | Q(
        team__organization_id__in=scope.admin_org_ids
    )
    if not write:
        readable = activity_condition(scope, write=False)
        condition |= Q(activity__in=Activity.objects.filter(readable).values("pk"))
        if scope.person_ids:
            condition |= Q(person_id__in=scope.person_ids)
    return condition


def volunteer_service_rule(scope: Scope, qs: QuerySet, write: bool) -> QuerySet:
    condition = volunteer_service_condition(scope, write)
    return qs if condition is None else qs.filter(condition)


def hours_change_rule(scope: Scope, qs: QuerySet, write: bool) -> QuerySet:
    condition = volunteer_service_condition(scope, write)
    if condition is None:
        return qs
    from .models import VolunteerService

    return qs.filter(service__in=VolunteerService.objects.filter(condition).values("pk"))
