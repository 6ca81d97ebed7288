"""The portal's Celery app as the fault tests run it in worker and beat processes of their own
(``celery -A tests.faults.celery_app worker|beat``), configured by environment variables that
the tests set:

- ``SANHUI_FAULTS_CLOCK``: the moment (ISO 8601) the process's clock starts from, so that it
  reads the same time as the test that started it (which may have moved its own clock);
- ``SANHUI_FAULTS_RENDER_LOG``: a file that gets one line ("<pid> <format> <moment>") each time
  a report starts rendering;
- ``SANHUI_FAULTS_SLOW_FORMAT`` / ``SANHUI_FAULTS_SLOW_SECONDS``: rendering this format first
  sleeps that long (a build long enough to be killed in the middle of);
- ``SANHUI_FAULTS_KILL_FORMAT``: rendering this format kills the process doing it (SIGKILL);
- ``SANHUI_FAULTS_BEAT_ENTRIES`` / ``SANHUI_FAULTS_BEAT_EVERY``: beat runs only these entries of
  the schedule (comma-separated), every that many seconds if given.

Everything else is the portal's own configuration, read from the environment as in production.
"""

from __future__ import annotations

import datetime
import os
import signal
import time

import django
import time_machine
from django.utils import timezone

if moment := os.environ.get("SANHUI_FAULTS_CLOCK"):
    time_machine.travel(datetime.datetime.fromisoformat(moment), tick=True).start()

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanhui.settings")
django.setup()

from rollout.reports import actions  # noqa: E402
from sanhui.celery import app  # noqa: E402

__all__ = ["app"]

_render = actions.render


def _render_with_faults(report, fmt):
    if log := os.environ.get("SANHUI_FAULTS_RENDER_LOG"):
        with open(log, "a", encoding="utf-8") as lines:
            lines.write(f"{os.getpid()} {fmt} {timezone.now().isoformat()}\n")
    if fmt == os.environ.get("SANHUI_FAULTS_KILL_FORMAT"):
        os.kill(os.getpid(), signal.SIGKILL)
    if fmt == os.environ.get("SANHUI_FAULTS_SLOW_FORMAT"):
        time.sleep(float(os.environ.get("SANHUI_FAULTS_SLOW_SECONDS", "120")))
    return _render(report, fmt)


actions.render = _render_with_faults

# A message abandoned by a killed worker is looked for every second (the broker's default is
# every 100 s), so that the tests need not wait; the visibility timeout stays the portal's.
app.conf.broker_transport_options = {
    **(app.conf.broker_transport_options or {}),
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}

if entries := os.environ.get("SANHUI_FAULTS_BEAT_ENTRIES"):
    every = os.environ.get("SANHUI_FAULTS_BEAT_EVERY")
    app.conf.beat_schedule = {
        name: {**entry, "schedule": float(every)} if every else entry
        for name, entry in app.conf.beat_schedule.items()
        if name in entries.split(",")
    }
