"""What the portal keeps of an import: the batch (who, when, which file, what became of it) and
its rows as the dry run read them.

Imported by ``organizations.models`` so that they belong to the ``organizations`` app.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from organizations.uploads import evidence_upload_to


class ImportBatch(models.Model):
    """One uploaded file to import into one organisation: read and checked (the dry run), then
    committed as a whole or not at all. ``rows`` holds every data row's outcome; the counts are
    those of the dry run until the commit, then of what was written."""

    class Kind(models.TextChoices):
        PEOPLE = "people", _("会员名单")
        LEADERS = "leaders", _("三长/泛三长与职务")
        ACTIVITIES = "activities", _("服务活动台账")

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        CHECKING = "checking", _("正在检查")
        CHECKED = "checked", _("已检查，待确认导入")
        COMMITTING = "committing", _("正在导入")
        COMMITTED = "committed", _("已导入")
        REFUSED = "refused", _("文件无法读取")
        FAILED = "failed", _("导入失败，未写入任何数据")
        DISCARDED = "discarded", _("已放弃")

    kind = models.CharField(_("导入类型"), max_length=16, choices=Kind.choices)
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("导入到组织"),
        on_delete=models.PROTECT,
        related_name="import_batches",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now, db_index=True)
    file = models.FileField(_("文件"), upload_to=evidence_upload_to("imports"), max_length=255)
    file_name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("文件大小（字节）"), default=0)
    checksum = models.CharField(_("SHA-256 校验值"), max_length=64, db_index=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    message = models.TextField(_("说明"), blank=True)
    # What the dry run read of the file: its header as typed (the order of the rejected-rows
    # file), the sheet and header row, headers it ignored and repeated header rows it skipped.
    details = models.JSONField(_("读取情况"), default=dict, blank=True)
    # Where a long check or commit stands, for the progress bar.
    progress_done = models.PositiveIntegerField(_("已处理行数"), default=0)
    progress_total = models.PositiveIntegerField(_("总行数"), default=0)
    total_rows = models.PositiveIntegerField(_("数据行数"), default=0)
    new_count = models.PositiveIntegerField(_("新增"), default=0)
    update_count = models.PositiveIntegerField(_("更新"), default=0)
    duplicate_count = models.PositiveIntegerField(_("重复"), default=0)
    error_count = models.PositiveIntegerField(_("错误"), default=0)
    checked_at = models.DateTimeField(_("检查完成时间"), null=True, blank=True)
    committed_at = models.DateTimeField(_("导入时间"), null=True, blank=True)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认导入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # When the batch was committed, discarded, failed or refused (None for the batches finished
    # before this was kept: their commit, check or upload time stands in for it).
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    # When the file and the content of the rows (the personal data the file held) were removed,
    # SANHUI_IMPORT_KEEP_DAYS after the batch finished; the batch itself and its counts stay.
    pruned_at = models.DateTimeField(_("文件与行内容删除时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入记录")
        verbose_name_plural = pgettext_lazy("plural", "导入记录")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.file_name}"

    def get_absolute_url(self) -> str:
        return reverse("organizations:import_detail", args=[self.pk])


class ImportRow(models.Model):
    """One data row of an import as the dry run read it: its outcome, the values it would write
    (cleaned) and, for a refused row, the reason per column. ``number`` is the row's number in
    the spreadsheet, as the user sees it in Excel or WPS."""

    class Outcome(models.TextChoices):
        NEW = "new", _("新增")
        UPDATE = "update", _("更新")
        DUPLICATE = "duplicate", _("重复，不导入")
        ERROR = "error", _("有错误，不导入")

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rows")
    number = models.PositiveIntegerField(_("行号"))
    outcome = models.CharField(_("结果"), max_length=16, choices=Outcome.choices)
    # The row as read, column label → text, for the rejected-rows file.
    raw = models.JSONField(_("原始内容"), default=dict)
    # The cleaned values the commit writes (JSON-safe: dates as ISO text).
    values = models.JSONField(_("清洗后的值"), default=dict)
    # Column label (or "" for the whole row) → reasons.
    errors = models.JSONField(_("错误原因"), default=dict)
    note = models.CharField(_("说明"), max_length=255, blank=True)
    # What the commit wrote or matched: "app_label.model:pk".
    target = models.CharField(_("对应记录"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("导入行")
        verbose_name_plural = pgettext_lazy("plural", "导入行")
        ordering = ["batch", "number"]
        constraints = [models.UniqueConstraint(fields=["batch", "number"], name="importrow_unique_number")]

    def __str__(self) -> str:
        return f"{self.batch_id}#{self.number} {self.outcome}"
