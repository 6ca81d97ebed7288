"""Celery tasks of the imports: thin wrappers that take ids and call the import actions.

A file with more than ``SANHUI_IMPORT_SYNC_ROWS`` data rows is checked, and committed, by these
tasks instead of in the request; the batch page polls the batch's status and progress. Both are
safe to run twice: the dry run starts its rows afresh, the commit claims the batch first and
does nothing for a batch already committed.

A task that fails for good (its retries spent) marks its batch failed; ``prune_import_files``
runs daily from Celery beat (CELERY_BEAT_SCHEDULE in the settings), marks failed a batch whose
task was lost (still running a day after it was last touched), and removes the files and row
contents of the imports finished more than ``SANHUI_IMPORT_KEEP_DAYS`` ago.
"""

from __future__ import annotations

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import OperationalError
from django.utils import timezone
from django.utils.translation import gettext as _

from sanhui.celery import PortalTask

from . import actions
from .models import ImportBatch

IMPORT_TASK = {
    "acks_late": True,
    "ignore_result": True,
    "soft_time_limit": 900,
    "time_limit": 960,
    "autoretry_for": (OperationalError,),
    "retry_backoff": 30,
    "retry_kwargs": {"max_retries": 3},
}


class ImportTask(PortalTask):
    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        # The task's tries are spent (or it failed outright): its batch must not stay running.
        self.on_refused(args, kwargs, started=0)

    def on_refused(self, args, kwargs, *, started: int) -> None:
        batch_id = args[0] if args else kwargs["batch_id"]
        ImportBatch.objects.filter(
            pk=batch_id, status__in=(ImportBatch.Status.QUEUED, ImportBatch.Status.CHECKING)
        ).update(
            status=ImportBatch.Status.FAILED,
            message=_("检查文件时后台任务多次中断，请重新上传。"),
            finished_at=timezone.now(),
        )
        ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.COMMITTING).update(
            status=ImportBatch.Status.FAILED,
            message=_("导入时后台任务多次中断，未写入任何数据。"),
            finished_at=timezone.now(),
        )


@shared_task(base=ImportTask, **IMPORT_TASK)
def import_check_task(batch_id: int) -> str:
    """The dry run of a batch, as the user who uploaded it."""
    batch = ImportBatch.objects.select_related("organization", "created_by").filter(pk=batch_id).first()
    if batch is None:
        return ""
    if batch.created_by is None:
        ImportBatch.objects.filter(pk=batch_id).update(
            status=ImportBatch.Status.FAILED,
            message=_("上传文件的用户已不存在，无法检查。"),
            finished_at=timezone.now(),
        )
        return ImportBatch.Status.FAILED
    return actions.import_check(actor=batch.created_by, batch=batch).status


@shared_task(base=ImportTask, **IMPORT_TASK)
def import_commit_task(batch_id: int, user_id: int) -> str:
    """The commit of a checked batch, as the user who confirmed it."""
    batch = ImportBatch.objects.select_related("organization").filter(pk=batch_id).first()
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if batch is None or user is None:
        return ""
    return actions.import_commit(actor=user, batch=batch, claimed=True).status


@shared_task(
    acks_late=True,
    soft_time_limit=300,
    time_limit=360,
    autoretry_for=(OperationalError,),
    retry_backoff=60,
    retry_kwargs={"max_retries": 3},
)
def prune_import_files() -> int:
    """Remove the files and row contents of the imports past their keeping period; return how
    many batches."""
    return actions.import_files_prune()
