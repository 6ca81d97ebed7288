"""Requesting, re-running and building report runs (``ReportRun``).

``report_request`` is what the report pages, the command and the beat schedule call: it
validates the request against the requester's scope, returns the existing run when the same
request is already queued, running or done, and otherwise records a new run and queues its
build once the transaction commits. ``report_build`` is what the Celery task calls: it claims
the run with a conditional UPDATE, so that two workers (or a redelivered message) never build
the same run twice, and decides the scope again from the requester at build time.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
from pathlib import PurePath

from billiard.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.models import Organization
from organizations.scoping import Scope, build_scope
from rollout.indicators import Period
from rollout.models import ReportRun

from .builder import build_report, file_extension, render
from .scope import ReportScopeError

logger = logging.getLogger(__name__)

# Failures worth another attempt later (storage, database, time limit); anything else is a
# fault in the data or the code that a retry would only repeat.
RETRYABLE = (OSError, OperationalError, SoftTimeLimitExceeded)
SYSTEM_SCOPE = Scope(read_all=True, roles=frozenset({"system"}))


def report_soft_time_limit() -> int:
    return int(getattr(settings, "SANHUI_REPORT_SOFT_TIME_LIMIT", 600))


def report_time_limit() -> int:
    return int(getattr(settings, "SANHUI_REPORT_TIME_LIMIT", 660))


def _params_hash(requester_id: int | None, kind: str, parameters: dict) -> str:
    payload = json.dumps(
        {"requester": requester_id, "kind": kind, **parameters}, sort_keys=True, ensure_ascii=False
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _enqueue(run_id: int) -> None:
    from rollout import tasks

    transaction.on_commit(
        lambda: tasks.build_report.apply_async(
            (run_id,), soft_time_limit=report_soft_time_limit(), time_limit=report_time_limit()
        )
    )


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
        return ReportRun.objects.get(params_hash=params_hash, current=True)
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


def _claim(run_id: int) -> bool:
    """queued → running, or a run left running past its time limit by a worker that died."""
    now = timezone.now()
    stale = now - datetime.timedelta(seconds=report_time_limit() + 60)
    return bool(
        ReportRun.objects.filter(
            Q(status=ReportRun.Status.QUEUED) | Q(status=ReportRun.Status.RUNNING, started_at__lt=stale),
            pk=run_id,
        ).update(status=ReportRun.Status.RUNNING, started_at=now, attempts=F("attempts") + 1)
    )


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
    if not _claim(run_id):
        return ReportRun.objects.filter(pk=run_id).values_list("status", flat=True).first() or ""
    run = ReportRun.objects.select_related("requested_by", "organization").get(pk=run_id)
    try:
        organization = None
        if code := run.parameters.get("organization"):
            organization = Organization.objects.filter(code=code).first()
            if organization is None:
                raise ReportScopeError(_("报表范围中的组织已不存在。"))
        report = build_report(
            run.kind, Period.parse(run.period_code), scope=_scope_of(run), organization=organization
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
