"""Reads of the outreach app shared by views, tasks and reports."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from organizations.models import Organization, Region, RoleAssignment
from organizations.scoping import scoped
from services.models import Activity, Attendance, Stream
from services.selectors import checkin_count

from .models import Campaign, ChannelPost, ThemedDay, ThemedDayReminder

# --------------------------------------------------------------------------- campaigns


def campaign_list(*, user) -> QuerySet[Campaign]:
    activities = scoped(user, Activity)
    count = (
        Campaign.activities.through.objects.filter(
            campaign=OuterRef("pk"), activity__in=activities.values("pk")
        )
        .order_by()
        .values("campaign")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        scoped(user, Campaign)
        .select_related("owner")
        .annotate(activity_count=Coalesce(Subquery(count, output_field=IntegerField()), Value(0)))
        .order_by("-starts_on", "name")
    )


def joinable_campaigns(*, user) -> QuerySet[Campaign]:
    """Campaigns the user may add activities to: district ones they can see, and those of
    organisations they administer."""
    return (scoped(user, Campaign).filter(owner__isnull=True) | scoped(user, Campaign, write=True)).distinct()


def campaign_activities(*, user, campaign: Campaign) -> QuerySet[Activity]:
    return (
        scoped(user, Activity)
        .filter(campaigns=campaign)
        .select_related("organizer", "region")
        .annotate(checkin_count=checkin_count())
        .order_by("starts_at", "pk")
    )


def campaign_summary(*, user, campaign: Campaign) -> dict:
    activities = scoped(user, Activity).filter(campaigns=campaign)
    totals = activities.aggregate(
        total=Count("pk"),
        held=Count("pk", filter=Q(status__in=Activity.TOOK_PLACE)),
        towns=Count("region", distinct=True),
    )
    totals["checkins"] = Attendance.objects.filter(activity__in=activities.values("pk")).count()
    posts = scoped(user, ChannelPost).filter(Q(campaign=campaign) | Q(activity__in=activities.values("pk")))
    totals["posts"] = posts.count()
    totals["reach"] = posts.aggregate(reach=Coalesce(Sum("reach"), 0))["reach"]
    return totals


# --------------------------------------------------------------------------- themed days


@dataclass
class Occurrence:
    themed_day: ThemedDay
    start: datetime.date
    end: datetime.date
    activity_count: int = 0

    @property
    def days_until(self) -> int:
        return (self.start - timezone.localdate()).days


def _year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    return (
        timezone.make_aware(datetime.datetime(year, 1, 1)),
        timezone.make_aware(datetime.datetime(year + 1, 1, 1)),
    )


def themed_day_calendar(*, user, year: int) -> list[Occurrence]:
    """Every active themed day's dates in ``year``, in date order, with how many of the
    activities the user can see are registered for it that year."""
    start, end = _year_bounds(year)
    tagged = (
        ThemedDay.activities.through.objects.filter(
            activity__in=scoped(user, Activity)
            .filter(starts_at__gte=start, starts_at__lt=end)
            .exclude(status=Activity.Status.CANCELLED)
            .values("pk")
        )
        .values("themedday_id")
        .annotate(n=Count("activity_id", distinct=True))
    )
    counts = {row["themedday_id"]: row["n"] for row in tagged}
    rows = []
    for themed_day in ThemedDay.objects.filter(is_active=True):
        first, last = themed_day.occurrence(year)
        rows.append(Occurrence(themed_day, first, last, counts.get(themed_day.pk, 0)))
    return sorted(rows, key=lambda row: (row.start, row.themed_day.sort_order))


def themed_day_activities(*, user, themed_day: ThemedDay, year: int) -> QuerySet[Activity]:
    start, end = _year_bounds(year)
    return (
        scoped(user, Activity)
        .filter(themed_days=themed_day, starts_at__gte=start, starts_at__lt=end)
        .select_related("organizer", "region")
        .annotate(checkin_count=checkin_count())
        .order_by("starts_at", "pk")
    )


def taggable_activities(
    *, user, themed_day: ThemedDay, year: int, margin_days: int = 30
) -> QuerySet[Activity]:
    """Activities the user may tag for the themed day: their own, not cancelled, dated within a
    month either side of the day, not yet tagged."""
    first, last = themed_day.occurrence(year)
    start = timezone.make_aware(
        datetime.datetime.combine(first - datetime.timedelta(days=margin_days), datetime.time.min)
    )
    end = timezone.make_aware(
        datetime.datetime.combine(last + datetime.timedelta(days=margin_days), datetime.time.max)
    )
    return (
        scoped(user, Activity, write=True)
        .filter(starts_at__gte=start, starts_at__lte=end)
        .exclude(status=Activity.Status.CANCELLED)
        .exclude(themed_days=themed_day)
        .select_related("organizer")
        .order_by("starts_at", "pk")
    )


def _descendants(root_ids: set[int]) -> dict[int, set[int]]:
    """For each root organisation, itself and every organisation below it (one query)."""
    children: dict[int, list[int]] = {}
    for pk, parent_id in Organization.objects.values_list("pk", "parent_id"):
        if parent_id is not None:
            children.setdefault(parent_id, []).append(pk)
    result: dict[int, set[int]] = {}
    for root in root_ids:
        found, frontier = {root}, [root]
        while frontier:
            frontier = [child for node in frontier for child in children.get(node, ()) if child not in found]
            found.update(frontier)
        result[root] = found
    return result


def _registered_org_ids(themed_day: ThemedDay, year: int) -> set[int]:
    """Organisations that organised or co-organised an activity tagged with the themed day
    and dated in ``year`` (cancelled ones do not count)."""
    start, end = _year_bounds(year)
    activities = Activity.objects.filter(
        themed_days=themed_day, starts_at__gte=start, starts_at__lt=end
    ).exclude(status=Activity.Status.CANCELLED)
    organizers = set(activities.values_list("organizer_id", flat=True))
    co = set(
        Activity.co_organizers.through.objects.filter(activity__in=activities.values("pk")).values_list(
            "organization_id", flat=True
        )
    )
    return organizers | co


def organization_registered(*, organization: Organization, themed_day: ThemedDay, year: int) -> bool:
    """Whether the organisation, or one below it, has an activity registered for the day."""
    family = _descendants({organization.pk})[organization.pk]
    return bool(family & _registered_org_ids(themed_day, year))


def reminder_candidates(themed_day: ThemedDay) -> QuerySet[Organization]:
    """Organisations whose admins are reminded of the themed day: active organisations with an
    admin, based in a region in programme scope; a day suggested for one category of the three
    associations skips grassroots associations of the other two."""
    qs = Organization.objects.active().filter(
        home_region__in_scope=True,
        pk__in=RoleAssignment.objects.filter(role=RoleAssignment.Role.ORG_ADMIN).values("organization_id"),
    )
    if themed_day.suggested_category:
        qs = qs.exclude(
            Q(kind=Organization.Kind.GRASSROOTS_ASSOCIATION) & ~Q(category=themed_day.suggested_category)
        )
    return qs


def reminders_due(*, on: datetime.date, days: int) -> list[tuple[int, int, int]]:
    """(themed day, organisation, year) of every reminder to send on ``on``: the themed day
    starts within ``days`` days, and the organisation has neither registered anything for it
    nor been reminded of it this year."""
    due: list[tuple[int, int, int]] = []
    horizon = on + datetime.timedelta(days=days)
    for themed_day in ThemedDay.objects.filter(is_active=True):
        start, _end = themed_day.next_occurrence(on)
        if not on <= start <= horizon:
            continue
        year = start.year
        candidates = set(reminder_candidates(themed_day).values_list("pk", flat=True))
        reminded = set(
            ThemedDayReminder.objects.filter(themed_day=themed_day, year=year).values_list(
                "organization_id", flat=True
            )
        )
        registered = _registered_org_ids(themed_day, year)
        families = _descendants(candidates - reminded)
        for org_id in sorted(families):
            if not families[org_id] & registered:
                due.append((themed_day.pk, org_id, year))
    return due


def admin_emails(organization: Organization) -> list[str]:
    """E-mail addresses of the active users who hold the admin role for the organisation."""
    emails = (
        RoleAssignment.objects.filter(
            role=RoleAssignment.Role.ORG_ADMIN, organization=organization, user__is_active=True
        )
        .exclude(user__email="")
        .values_list("user__email", flat=True)
        .order_by("user__email")
    )
    return list(dict.fromkeys(emails))


# --------------------------------------------------------------------------- public calendar


def public_towns() -> QuerySet[Region]:
    return Region.objects.towns().in_scope()


def public_events(
    *, region: Region | None = None, now: datetime.datetime | None = None, days: int = 120
) -> QuerySet[Activity]:
    """Upcoming popularisation activities approved for the public calendar, not cancelled,
    optionally in one town (and everything below it)."""
    now = now or timezone.now()
    qs = (
        Activity.objects.publicly_listed()
        .filter(
            stream=Stream.POPULARIZATION, ends_at__gte=now, starts_at__lte=now + datetime.timedelta(days=days)
        )
        .select_related("organizer", "region")
        .order_by("starts_at", "pk")
    )
    if region is not None:
        qs = qs.in_region(region)
    return qs


# --------------------------------------------------------------------------- posts


def post_list(*, user) -> QuerySet[ChannelPost]:
    return (
        scoped(user, ChannelPost)
        .select_related("activity", "campaign", "activity__organizer")
        .order_by("-published_on", "-pk")
    )
