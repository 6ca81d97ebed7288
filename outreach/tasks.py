"""Celery tasks of the outreach app: thin wrappers that take ids and call an action."""

from __future__ import annotations

import smtplib

from celery import shared_task

from . import actions


@shared_task(
    name="outreach.tasks.send_themed_day_reminders",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=60,
    max_retries=3,
    soft_time_limit=120,
    time_limit=180,
)
def send_themed_day_reminders() -> int:
    """Daily: queue the themed-day reminders that are due (one task per organisation)."""
    return actions.themed_day_reminders_schedule()


@shared_task(
    name="outreach.tasks.send_themed_day_reminder",
    acks_late=True,
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=60,
    retry_jitter=True,
    max_retries=5,
    soft_time_limit=60,
    time_limit=90,
)
def send_themed_day_reminder(themed_day_id: int, organization_id: int, year: int) -> bool:
    """Mail one organisation's admins about one themed day; true when a mail went out."""
    reminder = actions.themed_day_reminder_send(
        themed_day_id=themed_day_id, organization_id=organization_id, year=year
    )
    return reminder is not None
