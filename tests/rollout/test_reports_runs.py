"""Report runs: one run per identical request, re-runs, the conditional claim, failures with
retries, the beat entry and the build_report command."""

import datetime
import hashlib
import io
import zipfile

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import load_workbook

from rollout import tasks
from rollout.models import ReportRun
from rollout.reports import actions
from tests.rollout import reports_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(jiangshan, wuxiang):
    return reports_world.build(jiangshan, wuxiang)


def request(user, **kwargs):
    params = {"kind": "supervision", "period": "2022Q4", "fmt": "xlsx", **kwargs}
    return actions.report_request(actor=user, **params)


def test_the_same_request_twice_makes_one_run(supervisor_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        first = request(supervisor_user)
        second = request(supervisor_user)
    assert first.pk == second.pk
    assert ReportRun.objects.count() == 1
    assert len(callbacks) == 1  # queued once
    assert first.parameters == {
        "period": "2022Q4",
        "format": "xlsx",
        "organization": None,
        "requester": supervisor_user.pk,
        "scope": "district",
    }


def test_different_parameters_or_requesters_make_different_runs(supervisor_user, district_user):
    runs = {
        request(supervisor_user).pk,
        request(supervisor_user, fmt="pdf").pk,
        request(supervisor_user, period="2022Q3").pk,
        request(supervisor_user, kind="coverage").pk,
        request(district_user).pk,
    }
    assert len(runs) == 5


def test_a_rerun_retires_the_run_and_queues_a_fresh_one(supervisor_user, django_capture_on_commit_callbacks):
    run = request(supervisor_user)
    with django_capture_on_commit_callbacks() as callbacks:
        fresh = actions.report_rerun(actor=supervisor_user, run=run)
    assert fresh.pk != run.pk and len(callbacks) == 1
    run.refresh_from_db()
    assert not run.current and fresh.current
    # Asking again now returns the fresh run.
    assert request(supervisor_user).pk == fresh.pk


def test_a_request_after_a_failure_makes_a_new_run(supervisor_user):
    run = request(supervisor_user)
    ReportRun.objects.filter(pk=run.pk).update(status=ReportRun.Status.FAILED, error="x")
    again = request(supervisor_user)
    assert again.pk != run.pk and again.status == ReportRun.Status.QUEUED


def test_the_database_refuses_two_current_runs_of_one_request(supervisor_user):
    from django.db import IntegrityError, transaction

    run = request(supervisor_user)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportRun.objects.create(kind=run.kind, parameters=run.parameters, params_hash=run.params_hash)


def test_bad_requests_are_refused_with_chinese_messages(jiangshan_admin, wuxiang, leader_user):
    with pytest.raises(ValidationError) as error:
        request(jiangshan_admin, organization=wuxiang.association)
    assert "只能对本单位" in error.value.message_dict["organization"][0]
    with pytest.raises(ValidationError) as error:
        request(jiangshan_admin, period="2022Q5", fmt="exe", kind="x")
    assert set(error.value.message_dict) == {"period", "format", "kind"}
    with pytest.raises(ValidationError):
        request(leader_user)
    assert not ReportRun.objects.exists()


def test_a_build_stores_the_file_with_its_checksum(world, supervisor_user, settings):
    settings.SANHUI_REPORT_STORAGE_PREFIX = "quarterly"
    run = request(supervisor_user)
    assert actions.report_build(run_id=run.pk) == "done"
    run.refresh_from_db()
    data = run.file.read()
    assert run.status == "done" and run.attempts == 1 and run.error == ""
    assert run.checksum == hashlib.sha256(data).hexdigest() and run.size == len(data)
    assert run.file.name.startswith("quarterly/")
    assert run.started_at <= run.finished_at
    assert "分单位情况" in load_workbook(io.BytesIO(data)).sheetnames
    # A second delivery of the same task finds the run claimed and builds nothing.
    assert actions.report_build(run_id=run.pk) == "done"
    run.refresh_from_db()
    assert run.attempts == 1


def test_two_workers_never_claim_one_run(supervisor_user):
    run = request(supervisor_user)
    assert actions._claim(run.pk) is True
    assert actions._claim(run.pk) is False
    # A run left running by a worker that died past the time limit is claimed again.
    ReportRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - datetime.timedelta(hours=2))
    assert actions._claim(run.pk) is True


def test_a_failing_build_is_retried_then_recorded_as_failed(world, supervisor_user, monkeypatch):
    calls = []

    def broken(report, fmt):
        calls.append(fmt)
        raise OSError("磁盘已满")

    monkeypatch.setattr(actions, "render", broken)
    # Eager retries run the task again in place only when errors are not re-raised at once.
    from sanhui.celery import app

    previous = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    run = request(supervisor_user)
    try:
        result = tasks.build_report.apply(args=(run.pk,))
    finally:
        app.conf.task_eager_propagates = previous
    assert result.get() == "failed"
    run.refresh_from_db()
    assert run.status == "failed"
    assert "磁盘已满" in run.error
    assert run.attempts == len(calls) == tasks.build_report.max_retries + 1
    assert run.finished_at is not None and not run.file


