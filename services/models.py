"""The service ledger: activities of both streams, attendance by QR code, volunteer hours.

One ``Activity`` table holds the technical services (科技服务) and the popularisation work
(科普服务) of every organisation, so that the district's figures, the annual statistical return
and the coverage indicators all count from the same rows. Changes go through ``actions.py``;
reads that depend on the viewer go through ``organizations.scoping`` (rules in ``scoping.py``).
"""

from __future__ import annotations

import datetime
import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from organizations.models import Organization, Person, Region, VolunteerTeam
from organizations.uploads import evidence_upload_to
from organizations.validators import mask_phone
from sanhui.crypto import EncryptedCharField, LookupHashField


def evidence_path(instance, filename: str) -> str:
    """Where an activity's evidence is stored (a named function: migrations must be able to
    refer to it, which the closure ``evidence_upload_to`` returns cannot)."""
    return evidence_upload_to("evidence/activities")(instance, filename)


def new_checkin_token() -> str:
    """The secret part of a check-in link: 128 random bits, never derived from the pk."""
    return secrets.token_urlsafe(16)


class Stream(models.TextChoices):
    TECH_SERVICE = "tech_service", _("科技服务")
    POPULARIZATION = "popularization", _("科普服务")


class ActivityKind(models.TextChoices):
    """Activity types of the two streams named in the work plan.

    Each type maps onto one heading of the 科协 annual statistical return (the 科普 and 科技服务
    sections of the 中国科协事业发展统计调查, whose headings follow the 全国科普统计 of the
    Ministry of Science and Technology), so that the yearly return can be filled from the ledger;
    ``STAT_CATEGORY`` below gives the heading for each type:

    ========================  =====================================  ==========================
    type                      plan wording                           return heading (code)
    ========================  =====================================  ==========================
    tech_training             技术讲座培训                             实用技术培训 (training)
    field_guidance            实地技术指导                             技术服务与咨询 (tech_service)
    free_clinic               医疗义诊                                 科技志愿服务 (volunteer)
    rural_talent_training     农村实用人才和新型职业农民培训             实用技术培训 (training)
    tech_matching             技术对接/项目合作                         技术服务与咨询 (tech_service)
    popular_lecture           科普宣讲                                 科普（技）讲座 (lecture)
    expert_report             专家报告会                               科普（技）讲座 (lecture)
    exhibition                专题展览                                 科普（技）展览 (exhibition)
    consultation              科技咨询（科普咨询）                      科普咨询与宣传 (publicity)
    festival                  科技节、科普节（青少年科技节等）            青少年科普活动 (youth)
    themed_day                主题日活动（全国科普日、科技活动周等）      重大科普活动 (major_event)
    online                    线上科普作品                             网络科普 (online)
    ========================  =====================================  ==========================
    """

    TECH_TRAINING = "tech_training", _("技术讲座培训")
    FIELD_GUIDANCE = "field_guidance", _("实地技术指导")
    FREE_CLINIC = "free_clinic", _("医疗义诊")
    RURAL_TALENT_TRAINING = "rural_talent_training", _("农村实用人才和新型职业农民培训")
    TECH_MATCHING = "tech_matching", _("技术对接/项目合作")
    POPULAR_LECTURE = "popular_lecture", _("科普宣讲")
    EXPERT_REPORT = "expert_report", _("专家报告会")
    EXHIBITION = "exhibition", _("专题展览")
    CONSULTATION = "consultation", _("科技咨询")
    FESTIVAL = "festival", _("科技节、科普节")
    THEMED_DAY = "themed_day", _("主题日活动")
    ONLINE = "online", _("线上科普作品")


TECH_KINDS = (
    ActivityKind.TECH_TRAINING,
    ActivityKind.FIELD_GUIDANCE,
    ActivityKind.FREE_CLINIC,
    ActivityKind.RURAL_TALENT_TRAINING,
    ActivityKind.TECH_MATCHING,
)
POPULARIZATION_KINDS = tuple(kind for kind in ActivityKind if kind not in TECH_KINDS)


def stream_of(kind: str) -> str:
    return Stream.TECH_SERVICE if kind in TECH_KINDS else Stream.POPULARIZATION


