"""Closing and reopening a quarter, and issuing its supervision report.

``quarter_close`` is what district staff do once a quarter is over: the quarter's ledger is
locked for organisation admins from that moment, and the district's supervision report is
issued in the background once the closing commits (``quarter_report_issue``, run by the
``rollout.tasks.issue_quarter_report`` task). The issued report takes the next 文号 of the
year of issue from a counter row locked for the purpose, so that two reports issued at once
never share a number, and is stored with its figures and files, never to change.
``quarter_reopen`` unlocks the quarter again, with a reason; closing it again issues a new
report with a new number, which records what differs from the one issued before.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.actions import audit_record, initial_values, require
from organizations.scoping import scope_for
from rollout.models import IssuedReport, IssuedReportFile, QuarterClosing, ReportNumberSequence, ReportRun
from sanhui import clock

from ..actions import BROKER_ERRORS, SYSTEM_SCOPE, report_soft_time_limit, report_time_limit
from ..builder import build_report, render
from . import selectors

logger = logging.getLogger(__name__)

# The files an issued report is stored in: those the office files and sends out.
ISSUED_FORMATS = ("docx", "pdf", "xlsx")


def _error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _quarter(code: str):
    period = selectors.parse_quarter(code)
    if period is None:
        raise _error("quarter", _("请选择一个季度，例如 2022Q4。"), "not_a_quarter")
    return period


def _send_issue(closing_id: int) -> None:
    from rollout import tasks

    try:
        # The page that closed the quarter never waits for the outcome, nor on the result store.
        tasks.issue_quarter_report.apply_async(
            (closing_id,),
            soft_time_limit=report_soft_time_limit(),
            time_limit=report_time_limit(),
            ignore_result=True,
        )
    except BROKER_ERRORS:
        # The closing stands; its page offers to issue the report again (quarter_report_requeue).
        logger.warning("the report of closing %s was not queued: the task queue is unreachable", closing_id)


def _enqueue_issue(closing_id: int) -> None:
    transaction.on_commit(lambda: _send_issue(closing_id))


@transaction.atomic
def quarter_close(*, actor, quarter: str, note: str = "") -> QuarterClosing:
    """Close a finished quarter: lock its ledger and issue its supervision report."""
    require(scope_for(actor).write_all)
    period = _quarter(quarter)
    if not selectors.is_finished(period):
        raise _error("quarter", _("只能关闭已经结束的季度；本季度和以后的季度不能关闭。"), "not_finished")
    already = _error("quarter", _("该季度已关闭。"), "already_closed")
    if QuarterClosing.objects.filter(quarter=period.code, reopened_at__isnull=True).exists():
        raise already
    try:
        with transaction.atomic():
            closing = QuarterClosing.objects.create(
                quarter=period.code,
                starts_on=period.start,
                ends_on=period.end,
                closed_by=actor,
                note=(note or "").strip(),
            )
    except IntegrityError:
        # Someone closed it at the same moment: the database keeps one closing in force.
        raise already from None
    audit_record(
        actor=actor,
        action="quarter_close",
        obj=closing,
        summary=period.code,
        changes=initial_values(closing, ("quarter", "starts_on", "ends_on", "note")),
    )
    _enqueue_issue(closing.pk)
    return closing


@transaction.atomic
def quarter_reopen(*, actor, quarter: str, reason: str) -> QuarterClosing:
    """Reopen a closed quarter so that its ledger can be corrected; the reason is required.
    The report issued stays as it was; closing the quarter again issues a new one."""
    require(scope_for(actor).write_all)
    period = _quarter(quarter)
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise ValidationError(
            {"reason": _("请具体说明重新开放的原因（至少4个字）。")}, code="reason_required"
        )
    closing = (
        QuarterClosing.objects.select_for_update()
        .filter(quarter=period.code, reopened_at__isnull=True)
        .first()
    )
    if closing is None:
        raise _error("quarter", _("该季度未关闭，无需重新开放。"), "not_closed")
    closing.reopened_by = actor
    closing.reopened_at = timezone.now()
    closing.reopen_reason = reason
    closing.save(update_fields=["reopened_by", "reopened_at", "reopen_reason"])
    audit_record(
        actor=actor,
        action="quarter_reopen",
        obj=closing,
        summary=reason,
        changes={"quarter": period.code, "reason": reason},
    )
    return closing


def quarter_report_requeue(*, actor, closing: QuarterClosing) -> None:
    """Queue the issue of a closing's report again (after a failed build); harmless if it is
    issued meanwhile."""
    require(scope_for(actor).write_all)
    if not closing.is_open:
        raise ValidationError(_("该次关闭已被重新开放，不再印发报告。"), code="reopened")
    with transaction.atomic():
        _enqueue_issue(closing.pk)


def _take_number(year: int) -> int:
    """The next 文号 sequence number of ``year``. The counter row stays locked until the
    issuing transaction ends, so concurrent issues wait for each other and no number is
    given twice or skipped."""
    ReportNumberSequence.objects.get_or_create(year=year)
    counter = ReportNumberSequence.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def _reference(report, number: int) -> str:
    # The DOCX and the PDF lay out the 发文字号 from the number the report carries; the record
    # keeps the same text, so that the files and the list read alike.
    report.number = number
    return str(report.document_number())


def _store_files(issued: IssuedReport, report, formats) -> None:
    saved: list = []
    try:
        for fmt in formats:
            data = render(report, fmt)
            stored = IssuedReportFile(
                report=issued, format=fmt, checksum=hashlib.sha256(data).hexdigest(), size=len(data)
            )
            stored.file.save(PurePath(f"issued-{issued.quarter}.{fmt}").name, ContentFile(data), save=False)
            saved.append(stored.file)
            stored.save()
    except BaseException:
        for stored_file in saved:
            stored_file.storage.delete(stored_file.name)
        raise


@transaction.atomic
def quarter_report_issue(*, actor, closing: QuarterClosing, formats=ISSUED_FORMATS) -> IssuedReport | None:
    """Issue the district's supervision report of a closing, on behalf of ``actor`` (the
    closer). Returns the report already issued for the closing if there is one, and None when
    the quarter was reopened before its report could be issued."""
    closing = QuarterClosing.objects.select_for_update().get(pk=closing.pk)
    existing = IssuedReport.objects.filter(closing=closing).first()
    if existing is not None or not closing.is_open:
        return existing
    period = selectors.parse_quarter(closing.quarter)
    report = build_report(ReportRun.Kind.SUPERVISION, period, scope=SYSTEM_SCOPE, today=clock.today())
    figures = selectors.report_figures(report)
    previous = IssuedReport.objects.filter(quarter=closing.quarter).order_by("-issued_at", "-pk").first()
    year = timezone.localtime(report.generated_at).year
    number = _take_number(year)
    issued = IssuedReport.objects.create(
        closing=closing,
        quarter=closing.quarter,
        year=year,
        sequence=number,
        reference=_reference(report, number),
        issued_at=report.generated_at,
        title=str(report.title)[:200],
        figures=figures,
        previous=previous,
        differences=selectors.figure_differences(previous.figures, figures) if previous else [],
    )
    _store_files(issued, report, formats)
    audit_record(
        actor=actor,
        action="quarter_report_issue",
        obj=issued,
        summary=issued.reference,
        changes={"quarter": issued.quarter, "reference": issued.reference},
    )
    logger.info("issued %s for %s", issued.reference, issued.quarter)
    return issued
