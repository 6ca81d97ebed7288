"""Writes of an import: the upload, the dry run, the commit and the discard of a batch.

The upload stores the file (with its size and SHA-256) once it has been read whole: a file that
cannot be imported at all (too large, too many rows, not a spreadsheet, required columns
missing) is refused on the form and leaves no batch. The dry run (``import_check``) writes the
batch's rows and nothing else. The commit writes every accepted row through the portal's own
actions in one transaction: all accepted rows or none; a row that fails then marks the batch
failed with that row's number and reason, and nothing it wrote remains.

What the file held of people (the stored file, the rows' cells, values and reasons) is kept
``SANHUI_IMPORT_KEEP_DAYS`` after the batch finished, then removed by ``import_files_prune``;
the batch itself (who, when, which file, its checksum and counts) stays.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, OperationalError, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.actions import audit_record, recorded_user, require
from organizations.models import Organization
from organizations.scoping import scoped
from sanhui.clock import today

from .cleaning import match_headers
from .engine import (
    ImportContext,
    evaluate,
    importer_for,
    json_values,
    keep_days,
    limits,
    reasons,
    sync_rows,
)
from .models import ImportBatch, ImportRow
from .reading import FileRefused, read_table

logger = logging.getLogger(__name__)

# Rows are written to the database this many at a time, and the progress saved this often.
CHUNK = 500
PROGRESS_EVERY = 200

# A commit writes its rows in one transaction, so progress saved on the batch would show only
# when it is over: the number of rows written so far goes to the cache instead, every
# COMMIT_PROGRESS_EVERY rows, where the batch's page reads it.
COMMIT_PROGRESS_EVERY = 20
COMMIT_PROGRESS_KEY = "sanhui:import-commit-progress:%d"


def _commit_progress_save(batch: ImportBatch, done: int) -> None:
    try:
        cache.set(COMMIT_PROGRESS_KEY % batch.pk, done, 24 * 3600)
    except Exception:  # a cache that is down costs the progress bar, not the import
        logger.warning("import %s: commit progress not saved", batch.pk, exc_info=True)


def commit_progress(batch: ImportBatch) -> int:
    """How many accepted rows of a batch being committed have been written so far."""
    try:
        return int(cache.get(COMMIT_PROGRESS_KEY % batch.pk) or 0)
    except Exception:
        return 0


def _read(importer, file, *, file_name: str):
    """The file's table and how its header matched the importer's columns; ``FileRefused`` when
    it cannot be imported at all, a required column missing included."""
    table = read_table(file, file_name=file_name, columns=importer.columns, **limits())
    matched = match_headers(table.header, importer.columns)
    missing = [str(column.label) for column in matched.missing if column.required]
    if missing:
        raise FileRefused(
            _("文件缺少必填列：%(columns)s。请使用导入模板的表头。") % {"columns": "、".join(missing)}
        )
    return table, matched


def _summary(actor, text: str) -> str:
    command = getattr(actor, "command", "")
    return f"{text} · {command}" if command else text


@transaction.atomic
def import_upload(
    *, actor, organization: Organization, kind: str, upload, background: bool | None = None
) -> ImportBatch:
    """Keep an uploaded file as a batch and check it (the dry run): here and now, or, for a
    file of more than ``sync_rows()`` data rows (or when ``background`` says so), by the
    Celery task once the batch is saved. A file that cannot be imported is refused
    (``ValidationError`` on ``file``) and nothing is kept."""
    require(scoped(actor, Organization, write=True).filter(pk=organization.pk).exists())
    try:
        importer = importer_for(kind)
    except LookupError:
        raise ValidationError({"kind": _("不支持的导入类型。")}) from None
    file_name = (getattr(upload, "name", "") or "import").rsplit("/", 1)[-1][:200]
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: upload.read(1024 * 1024), b""):
        digest.update(chunk)
    upload.seek(0)
    try:
        table, _matched = _read(importer, upload, file_name=file_name)
    except FileRefused as refused:
        raise ValidationError({"file": str(refused)}) from None
    upload.seek(0)
    batch = ImportBatch(
        kind=kind,
        organization=organization,
        created_by=recorded_user(actor),
        file_name=file_name,
        size=getattr(upload, "size", 0) or 0,
        checksum=digest.hexdigest(),
        total_rows=len(table.rows),
        progress_total=len(table.rows),
    )
    batch.file.save(file_name, upload, save=False)
    batch.save()
    audit_record(
        actor=actor,
        action="import_upload",
        obj=batch,
        summary=_summary(actor, f"{batch.get_kind_display()} · {file_name} → {organization.name}"),
        changes={
            "file_name": file_name,
            "checksum": batch.checksum,
            "size": batch.size,
            "rows": len(table.rows),
        },
    )
    if background is None:
        background = batch.total_rows > sync_rows()
    if background:
        from .tasks import import_check_task

        transaction.on_commit(lambda: import_check_task.delay(batch.pk))
        return batch
    return import_check(actor=actor, batch=batch)


def _cell_text(value: Any) -> str:
    """A cell as the user typed it, for the rejected-rows file."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def _unique_labels(labels: list[str]) -> list[str]:
    """The header's labels, a label that repeats numbered from its second time (手机, 手机（2）),
    so that each column's cells are kept apart in a row's ``raw`` and in the rejected rows."""
    seen: dict[str, int] = {}
    unique = []
    for label in labels:
        if not label:
            unique.append(label)
            continue
        seen[label] = seen.get(label, 0) + 1
        unique.append(label if seen[label] == 1 else f"{label}（{seen[label]}）")
    return unique