class StatCategory(models.TextChoices):
    """Headings of the annual statistical return that activity types are counted under."""

    TRAINING = "training", _("实用技术培训")
    TECH_SERVICE = "tech_service", _("技术服务与咨询")
    VOLUNTEER = "volunteer", _("科技志愿服务")
    LECTURE = "lecture", _("科普（技）讲座")
    EXHIBITION = "exhibition", _("科普（技）展览")
    PUBLICITY = "publicity", _("科普咨询与宣传")
    YOUTH = "youth", _("青少年科普活动")
    MAJOR_EVENT = "major_event", _("重大科普活动")
    ONLINE = "online", _("网络科普")


STAT_CATEGORY: dict[str, str] = {
    ActivityKind.TECH_TRAINING: StatCategory.TRAINING,
    ActivityKind.FIELD_GUIDANCE: StatCategory.TECH_SERVICE,
    ActivityKind.FREE_CLINIC: StatCategory.VOLUNTEER,
    ActivityKind.RURAL_TALENT_TRAINING: StatCategory.TRAINING,
    ActivityKind.TECH_MATCHING: StatCategory.TECH_SERVICE,
    ActivityKind.POPULAR_LECTURE: StatCategory.LECTURE,
    ActivityKind.EXPERT_REPORT: StatCategory.LECTURE,
    ActivityKind.EXHIBITION: StatCategory.EXHIBITION,
    ActivityKind.CONSULTATION: StatCategory.PUBLICITY,
    ActivityKind.FESTIVAL: StatCategory.YOUTH,
    ActivityKind.THEMED_DAY: StatCategory.MAJOR_EVENT,
    ActivityKind.ONLINE: StatCategory.ONLINE,
}


class VenueKind(models.TextChoices):
    CIVILIZATION_CENTER = "civilization_center", _("新时代文明实践中心（所、站）")
    PARTY_SERVICE_CENTER = "party_service_center", _("党群服务中心")
    SCHOOL = "school", _("学校")
    VILLAGE = "village", _("村（社区）")
    HOSPITAL = "hospital", _("医院（卫生院）")
    ENTERPRISE = "enterprise", _("企业（园区）")
    VENUE = "venue", _("科普场馆/基地")
    ONLINE = "online", _("线上")


class Audience(models.TextChoices):
    YOUTH = "youth", _("青少年")
    ELDERLY = "elderly", _("老年人")
    FARMERS = "farmers", _("农民")
    PATIENTS = "patients", _("患者")
    GENERAL = "general", _("社会公众")


class AlignmentTag(models.TextChoices):
    """The plan's 一个统筹、两个纳入、五个结合 (section 四.2)."""

    COORDINATED = "coordinated", _("统筹推进工作与现行工作")
    INTO_PROSPERITY = "into_prosperity", _("纳入科协高质量服务共同富裕标杆区建设")
    INTO_REFORM = "into_reform", _("纳入新时代科协群团深改")
    WITH_CIVILIZATION_CENTERS = (
        "with_civilization_centers",
        _("与新时代文明实践中心和基层党群服务中心建设相结合"),
    )
    WITH_EQUAL_ACCESS = "with_equal_access", _("与推进科普服务均等化相结合")
    WITH_RURAL_REVITALIZATION = "with_rural_revitalization", _("与助力乡村振兴服务相结合")
    WITH_YOUTH_AND_ELDERLY = "with_youth_and_elderly", _("与农村青少年科技教育和社区老年群体健康科普相结合")
    WITH_VOLUNTEER_TEAMS = "with_volunteer_teams", _("与科技志愿者服务队伍发展建设相结合")


