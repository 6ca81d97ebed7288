"""Celery tasks of the list exports: thin wrappers over ``organizations.exports.actions``.

``build_export`` builds one large export in the background; ``prune_export_files`` runs daily
from Celery beat (CELERY_BEAT_SCHEDULE in the settings) and deletes the exports past
``SANHUI_EXPORT_KEEP_DAYS``. Both are registered with the worker through
``organizations.tasks``, which Celery finds by itself.
"""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from . import actions

# Acknowledged when done, so that a worker lost mid-build leaves the export to another; a
# second delivery of a finished export builds nothing (the action claims it first).
EXPORT_TASK = {
    "acks_late": True,
    "soft_time_limit": 1800,
    "time_limit": 1860,
    "autoretry_for": (OperationalError,),
    "retry_backoff": 30,
    "retry_kwargs": {"max_retries": 3},
}


@shared_task(**EXPORT_TASK)
def build_export(export_id: int) -> str:
    """Build the file of one export; return its status."""
    return actions.export_build(export_id=export_id)


@shared_task(
    acks_late=True,
    soft_time_limit=300,
    time_limit=360,
    autoretry_for=(OperationalError,),
    retry_backoff=60,
    retry_kwargs={"max_retries": 3},
)
def prune_export_files() -> int:
    """Delete the exports past their keeping period; return how many."""
    return actions.export_files_prune()
