"""A report end to end through a real Celery worker on Redis: the request is queued after
commit, a worker claims and builds it, and the stored file reads back."""

import io
import time

import pytest
from openpyxl import load_workbook

from organizations.models import Region
from organizations.reference import load_regions
from rollout.models import Phase, ReportRun, Stage
from rollout.reference import load_plan
from rollout.reports import actions
from tests.rollout import reports_world
from tests.rollout.celery_helpers import forget_celery_connections


@pytest.fixture
def reference(transactional_db):
    # Transactional tests end with a flush that also empties the reference regions and plan.
    load_regions(Region)
    load_plan(Phase, Stage)


@pytest.fixture
def worker(request, reference):
    forget_celery_connections()
    yield request.getfixturevalue("celery_worker")
    forget_celery_connections()


def wait_until_finished(run_id: int, timeout: float = 60) -> ReportRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = ReportRun.objects.get(pk=run_id)
        if run.is_finished:
            return run
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} still {ReportRun.objects.get(pk=run_id).status}")


def test_a_real_worker_builds_a_requested_report_once(worker, jiangshan, wuxiang, supervisor_user):
    reports_world.build(jiangshan, wuxiang)
    run = actions.report_request(actor=supervisor_user, kind="supervision", period="2022Q4", fmt="xlsx")
    again = actions.report_request(actor=supervisor_user, kind="supervision", period="2022Q4", fmt="xlsx")
    assert again.pk == run.pk
    run = wait_until_finished(run.pk)
    assert run.status == "done", run.error
    assert run.attempts == 1
    rows = list(load_workbook(io.BytesIO(run.file.read()))["分单位情况"].iter_rows(values_only=True))
    assert any(row[0] == "姜山镇科协" and row[2] == 1 for row in rows)
    assert ReportRun.objects.count() == 1