class ActivityQuerySet(models.QuerySet):
    def held(self) -> ActivityQuerySet:
        """Activities that took place: held and verified ones (the coverage indicator counts these)."""
        return self.filter(status__in=Activity.TOOK_PLACE)

    def in_region(self, region: Region) -> ActivityQuerySet:
        """Activities that took place in the region or anywhere below it."""
        return self.filter(region__path__startswith=region.path)

    def in_month(self, year: int, month: int) -> ActivityQuerySet:
        start = timezone.make_aware(datetime.datetime(year, month, 1))
        end = timezone.make_aware(datetime.datetime(year + month // 12, month % 12 + 1, 1))
        return self.filter(starts_at__gte=start, starts_at__lt=end)

    def publicly_listed(self) -> ActivityQuerySet:
        """Upcoming popularisation events an organiser's admin approved for the public calendar."""
        return self.filter(
            stream=Stream.POPULARIZATION,
            is_published=True,
            status__in=(Activity.Status.PLANNED, Activity.Status.HELD),
            ends_at__gte=timezone.now(),
        )


class Activity(models.Model):
    """One technical service or popularisation activity, from plan to verification.

    ``kind`` is mapped onto the annual statistical return by ``STAT_CATEGORY`` (see
    ``ActivityKind``); ``stream`` always agrees with ``kind`` (a database constraint says so).
    """

    class Status(models.TextChoices):
        PLANNED = "planned", _("计划中")
        HELD = "held", _("已举办")
        VERIFIED = "verified", _("已核实")
        CANCELLED = "cancelled", _("已取消")

    TOOK_PLACE = (Status.HELD, Status.VERIFIED)

    title = models.CharField(_("活动名称"), max_length=128)
    stream = models.CharField(_("服务类别"), max_length=16, choices=Stream.choices, editable=False)
    kind = models.CharField(_("活动类型"), max_length=32, choices=ActivityKind.choices)
    organizer = models.ForeignKey(
        Organization,
        verbose_name=_("主办组织"),
        on_delete=models.PROTECT,
        related_name="organized_activities",
    )
    co_organizers = models.ManyToManyField(
        Organization, verbose_name=_("协办组织"), blank=True, related_name="co_organized_activities"
    )
    leaders = models.ManyToManyField(
        Person,
        verbose_name=_("带队的三长/泛三长"),
        blank=True,
        related_name="led_activities",
        help_text=_("领衔或带队开展此次活动的三长/泛三长"),
    )
    teams = models.ManyToManyField(
        VolunteerTeam, verbose_name=_("参与的志愿服务队"), blank=True, related_name="activities"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("活动区域"), on_delete=models.PROTECT, related_name="activities"
    )
    venue_kind = models.CharField(_("场所类型"), max_length=32, choices=VenueKind.choices)
    venue = models.CharField(_("活动地点"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    audiences = models.JSONField(_("服务对象"), default=list, blank=True)
    alignment_tags = models.JSONField(_("工作结合点"), default=list, blank=True)
    description = models.TextField(_("活动内容"), blank=True)
    planned_participants = models.PositiveIntegerField(_("计划参与人数"), default=0)
    reported_participants = models.PositiveIntegerField(
        _("上报参与人数"),
        null=True,
        blank=True,
        help_text=_("未扫码签到的参与者（如线上观看、纸质签到）由组织者据实上报"),
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PLANNED, db_index=True
    )
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("状态变更人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_published = models.BooleanField(
        _("在公众日历公开"), default=False, help_text=_("由主办组织管理员审核后公开")
    )
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("公开审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    checkin_token = models.CharField(
        _("签到码"), max_length=32, unique=True, default=new_checkin_token, editable=False
    )
    source_key = models.CharField(
        _("来源编号"),
        max_length=64,
        blank=True,
        help_text=_("导入或演示数据的来源编号，用于避免重复导入"),
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
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务活动")
        verbose_name_plural = pgettext_lazy("plural", "服务活动")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=F("starts_at")),
                name="activity_ends_after_start",
                violation_error_message=_("结束时间不能早于开始时间。"),
            ),
            models.CheckConstraint(
                condition=(Q(stream="tech_service") & Q(kind__in=[k.value for k in TECH_KINDS]))
                | (Q(stream="popularization") & Q(kind__in=[k.value for k in POPULARIZATION_KINDS])),
                name="activity_stream_matches_kind",
                violation_error_message=_("活动类型与服务类别不一致。"),
            ),
            models.CheckConstraint(
                condition=Q(is_published=False) | Q(stream="popularization"),
                name="activity_only_popularization_published",
                violation_error_message=_("只有科普服务活动可以在公众日历公开。"),
            ),
            models.UniqueConstraint(
                fields=["source_key"],
                condition=~Q(source_key=""),
                name="activity_unique_source_key",
                violation_error_message=_("该来源编号的活动已存在。"),
            ),
        ]
        indexes = [
            models.Index(fields=["starts_at"]),
            models.Index(fields=["stream", "starts_at"]),
            models.Index(fields=["kind", "starts_at"]),
            models.Index(fields=["organizer", "starts_at"]),
            models.Index(fields=["region", "starts_at"]),
            models.Index(fields=["status", "starts_at"]),
            models.Index(fields=["is_published", "stream", "ends_at"]),
        ]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.starts_at):%Y-%m-%d} {self.title}"

    def save(self, *args, **kwargs) -> None:
        # The stream is a function of the type; keeping it as a column lets lists and reports
        # filter and group by it with an index.
        self.stream = stream_of(self.kind)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("services:activity_detail", args=[self.pk])

    @property
    def stat_category(self) -> str:
        return STAT_CATEGORY[self.kind]

    def get_stat_category_display(self) -> str:
        return StatCategory(self.stat_category).label

    def get_audiences_display(self) -> list[str]:
        return [Audience(code).label for code in self.audiences if code in Audience.values]

    def get_alignment_tags_display(self) -> list[str]:
        return [AlignmentTag(code).label for code in self.alignment_tags if code in AlignmentTag.values]

    def checkin_path(self) -> str:
        return reverse("services:checkin", args=[self.checkin_token])

    def volunteer_checkin_path(self) -> str:
        return reverse("services:volunteer_checkin", args=[self.checkin_token])

    def checkin_window(self) -> tuple[datetime.datetime, datetime.datetime]:
        """When the public check-in page accepts entries: from a while before the start until
        ``SANHUI_CHECKIN_CLOSE_HOURS`` after the end."""
        before = datetime.timedelta(hours=settings.SANHUI_CHECKIN_OPEN_HOURS_BEFORE)
        after = datetime.timedelta(hours=settings.SANHUI_CHECKIN_CLOSE_HOURS)
        return self.starts_at - before, self.ends_at + after

    def checkin_state(self, now: datetime.datetime | None = None) -> str:
        """ "open", "not_yet", "closed" or "cancelled"."""
        if self.status == self.Status.CANCELLED:
            return "cancelled"
        now = now or timezone.now()
        opens, closes = self.checkin_window()
        if now < opens:
            return "not_yet"
        if now > closes:
            return "closed"
        return "open"


