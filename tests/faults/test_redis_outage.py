"""Redis (the task queue and the cache) stopped under load and started again, empty.

While it is down (``SANHUI_FAULTS_REDIS_DOWN_SECONDS``, a minute unless set), two users keep
opening the dashboard and the lists and asking for reports: every page answers, without a 500
and without waiting on the queue, and a report asked for is stored and shown as queued. Once
Redis is back, the worker takes up work again and every report asked for is built, once: those
asked for while Redis was down, and those whose messages Redis lost when it stopped (the
redispatch sends them again).
"""

from __future__ import annotations

import os
import threading
import time

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from rollout.models import ReportRun
from tests.faults.conftest import queue_is_empty, stored_files, wait_until

pytestmark = [pytest.mark.faults, pytest.mark.usefixtures("portal_on_own_redis")]

DOWN_SECONDS = float(os.environ.get("SANHUI_FAULTS_REDIS_DOWN_SECONDS", "60"))
# A page that waits on the unreachable queue (a publish retried, a result store reconnecting)
# takes many seconds; one that does not answers in well under one.
SLOW = 5.0
PAGES = ("home", "dashboards:district", "reports:list", "organizations:person_list", "services:activity_list")
# Reports asked for while Redis is down: CSV files of the coverage of the quarters of 2023.
OUTAGE_REQUESTS = ("2023Q1", "2023Q2", "2023Q3", "2023Q4")


def ask_for_report(client: Client, quarter: str, fmt: str, answers: list) -> ReportRun:
    data = {"kind": "coverage", "period_type": "quarter", "quarter": quarter, "format": fmt}
    started = time.monotonic()
    response = client.post(reverse("reports:request"), data)
    answers.append(("request", response.status_code, time.monotonic() - started))
    assert response.status_code == 302, response.content.decode()[:2000]
    run = ReportRun.objects.get(parameters__period=quarter, parameters__format=fmt)
    assert response["Location"] == run.get_absolute_url()
    return run


def browse(client: Client, answers: list, until: float) -> None:
    while time.monotonic() < until:
        for url in map(reverse, PAGES):
            started = time.monotonic()
            response = client.get(url)
            answers.append((url, response.status_code, time.monotonic() - started))


def browse_in_background(user, answers: list, until: float) -> threading.Thread:
    def work() -> None:
        try:
            client = Client()
            client.force_login(user)
            browse(client, answers, until)
        finally:
            connection.close()

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread


def test_pages_work_while_redis_is_down_and_every_report_asked_for_is_built_after(
    faults, own_redis, client, supervisor_user, district_user, settings
):
    worker = faults.worker(
        "worker", SANHUI_FAULTS_SLOW_FORMAT="xlsx", SANHUI_FAULTS_SLOW_SECONDS="2",
        SANHUI_REPORT_REDISPATCH_AFTER="10",
    )  # fmt: skip
    faults.beat(
        "beat", SANHUI_FAULTS_BEAT_ENTRIES="rollout-redispatch-reports", SANHUI_REPORT_REDISPATCH_INTERVAL="2"
    )
    client.force_login(supervisor_user)
    answers: list = []
    # Three slow builds queued: the worker is busy with the first when Redis stops, and Redis
    # loses the messages of the other two.
    before = [ask_for_report(client, quarter, "xlsx", answers) for quarter in ("2022Q1", "2022Q2", "2022Q3")]
    wait_until(faults.renders, timeout=90, what="the worker starts the first build")

    own_redis.stop()
    until = time.monotonic() + DOWN_SECONDS
    background = browse_in_background(district_user, answers, until)
    during = []
    for quarter in OUTAGE_REQUESTS:
        run = ask_for_report(client, quarter, "csv", answers)
        page = client.get(run.get_absolute_url())
        assert page.status_code == 200 and "排队中" in page.content.decode()
        during.append(run)
    browse(client, answers, until)
    background.join(timeout=60)

    assert answers and all(status < 500 for _url, status, _seconds in answers), answers
    slow = [(url, round(seconds, 1)) for url, _status, seconds in answers if seconds > SLOW]
    assert not slow, slow
    assert {url for url, _status, _seconds in answers} == {*map(reverse, PAGES), "request"}
    for run in during:
        run.refresh_from_db()
        assert (run.status, run.dispatched_at) == ("queued", None)

    own_redis.start()
    runs = [*before, *during]
    wait_until(
        lambda: ReportRun.objects.filter(status="done").count() == len(runs),
        timeout=150,
        what="every report asked for is built once Redis is back",
    )
    assert worker.poll() is None  # the same worker, which reconnected
    assert ReportRun.objects.count() == len(runs) == 7
    assert set(ReportRun.objects.values_list("attempts", flat=True)) == {1}
    assert sorted(fmt for _pid, fmt in faults.renders()) == ["csv"] * 4 + ["xlsx"] * 3
    assert len(stored_files(settings.MEDIA_ROOT)) == 7
    wait_until(lambda: queue_is_empty(own_redis), timeout=30, what="nothing is left in the queue")