def _details(table, matched) -> dict:
    return {
        "header": _unique_labels([_cell_text(cell) for cell in table.header]),
        "header_row": table.header_row,
        "sheet_name": table.sheet_name,
        "unknown_headers": [_cell_text(cell) for cell in matched.unknown],
        "duplicated_headers": [_cell_text(cell) for cell in matched.duplicated],
        "skipped_header_rows": list(table.skipped_header_rows),
    }


def _set_progress(batch: ImportBatch, done: int) -> None:
    batch.progress_done = done
    ImportBatch.objects.filter(pk=batch.pk).update(progress_done=done)


def import_check(*, actor, batch: ImportBatch) -> ImportBatch:
    """The dry run: read the stored file again and write the outcome of every data row as the
    batch's rows; nothing else is written. A redelivered run starts the rows afresh."""
    require(scoped(actor, ImportBatch, write=True).filter(pk=batch.pk).exists())
    if batch.status not in (ImportBatch.Status.QUEUED, ImportBatch.Status.CHECKING):
        return batch
    importer = importer_for(batch.kind)
    batch.status = ImportBatch.Status.CHECKING
    batch.save(update_fields=["status"])
    try:
        with batch.file.open("rb") as stored:
            table, matched = _read(importer, stored, file_name=batch.file_name)
    except FileRefused as refused:
        batch.status, batch.message = ImportBatch.Status.REFUSED, str(refused)
        batch.finished_at = timezone.now()
        batch.save(update_fields=["status", "message", "finished_at"])
        return batch
    batch.details = _details(table, matched)
    batch.progress_total = batch.total_rows = len(table.rows)
    batch.rows.all().delete()
    _check_rows(importer, batch, table, matched, ImportContext(actor, batch.organization, today()))
    counts = _counts(batch)
    for field, value in counts.items():
        setattr(batch, field, value)
    batch.status, batch.checked_at = ImportBatch.Status.CHECKED, timezone.now()
    batch.save()
    return batch