class ActivityTransition(models.Model):
    """Who moved an activity from one status to another, when, and why."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="transitions"
    )
    from_status = models.CharField(_("原状态"), max_length=16, choices=Activity.Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16, choices=Activity.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("说明"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("活动状态变更")
        verbose_name_plural = pgettext_lazy("plural", "活动状态变更")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.activity_id}: {self.from_status} → {self.to_status}"


class Evidence(models.Model):
    """A photo, a sign-in sheet or another document showing that the activity took place."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("活动照片")
        SIGN_IN_SHEET = "sign_in_sheet", _("签到表")
        OTHER = "other", _("其他材料")

    activity = models.ForeignKey(
        Activity, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="evidence"
    )
    kind = models.CharField(_("材料类型"), max_length=16, choices=Kind.choices, default=Kind.PHOTO)
    file = models.FileField(_("文件"), upload_to=evidence_path, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    size = models.PositiveIntegerField(_("文件大小（字节）"), default=0)
    caption = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("活动佐证材料")
        verbose_name_plural = pgettext_lazy("plural", "活动佐证材料")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name or self.file.name

    @property
    def is_image(self) -> bool:
        return self.file.name.lower().rsplit(".", 1)[-1] in {"jpg", "jpeg", "png", "webp"}


class Attendance(models.Model):
    """One attendee's check-in by QR code: the name and phone they gave, once per activity."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="attendances"
    )
    name = models.CharField(_("姓名"), max_length=32)
    # Encrypted at rest; the one-per-phone rule and every match use ``phone_hash``.
    phone = EncryptedCharField(_("手机号码"), max_length=11)
    phone_hash = LookupHashField(source="phone")
    checked_in_at = models.DateTimeField(_("签到时间"), default=timezone.now)

    class Meta:
        verbose_name = _("签到记录")
        verbose_name_plural = pgettext_lazy("plural", "签到记录")
        ordering = ["checked_in_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "phone_hash"],
                name="attendance_one_per_phone",
                violation_error_message=_("该手机号码已签到过本次活动。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} @ {self.activity_id}"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


QUARTER_HOUR = Decimal("0.25")


def hours_served(checked_in_at: datetime.datetime, checked_out_at: datetime.datetime) -> Decimal:
    """Hours between check-in and check-out, in whole quarter hours rounded down.

    Check-in and check-out happen at the venue, so travel is never counted; rounding down
    means a volunteer is never credited with time they did not serve."""
    seconds = max((checked_out_at - checked_in_at).total_seconds(), 0)
    quarters = int(seconds // (15 * 60))
    return (Decimal(quarters) * QUARTER_HOUR).quantize(Decimal("0.01"))


HOURS_FIELD = models.DecimalField(max_digits=12, decimal_places=2)


def hours_total() -> Coalesce:
    """Volunteer hours: the sum of the hours recorded, zero when there are none. With
    ``VolunteerServiceQuerySet.counted()`` (which rows count) the one definition of the figure,
    for a volunteer's and a team's record here and for the programme's indicators alike."""
    return Coalesce(Sum("hours"), Value(Decimal(0)), output_field=HOURS_FIELD)


class VolunteerServiceQuerySet(models.QuerySet):
    def counted(self) -> VolunteerServiceQuerySet:
        """Rows that count toward volunteer hours: hours recorded (a check-in without check-out
        counts only once corrected) at an activity that took place (held or verified)."""
        return self.filter(hours__isnull=False, activity__status__in=Activity.TOOK_PLACE)

    def in_year(self, year: int) -> VolunteerServiceQuerySet:
        start = timezone.make_aware(datetime.datetime(year, 1, 1))
        end = timezone.make_aware(datetime.datetime(year + 1, 1, 1))
        return self.filter(activity__starts_at__gte=start, activity__starts_at__lt=end)


class VolunteerService(models.Model):
    """A volunteer's service at one activity: check-in and check-out times and the hours."""

    class Source(models.TextChoices):
        CHECKIN = "checkin", _("扫码签到签退")
        ENTERED = "entered", _("管理员录入")
        CORRECTED = "corrected", _("管理员更正")

    activity = models.ForeignKey(
        Activity, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="volunteer_services"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("志愿者"), on_delete=models.PROTECT, related_name="volunteer_services"
    )
    team = models.ForeignKey(
        VolunteerTeam,
        verbose_name=_("服务队"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteer_services",
    )
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    hours = models.DecimalField(_("服务时长（小时）"), max_digits=5, decimal_places=2, null=True, blank=True)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices, default=Source.CHECKIN)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = VolunteerServiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("志愿服务记录")
        verbose_name_plural = pgettext_lazy("plural", "志愿服务记录")
        ordering = ["activity__starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "person"],
                name="volunteerservice_one_per_activity",
                violation_error_message=_("该志愿者在本次活动已有服务记录。"),
            ),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True)
                | Q(checked_in_at__isnull=True)
                | Q(checked_out_at__gte=F("checked_in_at")),
                name="volunteerservice_out_after_in",
                violation_error_message=_("签退时间不能早于签到时间。"),
            ),
            models.CheckConstraint(
                condition=Q(hours__isnull=True) | (Q(hours__gte=0) & Q(hours__lte=24)),
                name="volunteerservice_hours_in_range",
                violation_error_message=_("单次服务时长应在0到24小时之间。"),
            ),
        ]
        indexes = [models.Index(fields=["person", "activity"]), models.Index(fields=["team", "activity"])]

    def __str__(self) -> str:
        return f"{self.person} @ {self.activity_id}: {self.hours}"


