"""Requesting, re-running and building report runs (``ReportRun``).

``report_request`` is what the report pages, the command and the beat schedule call: it
validates the request against the requester's scope, returns the existing run when the same
request is already queued, running or done, and otherwise records a new run and queues its
build once the transaction commits. ``report_build`` is what the Celery task calls: it claims
the run with a conditional UPDATE, so that two workers (or a redelivered message) never build
the same run twice, and decides the scope again from the requester at build time.

The run is the record of the request: when the task queue cannot be reached it stays queued,
the page says so, and ``reports_redispatch`` (run by beat) sends it once the queue is back. A
run whose worker was killed mid-build is taken over by the next delivery of its task as soon as
the database knows the dead builder's connection is gone (on PostgreSQL; elsewhere once the time
limit has passed), and a build that kills its worker every time is recorded as failed after
``SANHUI_TASK_MAX_DELIVERIES`` starts (``report_refuse``).
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import logging
import time
from collections.abc import Iterator
from pathlib import PurePath

import kombu.exceptions
from billiard.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, IntegrityError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.models import Organization
from organizations.scoping import Scope, build_scope
from rollout.indicators import Period
from rollout.models import ReportRun
from sanhui.db import reading_replica

from .builder import build_report, file_extension, render
from .scope import ReportScopeError

logger = logging.getLogger(__name__)

# Failures worth another attempt later (storage, database, time limit); anything else is a
# fault in the data or the code that a retry would only repeat.
RETRYABLE = (OSError, OperationalError, SoftTimeLimitExceeded)
SYSTEM_SCOPE = Scope(read_all=True, roles=frozenset({"system"}))
# The task queue is unreachable (Redis stopped or restarting).
BROKER_ERRORS = (kombu.exceptions.OperationalError,)
# Key space of the PostgreSQL advisory locks held by report builders (the second key is the run).
BUILDER_LOCK_CLASS = 0x5248  # "RH"
# How long a delivery waits for the builder lock of a run left running: a killed builder's
# connection takes a moment to end.
BUILDER_LOCK_WAIT = 5.0
REDISPATCH_BATCH = 500


def report_soft_time_limit() -> int:
    return int(getattr(settings, "SANHUI_REPORT_SOFT_TIME_LIMIT", 600))


def report_time_limit() -> int:
    return int(getattr(settings, "SANHUI_REPORT_TIME_LIMIT", 660))


def report_redispatch_after() -> int:
    return int(getattr(settings, "SANHUI_REPORT_REDISPATCH_AFTER", 900))


def _params_hash(requester_id: int | None, kind: str, parameters: dict) -> str:
    payload = json.dumps(
        {"requester": requester_id, "kind": kind, **parameters}, sort_keys=True, ensure_ascii=False
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _dispatch(run_id: int) -> bool:
    """Hand the build of a run to the task queue and note when; False when the queue cannot be
    reached, leaving the run queued for ``reports_redispatch``."""
    from rollout import tasks

    try:
        tasks.build_report.apply_async(
            (run_id,), soft_time_limit=report_soft_time_limit(), time_limit=report_time_limit()
        )
    except BROKER_ERRORS:
        logger.warning("report run %s stays queued: the task queue is unreachable", run_id, exc_info=True)
        return False
    ReportRun.objects.filter(pk=run_id).update(dispatched_at=timezone.now())
    return True


def _enqueue(run_id: int) -> None:
    transaction.on_commit(lambda: _dispatch(run_id))


def _validated(*, actor, kind: str, period: str, fmt: str, organization: Organization | None) -> dict:
    errors: dict[str, str] = {}
    if kind not in ReportRun.Kind.values:
        errors["kind"] = _("请选择报表类型。")
    if fmt not in ReportRun.Format.values:
        errors["format"] = _("请选择文件格式。")
    try:
        period_code = Period.parse(period).code
    except ValueError:
        period_code = ""
        errors["period"] = _("统计期间无效，请选择季度或填写起止日期。")
    scope = SYSTEM_SCOPE if actor is None else build_scope(actor)
    if not scope.read_all and not scope.admin_org_ids:
        raise ValidationError(_("您没有生成报表的权限。"))
    if organization is not None and not scope.read_all and organization.pk not in scope.admin_org_ids:
        errors["organization"] = _("只能对本单位及下属组织生成报表。")
    if errors:
        raise ValidationError(errors)
    return {
        "period": period_code,
        "format": fmt,
        "organization": organization.code if organization else None,
        "requester": actor.pk if actor is not None else None,
        # What the pages show as the run's scope; the build decides it again from the requester.
        "scope": "organization" if organization else ("district" if scope.read_all else "own"),
    }


@transaction.atomic
def report_request(
    *,
    actor,
    kind: str,
    period: str,
    fmt: str,
    organization: Organization | None = None,
    rerun: bool = False,
) -> ReportRun:
    """Queue a report for ``actor`` (None: the scheduled, district-wide runs).

    The same request again returns the run already queued, running or done; a request after a
    failure, or with ``rerun``, retires that run and queues a fresh one."""
    parameters = _validated(actor=actor, kind=kind, period=period, fmt=fmt, organization=organization)
    params_hash = _params_hash(parameters["requester"], kind, parameters)
    existing = ReportRun.objects.select_for_update().filter(params_hash=params_hash, current=True).first()
    if existing is not None:
        if existing.status != ReportRun.Status.FAILED and not rerun:
            return existing
        ReportRun.objects.filter(pk=existing.pk).update(current=False)
    try:
        with transaction.atomic():
            run = ReportRun.objects.create(
                kind=kind,
                parameters=parameters,
                params_hash=params_hash,
                requested_by=actor,
                organization=organization,
            )
    except IntegrityError:
        # A simultaneous identical request won the race: that run is this request's run.
        winner = ReportRun.objects.filter(params_hash=params_hash, current=True).first()
        if winner is None:
            raise  # no race: the database refused the row for another reason
        return winner
    _enqueue(run.pk)
    return run


def report_rerun(*, actor, run: ReportRun) -> ReportRun:
    """A fresh run of ``run``'s report, requested by ``actor`` and built with their scope."""
    organization = None
    if code := run.parameters.get("organization"):
        organization = Organization.objects.filter(code=code).first()
        if organization is None:
            raise ValidationError(_("报表范围中的组织已不存在。"))
    return report_request(
        actor=actor,
        kind=run.kind,
        period=run.period_code,
        fmt=run.format,
        organization=organization,
        rerun=True,
    )


