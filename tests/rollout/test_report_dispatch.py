"""Handing report builds to the task queue, and what happens when that goes wrong.

- A report asked for while the queue is unreachable is stored, shown as queued, and left for
  the redispatch (``dispatched_at`` empty); closing a quarter then still closes it.
- The redispatch sends the runs the queue never got, those sent long ago and still queued,
  and those left running past the time limit; nothing else, and each once per interval. A run
  left running that was started three times already is recorded as failed instead.
- A run left running by a builder that died is taken over at once on PostgreSQL, whose
  advisory lock says the builder is gone; a run whose builder lives is left to it.
- A build refused after too many starts (its worker died every time) is recorded as failed.

The end-to-end versions, with real worker processes and Redis, are in tests/faults/.
"""

from __future__ import annotations

import datetime
import threading
import zoneinfo

import kombu.exceptions
import pytest
import time_machine
from django.db import connection, connections
from django.urls import reverse

from rollout import tasks
from rollout.models import QuarterClosing, ReportRun
from rollout.reports import actions
from rollout.reports.closing import actions as closing_actions
from sanhui.celery import DeliveriesExhausted

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2023, 1, 5, 10, tzinfo=SHANGHAI)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def unreachable(*args, **kwargs):
    raise kombu.exceptions.OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


@pytest.fixture
def sent(monkeypatch) -> list[int]:
    """The runs whose build is handed to the queue (the queue itself is not reached)."""
    sent: list[int] = []
    monkeypatch.setattr(tasks.build_report, "apply_async", lambda args, **options: sent.append(args[0]))
    return sent