class VolunteerHoursChange(models.Model):
    """An admin's entry or correction of a volunteer's hours: who, when, old, new and why."""

    service = models.ForeignKey(
        VolunteerService, verbose_name=_("志愿服务记录"), on_delete=models.CASCADE, related_name="changes"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    old_hours = models.DecimalField(_("原时长"), max_digits=5, decimal_places=2, null=True, blank=True)
    new_hours = models.DecimalField(_("新时长"), max_digits=5, decimal_places=2)
    reason = models.CharField(_("原因"), max_length=255)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("服务时长更正记录")
        verbose_name_plural = pgettext_lazy("plural", "服务时长更正记录")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.service_id}: {self.old_hours} → {self.new_hours}"


# --------------------------------------------------------------------------- summary tables
# Kept exact by ``services.tallies`` (read its docstring); written nowhere else.


class ActivityTally(models.Model):
    """What one activity adds to the ledger's figures, as last counted, and the cell of
    ``LedgerMonth`` it was added to. Not a foreign key to the organiser and region (and no
    database constraint to the activity): the row must outlive a change of them, so that the
    next count can take the old contribution out of the old cell."""

    activity = models.OneToOneField(
        Activity,
        verbose_name=_("活动"),
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="tally",
    )
    organizer_id = models.BigIntegerField(_("主办组织"))
    region_id = models.BigIntegerField(_("活动区域"))
    month = models.DateField(_("月份"))
    stream = models.CharField(_("服务类别"), max_length=16, choices=Stream.choices)
    kind = models.CharField(_("活动类型"), max_length=32, choices=ActivityKind.choices)
    took_place = models.BooleanField(_("已举办"))
    checkins = models.IntegerField(_("签到人数"))
    reported = models.BooleanField(_("按上报人数计"), help_text=_("无人扫码签到而填写了上报参与人数"))
    reported_people = models.IntegerField(
        _("计入的上报人数"), help_text=_("无人扫码签到时计入的上报参与人数")
    )
    hours_hundredths = models.BigIntegerField(_("志愿服务时长（百分之一小时）"))

    class Meta:
        verbose_name = _("活动计数")
        verbose_name_plural = pgettext_lazy("plural", "活动计数")
        # The activity list sorted by 签到人数 reads this index in order.
        indexes = [models.Index(fields=["checkins", "activity"], name="activitytally_checkins")]

    def __str__(self) -> str:
        return f"{self.activity_id}: {self.checkins}"


