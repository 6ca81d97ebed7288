"""The rollout of 三长带三会: the plan's phases and stages, tasks and milestones, pilots, the
steering group, inspections with their rectification items, the showcase of exemplary
practices, organisations and leaders, incentives for leaders, and the term reminders sent to
organisations whose leadership terms end soon.

Who may read and change which rows is declared in ``scoping.py``; every write goes through
``actions.py``, which also keeps the history of tasks and rectification items.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from organizations.models import Organization, Person, Seat
from organizations.uploads import evidence_upload_to
from sanhui.clock import today

# --------------------------------------------------------------------------- the plan


class Phase(models.Model):
    """One of the four steps of the plan (实施步骤). Dates are editable by district staff."""

    number = models.PositiveSmallIntegerField(_("序号"), unique=True)
    code = models.SlugField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    summary = models.TextField(_("工作内容"), blank=True)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))

    class Meta:
        verbose_name = _("推进阶段")
        verbose_name_plural = pgettext_lazy("plural", "推进阶段")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="phase_ends_after_start",
                violation_error_message=_("结束日期不能早于开始日期。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.label}"

    def get_absolute_url(self) -> str:
        # A phase has no page of its own: its section of the plan's overview.
        return f"{reverse('rollout:overview')}#phase-{self.number}"

    @property
    def label(self) -> str:
        """The name in the viewer's language (the plan's own names are in the catalogue; a name
        staff have changed reads as they wrote it)."""
        return gettext(self.name)

    def is_current(self, on: datetime.date | None = None) -> bool:
        on = on or today()
        return self.start_date <= on <= self.end_date


class Stage(models.Model):
    """A stage within a phase: 局部推进, 深入推进 and 全面覆盖 of the implementation phase."""

    phase = models.ForeignKey(
        Phase, verbose_name=_("所属阶段"), on_delete=models.PROTECT, related_name="stages"
    )
    code = models.SlugField(_("编码"), max_length=8, unique=True, help_text=_("例如：3a"))
    name = models.CharField(_("名称"), max_length=64)
    summary = models.TextField(_("工作内容"), blank=True)
    target = models.CharField(_("目标"), max_length=200, blank=True)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))

    class Meta:
        verbose_name = _("子阶段")
        verbose_name_plural = pgettext_lazy("plural", "子阶段")
        ordering = ["phase__number", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="stage_ends_after_start",
                violation_error_message=_("结束日期不能早于开始日期。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"

    def get_absolute_url(self) -> str:
        return f"{reverse('rollout:overview')}#stage-{self.pk}"

    @property
    def label(self) -> str:
        """The name in the viewer's language (the plan's own names are in the catalogue; a name
        staff have changed reads as they wrote it)."""
        return gettext(self.name)

    def is_current(self, on: datetime.date | None = None) -> bool:
        on = on or today()
        return self.start_date <= on <= self.end_date


class Milestone(models.Model):
    phase = models.ForeignKey(
        Phase, verbose_name=_("所属阶段"), on_delete=models.PROTECT, related_name="milestones"
    )
    stage = models.ForeignKey(
        Stage,
        verbose_name=_("子阶段"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="milestones",
    )
    title = models.CharField(_("里程碑"), max_length=128)
    description = models.TextField(_("说明"), blank=True)
    due_date = models.DateField(_("计划日期"), db_index=True)
    achieved_on = models.DateField(_("达成日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("里程碑")
        verbose_name_plural = pgettext_lazy("plural", "里程碑")
        ordering = ["due_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["phase", "title"],
                name="milestone_unique_title_in_phase",
                violation_error_message=_("本阶段已有同名的里程碑。"),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"{reverse('rollout:overview')}#milestone-{self.pk}"

    def is_overdue(self, on: datetime.date | None = None) -> bool:
        return self.achieved_on is None and self.due_date < (on or today())


# --------------------------------------------------------------------------- tasks


class TaskQuerySet(models.QuerySet):
    def open(self) -> TaskQuerySet:
        return self.exclude(status__in=Task.CLOSED_STATUSES)

    def overdue(self, on: datetime.date | None = None) -> TaskQuerySet:
        """Open tasks whose due date lies before the given day (today in Asia/Shanghai)."""
        return self.open().filter(due_date__lt=on or today())

    def with_overdue_flag(self, on: datetime.date | None = None) -> TaskQuerySet:
        """Annotate ``overdue`` and ``closed`` (done or cancelled), for highlighting and order."""
        on = on or today()
        return self.annotate(
            overdue=models.Case(
                models.When(Q(due_date__lt=on) & ~Q(status__in=Task.CLOSED_STATUSES), then=True),
                default=False,
                output_field=models.BooleanField(),
            ),
            closed=models.Case(
                models.When(status__in=Task.CLOSED_STATUSES, then=True),
                default=False,
                output_field=models.BooleanField(),
            ),
        )

    def overdue_first(self, on: datetime.date | None = None) -> TaskQuerySet:
        """Open tasks before closed ones, overdue first, then by due date."""
        return self.with_overdue_flag(on).order_by(*Task.OVERDUE_FIRST)


class Task(models.Model):
    """A task of the plan with the organisation responsible for it."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("未开始")
        IN_PROGRESS = "in_progress", _("进行中")
        DONE = "done", _("已完成")
        CANCELLED = "cancelled", _("已取消")

    CLOSED_STATUSES = (Status.DONE, Status.CANCELLED)
    # Order of lists that put what needs attention first (with ``with_overdue_flag``).
    OVERDUE_FIRST = ("closed", "-overdue", "due_date", "pk")

    phase = models.ForeignKey(
        Phase, verbose_name=_("所属阶段"), on_delete=models.PROTECT, related_name="tasks"
    )
    stage = models.ForeignKey(
        Stage, verbose_name=_("子阶段"), null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    title = models.CharField(_("任务"), max_length=200)
    description = models.TextField(_("任务说明"), blank=True)
    organization = models.ForeignKey(
        Organization, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="rollout_tasks"
    )
    due_date = models.DateField(_("完成时限"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.NOT_STARTED)
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("推进任务")
        verbose_name_plural = pgettext_lazy("plural", "推进任务")
        ordering = ["due_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["phase", "organization", "title"],
                name="task_unique_title_per_organization_in_phase",
                violation_error_message=_("该责任单位在本阶段已有同名任务。"),
            ),
            models.CheckConstraint(
                condition=(Q(status="done") & Q(completed_on__isnull=False))
                | (~Q(status="done") & Q(completed_on__isnull=True)),
                name="task_completed_on_only_when_done",
                violation_error_message=_("只有已完成的任务才有完成日期。"),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_date"]),
            models.Index(fields=["organization", "status"]),
            models.Index(fields=["phase", "due_date"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("rollout:task_detail", args=[self.pk])

    @property
    def is_closed(self) -> bool:
        return self.status in self.CLOSED_STATUSES

    def is_overdue(self, on: datetime.date | None = None) -> bool:
        return not self.is_closed and self.due_date < (on or today())

    def days_overdue(self, on: datetime.date | None = None) -> int:
        return max(((on or today()) - self.due_date).days, 0) if self.is_overdue(on) else 0


class TaskUpdate(models.Model):
    """One entry of a task's history: a status change, a progress note, or both."""

    task = models.ForeignKey(Task, verbose_name=_("任务"), on_delete=models.CASCADE, related_name="updates")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    old_status = models.CharField(_("原状态"), max_length=16, choices=Task.Status.choices, blank=True)
    new_status = models.CharField(_("新状态"), max_length=16, choices=Task.Status.choices, blank=True)
    note = models.TextField(_("进展说明"), blank=True)

    class Meta:
        verbose_name = _("任务进展")
        verbose_name_plural = pgettext_lazy("plural", "任务进展")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["task", "created_at"])]

    def __str__(self) -> str:
        return f"{self.task} · {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def status_changed(self) -> bool:
        return bool(self.new_status) and self.old_status != self.new_status


# --------------------------------------------------------------------------- pilots and the steering group


class Pilot(models.Model):
    """A pilot organisation of the 局部推进 stage, with what it found and what it does about it."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("试点单位"), on_delete=models.PROTECT, related_name="rollout_pilots"
    )
    stage = models.ForeignKey(
        Stage, verbose_name=_("子阶段"), on_delete=models.PROTECT, related_name="pilots"
    )
    started_on = models.DateField(_("试点开始日期"), null=True, blank=True)
    focus = models.CharField(_("试点重点"), max_length=200, blank=True)
    findings = models.TextField(_("存在问题"), blank=True)
    measures = models.TextField(_("具体对策"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("试点")
        verbose_name_plural = pgettext_lazy("plural", "试点")
        ordering = ["stage__code", "organization__home_region__sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "stage"],
                name="pilot_unique_organization_per_stage",
                violation_error_message=_("该单位已是本阶段的试点。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.stage}"

    def get_absolute_url(self) -> str:
        return reverse("rollout:pilot_detail", args=[self.pk])


class SteeringMemberQuerySet(models.QuerySet):
    def current(self, on: datetime.date | None = None) -> SteeringMemberQuerySet:
        on = on or today()
        return self.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on))


class SteeringMember(models.Model):
    """A place in the steering group (专项指导组) that guides and inspects the rollout."""

    class Role(models.TextChoices):
        LEADER = "leader", _("组长")
        DEPUTY = "deputy", _("副组长")
        OFFICE_DIRECTOR = "office_director", _("办公室主任")
        MEMBER = "member", _("成员")

    RANK = (Role.LEADER, Role.DEPUTY, Role.OFFICE_DIRECTOR, Role.MEMBER)
    # The plan names one group leader and one office director.
    SINGLE_HOLDER = (Role.LEADER, Role.OFFICE_DIRECTOR)

    role = models.CharField(_("职务"), max_length=16, choices=Role.choices)
    name = models.CharField(_("姓名"), max_length=32)
    title = models.CharField(_("单位职务"), max_length=64, blank=True, help_text=_("例如：区科协副主席"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("平台账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="steering_places",
    )
    started_on = models.DateField(_("任职日期"), null=True, blank=True)
    ended_on = models.DateField(_("离任日期"), null=True, blank=True)
    notes = models.CharField(_("备注"), max_length=200, blank=True)

    objects = SteeringMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("专项指导组成员")
        verbose_name_plural = pgettext_lazy("plural", "专项指导组成员")
        ordering = ["ended_on", "role", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["role"],
                condition=Q(ended_on__isnull=True) & Q(role__in=["leader", "office_director"]),
                name="steeringmember_one_leader_and_office_director",
                violation_error_message=_("组长和办公室主任各只能有一位在任。"),
            ),
            models.UniqueConstraint(
                fields=["name", "role"],
                condition=Q(ended_on__isnull=True),
                name="steeringmember_unique_open_place",
                violation_error_message=_("此人已担任该职务。"),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ended_on__gte=F("started_on")),
                name="steeringmember_ends_after_start",
                violation_error_message=_("离任日期不能早于任职日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} · {self.name}"

    def get_absolute_url(self) -> str:
        return f"{reverse('rollout:steering_group')}#steering-member-{self.pk}"

    @property
    def is_current(self) -> bool:
        return self.ended_on is None or self.ended_on >= today()


# --------------------------------------------------------------------------- inspections


class Inspection(models.Model):
    """An inspection (督查) of an organisation's rollout work by the steering group."""

    reference = models.CharField(
        _("督查编号"), max_length=64, blank=True, help_text=_("例如：鄞科协督〔2022〕3号，选填")
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("被督查单位"),
        on_delete=models.PROTECT,
        related_name="rollout_inspections",
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("督查人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="rollout_inspections",
    )
    inspectors = models.CharField(_("督查组成员"), max_length=200, blank=True)
    inspected_on = models.DateField(_("督查日期"))
    score = models.DecimalField(
        _("评分"), max_digits=4, decimal_places=1, null=True, blank=True, help_text=_("百分制，选填")
    )
    findings = models.TextField(_("督查发现"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("督查")
        verbose_name_plural = pgettext_lazy("plural", "督查")
        ordering = ["-inspected_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | (Q(score__gte=0) & Q(score__lte=100)),
                name="inspection_score_0_to_100",
                violation_error_message=_("评分应在0到100之间。"),
            ),
            models.UniqueConstraint(
                fields=["reference"],
                condition=~Q(reference=""),
                name="inspection_unique_reference",
                violation_error_message=_("该督查编号已被使用。"),
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "inspected_on"]),
            models.Index(fields=["inspected_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.inspected_on:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("rollout:inspection_detail", args=[self.pk])


class RectificationQuerySet(models.QuerySet):
    def open(self) -> RectificationQuerySet:
        return self.exclude(status=Rectification.Status.CLOSED)

    def overdue(self, on: datetime.date | None = None) -> RectificationQuerySet:
        return self.open().filter(deadline__lt=on or today())

    def with_overdue_flag(self, on: datetime.date | None = None) -> RectificationQuerySet:
        on = on or today()
        return self.annotate(
            overdue=models.Case(
                models.When(Q(deadline__lt=on) & ~Q(status=Rectification.Status.CLOSED), then=True),
                default=False,
                output_field=models.BooleanField(),
            ),
            closed=models.Case(
                models.When(status=Rectification.Status.CLOSED, then=True),
                default=False,
                output_field=models.BooleanField(),
            ),
        )

    def overdue_first(self, on: datetime.date | None = None) -> RectificationQuerySet:
        """Open items before closed ones, overdue first, then by deadline."""
        return self.with_overdue_flag(on).order_by("closed", "-overdue", "deadline", "pk")


class Rectification(models.Model):
    """An item an inspection asks the organisation to put right by a deadline."""

    class Status(models.TextChoices):
        OPEN = "open", _("待整改")
        IN_PROGRESS = "in_progress", _("整改中")
        CLOSED = "closed", _("已销号")

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("督查"), on_delete=models.CASCADE, related_name="rectifications"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("整改单位"),
        on_delete=models.PROTECT,
        related_name="rollout_rectifications",
    )
    title = models.CharField(_("整改事项"), max_length=200)
    requirement = models.TextField(_("整改要求"), blank=True)
    owner_name = models.CharField(_("责任人"), max_length=64, blank=True)
    deadline = models.DateField(_("整改时限"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN)
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    closure_note = models.TextField(_("整改情况"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = RectificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("整改事项")
        verbose_name_plural = pgettext_lazy("plural", "整改事项")
        ordering = ["deadline", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "title"],
                name="rectification_unique_title_in_inspection",
                violation_error_message=_("本次督查已有同名的整改事项。"),
            ),
            models.CheckConstraint(
                condition=(Q(status="closed") & Q(closed_on__isnull=False))
                | (~Q(status="closed") & Q(closed_on__isnull=True)),
                name="rectification_closed_on_only_when_closed",
                violation_error_message=_("只有已销号的整改事项才有销号日期。"),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "deadline"]),
            models.Index(fields=["organization", "status"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("rollout:rectification_detail", args=[self.pk])

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    def is_overdue(self, on: datetime.date | None = None) -> bool:
        return not self.is_closed and self.deadline < (on or today())

    def days_overdue(self, on: datetime.date | None = None) -> int:
        return max(((on or today()) - self.deadline).days, 0) if self.is_overdue(on) else 0


class RectificationUpdate(models.Model):
    """One entry of a rectification item's history."""

    rectification = models.ForeignKey(
        Rectification, verbose_name=_("整改事项"), on_delete=models.CASCADE, related_name="updates"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    old_status = models.CharField(
        _("原状态"), max_length=16, choices=Rectification.Status.choices, blank=True
    )
    new_status = models.CharField(
        _("新状态"), max_length=16, choices=Rectification.Status.choices, blank=True
    )
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("整改进展")
        verbose_name_plural = pgettext_lazy("plural", "整改进展")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["rectification", "created_at"])]

    def __str__(self) -> str:
        return f"{self.rectification} · {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def status_changed(self) -> bool:
        return bool(self.new_status) and self.old_status != self.new_status


class RectificationEvidence(models.Model):
    """A file (photo or PDF) showing that a rectification item was put right."""

    rectification = models.ForeignKey(
        Rectification, verbose_name=_("整改事项"), on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(_("文件"), upload_to=evidence_upload_to("evidence/rectifications"))
    original_name = models.CharField(_("原文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"), default=0)
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
        verbose_name = _("整改佐证材料")
        verbose_name_plural = pgettext_lazy("plural", "整改佐证材料")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("rollout:evidence_file", args=[self.pk])

    @property
    def is_image(self) -> bool:
        return not self.original_name.lower().endswith(".pdf")


# --------------------------------------------------------------------------- showcase and incentives


class ShowcaseItemQuerySet(models.QuerySet):
    def published(self) -> ShowcaseItemQuerySet:
        return self.filter(status=ShowcaseItem.Status.PUBLISHED)


class ShowcaseItem(models.Model):
    """An exemplary practice, organisation or leader, from nomination to publication."""

    class Kind(models.TextChoices):
        PRACTICE = "practice", _("典型经验做法")
        ORGANIZATION = "organization", _("典型组织")
        LEADER = "leader", _("典型带头人")

    class Status(models.TextChoices):
        NOMINATED = "nominated", _("已推荐")
        APPROVED = "approved", _("已审定")
        PUBLISHED = "published", _("已发布")
        REJECTED = "rejected", _("未采纳")

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=128)
    summary = models.CharField(_("摘要"), max_length=300)
    story = models.TextField(_("事迹/做法"), blank=True)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rollout_showcase_items",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("带头人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rollout_showcase_items",
    )
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.NOMINATED)
    nominated_on = models.DateField(_("推荐日期"))
    nominated_by = models.CharField(_("推荐单位"), max_length=128, blank=True)
    approved_on = models.DateField(_("审定日期"), null=True, blank=True)
    published_on = models.DateField(_("发布日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ShowcaseItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("典型")
        verbose_name_plural = pgettext_lazy("plural", "典型")
        ordering = ["-published_on", "-nominated_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "title"],
                name="showcaseitem_unique_title_per_kind",
                violation_error_message=_("已有同类型、同标题的典型。"),
            ),
            models.CheckConstraint(
                condition=~Q(kind="leader") | Q(person__isnull=False),
                name="showcaseitem_leader_names_a_person",
                violation_error_message=_("典型带头人须选择人员。"),
            ),
            models.CheckConstraint(
                condition=~Q(kind="organization") | Q(organization__isnull=False),
                name="showcaseitem_organization_names_an_organization",
                violation_error_message=_("典型组织须选择组织。"),
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_on__isnull=False),
                name="showcaseitem_published_has_a_date",
                violation_error_message=_("已发布的典型须有发布日期。"),
            ),
        ]
        indexes = [models.Index(fields=["status", "kind"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("rollout:showcase_item", args=[self.pk])


class Incentive(models.Model):
    """Support given to a 三长/泛三长 under the plan's 激励机制."""

    class Kind(models.TextChoices):
        TALENT = "talent", _("人才举荐")
        AWARD = "award", _("奖项评选")
        FUNDING = "funding", _("经费保障")

    person = models.ForeignKey(
        Person, verbose_name=_("三长/泛三长"), on_delete=models.PROTECT, related_name="rollout_incentives"
    )
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("名称"), max_length=200, help_text=_("例如：推荐为宁波市优秀科技工作者候选人"))
    granted_on = models.DateField(_("日期"))
    granted_by = models.CharField(_("推荐/授予/拨付单位"), max_length=128, blank=True)
    amount = models.DecimalField(
        _("金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True, help_text=_("经费保障必填")
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("相关组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rollout_incentives",
        help_text=_("例如：经费用于其牵头的科普协会"),
    )
    notes = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("激励记录")
        verbose_name_plural = pgettext_lazy("plural", "激励记录")
        ordering = ["-granted_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "title"],
                name="incentive_unique_title_per_person",
                violation_error_message=_("该人员已有同类别、同名称的激励记录。"),
            ),
            models.CheckConstraint(
                condition=(Q(kind="funding") & Q(amount__gt=0))
                | (~Q(kind="funding") & Q(amount__isnull=True)),
                name="incentive_amount_only_for_funding",
                violation_error_message=_("经费保障须填写大于0的金额，其他类别不填金额。"),
            ),
        ]
        indexes = [models.Index(fields=["kind", "granted_on"])]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_kind_display()} · {self.title}"

    def get_absolute_url(self) -> str:
        """The incentive list narrowed to its person, where it is one of a few rows."""
        return f"{reverse('rollout:incentive_list')}?person={self.person_id}#incentive-{self.pk}"


# --------------------------------------------------------------------------- term reminders


class TermReminder(models.Model):
    """That the admins of a seat's organisation were told its term ends soon.

    Keyed on the seat and the term end it was sent for: a second run sends nothing, and a seat
    whose term is changed is reminded again when the new end comes near."""

    seat = models.ForeignKey(Seat, verbose_name=_("职务"), on_delete=models.CASCADE, related_name="+")
    term_end = models.DateField(_("任期结束"))
    organization = models.ForeignKey(
        Organization, verbose_name=_("组织"), on_delete=models.CASCADE, related_name="+"
    )
    sent_at = models.DateTimeField(_("发送时间"), default=timezone.now)
    recipients = models.TextField(_("收件人"), blank=True)

    class Meta:
        verbose_name = _("换届提醒")
        verbose_name_plural = pgettext_lazy("plural", "换届提醒")
        ordering = ["-sent_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["seat", "term_end"],
                name="termreminder_once_per_seat_and_term_end",
                violation_error_message=_("该职务的本次任期已提醒过。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.seat} · {self.term_end:%Y-%m-%d}"


# --------------------------------------------------------------------------- reports


@deconstructible
class ReportUploadTo:
    """``<SANHUI_REPORT_STORAGE_PREFIX>/<yyyy>/<mm>/<random>.<ext>``: built reports live apart from
    evidence, under their own prefix, with random names (the download view gives the Chinese one).
    The prefix is read when a file is saved, so that changing the setting needs no migration."""

    def __call__(self, instance, filename: str) -> str:
        prefix = getattr(settings, "SANHUI_REPORT_STORAGE_PREFIX", "reports").strip("/") or "reports"
        return evidence_upload_to(prefix)(instance, filename)

    def __eq__(self, other) -> bool:
        return isinstance(other, ReportUploadTo)

    def __hash__(self) -> int:
        return hash(type(self).__name__)


class ReportRun(models.Model):
    """One requested build of a report: who asked, for what, how it went, and the file.

    ``params_hash`` identifies the requester and the parameters; among the runs still
    ``current`` it is unique, so the same request made twice (a double click, two beat
    instances) yields one run. A re-run, or a new request after a failure, first retires the
    current run and then makes a fresh one."""

    class Kind(models.TextChoices):
        COVERAGE = "coverage", _("覆盖情况报表")
        SUPERVISION = "supervision", _("季度督查报告")

    class Format(models.TextChoices):
        XLSX = "xlsx", _("Excel（XLSX）")
        PDF = "pdf", _("PDF")
        DOCX = "docx", _("Word（DOCX）")
        CSV = "csv", _("CSV")

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    FINISHED_STATUSES = (Status.DONE, Status.FAILED)

    kind = models.CharField(_("报表类型"), max_length=16, choices=Kind.choices)
    parameters = models.JSONField(_("参数"), default=dict)
    params_hash = models.CharField(_("参数摘要"), max_length=64)
    current = models.BooleanField(_("当前有效"), default=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="report_runs",
    )
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    # When the build was last handed to the task queue; empty while the queue has not taken it
    # (unreachable when the run was requested): the redispatch sends it then.
    dispatched_at = models.DateTimeField(_("提交队列时间"), null=True, blank=True)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("范围（组织）"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    file = models.FileField(_("文件"), upload_to=ReportUploadTo(), max_length=255, blank=True)
    checksum = models.CharField(_("SHA-256 校验值"), max_length=64, blank=True)
    size = models.PositiveIntegerField(_("文件大小（字节）"), null=True, blank=True)
    error = models.TextField(_("错误信息"), blank=True)

    class Meta:
        verbose_name = _("报表生成记录")
        verbose_name_plural = pgettext_lazy("plural", "报表生成记录")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["params_hash"],
                condition=Q(current=True),
                name="reportrun_one_current_run_per_request",
                violation_error_message=_("同样的报表申请已在处理中。"),
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | (~Q(checksum="") & ~Q(file="")),
                name="reportrun_done_has_file_and_checksum",
                violation_error_message=_("已完成的报表必须有文件和校验值。"),
            ),
        ]
        indexes = [
            models.Index(fields=["requested_by", "-requested_at"]),
            models.Index(fields=["-requested_at"]),
            models.Index(fields=["status"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.period_code} · {self.format}"

    def get_absolute_url(self) -> str:
        return reverse("reports:detail", args=[self.pk])

    @property
    def period_code(self) -> str:
        return self.parameters.get("period", "")

    @property
    def format(self) -> str:
        return self.parameters.get("format", "")

    @property
    def format_label(self) -> str:
        return self.Format(self.format).label if self.format in self.Format.values else self.format

    @property
    def scope_label(self) -> str:
        if self.organization_id and self.organization:
            return self.organization.name
        if self.parameters.get("scope") == "own":
            return str(_("本人管理的全部组织"))
        return str(_("全区"))

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED_STATUSES


# --------------------------------------------------------------------------- closed quarters


class QuarterClosing(models.Model):
    """One closing of a finished quarter by district staff, and its reopening if any.

    The rows of a quarter are its history; the quarter is closed while its latest row has not
    been reopened (at most one such row a quarter, enforced by the database). While closed,
    the quarter's ledger is locked for organisation admins (``services.ledger_lock``)."""

    quarter = models.CharField(_("季度"), max_length=6, help_text=_("例如：2022Q4"))
    starts_on = models.DateField(_("季度首日"))
    ends_on = models.DateField(_("季度末日"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("关闭人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("关闭时间"), default=timezone.now)
    note = models.TextField(_("关闭说明"), blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("重新开放人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reopened_at = models.DateTimeField(_("重新开放时间"), null=True, blank=True)
    reopen_reason = models.TextField(_("重新开放的原因"), blank=True)

    class Meta:
        verbose_name = _("季度关闭记录")
        verbose_name_plural = pgettext_lazy("plural", "季度关闭记录")
        ordering = ["-closed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["quarter"],
                condition=Q(reopened_at__isnull=True),
                name="quarterclosing_one_open_closing_per_quarter",
                violation_error_message=_("该季度已关闭。"),
            ),
            models.CheckConstraint(
                condition=Q(reopened_at__isnull=True) | ~Q(reopen_reason=""),
                name="quarterclosing_reopening_has_reason",
                violation_error_message=_("重新开放须说明原因。"),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="quarterclosing_ends_after_start",
                violation_error_message=_("结束日期不能早于开始日期。"),
            ),
        ]
        indexes = [models.Index(fields=["starts_on", "ends_on"], condition=Q(reopened_at__isnull=True),
                                name="quarterclosing_open_span")]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.quarter} · {self.closed_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("reports:quarter_detail", args=[self.quarter])

    @property
    def is_open(self) -> bool:
        """Still in force: not reopened since."""
        return self.reopened_at is None


class ReportNumberSequence(models.Model):
    """The last 文号 sequence number given in a year of issue; its row is locked while a number
    is taken, so that two reports issued at once never share one."""

    year = models.PositiveSmallIntegerField(_("印发年份"), unique=True)
    last = models.PositiveIntegerField(_("最后序号"), default=0)

    class Meta:
        verbose_name = _("文号序号")
        verbose_name_plural = pgettext_lazy("plural", "文号序号")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class ImmutableError(Exception):
    """An issued report, or one of its files, was asked to change or go."""


class ImmutableQuerySet(models.QuerySet):
    """Rows written once and never changed: no bulk update, no bulk delete of existing rows."""

    def update(self, **kwargs):
        raise ImmutableError(f"{self.model._meta.label} rows cannot be changed")

    def delete(self):
        if self.exists():
            raise ImmutableError(f"{self.model._meta.label} rows cannot be deleted")
        return 0, {}


class ImmutableModel(models.Model):
    objects = ImmutableQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableError(f"{self._meta.label} rows cannot be changed")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError(f"{self._meta.label} rows cannot be deleted")


class IssuedReport(ImmutableModel):
    """The district's supervision report of a closed quarter as issued: its 文号, when, the
    figures (every section and row, as JSON) and, for a quarter closed again after a
    reopening, what differs from the report issued before. Written once; never changed."""

    closing = models.OneToOneField(
        QuarterClosing, verbose_name=_("关闭记录"), on_delete=models.PROTECT, related_name="issued_report"
    )
    quarter = models.CharField(_("季度"), max_length=6)
    year = models.PositiveSmallIntegerField(_("印发年份"))
    sequence = models.PositiveIntegerField(_("序号"))
    reference = models.CharField(_("文号"), max_length=64, unique=True)
    issued_at = models.DateTimeField(_("印发时间"), default=timezone.now)
    title = models.CharField(_("标题"), max_length=200)
    figures = models.JSONField(_("报告数据"), default=dict)
    previous = models.ForeignKey(
        "self",
        verbose_name=_("前次印发"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    differences = models.JSONField(_("与前次印发的差异"), default=list, blank=True)

    class Meta:
        verbose_name = _("印发的督查通报")
        verbose_name_plural = pgettext_lazy("plural", "印发的督查通报")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "sequence"],
                name="issuedreport_one_number_per_year",
                violation_error_message=_("该文号已被使用。"),
            ),
        ]
        indexes = [models.Index(fields=["quarter", "-issued_at"])]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("reports:quarter_detail", args=[self.quarter])


class IssuedReportFile(ImmutableModel):
    """One rendered file of an issued report, with its checksum. Written once; never changed."""

    report = models.ForeignKey(
        IssuedReport, verbose_name=_("印发的督查通报"), on_delete=models.PROTECT, related_name="files"
    )
    format = models.CharField(_("文件格式"), max_length=8, choices=ReportRun.Format.choices)
    file = models.FileField(_("文件"), upload_to=ReportUploadTo(), max_length=255)
    checksum = models.CharField(_("SHA-256 校验值"), max_length=64)
    size = models.PositiveIntegerField(_("文件大小（字节）"))

    class Meta:
        verbose_name = _("印发文件")
        verbose_name_plural = pgettext_lazy("plural", "印发文件")
        ordering = ["report", "format"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "format"],
                name="issuedreportfile_one_file_per_format",
                violation_error_message=_("该格式的文件已存在。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} · {self.format}"


# --------------------------------------------------------------------------- town standing


class TownStanding(models.Model):
    """One span of days over which a town met a coverage condition, as its organisations, seats
    and leader roles date it (``rollout.indicators.standing``): its association (which one),
    a 三长 in that association's leadership, or a grassroots association of a category serving
    it. The dashboards read a province's 1,400 towns from these spans instead of its tens of
    thousands of organisations. A summary, rebuilt as a whole from those rows after they
    change (``TownStandingChange``); ``since``/``until`` empty: without a bound."""

    class Condition(models.TextChoices):
        ASSOCIATION = "association", _("镇（街）科协")
        LED = "led", _("三长进入领导机构")
        CATEGORY = "category", _("基层科普协会")

    town = models.ForeignKey(
        "organizations.Region", verbose_name=_("镇（街道）"), on_delete=models.CASCADE, related_name="+"
    )
    condition = models.CharField(_("条件"), max_length=16, choices=Condition.choices)
    category = models.CharField(_("协会类别"), max_length=32, blank=True)
    association = models.ForeignKey(
        Organization,
        verbose_name=_("镇（街）科协"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    since = models.DateField(_("起"), null=True, blank=True)
    until = models.DateField(_("止"), null=True, blank=True)

    class Meta:
        verbose_name = _("镇街覆盖条件区间")
        verbose_name_plural = pgettext_lazy("plural", "镇街覆盖条件区间")
        indexes = [models.Index(fields=["town", "condition"], name="townstanding_town")]

    def __str__(self) -> str:
        return f"{self.town_id} · {self.condition} {self.category}: {self.since} … {self.until}"


class TownStandingChange(models.Model):
    """A transaction that changed what the towns' standing is built from: written by database
    triggers on organisations, their served regions, seats, leader roles and regions (whatever
    wrote them: a page, the admin, an import, a bulk load), and removed by the rebuild that has
    read it. While any is left, the spans are out of date and the coverage is counted from the
    raw rows. One row per transaction on PostgreSQL (``txid``); SQLite has one writer at a time
    and keeps a single row."""

    txid = models.BigIntegerField(_("事务号"), unique=True)
    changed_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("镇街覆盖来源变动")
        verbose_name_plural = pgettext_lazy("plural", "镇街覆盖来源变动")

    def __str__(self) -> str:
        return f"{self.txid}"


class TownStandingBuild(models.Model):
    """When the spans were last built (one row), locked by a rebuild so that two never write
    the spans at once."""

    built_at = models.DateTimeField(_("重建时间"), null=True, blank=True)
    spans = models.PositiveIntegerField(_("区间数"), default=0)
    # New at each rebuild: names the cached facts of the days read from these spans.
    token = models.CharField(_("版本标识"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("镇街覆盖条件重建")
        verbose_name_plural = pgettext_lazy("plural", "镇街覆盖条件重建")

    def __str__(self) -> str:
        return f"{self.built_at}: {self.spans}"


class SeatShareStep(models.Model):
    """How the count of seats current, and of those held by a 三长/泛三长 whose role is open,
    changes on a day, over every organisation: the count on a day is the sum of the steps up to
    it. Built with the towns' spans (``rollout.indicators.standing``), for the district's share
    of seats held by 三长 on any day without reading every seat."""

    day = models.DateField(_("日期"), unique=True)
    seats = models.IntegerField(_("现任职务数变化"))
    led = models.IntegerField(_("三长任职数变化"))

    class Meta:
        verbose_name = _("职务数变化")
        verbose_name_plural = pgettext_lazy("plural", "职务数变化")

    def __str__(self) -> str:
        return f"{self.day}: {self.seats:+} / {self.led:+}"