def _check_rows(importer, batch: ImportBatch, table, matched, context: ImportContext) -> None:
    header = batch.details["header"]
    pending: list[ImportRow] = []
    for done, (number, cells) in enumerate(table.rows, start=1):
        by_key = {
            key: cells[index] if index < len(cells) else None for key, index in matched.index_by_key.items()
        }
        result = evaluate(importer, by_key, number, context)
        raw = {
            label: _cell_text(cells[index]) if index < len(cells) else ""
            for index, label in enumerate(header)
            if label
        }
        pending.append(
            ImportRow(
                batch=batch,
                number=number,
                outcome=result.outcome,
                raw=raw,
                values=result.values,
                errors=result.errors,
                note=result.note[:255],
                target=result.target,
            )
        )
        if len(pending) >= CHUNK:
            ImportRow.objects.bulk_create(pending)
            pending = []
        if done % PROGRESS_EVERY == 0:
            _set_progress(batch, done)
    ImportRow.objects.bulk_create(pending)
    _set_progress(batch, len(table.rows))


def _counts(batch: ImportBatch) -> dict[str, int]:
    found = dict.fromkeys(ImportRow.Outcome.values, 0)
    for outcome in batch.rows.values_list("outcome", flat=True):
        found[outcome] += 1
    return {
        "new_count": found[ImportRow.Outcome.NEW],
        "update_count": found[ImportRow.Outcome.UPDATE],
        "duplicate_count": found[ImportRow.Outcome.DUPLICATE],
        "error_count": found[ImportRow.Outcome.ERROR],
    }


class RowFailed(Exception):
    def __init__(self, number: int, reason: str) -> None:
        super().__init__(number, reason)
        self.number, self.reason = number, reason


def _require_batch_write(actor, batch: ImportBatch) -> None:
    require(scoped(actor, ImportBatch, write=True).filter(pk=batch.pk).exists())
    require(scoped(actor, Organization, write=True).filter(pk=batch.organization_id).exists())


def import_commit(
    *, actor, batch: ImportBatch, background: bool | None = None, claimed: bool = False
) -> ImportBatch:
    """Write the accepted rows of a checked batch, all or none. Each row is checked again
    just before it is written (the database may have changed since the dry run): a row that
    would now write nothing becomes a duplicate; a row that fails undoes the whole commit and
    marks the batch failed with its number and reason.

    The batch is claimed first (checked → committing, a conditional update), so that it is
    committed once: a second call (a double click) finds it no longer checked and does
    nothing. A batch of more than ``sync_rows()`` rows (or with ``background``) is claimed
    here and written by the Celery task, which calls again with ``claimed``."""
    _require_batch_write(actor, batch)
    if not claimed:
        taken = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.CHECKED).update(
            status=ImportBatch.Status.COMMITTING
        )
        if not taken:
            batch.refresh_from_db()
            if batch.status in (ImportBatch.Status.COMMITTING, ImportBatch.Status.COMMITTED):
                return batch
            raise ValidationError(_("只有检查完成、尚未导入的记录才能确认导入。"), code="import_not_checked")
        if background is None:
            background = batch.total_rows > sync_rows()
        if background:
            from .tasks import import_commit_task

            batch.status = ImportBatch.Status.COMMITTING
            transaction.on_commit(lambda: import_commit_task.delay(batch.pk, actor.pk))
            return batch
    elif batch.status != ImportBatch.Status.COMMITTING:
        return batch
    batch.status = ImportBatch.Status.COMMITTING
    importer = importer_for(batch.kind)
    try:
        with transaction.atomic():
            _commit_rows(importer, batch, ImportContext(actor, batch.organization, today()))
            batch.status, batch.committed_at = ImportBatch.Status.COMMITTED, timezone.now()
            batch.finished_at = batch.committed_at
            batch.committed_by = recorded_user(actor)
            for field, value in _counts(batch).items():
                setattr(batch, field, value)
            batch.save()
            audit_record(
                actor=actor,
                action="import_commit",
                obj=batch,
                summary=_summary(actor, f"{batch.get_kind_display()} · {batch.file_name}"),
                changes={
                    "new": batch.new_count,
                    "update": batch.update_count,
                    "duplicate": batch.duplicate_count,
                    "error": batch.error_count,
                },
            )
    except RowFailed as failed:
        _fail(batch, _("第 %(row)d 行：%(reason)s 未写入任何数据，请修改后重新上传。") % {
            "row": failed.number, "reason": failed.reason})  # fmt: skip
    except OperationalError:
        # The database went away for a moment: nothing was written. The Celery task tries
        # again (autoretry), so its batch stays "committing"; once its tries are spent the
        # task's on_failure marks it failed. A commit in the request fails here and now.
        if not claimed:
            _fail(batch, _("导入时发生意外错误，未写入任何数据。请稍后重试或联系区科协。"))
        raise
    except Exception:
        # Whatever went wrong, nothing was written: the batch must not stay "committing".
        _fail(batch, _("导入时发生意外错误，未写入任何数据。请稍后重试或联系区科协。"))
        raise
    return batch


