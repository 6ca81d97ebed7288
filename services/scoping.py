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


def _led_by(person_ids) -> Q:
    return Q(pk__in=Activity.leaders.through.objects.filter(person_id__in=person_ids).values("activity_id"))


def activity_condition(scope: Scope, write: bool) -> Q | None:
    """The condition on ``Activity`` for the scope; None when the scope reaches every row."""
    if scope.write_all or (scope.read_all and not write):
        return None
    condition = Q(organizer_id__in=scope.admin_org_ids)
    if not write:
        co_organized = Activity.co_organizers.through.objects.filter(organization_id__in=scope.admin_org_ids)
        condition |= Q(pk__in=co_organized.values("activity_id"))
    if scope.person_ids:
        led = _led_by(scope.person_ids)
        if write:
            led &= Q(status__in=(Activity.Status.PLANNED, Activity.Status.HELD))
        condition |= led
    return condition


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
