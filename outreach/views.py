"""Pages of the outreach app: campaigns, the themed-day calendar, channel posts, and the public
event calendar with its iCalendar feed.

Each view: scoped lookup → form → action → redirect. The two public pages need no login; they
list only what an organiser's admin approved for publication.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST
from icalendar import Calendar, Event

from organizations.models import Region
from organizations.scoping import get_for_user, scope_for, scoped
from organizations.sorting import RowSorting, Sorting, name_key
from organizations.viewutils import apply_action_errors, paginate, query_without_page, saved_message
from sanhui.clock import today
from sanhui.collation import pinyin
from services.models import Activity

from . import actions, selectors
from .forms import (
    ActivityOutreachForm,
    CampaignActivitiesForm,
    CampaignForm,
    ChannelPostForm,
    ThemedDayTagForm,
)
from .models import Campaign, ChannelPost, ThemedDay, ThemedDayReminder


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return today().year
    return year if 2000 <= year <= 2100 else today().year


def _form_page(
    request, form, title: str, cancel_href: str, *, back=None, cancel_url: str = ""
) -> HttpResponse:
    """The shared form page; ``back`` (the record) or ``cancel_url`` (its list) give the trail."""
    context = {"form": form, "title": title, "cancel_href": cancel_href}
    return render(request, "services/form.html", {**context, "back": back, "cancel_url": cancel_url})


# --------------------------------------------------------------------------- activity panel


def activity_panel(request: HttpRequest, activity: Activity) -> str:
    """The campaigns, themed days and channel posts of an activity, on the activity's page."""
    posts = scoped(request.user, ChannelPost).filter(activity=activity).order_by("-published_on", "-pk")
    return render_to_string(
        "outreach/_activity_panel.html",
        {
            "activity": activity,
            "campaigns": scoped(request.user, Campaign)
            .filter(activities=activity)
            .order_by(pinyin("name"), "pk"),
            "themed_days": activity.themed_days.order_by("sort_order"),
            "posts": posts,
            "reach": posts.aggregate(total=Coalesce(Sum("reach"), 0))["total"],
            "can_edit": scoped(request.user, Activity, write=True).filter(pk=activity.pk).exists(),
        },
        request=request,
    )


