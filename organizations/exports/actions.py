"""Writes of the list exports: a large export requested, built in the background, and the
files past their keeping period deleted.

A full export (phone and ID numbers in full) is put on the record by
``organizations.actions.list_export_record`` when it is asked for, whether it is then streamed
or built here; a masked export is a read and leaves no audit entry.
"""

from __future__ import annotations

import datetime
import logging
import tempfile

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.models import ExportFile
from organizations.scoping import scope_for
from sanhui.clock import today

from . import registry, writers

logger = logging.getLogger(__name__)

OPEN = (ExportFile.Status.QUEUED, ExportFile.Status.RUNNING)


class ExportRefused(Exception):
    """The user who asked for an export may no longer have it (their scope changed)."""


def export_file_name(spec: registry.ListExport, fmt: str) -> str:
    return f"{spec.title}-{today():%Y%m%d}.{fmt}"


@transaction.atomic
def export_request(
    *, actor, spec: registry.ListExport, fmt: str, query: str, full: bool, reason: str, count: int
) -> ExportFile:
    """Record a large export and queue its build once the request commits."""
    from .tasks import build_export

    export = ExportFile.objects.create(
        list_key=spec.key,
        format=fmt,
        query=query,
        full=full,
        reason=reason.strip()[:200] if full else "",
        created_by=actor,
        progress_total=count,
        file_name=export_file_name(spec, fmt),
    )
    transaction.on_commit(lambda: build_export.delay(export.pk))
    return export


def _claim(export_id: int) -> bool:
    """Mark the export running, unless it is already done or failed (a second delivery of the
    task builds nothing twice)."""
    return bool(
        ExportFile.objects.filter(pk=export_id, status__in=OPEN).update(
            status=ExportFile.Status.RUNNING, progress_done=0, error=""
        )
    )


def _rows_for(export: ExportFile):
    """The spec and rows of an export, read as the user who asked for it, with their scope as
    it is now."""
    spec = registry.get(export.list_key)
    if spec is None:
        raise ExportRefused(_("这个名单已不能导出。"))
    if export.full and not (spec.personal and scope_for(export.created_by).can_see_full_personal_data()):
        raise ExportRefused(_("你已无权导出完整号码。"))
    request = registry.request_for(export.created_by, export.query)
    try:
        queryset = spec.queryset(request)
        total = queryset.count()
    except (PermissionDenied, Http404):
        raise ExportRefused(_("你已无权导出这个名单。")) from None
    return spec, queryset, total


def export_build(*, export_id: int) -> str:
    """Build one export's file, saving progress as it goes; return its status afterwards."""
    if not _claim(export_id):
        return ExportFile.objects.filter(pk=export_id).values_list("status", flat=True).first() or ""
    export = ExportFile.objects.select_related("created_by").get(pk=export_id)
    try:
        spec, queryset, total = _rows_for(export)
        ExportFile.objects.filter(pk=export_id).update(progress_total=total)

        def progress(done: int) -> None:
            ExportFile.objects.filter(pk=export_id).update(progress_done=done)

        with tempfile.TemporaryFile() as handle:
            data = writers.rows(spec, queryset, full=export.full, progress=progress)
            writers.WRITERS[export.format](spec, data, handle)
            size = handle.tell()
            handle.seek(0)
            name = export.file_name or export_file_name(spec, export.format)
            export.file.save(name, File(handle), save=False)
    except Exception as error:
        if not isinstance(error, ExportRefused):
            logger.exception("export %s failed", export_id)
        message = str(error) if isinstance(error, ExportRefused) else _("生成失败，请稍后重试。")
        ExportFile.objects.filter(pk=export_id).update(
            status=ExportFile.Status.FAILED, error=message[:2000], finished_at=timezone.now()
        )
        return ExportFile.Status.FAILED
    ExportFile.objects.filter(pk=export_id).update(
        status=ExportFile.Status.DONE,
        file=export.file.name,
        size=size,
        progress_done=total,
        finished_at=timezone.now(),
    )
    return ExportFile.Status.DONE


def export_keep_days() -> int:
    return settings.SANHUI_EXPORT_KEEP_DAYS


def export_files_prune(*, now: datetime.datetime | None = None) -> int:
    """Delete the exports (rows and files) asked for more than ``SANHUI_EXPORT_KEEP_DAYS`` ago;
    return how many."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=export_keep_days())
    count = 0
    for export in ExportFile.objects.filter(created_at__lt=cutoff).iterator():
        if export.file:
            export.file.delete(save=False)
        export.delete()
        count += 1
    if count:
        logger.info("deleted %d export files older than %d days", count, export_keep_days())
    return count