def _fail(batch: ImportBatch, message: str) -> None:
    batch.status, batch.message, batch.finished_at = ImportBatch.Status.FAILED, message, timezone.now()
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=batch.status, message=message, finished_at=batch.finished_at
    )


def _commit_rows(importer, batch: ImportBatch, context: ImportContext) -> None:
    accepted = batch.rows.filter(outcome__in=(ImportRow.Outcome.NEW, ImportRow.Outcome.UPDATE)).order_by(
        "number"
    )
    _commit_progress_save(batch, 0)
    for done, row in enumerate(accepted.iterator(chunk_size=CHUNK)):
        if done and done % COMMIT_PROGRESS_EVERY == 0:
            _commit_progress_save(batch, done)
        context.number = row.number
        again = importer.check(row.values, context)
        if again.outcome == ImportRow.Outcome.ERROR:
            raise RowFailed(row.number, _join_errors(again.errors))
        row.outcome, row.note = again.outcome, again.note[:255]
        if again.accepted:
            row.values = json_values(again.values)
            try:
                with transaction.atomic():
                    row.target = importer.write(row, context)
            except ValidationError as error:
                raise RowFailed(row.number, "；".join(reasons(error))) from None
            except PermissionDenied:
                raise RowFailed(row.number, _("无权修改此行对应的记录。")) from None
            except DatabaseError:
                raise RowFailed(
                    row.number, _("写入时数据库拒绝了此行（可能刚被他人修改），请重新检查。")
                ) from None
        else:
            row.target = again.target
        row.save(update_fields=["outcome", "note", "target", "values"])


def _join_errors(errors: dict[str, list[str]]) -> str:
    return "；".join(
        f"{label}：{'；'.join(texts)}" if label else "；".join(texts) for label, texts in errors.items()
    )


@transaction.atomic
def import_discard(*, actor, batch: ImportBatch) -> ImportBatch:
    """Give up a batch that was not committed: its rows and its file are deleted, the record of
    the upload stays."""
    _require_batch_write(actor, batch)
    if batch.status in (ImportBatch.Status.COMMITTING, ImportBatch.Status.COMMITTED):
        raise ValidationError(_("已导入的记录不能放弃。"), code="import_committed")
    if batch.status == ImportBatch.Status.DISCARDED:
        return batch
    previous = batch.status
    batch.rows.all().delete()
    if batch.file:
        batch.file.delete(save=False)
    batch.status, batch.finished_at = ImportBatch.Status.DISCARDED, timezone.now()
    batch.save(update_fields=["status", "file", "finished_at"])
    audit_record(
        actor=actor,
        action="import_discard",
        obj=batch,
        summary=_summary(actor, f"{batch.get_kind_display()} · {batch.file_name}"),
        changes={"status": [previous, batch.status]},
    )
    return batch


# --------------------------------------------------------------------------- retention

# A batch still queued, being checked or being committed this long after it was last touched
# has lost its task (a check or a commit takes minutes, and its task stops after 16): it is
# marked failed, with nothing written, so that its page stops waiting and its file is pruned.
STALE_AFTER = datetime.timedelta(days=1)
RUNNING = (ImportBatch.Status.QUEUED, ImportBatch.Status.CHECKING, ImportBatch.Status.COMMITTING)

FINISHED = (
    ImportBatch.Status.COMMITTED,
    ImportBatch.Status.DISCARDED,
    ImportBatch.Status.FAILED,
    ImportBatch.Status.REFUSED,
)