def activity_outreach(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_for_user(request.user, Activity, pk, write=True)
    initial = {
        "campaigns": list(activity.campaigns.values_list("pk", flat=True)),
        "themed_days": list(activity.themed_days.values_list("pk", flat=True)),
    }
    form = ActivityOutreachForm(request.POST or None, user=request.user, activity=activity, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.activity_outreach_set(actor=request.user, activity=activity, **form.cleaned_data)
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect(activity)
    return _form_page(
        request,
        form,
        _("系列活动与主题日：%(title)s") % {"title": activity.title},
        activity.get_absolute_url(),
        back=activity,
    )


# --------------------------------------------------------------------------- campaigns


# The activity count is the list's own annotation (selectors.campaign_list).
CAMPAIGN_SORTING = Sorting(
    {
        "date": ("starts_on", pinyin("name").asc()),
        "name": (pinyin("name"),),
        "owner": (pinyin("owner__name"), "owner", "-starts_on"),
        "activities": ("activity_count", "-starts_on"),
    },
    default="-date",
)
CAMPAIGN_ACTIVITY_SORTING = Sorting(
    {
        "date": ("starts_at",),
        "title": (pinyin("title"), "starts_at"),
        "organizer": (pinyin("organizer__name"), "organizer", "starts_at"),
        "region": ("region__sort_order", "region__code", "starts_at"),
        "checkins": ("checkin_count", "starts_at"),
        "status": ("status", "starts_at"),
    },
    default="date",
)
PUBLICATION_SORTING = Sorting(
    {
        "date": ("published_on",),
        "channel": ("channel", "-published_on"),
        "title": (pinyin("title"), "-published_on"),
        "reach": ("reach", "-published_on"),
    },
    default="-date",
)


def campaign_list(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    campaigns, sort = CAMPAIGN_SORTING.apply(request, selectors.campaign_list(user=request.user))
    return render(
        request,
        "outreach/campaign_list.html",
        {
            "page": paginate(request, campaigns),
            "sort": sort,
            "query": query_without_page(request),
            "can_add": scope.write_all or bool(scope.admin_org_ids),
            "today": today(),
        },
    )


def campaign_add(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    if not (scope.write_all or scope.admin_org_ids):
        raise PermissionDenied
    form = CampaignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        owner = data.pop("owner")
        try:
            campaign = actions.campaign_create(actor=request.user, data=data, owner=owner)
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            saved_message(request, _("已创建系列活动“%(name)s”。") % {"name": campaign.name}, campaign)
            return redirect(campaign)
    return _form_page(
        request,
        form,
        _("新建系列活动"),
        reverse("outreach:campaign_list"),
        cancel_url="outreach:campaign_list",
    )


def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_for_user(request.user, Campaign, pk, base=Campaign.objects.select_related("owner"))
    activities = selectors.campaign_activities(user=request.user, campaign=campaign)
    activities, sort = CAMPAIGN_ACTIVITY_SORTING.apply(request, activities)
    return render(
        request,
        "outreach/campaign_detail.html",
        {
            "campaign": campaign,
            "page": paginate(request, activities),
            "sort": sort,
            "query": query_without_page(request),
            "summary": selectors.campaign_summary(user=request.user, campaign=campaign),
            "posts": scoped(request.user, ChannelPost)
            .filter(campaign=campaign)
            .order_by("-published_on", "-pk"),
            "can_edit": scoped(request.user, Campaign, write=True).filter(pk=campaign.pk).exists(),
            "can_join": selectors.joinable_campaigns(user=request.user).filter(pk=campaign.pk).exists(),
            "removable": set(
                scoped(request.user, Activity, write=True)
                .filter(campaigns=campaign)
                .values_list("pk", flat=True)
            ),
        },
    )


def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_for_user(request.user, Campaign, pk, write=True)
    initial = {key: getattr(campaign, key) for key in ("name", "starts_on", "ends_on", "description")}
    form = CampaignForm(request.POST or None, user=request.user, campaign=campaign, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.campaign_update(actor=request.user, campaign=campaign, data=form.cleaned_data)
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            saved_message(request, _("已保存系列活动“%(name)s”。") % {"name": campaign.name}, campaign)
            return redirect(campaign)
    return _form_page(
        request,
        form,
        _("编辑系列活动：%(name)s") % {"name": campaign.name},
        campaign.get_absolute_url(),
        back=campaign,
    )


def campaign_activities_add(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_for_user(request.user, Campaign, pk)
    if not selectors.joinable_campaigns(user=request.user).filter(pk=campaign.pk).exists():
        raise PermissionDenied
    form = CampaignActivitiesForm(request.POST or None, user=request.user, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            count = actions.campaign_add_activities(
                actor=request.user, campaign=campaign, activities=form.cleaned_data["activities"]
            )
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            messages.success(request, _("已加入 %(n)d 项活动。") % {"n": count})
            return redirect(campaign)
    return _form_page(
        request,
        form,
        _("向系列活动加入活动：%(name)s") % {"name": campaign.name},
        campaign.get_absolute_url(),
        back=campaign,
    )


@require_POST
def campaign_activity_remove(request: HttpRequest, pk: int, activity_pk: int) -> HttpResponse:
    campaign = get_for_user(request.user, Campaign, pk)
    activity = get_for_user(request.user, Activity, activity_pk, write=True)
    actions.campaign_remove_activity(actor=request.user, campaign=campaign, activity=activity)
    messages.success(request, _("已将“%(title)s”移出系列活动。") % {"title": activity.title})
    return redirect(campaign)


# --------------------------------------------------------------------------- themed days


# The calendar is built in Python (selectors.themed_day_calendar), dates first.
THEMED_DAY_SORTING = RowSorting(
    {
        "date": lambda row: (row.start, row.themed_day.sort_order),
        "name": lambda row: name_key(row.themed_day.name),
        "category": lambda row: (
            name_key(row.themed_day.get_suggested_category_display())
            if row.themed_day.suggested_category
            else None
        ),
        "activities": lambda row: row.activity_count,
    },
    default="date",
)


def themed_day_list(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    scope = scope_for(request.user)
    occurrences, sort = THEMED_DAY_SORTING.apply(
        request, selectors.themed_day_calendar(user=request.user, year=year)
    )
    return render(
        request,
        "outreach/themed_day_list.html",
        {
            "year": year,
            "years": [year - 1, year, year + 1],
            "occurrences": occurrences,
            "sort": sort,
            "query": query_without_page(request),
            "today": today(),
            "reminder_days": settings.SANHUI_THEMED_DAY_REMINDER_DAYS,
            "is_admin": scope.write_all or bool(scope.admin_org_ids),
        },
    )


def themed_day_detail(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    themed_day = get_for_user(request.user, ThemedDay, pk)
    if not 2000 <= year <= 2100:
        raise Http404
    start, end = themed_day.occurrence(year)
    form = ThemedDayTagForm(request.POST or None, user=request.user, themed_day=themed_day, year=year)
    if request.method == "POST" and form.is_valid():
        try:
            actions.themed_day_tag(
                actor=request.user, themed_day=themed_day, activity=form.cleaned_data["activity"]
            )
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            messages.success(request, _("已登记为%(name)s活动。") % {"name": themed_day.name})
            return redirect("outreach:themed_day_detail", pk=themed_day.pk, year=year)
    # The same columns as a campaign's activities.
    activities, sort = CAMPAIGN_ACTIVITY_SORTING.apply(
        request, selectors.themed_day_activities(user=request.user, themed_day=themed_day, year=year)
    )
    return render(
        request,
        "outreach/themed_day_detail.html",
        {
            "themed_day": themed_day,
            "year": year,
            "start": start,
            "end": end,
            "activities": activities,
            "sort": sort,
            "form": form,
            "can_tag": form.fields["activity"].queryset.exists(),
            "writable": set(
                scoped(request.user, Activity, write=True)
                .filter(themed_days=themed_day)
                .values_list("pk", flat=True)
            ),
            "reminders": scoped(request.user, ThemedDayReminder)
            .filter(themed_day=themed_day, year=year)
            .select_related("organization")
            .order_by(pinyin("organization__name")),
        },
    )


@require_POST
def themed_day_untag(request: HttpRequest, pk: int, year: int, activity_pk: int) -> HttpResponse:
    themed_day = get_for_user(request.user, ThemedDay, pk)
    activity = get_for_user(request.user, Activity, activity_pk, write=True)
    actions.themed_day_untag(actor=request.user, themed_day=themed_day, activity=activity)
    messages.success(request, _("已取消登记。"))
    return redirect("outreach:themed_day_detail", pk=themed_day.pk, year=year)


# --------------------------------------------------------------------------- channel posts


def post_list(request: HttpRequest) -> HttpResponse:
    posts = selectors.post_list(user=request.user)
    channel = request.GET.get("channel", "")
    if channel in ChannelPost.Channel.values:
        posts = posts.filter(channel=channel)
    year = _year(request)
    posts = posts.filter(published_on__year=year)
    by_channel = posts.order_by().values("channel").annotate(n=Count("pk"), reach=Coalesce(Sum("reach"), 0))
    labels = dict(ChannelPost.Channel.choices)
    ordered, sort = PUBLICATION_SORTING.apply(request, posts)
    return render(
        request,
        "outreach/post_list.html",
        {
            "page": paginate(request, ordered),
            "sort": sort,
            "query": query_without_page(request),
            "channels": ChannelPost.Channel.choices,
            "channel": channel,
            "year": year,
            "years": list(range(today().year, 2019, -1)),
            "by_channel": [{**row, "label": labels[row["channel"]]} for row in by_channel.order_by("-reach")],
            "totals": posts.aggregate(n=Count("pk"), reach=Coalesce(Sum("reach"), 0)),
        },
    )


def post_add(request: HttpRequest) -> HttpResponse:
    activity = campaign = None
    if activity_pk := request.GET.get("activity"):
        activity = get_for_user(request.user, Activity, activity_pk, write=True)
    elif campaign_pk := request.GET.get("campaign"):
        campaign = get_for_user(request.user, Campaign, campaign_pk, write=True)
    else:
        raise Http404
    subject = activity or campaign
    form = ChannelPostForm(request.POST or None, initial={"published_on": today()})
    if request.method == "POST" and form.is_valid():
        try:
            post = actions.channel_post_create(
                actor=request.user, data=form.cleaned_data, activity=activity, campaign=campaign
            )
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            saved_message(request, _("已登记宣传发布“%(title)s”。") % {"title": post.title}, post)
            return redirect(subject)
    title = _("登记宣传发布：%(name)s") % {"name": activity.title if activity else campaign.name}
    return _form_page(request, form, title, subject.get_absolute_url(), back=subject)


def post_edit(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_for_user(
        request.user,
        ChannelPost,
        pk,
        write=True,
        base=ChannelPost.objects.select_related("activity", "campaign"),
    )
    initial = {
        key: getattr(post, key) for key in ("channel", "outlet", "title", "url", "published_on", "reach")
    }
    form = ChannelPostForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.channel_post_update(actor=request.user, post=post, data=form.cleaned_data)
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            saved_message(request, _("已保存宣传发布“%(title)s”。") % {"title": post.title}, post)
            return redirect(post.subject)
    return _form_page(
        request,
        form,
        _("编辑宣传发布：%(title)s") % {"title": post.title},
        post.subject.get_absolute_url(),
        back=post.subject,
    )


@require_POST
def post_delete(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_for_user(
        request.user,
        ChannelPost,
        pk,
        write=True,
        base=ChannelPost.objects.select_related("activity", "campaign"),
    )
    subject = post.subject
    actions.channel_post_delete(actor=request.user, post=post)
    messages.success(request, _("已删除。"))
    return redirect(subject)


# --------------------------------------------------------------------------- public calendar


def _public_region(request: HttpRequest) -> Region | None:
    town = request.GET.get("town", "")
    if not town.isdigit():
        return None
    return selectors.public_towns().filter(pk=town).first()


@login_not_required
@cache_control(public=True, max_age=300)
def public_events(request: HttpRequest) -> HttpResponse:
    region = _public_region(request)
    events = selectors.public_events(region=region, days=settings.SANHUI_PUBLIC_CALENDAR_DAYS)
    days: dict[datetime.date, list[Activity]] = {}
    for event in events:
        days.setdefault(timezone.localtime(event.starts_at).date(), []).append(event)
    feed = reverse("outreach:public_events_ics") + (f"?town={region.pk}" if region else "")
    return render(
        request,
        "outreach/public_events.html",
        {
            "days": sorted(days.items()),
            "count": sum(len(items) for items in days.values()),
            "towns": selectors.public_towns(),
            "region": region,
            "feed_url": request.build_absolute_uri(feed),
            "horizon": settings.SANHUI_PUBLIC_CALENDAR_DAYS,
        },
    )


@login_not_required
@cache_control(public=True, max_age=300)
def public_events_ics(request: HttpRequest) -> HttpResponse:
    region = _public_region(request)
    events = selectors.public_events(region=region, days=settings.SANHUI_PUBLIC_CALENDAR_DAYS)
    calendar = Calendar()
    calendar.add("prodid", "-//Yinzhou District Association for Science and Technology//Sanhui//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    name = _("鄞州区科普活动")
    calendar.add("x-wr-calname", f"{name}·{region.name}" if region else name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    page = request.build_absolute_uri(reverse("outreach:public_events"))
    host = request.get_host().split(":")[0] or "sanhui"
    for activity in events:
        event = Event()
        event.add("uid", f"activity-{activity.pk}@{host}")
        event.add("summary", activity.title)
        event.add("dtstart", timezone.localtime(activity.starts_at))
        event.add("dtend", timezone.localtime(activity.ends_at))
        event.add("dtstamp", activity.published_at or activity.updated_at)
        event.add("last-modified", activity.updated_at)
        location = "".join(part for part in (str(activity.region), activity.venue) if part)
        event.add("location", location)
        event.add(
            "description",
            "\n".join(
                part
                for part in (
                    f"{activity.get_kind_display()} · {activity.organizer.name}",
                    activity.description,
                )
                if part
            ),
        )
        event.add("organizer", f"mailto:noreply@{host}", parameters={"cn": activity.organizer.name})
        event.add("url", f"{page}#event-{activity.pk}")
        event.add("categories", [activity.get_kind_display()])
        event.add("status", "CONFIRMED")
        calendar.add_component(event)
    calendar.add_missing_timezones()
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="yinzhou-events.ics"'
    return response
