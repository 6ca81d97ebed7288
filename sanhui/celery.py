"""Celery application of the portal.

Workers and beat read their configuration from Django settings (keys prefixed ``CELERY_``),
so several workers on several hosts share one broker and one database with no extra files.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanhui.settings")

app = Celery("sanhui")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="sanhui.ping", ignore_result=False)
def ping() -> str:
    """Answer "pong": lets monitoring (and CI) check that a worker consumes the queue."""
    return "pong"
