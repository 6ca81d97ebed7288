"""Who may read and change outreach records (rules for ``organizations.scoping``).

- Campaigns: district campaigns (no owner) are read by everyone with a role and run by
  district staff; an organisation's own campaign is read by whoever reads the organisation
  and run by its admins.
- Themed days are reference data: read by all, changed by district staff.
- Channel posts follow the activity or campaign they are about.
- Reminder records are read by district staff, supervisors and the reminded organisation's admins.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from organizations.scoping import Scope
from services.models import Activity
from services.scoping import activity_condition


def campaign_condition(scope: Scope, write: bool) -> Q | None:
    if scope.write_all or (scope.read_all and not write):
        return None
    if write:
        return Q(owner_id__in=scope.admin_org_ids)
    if not scope.roles:
        return Q(pk__in=[])
    return Q(owner__isnull=True) | Q(owner__in=scope.organizations().values("pk"))


def campaign_rule(scope: Scope, qs: QuerySet, write: bool) -> QuerySet:
    condition = campaign_condition(scope, write)
    return qs if condition is None else qs.filter(condition)


def themed_day_rule(scope: Scope, qs: QuerySet, write: bool) -> QuerySet:
    if write:
        return qs if scope.write_all else qs.none()
    return qs


def channel_post_rule(scope: Scope, qs: QuerySet, write: bool) -> QuerySet:
    from .models import Campaign

    activities = activity_condition(scope, write)
    campaigns = campaign_condition(scope, write)
    if activities is None and campaigns is None:
        return qs
    by_activity = (
        Q(activity__isnull=False)
        if activities is None
        else Q(activity__in=Activity.objects.filter(activities).values("pk"))
    )
    by_campaign = (
        Q(campaign__isnull=False)
        if campaigns is None
        else Q(campaign__in=Campaign.objects.filter(campaigns).values("pk"))
    )
    return qs.filter(by_activity | by_campaign)


def reminder_rule(scope: Scope, qs: QuerySet, write: bool) -> QuerySet:
    if write:
        # Reminders are written by the scheduled job only.
        return qs if scope.write_all else qs.none()
    if scope.read_all:
        return qs
    return qs.filter(organization_id__in=scope.admin_org_ids)