def test_a_report_asked_for_while_the_queue_is_unreachable_is_stored_as_queued(
    client, supervisor_user, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(tasks.build_report, "apply_async", unreachable)
    client.force_login(supervisor_user)
    data = {"kind": "coverage", "period_type": "quarter", "quarter": "2022Q4", "format": "csv"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:request"), data)
    run = ReportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == run.get_absolute_url()
    assert (run.status, run.dispatched_at, run.attempts) == ("queued", None, 0)
    assert "排队中" in client.get(run.get_absolute_url()).content.decode()


def test_a_run_handed_to_the_queue_notes_when(
    clock, supervisor_user, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = actions.report_request(actor=supervisor_user, kind="coverage", period="2022Q4", fmt="csv")
    run.refresh_from_db()
    assert sent == [run.pk] and run.dispatched_at == NOW


def test_closing_a_quarter_while_the_queue_is_unreachable_still_closes_it(
    clock, district_user, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(tasks.issue_quarter_report, "apply_async", unreachable)
    with django_capture_on_commit_callbacks(execute=True):
        closing = closing_actions.quarter_close(actor=district_user, quarter="2022Q4")
    assert QuarterClosing.objects.get().pk == closing.pk and closing.is_open


def make_run(
    requester, period: str, *, status: str, dispatched_minutes_ago: int | None, started_minutes_ago=None
):
    run = actions.report_request(actor=requester, kind="coverage", period=period, fmt="csv")
    minutes = datetime.timedelta(minutes=1)
    ReportRun.objects.filter(pk=run.pk).update(
        status=status,
        dispatched_at=None if dispatched_minutes_ago is None else NOW - dispatched_minutes_ago * minutes,
        started_at=None if started_minutes_ago is None else NOW - started_minutes_ago * minutes,
        **({"file": "reports/done.zip", "checksum": "0" * 64} if status == "done" else {}),
    )
    return run.pk


def test_the_redispatch_sends_what_the_queue_never_got_or_may_have_lost(
    clock, supervisor_user, settings, django_capture_on_commit_callbacks, sent
):
    settings.SANHUI_REPORT_REDISPATCH_AFTER = 900  # 15 minutes
    settings.SANHUI_REPORT_TIME_LIMIT = 660  # a run still running 12 minutes after it started is dead
    settings.SANHUI_TASK_MAX_DELIVERIES = 3
    with django_capture_on_commit_callbacks(execute=False):  # made as they are below, not sent
        never_sent = make_run(supervisor_user, "2021Q1", status="queued", dispatched_minutes_ago=None)
        sent_long_ago = make_run(supervisor_user, "2021Q2", status="queued", dispatched_minutes_ago=16)
        sent_lately = make_run(supervisor_user, "2021Q3", status="queued", dispatched_minutes_ago=14)
        dead = make_run(
            supervisor_user, "2021Q4", status="running", dispatched_minutes_ago=20, started_minutes_ago=13
        )
        dead_again = make_run(
            supervisor_user, "2020Q4", status="running", dispatched_minutes_ago=20, started_minutes_ago=13
        )
        ReportRun.objects.filter(pk=dead_again).update(attempts=3)  # started three times, never finished
        building = make_run(
            supervisor_user, "2022Q1", status="running", dispatched_minutes_ago=20, started_minutes_ago=11
        )
        make_run(supervisor_user, "2022Q2", status="done", dispatched_minutes_ago=60)
        make_run(supervisor_user, "2022Q3", status="failed", dispatched_minutes_ago=60)

    assert actions.reports_redispatch() == 3
    assert sorted(sent) == sorted([never_sent, sent_long_ago, dead])
    assert set(ReportRun.objects.filter(dispatched_at=NOW).values_list("pk", flat=True)) == {
        never_sent,
        sent_long_ago,
        dead,
    }
    assert not {sent_lately, building, dead_again} & set(sent)
    given_up = ReportRun.objects.get(pk=dead_again)
    assert (given_up.status, given_up.error) == (
        "failed",
        "生成报表时工作进程中断了 3 次，已停止重试；请检查后重新生成。",
    )
    # Sent again only once another interval has passed.
    assert actions.reports_redispatch() == 0


def test_the_redispatch_stops_while_the_queue_is_unreachable(
    clock, supervisor_user, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        run_ids = [
            make_run(supervisor_user, period, status="queued", dispatched_minutes_ago=None)
            for period in ("2022Q1", "2022Q2")
        ]
    attempts = []
    monkeypatch.setattr(
        tasks.build_report, "apply_async", lambda *a, **k: attempts.append(1) or unreachable()
    )
    assert actions.reports_redispatch() == 0
    assert len(attempts) == 1  # the second is not tried against a queue known to be down
    assert list(ReportRun.objects.filter(pk__in=run_ids).values_list("dispatched_at", flat=True)) == [
        None,
        None,
    ]


def test_a_run_left_running_by_a_builder_that_died_is_taken_over(
    supervisor_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        run = actions.report_request(actor=supervisor_user, kind="coverage", period="2022Q4", fmt="csv")
    assert actions._claim(run.pk)  # a builder claimed it a moment ago, and died
    status = actions.report_build(run_id=run.pk)
    run.refresh_from_db()
    if connection.vendor == "postgresql":
        # No connection holds the run's builder lock: the builder is gone.
        assert (status, run.status, run.attempts) == ("done", "done", 2)
    else:
        # Elsewhere nothing tells a dead builder from a slow one before the time limit.
        assert (status, run.status, run.attempts) == ("running", "running", 1)


def test_a_run_whose_builder_lives_is_left_to_it(
    supervisor_user, monkeypatch, django_capture_on_commit_callbacks
):
    if connection.vendor != "postgresql":
        pytest.skip("the builder lock is PostgreSQL's advisory lock")
    monkeypatch.setattr(actions, "BUILDER_LOCK_WAIT", 0.5)
    with django_capture_on_commit_callbacks(execute=False):
        run = actions.report_request(actor=supervisor_user, kind="coverage", period="2022Q4", fmt="csv")
    assert actions._claim(run.pk)
    holding, release = threading.Event(), threading.Event()

    def builder() -> None:
        # Another session: a worker still building the run.
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT pg_advisory_lock(%s, %s)", [actions.BUILDER_LOCK_CLASS, run.pk])
                holding.set()
                release.wait(timeout=30)
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [actions.BUILDER_LOCK_CLASS, run.pk])
        finally:
            connections.close_all()

    thread = threading.Thread(target=builder)
    thread.start()
    try:
        assert holding.wait(timeout=30)
        assert actions.report_build(run_id=run.pk) == "running"
    finally:
        release.set()
        thread.join(timeout=30)
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("running", 1)


def test_a_build_refused_after_too_many_starts_is_recorded_as_failed(supervisor_user, settings, monkeypatch):
    settings.SANHUI_TASK_MAX_DELIVERIES = 3
    run = actions.report_request(actor=supervisor_user, kind="coverage", period="2022Q4", fmt="csv")
    ReportRun.objects.filter(pk=run.pk).update(status="running", attempts=3)
    monkeypatch.setattr(tasks.build_report, "_count_start", lambda: 4)  # its fourth start
    monkeypatch.setattr(actions, "report_build", lambda **kwargs: pytest.fail("the build must not run"))
    tasks.build_report.push_request(id="poison", retries=0, is_eager=False, args=[run.pk], kwargs={})
    try:
        with pytest.raises(DeliveriesExhausted):
            tasks.build_report(run.pk)
    finally:
        tasks.build_report.pop_request()
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("failed", 3)
    assert run.error == "生成报表时工作进程中断了 3 次，已停止重试；请检查后重新生成。"
    assert run.finished_at is not None


def test_a_build_started_within_the_limit_runs(supervisor_user, settings, monkeypatch):
    settings.SANHUI_TASK_MAX_DELIVERIES = 3
    run = actions.report_request(actor=supervisor_user, kind="coverage", period="2022Q4", fmt="csv")
    built = []
    monkeypatch.setattr(tasks.build_report, "_count_start", lambda: 3)  # its third start
    monkeypatch.setattr(actions, "report_build", lambda **kwargs: built.append(kwargs) or "done")
    tasks.build_report.push_request(id="slow", retries=0, is_eager=False, args=[run.pk], kwargs={})
    try:
        assert tasks.build_report(run.pk) == "done"
    finally:
        tasks.build_report.pop_request()
    assert built == [{"run_id": run.pk, "final_attempt": False}]


def test_beat_runs_the_redispatch_every_minute_and_a_lost_worker_puts_its_task_back():
    from django.conf import settings

    from sanhui.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["rollout-redispatch-reports"]
    assert entry["task"] in app.tasks and entry["schedule"] == 60.0
    assert tasks.build_report.acks_late and tasks.build_report.reject_on_worker_lost
    assert settings.SANHUI_TASK_MAX_DELIVERIES == 3
    # Redis hands out a dead worker's message only after a build could have finished and retried.
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] == 3600
    assert settings.SANHUI_REPORT_TIME_LIMIT + 600 < 3600