def import_files_prune(*, now: datetime.datetime | None = None) -> int:
    """Remove what an import kept of the file's personal data ``SANHUI_IMPORT_KEEP_DAYS`` after
    its batch finished: the stored file, and the cells, cleaned values and reasons of its rows
    (which quote the cells), and the reason of a failed commit, which quotes a row. The batch
    (who, when, which file, its checksum and counts) and each row's number, outcome and note
    stay. A batch checked and left uncommitted as long is given up (discarded, with a message)
    and pruned alike. Run daily by Celery beat with no actor; returns how many batches were
    pruned, and logs it."""
    days = keep_days()
    now = now or timezone.now()
    _stale_fail(now)
    # The rule of the exports' prune (organizations.exports.actions): older than N whole days.
    cutoff = now - datetime.timedelta(days=days)
    left = (
        ImportBatch.objects.filter(status=ImportBatch.Status.CHECKED)
        .annotate(since=Coalesce("checked_at", "created_at"))
        .filter(since__lt=cutoff)
    )
    count = 0
    for pk in left.values_list("pk", flat=True):
        count += _prune(pk, now, days, give_up=True)
    finished = (
        ImportBatch.objects.filter(status__in=FINISHED, pruned_at__isnull=True)
        .annotate(since=Coalesce("finished_at", "committed_at", "checked_at", "created_at"))
        .filter(since__lt=cutoff)
    )
    for pk in finished.values_list("pk", flat=True):
        count += _prune(pk, now, days, give_up=False)
    if count:
        logger.info("removed the files and row contents of %d imports older than %d days", count, days)
    return count


def _stale_fail(now: datetime.datetime) -> None:
    """Mark failed the batches whose task was lost (``STALE_AFTER``); nothing of theirs was
    written. Each is taken under a row lock and only if still running, so a commit that ends
    meanwhile keeps its result."""
    stale = (
        ImportBatch.objects.filter(status__in=RUNNING)
        .annotate(since=Coalesce("checked_at", "created_at"))
        .filter(since__lt=now - STALE_AFTER)
    )
    for pk in stale.values_list("pk", flat=True):
        with transaction.atomic():
            batch = ImportBatch.objects.select_for_update().filter(pk=pk, status__in=RUNNING).first()
            if batch is None:
                continue
            batch.status, batch.finished_at = ImportBatch.Status.FAILED, now
            batch.message = _("后台任务中断，导入未能完成，未写入任何数据。请重新上传。")
            batch.save(update_fields=["status", "finished_at", "message"])
        logger.warning("import %s: its task was lost; marked failed", pk)


def _prune(pk: int, now: datetime.datetime, days: int, *, give_up: bool) -> int:
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().filter(pk=pk).first()
        if batch is None or batch.pruned_at is not None:
            return 0
        if give_up:
            # A user may have committed it meanwhile: only a batch still checked is given up.
            if batch.status != ImportBatch.Status.CHECKED:
                return 0
            batch.status, batch.finished_at = ImportBatch.Status.DISCARDED, now
            batch.message = _("检查后超过 %(days)d 天未确认导入，已自动放弃，未写入任何数据。") % {
                "days": days
            }
        elif batch.status not in FINISHED:
            return 0
        elif batch.status == ImportBatch.Status.FAILED:
            # The reason of a failed row quotes its cells (a name, a number).
            batch.message = _("导入失败，未写入任何数据。失败原因引用了文件内容，已随文件一并删除。")
        batch.rows.update(raw={}, values={}, errors={})
        stored, batch.file = batch.file.name, ""
        batch.pruned_at = now
        batch.details = {**batch.details, "kept_days": days}
        batch.save(update_fields=["status", "finished_at", "message", "file", "pruned_at", "details"])
    # Once the batch no longer names it, the file goes; a failure here leaves a file that no
    # batch names, never a batch naming a missing file.
    if stored:
        ImportBatch._meta.get_field("file").storage.delete(stored)
    return 1