def report_file_name(run: ReportRun) -> str:
    """The Chinese name the download carries, e.g. 季度督查报告_2022Q4.docx (a CSV run is a ZIP
    of its sections: 季度督查报告_2022Q4.zip)."""
    scope = f"_{run.organization.name}" if run.organization_id and run.organization else ""
    period = run.period_code.replace("..", "至")
    return f"{run.get_kind_display()}{scope}_{period}.{file_extension(run.format)}"


def _claim(run_id: int, *, abandoned: bool = False) -> bool:
    """queued → running, or a run left running by a worker that died: known to be gone
    (``abandoned``: no connection holds the run's builder lock) or past its time limit."""
    now = timezone.now()
    left_running = Q(status=ReportRun.Status.RUNNING)
    if not abandoned:
        left_running &= Q(started_at__lt=now - datetime.timedelta(seconds=report_time_limit() + 60))
    return bool(
        ReportRun.objects.filter(Q(status=ReportRun.Status.QUEUED) | left_running, pk=run_id).update(
            status=ReportRun.Status.RUNNING, started_at=now, attempts=F("attempts") + 1
        )
    )


@contextlib.contextmanager
def _builder_lock(run_id: int) -> Iterator[bool | None]:
    """Held by whoever builds the run, for as long as the build lasts.

    On PostgreSQL it is a session advisory lock, which the database lets go when the holder's
    connection ends, also when its worker is killed: True, this process holds it (any earlier
    builder is gone); False, a live builder holds it. Other databases answer None (unknown)."""
    if connection.vendor != "postgresql":
        yield None
        return
    key = [BUILDER_LOCK_CLASS, run_id & 0x7FFFFFFF]
    deadline = time.monotonic() + BUILDER_LOCK_WAIT
    with connection.cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", key)
            held = bool(cursor.fetchone()[0])
            if held or time.monotonic() >= deadline:
                break
            time.sleep(0.25)
    try:
        yield held
    finally:
        if held:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", key)
            except DatabaseError:
                logger.warning("report run %s: its builder lock goes with the connection", run_id)


def _scope_of(run: ReportRun) -> Scope:
    requester = run.parameters.get("requester")
    if requester is None:
        return SYSTEM_SCOPE
    if run.requested_by_id != requester or not run.requested_by.is_active:
        # The requester's account is gone or disabled: never fall back to a wider scope.
        raise ReportScopeError(_("申请人账号已停用，无法生成报表。"))
    return build_scope(run.requested_by)


def report_build(*, run_id: int, final_attempt: bool = True) -> str:
    """Build and store one run; return its status afterwards.

    A retryable failure puts the run back in the queue and re-raises for the task to retry,
    unless this is the final attempt; any other failure is recorded at once."""
    with _builder_lock(run_id) as alone:
        if alone is False or not _claim(run_id, abandoned=bool(alone)):
            return ReportRun.objects.filter(pk=run_id).values_list("status", flat=True).first() or ""
        return _build(run_id, final_attempt=final_attempt)