class LedgerSums(models.Model):
    """What a summary row of the ledger sums over the activities that took place in it."""

    activities = models.IntegerField(_("活动数"))
    checkins = models.BigIntegerField(_("签到人次"))
    reported_people = models.BigIntegerField(_("上报人次"))
    reported_activities = models.IntegerField(_("按上报人数计的活动数"))
    hours_hundredths = models.BigIntegerField(_("志愿服务时长（百分之一小时）"))

    class Meta:
        abstract = True


class LedgerMonth(LedgerSums):
    """The activities that took place, summed per organiser × region × month × stream × type:
    the table the dashboards and reports read instead of the raw ledger."""

    organizer = models.ForeignKey(
        Organization, verbose_name=_("主办组织"), on_delete=models.CASCADE, related_name="+"
    )
    region = models.ForeignKey(Region, verbose_name=_("活动区域"), on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("月份"))
    stream = models.CharField(_("服务类别"), max_length=16, choices=Stream.choices)
    kind = models.CharField(_("活动类型"), max_length=32, choices=ActivityKind.choices)

    class Meta:
        verbose_name = _("月度台账汇总")
        verbose_name_plural = pgettext_lazy("plural", "月度台账汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["organizer", "region", "month", "stream", "kind"], name="ledgermonth_one_per_cell"
            )
        ]
        indexes = [models.Index(fields=["month", "region"], name="ledgermonth_month_region")]

    def __str__(self) -> str:
        return f"{self.organizer_id} · {self.region_id} · {self.month:%Y-%m} · {self.kind}: {self.activities}"


class LedgerRegionMonth(models.Model):
    """Activities that took place per region × month: the month cells summed over organisers,
    streams and types, for the coverage of every town over several quarters (a province has a
    hundred thousand of these against a million and a half cells)."""

    region = models.ForeignKey(Region, verbose_name=_("活动区域"), on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("月份"))
    activities = models.IntegerField(_("活动数"))

    class Meta:
        verbose_name = _("区域月度活动数")
        verbose_name_plural = pgettext_lazy("plural", "区域月度活动数")
        constraints = [
            models.UniqueConstraint(fields=["region", "month"], name="ledgerregionmonth_one_per_cell")
        ]
        indexes = [models.Index(fields=["month", "region"], name="ledgerregionmonth_month")]

    def __str__(self) -> str:
        return f"{self.region_id} · {self.month:%Y-%m}: {self.activities}"


