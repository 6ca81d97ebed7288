"""What the portal keeps of a large export built in the background: who asked for which list,
filtered and sorted how, and the file, kept for download by the one who asked.

Imported by ``organizations.models`` so that it belongs to the ``organizations`` app.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from organizations.uploads import evidence_upload_to


class ExportFile(models.Model):
    """One export of a list page too large to stream while the user waits."""

    class Format(models.TextChoices):
        XLSX = "xlsx", "XLSX"
        CSV = "csv", "CSV"

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("正在生成")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    # The list's key in the export registry (``organizations.exports``): "people", "activities"…
    list_key = models.CharField(_("名单"), max_length=32)
    format = models.CharField(_("格式"), max_length=8, choices=Format.choices)
    # The list page's query string: its filters and its sort.
    query = models.TextField(_("筛选条件"), blank=True)
    full = models.BooleanField(_("完整号码"), default=False)
    reason = models.CharField(_("导出原因"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导出人"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_at = models.DateTimeField(_("申请时间"), default=timezone.now, db_index=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress_done = models.PositiveIntegerField(_("已写行数"), default=0)
    progress_total = models.PositiveIntegerField(_("总行数"), default=0)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    file = models.FileField(_("文件"), upload_to=evidence_upload_to("exports"), max_length=255, blank=True)
    file_name = models.CharField(_("文件名"), max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("文件大小（字节）"), null=True, blank=True)
    error = models.TextField(_("错误信息"), blank=True)

    class Meta:
        verbose_name = _("导出文件")
        verbose_name_plural = pgettext_lazy("plural", "导出文件")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.file_name or f"{self.list_key}.{self.format}"

    def get_absolute_url(self) -> str:
        return reverse("organizations:export_detail", args=[self.pk])
