"""Writes of the outreach app: campaigns, themed-day tags, channel posts and reminders.

Like every action of the portal: keyword-only, atomic, checks the actor's scope, validates
(``ValidationError`` keyed by form field, in Chinese), saves, leaves an audit entry, and
schedules side effects with ``transaction.on_commit``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.actions import (
    audit_record,
    field_changes,
    initial_values,
    removed_values,
    require,
    set_change,
)
from organizations.links import absolute_url, join_names
from organizations.models import Organization
from organizations.scoping import scope_for, scoped
from services.models import Activity

from . import selectors
from .models import Campaign, ChannelPost, ThemedDay, ThemedDayReminder


def _require_activity_write(actor, activity: Activity) -> None:
    require(scoped(actor, Activity, write=True).filter(pk=activity.pk).exists())


# --------------------------------------------------------------------------- campaigns

CAMPAIGN_FIELDS = ("name", "starts_on", "ends_on", "description")


def _clean_campaign(data: dict[str, Any], *, instance: Campaign | None) -> dict[str, Any]:
    data = {key: value for key, value in data.items() if key in CAMPAIGN_FIELDS}
    merged = ({key: getattr(instance, key) for key in CAMPAIGN_FIELDS} if instance else {}) | data
    errors: dict[str, list] = {}
    data["name"] = (merged.get("name") or "").strip()
    if not data["name"]:
        errors["name"] = [_("请填写名称。")]
    starts_on, ends_on = merged.get("starts_on"), merged.get("ends_on")
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = [_("结束日期不能早于开始日期。")]
    if data["name"] and starts_on:
        clash = Campaign.objects.filter(name=data["name"], starts_on=starts_on)
        if instance is not None:
            clash = clash.exclude(pk=instance.pk)
        if clash.exists():
            errors["name"] = [_("同名且同一天开始的系列活动已存在。")]
    if errors:
        raise ValidationError(errors)
    return data


@transaction.atomic
def campaign_create(*, actor, data: dict[str, Any], owner: Organization | None = None) -> Campaign:
    """District staff start district campaigns (no owner); an admin starts one for an
    organisation they administer."""
    scope = scope_for(actor)
    require(scope.write_all if owner is None else (scope.write_all or owner.pk in scope.admin_org_ids))
    data = _clean_campaign(data, instance=None)
    campaign = Campaign.objects.create(**data, owner=owner, created_by=actor)
    audit_record(
        actor=actor,
        action="campaign_create",
        obj=campaign,
        summary=campaign.name,
        changes=initial_values(campaign, (*CAMPAIGN_FIELDS, "owner")),
    )
    return campaign


@transaction.atomic
def campaign_update(*, actor, campaign: Campaign, data: dict[str, Any]) -> Campaign:
    require(scoped(actor, Campaign, write=True).filter(pk=campaign.pk).exists())
    data = _clean_campaign(data, instance=campaign)
    changes = field_changes(campaign, data)
    for key, value in data.items():
        setattr(campaign, key, value)
    campaign.save()
    audit_record(actor=actor, action="campaign_update", obj=campaign, summary=campaign.name, changes=changes)
    return campaign


def _may_join(actor, campaign: Campaign) -> bool:
    """Anyone who reads a district campaign may add their own activities to it; an
    organisation's campaign takes activities from its admins."""
    if campaign.is_district_wide:
        return scoped(actor, Campaign).filter(pk=campaign.pk).exists()
    return scoped(actor, Campaign, write=True).filter(pk=campaign.pk).exists()


@transaction.atomic
def campaign_add_activities(*, actor, campaign: Campaign, activities: Iterable[Activity]) -> int:
    require(_may_join(actor, campaign))
    activities = list(activities)
    writable = set(
        scoped(actor, Activity, write=True)
        .filter(pk__in=[a.pk for a in activities])
        .values_list("pk", flat=True)
    )
    require(all(activity.pk in writable for activity in activities))
    outside = [
        activity.title
        for activity in activities
        if not campaign.starts_on <= timezone.localtime(activity.starts_at).date() <= campaign.ends_on
    ]
    if outside:
        raise ValidationError(
            {"activities": _("活动“%(titles)s”不在系列活动的时间范围内。") % {"titles": join_names(outside)}},
            code="outside_campaign",
        )
    campaign.activities.add(*activities)
    audit_record(
        actor=actor,
        action="campaign_add_activities",
        obj=campaign,
        summary=campaign.name,
        changes={"activities": [a.pk for a in activities]},
    )
    return len(activities)


