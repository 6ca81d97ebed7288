"""Outreach machinery: campaigns, the themed-day calendar, channel posts and reminders.

Builds on the service ledger (``services.Activity``) and is never imported by it: campaigns
and themed days point at activities, not the other way round.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from organizations.models import Organization
from sanhui.collation import pinyin
from services.models import Activity

from . import rules


class Campaign(models.Model):
    """A named drive that groups activities (科普惠民行动, 区青少年科技节, …).

    Without an owner it is a district campaign, run by district staff, to which every
    organisation may add its own activities; with an owner it belongs to that organisation."""

    name = models.CharField(_("名称"), max_length=128)
    owner = models.ForeignKey(
        Organization,
        verbose_name=_("发起组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="campaigns",
        help_text=_("留空表示全区性活动，由区科协管理"),
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    description = models.TextField(_("简介"), blank=True)
    activities = models.ManyToManyField(
        Activity, verbose_name=_("活动"), blank=True, related_name="campaigns"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("系列活动")
        verbose_name_plural = pgettext_lazy("plural", "系列活动")
        ordering = ["-starts_on", pinyin("name"), "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="campaign_ends_after_start",
                violation_error_message=_("结束日期不能早于开始日期。"),
            ),
            models.UniqueConstraint(
                fields=["name", "starts_on"],
                name="campaign_unique_name_start",
                violation_error_message=_("同名且同一天开始的系列活动已存在。"),
            ),
        ]
        indexes = [models.Index(fields=["starts_on", "ends_on"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("outreach:campaign_detail", args=[self.pk])

    @property
    def is_district_wide(self) -> bool:
        return self.owner_id is None


class ThemedDay(models.Model):
    """A themed day or week that popularisation work is organised around (爱耳日, 全国科普日 …).

    ``rule`` says when it falls each year (see ``outreach.rules``): ``fixed:MM-DD``,
    ``nth_weekday:MM:N:DAY``, ``solar_term:NAME`` or ``lunar:MM-DD``."""

    name = models.CharField(_("名称"), max_length=64, unique=True)
    name_en = models.CharField(_("英文名称"), max_length=128, blank=True)
    rule = models.CharField(
        _("日期规则"),
        max_length=64,
        validators=[rules.validate_rule],
        help_text=_(
            "fixed:03-03（公历固定日期）；nth_weekday:05:3:sun（5月第三个星期日）；"
            "solar_term:autumn_equinox（节气）；lunar:09-09（农历）"
        ),
    )
    days = models.PositiveSmallIntegerField(_("持续天数"), default=1)
    suggested_category = models.CharField(
        _("建议组织类别"),
        max_length=16,
        choices=Organization.Category.choices,
        blank=True,
        help_text=_("最适合开展的三会类别；留空表示不限"),
    )
    is_active = models.BooleanField(_("启用"), default=True, help_text=_("停用后不再提醒"))
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    activities = models.ManyToManyField(
        Activity, verbose_name=_("主题活动"), blank=True, related_name="themed_days"
    )

    class Meta:
        verbose_name = _("主题日")
        verbose_name_plural = pgettext_lazy("plural", "主题日")
        ordering = ["sort_order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(days__gte=1) & Q(days__lte=31),
                name="themedday_days_in_range",
                violation_error_message=_("持续天数应在1到31天之间。"),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("outreach:themed_day_detail", args=[self.pk, timezone.localdate().year])

    def occurrence(self, year: int) -> tuple[datetime.date, datetime.date]:
        """First and last day of the themed day (or week) in ``year``."""
        first = rules.first_day(self.rule, year)
        return first, first + datetime.timedelta(days=self.days - 1)

    def next_occurrence(self, on: datetime.date) -> tuple[datetime.date, datetime.date]:
        """The occurrence that has not ended yet on ``on``: this year's, or else next year's."""
        start, end = self.occurrence(on.year)
        return (start, end) if end >= on else self.occurrence(on.year + 1)


class ThemedDayReminder(models.Model):
    """One reminder mail to an organisation's admins about one themed day in one year.

    The unique row is claimed before the mail goes out, so that concurrent workers or a
    re-run of the daily job never send the same reminder twice."""

    themed_day = models.ForeignKey(
        ThemedDay, verbose_name=_("主题日"), on_delete=models.CASCADE, related_name="reminders"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("组织"), on_delete=models.CASCADE, related_name="themed_day_reminders"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    recipients = models.TextField(_("收件人"), blank=True)
    sent_at = models.DateTimeField(_("发送时间"), default=timezone.now)

    class Meta:
        verbose_name = _("主题日提醒")
        verbose_name_plural = pgettext_lazy("plural", "主题日提醒")
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["themed_day", "organization", "year"],
                name="themeddayreminder_once_per_year",
                violation_error_message=_("该组织本年度已提醒过此主题日。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.themed_day} {self.year} → {self.organization}"


class ChannelPost(models.Model):
    """A piece published online about an activity or a campaign, with its reach."""

    class Channel(models.TextChoices):
        KEPU_CHINA = "kepu_china", _("科普中国")
        WECHAT = "wechat", _("微信公众号")
        KEPU_ESTATION = "kepu_estation", _("科普e站")
        MEDIA = "media", _("主流媒体")
        VIDEO = "video", _("短视频平台")
        OTHER = "other", _("其他")

    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices, db_index=True)
    title = models.CharField(_("标题"), max_length=200)
    url = models.URLField(_("链接"), max_length=500)
    published_on = models.DateField(_("发布日期"))
    reach = models.PositiveIntegerField(_("阅读/观看量"), default=0)
    outlet = models.CharField(_("媒体/账号名称"), max_length=100, blank=True)
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("活动"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="channel_posts",
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("系列活动"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="channel_posts",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("宣传发布")
        verbose_name_plural = pgettext_lazy("plural", "宣传发布")
        ordering = ["-published_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(activity__isnull=False) & Q(campaign__isnull=True))
                | (Q(activity__isnull=True) & Q(campaign__isnull=False)),
                name="channelpost_activity_or_campaign",
                violation_error_message=_("宣传发布须关联一项活动或一个系列活动（二选一）。"),
            ),
            models.UniqueConstraint(
                fields=["url", "activity"],
                condition=Q(activity__isnull=False),
                name="channelpost_unique_url_per_activity",
                violation_error_message=_("该活动已登记过这个链接。"),
            ),
            models.UniqueConstraint(
                fields=["url", "campaign"],
                condition=Q(campaign__isnull=False),
                name="channelpost_unique_url_per_campaign",
                violation_error_message=_("该系列活动已登记过这个链接。"),
            ),
        ]
        indexes = [models.Index(fields=["published_on"]), models.Index(fields=["channel", "published_on"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        """Its line on the page of the activity or campaign it is about: a post has no page of
        its own, and the ids spare reading the subject."""
        if self.activity_id:
            url = reverse("services:activity_detail", args=[self.activity_id])
        else:
            url = reverse("outreach:campaign_detail", args=[self.campaign_id])
        return f"{url}#post-{self.pk}"

    @property
    def subject(self):
        return self.activity or self.campaign
