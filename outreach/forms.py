"""Forms of the outreach app. Choice lists come from the user's scope; rules live in actions."""

from __future__ import annotations

import datetime

from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations import options
from organizations.forms import DateInput, ManyRecordsField, PortalForm
from organizations.models import Organization
from organizations.scoping import scope_for, scoped
from organizations.widgets import SearchSelect
from sanhui.clock import day_after_start, day_start
from sanhui.collation import pinyin
from services.forms import LARGEST_COUNT
from services.models import Activity

from . import selectors
from .models import Campaign, ChannelPost, ThemedDay


class CampaignForm(PortalForm):
    name = forms.CharField(label=_("名称"), max_length=128)
    owner = forms.ModelChoiceField(
        label=_("发起组织"),
        queryset=Organization.objects.none(),
        required=False,
        help_text=_("留空表示全区性系列活动（仅区科协可创建）"),
        widget=SearchSelect(options.MANAGED_ORGANIZATIONS),
    )
    starts_on = forms.DateField(label=_("开始日期"), widget=DateInput())
    ends_on = forms.DateField(label=_("结束日期"), widget=DateInput())
    description = forms.CharField(label=_("简介"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, user, campaign: Campaign | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        scope = scope_for(user)
        if campaign is not None:
            del self.fields["owner"]
        else:
            self.fields["owner"].queryset = options.managed_organizations(user)
            if not scope.write_all:
                self.fields["owner"].required = True
                self.fields["owner"].help_text = ""
        self.helper.layout = Layout(
            Row(
                Column("name", css_class="col-md-8"),
                *([Column("owner", css_class="col-md-4")] if campaign is None else []),
            ),
            Row(Column("starts_on", css_class="col-md-6"), Column("ends_on", css_class="col-md-6")),
            "description",
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("starts_on") and cleaned.get("ends_on") and cleaned["ends_on"] < cleaned["starts_on"]:
            self.add_error("ends_on", _("结束日期不能早于开始日期。"))
        return cleaned


class ActivitiesChoiceField(ManyRecordsField):
    def label_from_instance(self, obj):
        return f"{timezone.localtime(obj.starts_at):%Y-%m-%d} {obj.title}（{obj.organizer.name}）"


def _starting_within(first: datetime.date, last: datetime.date) -> dict:
    """Activities starting on the days ``first`` to ``last`` (Asia/Shanghai), as a range on
    starts_at itself, which its index serves."""
    end = day_after_start(last)
    bounds = {"starts_at__gte": day_start(first)}
    return bounds if end is None else {**bounds, "starts_at__lt": end}


class CampaignActivitiesForm(PortalForm):
    activities = ActivitiesChoiceField(
        label=_("加入的活动"),
        queryset=Activity.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("只列出您可以管理、且日期在系列活动期间的活动"),
    )
    submit_label = _("加入")

    def __init__(self, *args, user, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activities"].queryset = (
            scoped(user, Activity, write=True)
            .filter(**_starting_within(campaign.starts_on, campaign.ends_on))
            .exclude(campaigns=campaign)
            .exclude(status=Activity.Status.CANCELLED)
            .select_related("organizer")
            .order_by("starts_at", "pk")
        )


class ActivityOutreachForm(PortalForm):
    campaigns = ManyRecordsField(
        label=_("所属系列活动"),
        queryset=Campaign.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    themed_days = ManyRecordsField(
        label=_("主题日"),
        queryset=ThemedDay.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user, activity: Activity, **kwargs):
        super().__init__(*args, **kwargs)
        on = timezone.localtime(activity.starts_at).date()
        self.fields["campaigns"].queryset = (
            selectors.joinable_campaigns(user=user)
            .filter(starts_on__lte=on, ends_on__gte=on)
            .order_by(pinyin("name"), "pk")
        )
        self.fields["campaigns"].help_text = _("只列出活动日期所在期间、您可以加入的系列活动")
        days = {row.themed_day.pk: row for row in selectors.themed_day_calendar(user=user, year=on.year)}
        self.fields["themed_days"].queryset = ThemedDay.objects.filter(is_active=True)
        self.fields["themed_days"].label_from_instance = lambda day: (
            f"{day.name}（{days[day.pk].start:%m-%d}）" if day.pk in days else day.name
        )


class ThemedDayTagForm(PortalForm):
    activity = forms.ModelChoiceField(label=_("活动"), queryset=Activity.objects.none())
    submit_label = _("登记为主题日活动")

    def __init__(self, *args, user, themed_day: ThemedDay, year: int, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["activity"]
        field.queryset = selectors.taggable_activities(user=user, themed_day=themed_day, year=year)
        field.label_from_instance = lambda a: (
            f"{timezone.localtime(a.starts_at):%Y-%m-%d} {a.title}（{a.organizer.name}）"
        )


class ChannelPostForm(PortalForm):
    channel = forms.ChoiceField(label=_("渠道"), choices=ChannelPost.Channel.choices)
    outlet = forms.CharField(
        label=_("媒体/账号名称"), max_length=100, required=False, help_text=_("例如：鄞州科协微信公众号")
    )
    title = forms.CharField(label=_("标题"), max_length=200)
    url = forms.URLField(label=_("链接"), max_length=500, assume_scheme="https")
    published_on = forms.DateField(label=_("发布日期"), widget=DateInput())
    reach = forms.IntegerField(label=_("阅读/观看量"), min_value=0, max_value=LARGEST_COUNT, initial=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            Row(Column("channel", css_class="col-md-4"), Column("outlet", css_class="col-md-8")),
            "title",
            "url",
            Row(Column("published_on", css_class="col-md-6"), Column("reach", css_class="col-md-6")),
        )