@transaction.atomic
def campaign_remove_activity(*, actor, campaign: Campaign, activity: Activity) -> None:
    require(_may_join(actor, campaign))
    _require_activity_write(actor, activity)
    campaign.activities.remove(activity)
    audit_record(
        actor=actor,
        action="campaign_remove_activity",
        obj=campaign,
        summary=campaign.name,
        changes={"activity": activity.pk},
    )


# --------------------------------------------------------------------------- activity tags


@transaction.atomic
def activity_outreach_set(
    *,
    actor,
    activity: Activity,
    campaigns: Iterable[Campaign],
    themed_days: Iterable[ThemedDay],
) -> Activity:
    """Set the campaigns and themed days an activity belongs to (within what the actor may
    join; campaigns the actor cannot see are left as they were)."""
    _require_activity_write(actor, activity)
    if activity.status == Activity.Status.CANCELLED:
        raise ValidationError(_("已取消的活动不能加入系列活动或主题日。"), code="cancelled")
    campaigns = list(campaigns)
    for campaign in campaigns:
        require(_may_join(actor, campaign))
    on = timezone.localtime(activity.starts_at).date()
    outside = [c.name for c in campaigns if not c.starts_on <= on <= c.ends_on]
    if outside:
        raise ValidationError(
            {"campaigns": _("活动日期不在“%(names)s”的时间范围内。") % {"names": join_names(outside)}}
        )
    joinable = selectors.joinable_campaigns(user=actor)
    kept = activity.campaigns.exclude(pk__in=joinable.values("pk"))
    changes: dict[str, Any] = {}
    for name, members in (("campaigns", [*kept, *campaigns]), ("themed_days", list(themed_days))):
        manager = getattr(activity, name)
        if change := set_change(manager.values_list("pk", flat=True), members):
            changes[name] = change
        manager.set(members)
    audit_record(
        actor=actor,
        action="activity_outreach_set",
        obj=activity,
        summary=activity.title,
        changes=changes,
    )
    return activity


def _themed_days_change(activity: Activity, before: list[int]) -> dict[str, Any]:
    change = set_change(before, activity.themed_days.values_list("pk", flat=True))
    return {"themed_days": change} if change else {}


@transaction.atomic
def themed_day_tag(*, actor, themed_day: ThemedDay, activity: Activity) -> None:
    _require_activity_write(actor, activity)
    if activity.status == Activity.Status.CANCELLED:
        raise ValidationError(_("已取消的活动不能登记为主题日活动。"), code="cancelled")
    before = list(activity.themed_days.values_list("pk", flat=True))
    themed_day.activities.add(activity)
    audit_record(
        actor=actor,
        action="themed_day_tag",
        obj=activity,
        summary=themed_day.name,
        changes=_themed_days_change(activity, before),
    )


@transaction.atomic
def themed_day_untag(*, actor, themed_day: ThemedDay, activity: Activity) -> None:
    _require_activity_write(actor, activity)
    before = list(activity.themed_days.values_list("pk", flat=True))
    themed_day.activities.remove(activity)
    audit_record(
        actor=actor,
        action="themed_day_untag",
        obj=activity,
        summary=themed_day.name,
        changes=_themed_days_change(activity, before),
    )


# --------------------------------------------------------------------------- channel posts

POST_FIELDS = ("channel", "title", "url", "published_on", "reach", "outlet")


def _clean_post(data: dict[str, Any], *, activity, campaign, exclude_pk: int | None) -> dict[str, Any]:
    data = {key: value for key, value in data.items() if key in POST_FIELDS}
    errors: dict[str, list] = {}
    if data.get("channel") not in ChannelPost.Channel.values:
        errors["channel"] = [_("请选择渠道。")]
    if not (data.get("title") or "").strip():
        errors["title"] = [_("请填写标题。")]
    if data.get("reach") is not None and data["reach"] < 0:
        errors["reach"] = [_("阅读/观看量不能为负数。")]
    published_on = data.get("published_on")
    if published_on and published_on > timezone.localdate():
        errors["published_on"] = [_("发布日期不能晚于今天。")]
    url = data.get("url")
    if url:
        clash = ChannelPost.objects.filter(url=url, activity=activity, campaign=campaign)
        if exclude_pk is not None:
            clash = clash.exclude(pk=exclude_pk)
        if clash.exists():
            errors["url"] = [_("已登记过这个链接。")]
    if errors:
        raise ValidationError(errors)
    data["title"] = data["title"].strip()
    return data


