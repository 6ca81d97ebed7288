"""Celery tasks of the rollout: thin wrappers that take ids and call an action.

``send_term_reminders`` runs daily from Celery beat (CELERY_BEAT_SCHEDULE in settings) and
fans out one ``send_term_reminder`` per organisation, so that a failing mail server delays one
organisation's reminder, retried with backoff, without holding up the others; the action keeps
a record per seat and term end, so a retry or a second run never mails the same seat twice.

``build_report`` builds a requested report run; ``issue_quarter_report`` issues the
supervision report of a quarter district staff have just closed; ``redispatch_reports`` sends
again the builds the queue never got or lost.
"""

from __future__ import annotations

import smtplib

from celery import shared_task
from django.db import transaction

from rollout.plan.actions import term_reminders as term_reminders_actions
from sanhui.celery import PortalTask
from sanhui.clock import today

from .plan import selectors
from .reports import actions as report_actions
from .reports.closing import actions as closing_actions

RETRY_ON = (smtplib.SMTPException, ConnectionError, TimeoutError, OSError)


@shared_task(
    acks_late=True,
    soft_time_limit=120,
    time_limit=180,
    autoretry_for=RETRY_ON,
    retry_backoff=60,
    retry_kwargs={"max_retries": 5},
)
def send_term_reminders() -> int:
    """Queue a reminder for every organisation with seats due one; return how many."""
    organization_ids = selectors.organizations_due_term_reminder(
        on=today(), days=term_reminders_actions.term_reminder_days()
    )
    for organization_id in organization_ids:
        transaction.on_commit(lambda pk=organization_id: send_term_reminder.delay(pk))
    return len(organization_ids)


@shared_task(
    acks_late=True,
    soft_time_limit=60,
    time_limit=90,
    autoretry_for=RETRY_ON,
    retry_backoff=60,
    retry_kwargs={"max_retries": 8},
)
def send_term_reminder(organization_id: int) -> int:
    """Mail one organisation's admins about its seats whose term ends soon."""
    return term_reminders_actions.term_reminder_send(organization_id=organization_id)


# --------------------------------------------------------------------------- reports

# Building and issuing reports: retried with backoff on storage, database and time-limit errors;
# the limits are defaults (a run is queued with the SANHUI_REPORT_* limits of the settings).
REPORT_TASK = {
    "bind": True,
    "acks_late": True,
    "autoretry_for": report_actions.RETRYABLE,
    "retry_backoff": 30,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 3,
    "soft_time_limit": 600,
    "time_limit": 660,
}


class BuildReportTask(PortalTask):
    def on_refused(self, args, kwargs, *, started: int) -> None:
        report_actions.report_refuse(run_id=args[0] if args else kwargs["run_id"], started=started)


# The run records the outcome: no result is stored, so that queueing a build never waits on
# the result store (the same Redis) while it is unreachable.
@shared_task(base=BuildReportTask, ignore_result=True, **REPORT_TASK)
def build_report(self, run_id: int) -> str:
    """Build one queued report run (the limits above are defaults; the run is queued with the
    SANHUI_REPORT_* limits of the settings)."""
    return report_actions.report_build(run_id=run_id, final_attempt=self.request.retries >= self.max_retries)


@shared_task(
    acks_late=True,
    autoretry_for=RETRY_ON,
    retry_backoff=60,
    retry_kwargs={"max_retries": 5},
    soft_time_limit=60,
    time_limit=90,
)
def queue_quarterly_supervision_reports() -> list[int]:
    """On the first day of a quarter: queue the district's supervision report of the quarter
    just finished (XLSX, PDF and DOCX)."""
    return report_actions.scheduled_supervision_reports()


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=120, time_limit=180)
def redispatch_reports() -> int:
    """Send again the report builds the queue never got or may have lost (beat runs it every
    minute, so a failed pass is simply the next one's work)."""
    return report_actions.reports_redispatch()


@shared_task(**REPORT_TASK)
def issue_quarter_report(self, closing_id: int) -> str:
    """Issue the supervision report of a closed quarter; a redelivered or repeated task finds
    the report already issued and issues nothing more."""
    from rollout.models import QuarterClosing

    closing = QuarterClosing.objects.select_related("closed_by").filter(pk=closing_id).first()
    if closing is None:
        return ""
    issued = closing_actions.quarter_report_issue(actor=closing.closed_by, closing=closing)
    return issued.reference if issued is not None else ""


# No result is stored, so that queueing a rebuild never waits on the result store (the same
# Redis) while it is unreachable.
@shared_task(acks_late=True, ignore_result=True, soft_time_limit=300, time_limit=360)
def rebuild_town_standing() -> int:
    """Build the towns' coverage spans anew after their rows changed; return how many."""
    from rollout.indicators import standing

    return standing.rebuild()


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=60, time_limit=90)
def fold_town_changes() -> int:
    """Remove the notes of the towns' months' changes, which name the state of the months the
    district's coverage overview is kept under, once they have grown many; return how many."""
    from services import tallies

    return tallies.fold_town_changes()