def _build(run_id: int, *, final_attempt: bool) -> str:
    run = ReportRun.objects.select_related("requested_by", "organization").get(pk=run_id)
    try:
        organization = None
        if code := run.parameters.get("organization"):
            organization = Organization.objects.filter(code=code).first()
            if organization is None:
                raise ReportScopeError(_("报表范围中的组织已不存在。"))
        scope = _scope_of(run)
        # The figures may come from the read replica (sanhui/db.py); the run, the requester's
        # roles and the organisation asked for were read from the primary above.
        with reading_replica():
            report = build_report(
                run.kind, Period.parse(run.period_code), scope=scope, organization=organization
            )
            data = render(report, run.format)
        name = PurePath(f"{run.kind}-{run.period_code.replace('..', '_')}.{file_extension(run.format)}").name
        run.file.save(name, ContentFile(data), save=False)
    except Exception as error:
        retry = isinstance(error, RETRYABLE) and not final_attempt
        message = str(error) or error.__class__.__name__
        if not isinstance(error, ReportScopeError):
            logger.exception("report run %s failed", run_id)
            message = _("生成失败：%(error)s") % {"error": message}
        ReportRun.objects.filter(pk=run_id).update(
            status=ReportRun.Status.QUEUED if retry else ReportRun.Status.FAILED,
            error=message[:2000],
            finished_at=None if retry else timezone.now(),
            # The task is about to send its retry itself.
            dispatched_at=timezone.now() if retry else F("dispatched_at"),
        )
        if retry:
            raise
        return ReportRun.Status.FAILED
    ReportRun.objects.filter(pk=run_id).update(
        status=ReportRun.Status.DONE,
        file=run.file.name,
        checksum=hashlib.sha256(data).hexdigest(),
        size=len(data),
        error="",
        finished_at=timezone.now(),
    )
    return ReportRun.Status.DONE


def report_refuse(*, run_id: int, started: int) -> None:
    """Record that the build of a run was started ``started`` times and its worker died every
    time: the run fails, and the task is not delivered again."""
    message = _("生成报表时工作进程中断了 %(count)d 次，已停止重试；请检查后重新生成。") % {"count": started}
    ReportRun.objects.filter(
        pk=run_id, status__in=[ReportRun.Status.QUEUED, ReportRun.Status.RUNNING]
    ).update(status=ReportRun.Status.FAILED, error=message, finished_at=timezone.now())


def reports_redispatch() -> int:
    """Send again the builds the task queue never got or may have lost; return how many.

    A run still queued was never handed to the queue (it was unreachable), or was handed to it
    more than ``SANHUI_REPORT_REDISPATCH_AFTER`` seconds ago and may have been lost with it (a
    Redis restarted without its data); a run left running past its time limit lost its worker
    and its message, unless it was started ``SANHUI_TASK_MAX_DELIVERIES`` times already: then it
    is recorded as failed. A build runs once however many deliveries arrive (``report_build``)."""
    now = timezone.now()
    stale = now - datetime.timedelta(seconds=report_time_limit() + 60)
    given_up = ReportRun.objects.filter(
        status=ReportRun.Status.RUNNING,
        started_at__lt=stale,
        attempts__gte=int(getattr(settings, "SANHUI_TASK_MAX_DELIVERIES", 3)),
    )
    for run_id, attempts in given_up.values_list("pk", "attempts"):
        report_refuse(run_id=run_id, started=attempts)
    run_ids = list(
        ReportRun.objects.filter(
            Q(status=ReportRun.Status.QUEUED) | Q(status=ReportRun.Status.RUNNING, started_at__lt=stale),
            Q(dispatched_at__isnull=True)
            | Q(dispatched_at__lt=now - datetime.timedelta(seconds=report_redispatch_after())),
        )
        .order_by("requested_at", "pk")
        .values_list("pk", flat=True)[:REDISPATCH_BATCH]
    )
    sent = 0
    for run_id in run_ids:
        if not _dispatch(run_id):
            break
        sent += 1
    return sent


def previous_quarter(day: datetime.date | None = None) -> Period:
    day = day or timezone.localdate()
    return Period.containing(day).previous_quarters(1)[0]


SCHEDULED_FORMATS = ("xlsx", "pdf", "docx")


def scheduled_supervision_reports(*, day: datetime.date | None = None) -> list[int]:
    """The district-wide supervision report of the quarter just finished, in the formats the
    office files; asking twice (two beat hosts, a restart) queues them once."""
    period = previous_quarter(day).code
    return [
        report_request(actor=None, kind=ReportRun.Kind.SUPERVISION, period=period, fmt=fmt).pk
        for fmt in SCHEDULED_FORMATS
    ]
