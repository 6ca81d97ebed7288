"""A report build whose worker dies, through real worker processes on a Redis of the test's own.

- The whole worker is killed (SIGKILL) in the middle of a build: Redis hands the build to the
  next worker once the visibility timeout has passed, which takes the run over (the database
  has let go of the dead builder's lock) and stores exactly one file.
- A build that kills its worker process every time is started three times
  (``SANHUI_TASK_MAX_DELIVERIES``), then refused and recorded as failed; it is not delivered
  again.
"""

from __future__ import annotations

import hashlib
import time

import pytest

from rollout.models import ReportRun
from rollout.reports import actions
from tests.faults.conftest import queue_is_empty, stored_files, wait_until

pytestmark = [pytest.mark.faults, pytest.mark.usefixtures("portal_on_own_redis")]


def run_status(run_id: int) -> str:
    return ReportRun.objects.values_list("status", flat=True).get(pk=run_id)


def test_a_build_whose_worker_is_killed_mid_run_is_built_again_into_one_file(
    faults, own_redis, supervisor_user, settings
):
    first = faults.worker(
        "first", SANHUI_FAULTS_SLOW_FORMAT="xlsx", SANHUI_FAULTS_SLOW_SECONDS="300",
        SANHUI_BROKER_VISIBILITY_TIMEOUT="3",
    )  # fmt: skip
    run = actions.report_request(actor=supervisor_user, kind="supervision", period="2022Q4", fmt="xlsx")
    wait_until(faults.renders, timeout=90, what="the first worker starts rendering")
    assert run_status(run.pk) == "running"

    faults.kill(first)
    assert stored_files(settings.MEDIA_ROOT) == []
    assert run_status(run.pk) == "running"  # nobody is left to say otherwise

    faults.worker("second", SANHUI_BROKER_VISIBILITY_TIMEOUT="3")
    wait_until(
        lambda: run_status(run.pk) in ("done", "failed"), timeout=90, what="the second worker builds it"
    )
    run.refresh_from_db()
    assert run.status == "done", run.error
    assert run.attempts == 2
    renders = faults.renders()
    assert len(renders) == 2 and renders[0][0] != renders[1][0]  # once in each worker
    files = stored_files(settings.MEDIA_ROOT)
    assert [path.relative_to(settings.MEDIA_ROOT).as_posix() for path in files] == [run.file.name]
    assert hashlib.sha256(files[0].read_bytes()).hexdigest() == run.checksum
    wait_until(lambda: queue_is_empty(own_redis), timeout=10, what="the message is acknowledged")
    assert ReportRun.objects.count() == 1


def test_a_build_that_kills_its_worker_every_time_stops_after_three_starts(
    faults, own_redis, supervisor_user
):
    worker = faults.worker("worker", SANHUI_FAULTS_KILL_FORMAT="csv", SANHUI_TASK_MAX_DELIVERIES="3")
    run = actions.report_request(actor=supervisor_user, kind="coverage", period="2022Q4", fmt="csv")
    wait_until(lambda: run_status(run.pk) == "failed", timeout=120, what="the poisonous build is refused")
    run.refresh_from_db()
    assert run.attempts == 3
    assert "3 次" in run.error
    assert run.finished_at is not None and not run.file
    assert len(faults.renders()) == 3
    assert len({pid for pid, _fmt in faults.renders()}) == 3  # a new pool process each time
    wait_until(lambda: queue_is_empty(own_redis), timeout=10, what="the refused message is acknowledged")

    # Nothing comes back: the worker lives on, idle, and the run stays failed.
    time.sleep(3)
    assert worker.poll() is None
    assert len(faults.renders()) == 3
    assert queue_is_empty(own_redis)
    assert run_status(run.pk) == "failed"
    assert "refused: started 3 times" in faults.log("worker")
