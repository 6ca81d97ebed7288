"""Celery tasks of the organisations app: thin wrappers over actions.

``prune_login_events`` and ``prune_audit_entries`` run daily from Celery beat
(CELERY_BEAT_SCHEDULE in the settings) and delete login log lines and audit entries past their
retention periods (``SANHUI_LOGIN_LOG_DAYS`` and ``SANHUI_AUDIT_LOG_DAYS``, never under 184).
"""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from .accounts import actions as account_actions
from .accounts.tasks import send_password_reset_mail  # noqa: F401  (registered with the worker)
from .audit import actions as audit_actions
from .exports.tasks import build_export, prune_export_files  # noqa: F401  (registered with the worker)
from .imports.tasks import (  # noqa: F401  (registered with the worker)
    import_check_task,
    import_commit_task,
    prune_import_files,
)

# A scheduled prune: acknowledged when done, retried when the database is briefly unavailable.
PRUNE_TASK = {
    "acks_late": True,
    "soft_time_limit": 300,
    "time_limit": 360,
    "autoretry_for": (OperationalError,),
    "retry_backoff": 60,
    "retry_kwargs": {"max_retries": 3},
}


@shared_task(**PRUNE_TASK)
def prune_login_events() -> int:
    """Delete login log lines older than the retention period; return how many."""
    return account_actions.login_events_prune()


@shared_task(**PRUNE_TASK)
def prune_audit_entries() -> int:
    """Delete audit entries older than the retention period; return how many."""
    return audit_actions.audit_entries_prune()