@transaction.atomic
def channel_post_create(
    *, actor, data: dict[str, Any], activity: Activity | None = None, campaign: Campaign | None = None
) -> ChannelPost:
    if (activity is None) == (campaign is None):
        raise ValidationError(_("宣传发布须关联一项活动或一个系列活动（二选一）。"), code="subject")
    if activity is not None:
        _require_activity_write(actor, activity)
    else:
        require(scoped(actor, Campaign, write=True).filter(pk=campaign.pk).exists())
    data = _clean_post(data, activity=activity, campaign=campaign, exclude_pk=None)
    post = ChannelPost.objects.create(**data, activity=activity, campaign=campaign, created_by=actor)
    audit_record(
        actor=actor,
        action="channel_post_create",
        obj=post,
        summary=post.title,
        changes=initial_values(post, (*POST_FIELDS, "activity", "campaign")),
    )
    return post


@transaction.atomic
def channel_post_update(*, actor, post: ChannelPost, data: dict[str, Any]) -> ChannelPost:
    require(scoped(actor, ChannelPost, write=True).filter(pk=post.pk).exists())
    data = _clean_post(data, activity=post.activity, campaign=post.campaign, exclude_pk=post.pk)
    changes = field_changes(post, data)
    for key, value in data.items():
        setattr(post, key, value)
    post.save()
    audit_record(actor=actor, action="channel_post_update", obj=post, summary=post.title, changes=changes)
    return post


@transaction.atomic
def channel_post_delete(*, actor, post: ChannelPost) -> None:
    require(scoped(actor, ChannelPost, write=True).filter(pk=post.pk).exists())
    audit_record(
        actor=actor,
        action="channel_post_delete",
        obj=post,
        summary=post.title,
        changes=removed_values(post, (*POST_FIELDS, "activity", "campaign")),
    )
    post.delete()


# --------------------------------------------------------------------------- reminders


@transaction.atomic
def themed_day_reminders_schedule(*, on: datetime.date | None = None) -> int:
    """Queue one reminder per (themed day, organisation) that is due: the day starts within
    ``SANHUI_THEMED_DAY_REMINDER_DAYS``, the organisation is in scope and has nothing registered
    for it, and it has not been reminded this year. Returns how many were queued."""
    from .tasks import send_themed_day_reminder

    on = on or timezone.localdate()
    due = selectors.reminders_due(on=on, days=settings.SANHUI_THEMED_DAY_REMINDER_DAYS)
    for themed_day_id, organization_id, year in due:
        transaction.on_commit(
            lambda t=themed_day_id, o=organization_id, y=year: send_themed_day_reminder.delay(t, o, y)
        )
    return len(due)


@transaction.atomic
def themed_day_reminder_send(
    *, themed_day_id: int, organization_id: int, year: int
) -> ThemedDayReminder | None:
    """Mail the organisation's admins about the themed day, once. The reminder row is claimed
    first; if the mail cannot be sent the claim rolls back with it and a retry sends it."""
    themed_day = ThemedDay.objects.filter(pk=themed_day_id, is_active=True).first()
    organization = Organization.objects.filter(pk=organization_id).first()
    if themed_day is None or organization is None:
        return None
    start, end = themed_day.occurrence(year)
    if selectors.organization_registered(organization=organization, themed_day=themed_day, year=year):
        return None
    recipients = selectors.admin_emails(organization)
    if not recipients:
        return None
    try:
        with transaction.atomic():
            reminder = ThemedDayReminder.objects.create(
                themed_day=themed_day, organization=organization, year=year, recipients=", ".join(recipients)
            )
    except IntegrityError:
        return None  # already reminded, by an earlier run or a concurrent worker
    path = reverse("outreach:themed_day_detail", args=[themed_day.pk, year])
    link = absolute_url(path)
    days_left = (start - timezone.localdate()).days
    subject = _("【三长带三会】%(name)s（%(date)s）即将到来，请登记主题活动") % {
        "name": themed_day.name,
        "date": start.isoformat(),
    }
    body = _(
        "%(org)s：\n\n"
        "%(name)s将于%(start)s开始（%(span)s），距今%(days)s天。门户中尚未看到贵单位登记本年度的%(name)s"
        "主题活动。如已安排，请在“服务活动”中登记，并在活动页面的“宣传与主题”中选择该主题日；"
        "如尚未安排，可结合%(category)s资源开展专项科普。\n\n主题日页面：%(link)s\n\n"
        "（本邮件由三长带三会工作平台自动发送，每个主题日每年只提醒一次。）"
    ) % {
        "org": organization.name,
        "name": themed_day.name,
        "start": start.isoformat(),
        "span": _("共%(n)s天，至%(end)s") % {"n": themed_day.days, "end": end.isoformat()}
        if themed_day.days > 1
        else _("当天"),
        "days": days_left,
        "category": Organization.Category(themed_day.suggested_category).label
        if themed_day.suggested_category
        else _("本单位"),
        "link": link,
    }
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    return reminder