def test_a_fault_in_the_data_fails_at_once(world, supervisor_user, monkeypatch):
    monkeypatch.setattr(actions, "render", lambda report, fmt: (_ for _ in ()).throw(ValueError("坏数据")))
    run = request(supervisor_user)
    assert tasks.build_report.apply(args=(run.pk,)).get() == "failed"
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("failed", 1)
    assert "坏数据" in run.error


def test_the_scope_is_decided_again_at_build_time(world, jiangshan_admin):
    run = request(jiangshan_admin)
    jiangshan_admin.is_active = False
    jiangshan_admin.save()
    assert actions.report_build(run_id=run.pk) == "failed"
    run.refresh_from_db()
    assert "停用" in run.error


def test_runs_are_queued_with_the_configured_time_limits(
    supervisor_user, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.SANHUI_REPORT_SOFT_TIME_LIMIT, settings.SANHUI_REPORT_TIME_LIMIT = 30, 40
    sent = []
    monkeypatch.setattr(
        tasks.build_report, "apply_async", lambda args, **options: sent.append((args, options))
    )
    with django_capture_on_commit_callbacks(execute=True):
        run = request(supervisor_user)
    assert sent == [((run.pk,), {"soft_time_limit": 30, "time_limit": 40})]


def test_the_task_is_thin_and_safe_to_deliver_twice():
    task = tasks.build_report
    assert task.acks_late is True
    assert task.max_retries == 3 and task.retry_backoff
    assert task.soft_time_limit and task.time_limit > task.soft_time_limit
    assert OSError in task.autoretry_for


def test_the_beat_schedule_queues_the_finished_quarter_on_the_first_day_of_each_quarter():
    from sanhui.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["rollout-quarterly-supervision-reports"]
    assert entry["task"] in app.tasks
    schedule = entry["schedule"]
    assert isinstance(schedule, crontab)
    assert schedule.day_of_month == {1} and schedule.month_of_year == {1, 4, 7, 10}


def test_the_scheduled_runs_are_district_wide_and_made_once(world):
    first = actions.scheduled_supervision_reports(day=datetime.date(2023, 1, 1))
    again = actions.scheduled_supervision_reports(day=datetime.date(2023, 1, 1))
    assert first == again and len(first) == 3
    runs = ReportRun.objects.filter(pk__in=first)
    assert {run.format for run in runs} == {"xlsx", "pdf", "docx"}
    assert {run.period_code for run in runs} == {"2022Q4"}
    assert all(run.requested_by is None and run.kind == "supervision" for run in runs)
    # The beat task asks for the quarter before today's, on top of 2022Q4's runs.
    now = tasks.queue_quarterly_supervision_reports.apply().get()
    assert len(now) == 3 and not set(now) & set(first)
    assert {run.period_code for run in ReportRun.objects.filter(pk__in=now)} == {
        actions.previous_quarter().code
    }
    assert actions.report_build(run_id=first[0]) == "done", ReportRun.objects.get(pk=first[0]).error


def test_the_command_builds_the_same_report_without_celery(world, tmp_path):
    out = tmp_path / "督查.xlsx"
    call_command(
        "build_report", "supervision", "--quarter", "2022Q4", "--format", "xlsx", "--output", str(out)
    )
    workbook = load_workbook(out)
    rows = list(workbook["分单位情况"].iter_rows(values_only=True))
    assert any(row[0] == "姜山镇科协" for row in rows)
    csv_out = tmp_path / "coverage.zip"
    call_command(
        "build_report",
        "coverage",
        "--quarter",
        "2022Q4",
        "--format",
        "csv",
        "--output",
        str(csv_out),
        "--organization",
        "TA-JS",
    )
    with zipfile.ZipFile(csv_out) as archive:
        text = archive.read("02_镇（街道）覆盖情况.csv").decode("utf-8-sig")
    assert text.splitlines()[1].startswith("姜山镇,√,√,√,√,√")
    assert len(text.splitlines()) == 2
    with pytest.raises(CommandError):
        call_command(
            "build_report",
            "coverage",
            "--quarter",
            "2022Q4",
            "--format",
            "csv",
            "--output",
            str(csv_out),
            "--organization",
            "NOPE",
        )
    with pytest.raises(CommandError):
        call_command(
            "build_report", "coverage", "--quarter", "Q9", "--format", "csv", "--output", str(csv_out)
        )
    assert not ReportRun.objects.exists()