class LedgerTownMonth(models.Model):
    """Activities that took place per town × month: the region × month sums summed over each
    town's regions, for the coverage of every town of a province (a row a town a month, where
    its regions have tens)."""

    town = models.ForeignKey(Region, verbose_name=_("镇（街道）"), on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("月份"))
    activities = models.IntegerField(_("活动数"))

    class Meta:
        verbose_name = _("镇街月度活动数")
        verbose_name_plural = pgettext_lazy("plural", "镇街月度活动数")
        constraints = [models.UniqueConstraint(fields=["town", "month"], name="ledgertownmonth_one_per_cell")]
        indexes = [models.Index(fields=["month", "town", "activities"], name="ledgertownmonth_month")]

    def __str__(self) -> str:
        return f"{self.town_id} · {self.month:%Y-%m}: {self.activities}"


class LedgerTownChange(models.Model):
    """A write to the towns' months (``LedgerTownMonth``) since the last fold: the number of
    these rows, with the fold's token (``LedgerTownFold``), names the state of the towns'
    months, so that figures read from them can be kept in the cache under that name. Written by
    ``services.tallies`` in the transaction of each write, a row per write (no row is shared by
    two writers); removed by ``services.tallies.fold_town_changes``."""

    changed_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("镇街月度活动数变动")
        verbose_name_plural = pgettext_lazy("plural", "镇街月度活动数变动")

    def __str__(self) -> str:
        return f"{self.pk}: {self.changed_at}"


class LedgerTownFold(models.Model):
    """The towns' months' changes folded so far (one row): a new token each time the changes
    are removed, so that the count of changes left never names two states."""

    token = models.CharField(_("版本标识"), max_length=32)
    folded_at = models.DateTimeField(_("时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("镇街月度活动数版本")
        verbose_name_plural = pgettext_lazy("plural", "镇街月度活动数版本")

    def __str__(self) -> str:
        return self.token


class LedgerCategoryMonth(LedgerSums):
    """The activities that took place in the whole ledger per month × stream × type × the
    organiser's category: the month cells summed over organisers and regions, for the district's
    (or a province's) own figures and breakdowns — a few hundred rows a year, where the cells
    are a million and a half. An organiser's category is the one it has now: a change of it
    moves its cells' sums from one category to the other (``services.tallies.recategorize``)."""

    month = models.DateField(_("月份"))
    stream = models.CharField(_("服务类别"), max_length=16, choices=Stream.choices)
    kind = models.CharField(_("活动类型"), max_length=32, choices=ActivityKind.choices)
    category = models.CharField(_("主办组织类别"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("全台账月度汇总")
        verbose_name_plural = pgettext_lazy("plural", "全台账月度汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "stream", "kind", "category"], name="ledgercategorymonth_one_per_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} · {self.stream} · {self.kind} · {self.category}: {self.activities}"


class TeamYear(models.Model):
    """A volunteer team's year: the hours its volunteers served, the activities they served at
    and how many volunteers served, counted as ``VolunteerServiceQuerySet.counted`` counts them
    (hours recorded, at an activity that took place), by the year of the activity's start in
    the portal's time zone. Kept exact by ``services.tallies.refresh`` on every write, so that
    the teams' yearly hours are read, not summed over millions of services."""

    team = models.ForeignKey(
        VolunteerTeam, verbose_name=_("服务队"), on_delete=models.CASCADE, related_name="years"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    hours_hundredths = models.BigIntegerField(_("服务时长（百分之一小时）"), default=0)
    activities = models.IntegerField(_("服务活动数"), default=0)
    volunteers = models.IntegerField(_("服务志愿者数"), default=0)

    class Meta:
        verbose_name = _("服务队年度时长")
        verbose_name_plural = pgettext_lazy("plural", "服务队年度时长")
        constraints = [models.UniqueConstraint(fields=["team", "year"], name="teamyear_one_per_year")]
        indexes = [models.Index(fields=["year", "-hours_hundredths"], name="teamyear_year_hours")]

    def __str__(self) -> str:
        return f"{self.team_id} · {self.year}: {self.hours_hundredths / 100:.2f}"
