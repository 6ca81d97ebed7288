"""Celery tasks of the organisations app: thin wrappers over actions.

``prune_login_events`` runs daily from Celery beat (CELERY_BEAT_SCHEDULE in the settings) and
deletes login log lines past the retention period (``SANHUI_LOGIN_LOG_DAYS``, never under 184).
"""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from .accounts import actions as account_actions


@shared_task(
    acks_late=True,
    soft_time_limit=300,
    time_limit=360,
    autoretry_for=(OperationalError,),
    retry_backoff=60,
    retry_kwargs={"max_retries": 3},
)
def prune_login_events() -> int:
    """Delete login log lines older than the retention period; return how many."""
    return account_actions.login_events_prune()
