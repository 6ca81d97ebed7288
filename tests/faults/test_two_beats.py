"""Two beat processes at once (a second host started by mistake, a restart overlapping the old
one) on a schedule of every half second: however often the quarterly job is sent, and however
many worker processes run it at the same moment, the finished quarter gets one scheduled run per
format, each built once."""

from __future__ import annotations

import datetime
import time
import zoneinfo

import pytest
import time_machine

from rollout.models import ReportRun
from tests.faults.conftest import wait_until

pytestmark = [pytest.mark.faults, pytest.mark.usefixtures("portal_on_own_redis")]

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
QUARTERLY = "rollout-quarterly-supervision-reports"
SENT = f"Sending due task {QUARTERLY}"


def finished_jobs(faults) -> int:
    return sum(
        "queue_quarterly_supervision_reports[" in line and " succeeded " in line
        for line in faults.log("worker").splitlines()
    )


def test_two_beats_at_once_make_one_scheduled_run_per_quarter(faults):
    # 5 January 2023: the quarter just finished is 2022Q4. tick: the processes' clocks run.
    with time_machine.travel(datetime.datetime(2023, 1, 5, 10, tzinfo=SHANGHAI), tick=True):
        faults.worker("worker", concurrency=2)
        beats = {
            name: faults.beat(name, SANHUI_FAULTS_BEAT_ENTRIES=QUARTERLY, SANHUI_FAULTS_BEAT_EVERY="0.5")
            for name in ("beat-1", "beat-2")
        }
        wait_until(
            lambda: all(faults.log(name).count(SENT) >= 4 for name in beats),
            timeout=90,
            what="both beats send the quarterly job four times",
        )
        for beat in beats.values():
            faults.stop(beat)
        sent = sum(faults.log(name).count(SENT) for name in beats)
        wait_until(lambda: finished_jobs(faults) >= sent, timeout=90, what="the worker runs every job sent")
        # Each run's build starts once (a PDF takes a while to finish on a busy machine).
        wait_until(lambda: len(faults.renders()) >= 3, timeout=90, what="the three builds start")
        time.sleep(2)

    assert sent >= 8 and finished_jobs(faults) == sent
    runs = list(ReportRun.objects.order_by("pk"))
    assert len(runs) == 3
    assert sorted(run.format for run in runs) == ["docx", "pdf", "xlsx"]
    assert {(run.kind, run.period_code, run.requested_by_id, run.current) for run in runs} == {
        ("supervision", "2022Q4", None, True)
    }
    assert sorted(fmt for _pid, fmt in faults.renders()) == ["docx", "pdf", "xlsx"]
    assert all(run.attempts == 1 for run in runs)
