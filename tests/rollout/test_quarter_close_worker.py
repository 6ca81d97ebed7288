"""A closing end to end through a real Celery worker on Redis: the issue is queued once the
closing commits, the worker builds and stores the report with its number, and a second
delivery of the same task issues nothing more."""

import datetime
import time
import zoneinfo

import pytest
import time_machine
from django.db import OperationalError

from organizations.models import Region
from organizations.reference import load_regions
from rollout import tasks
from rollout.models import IssuedReport, Phase, Stage
from rollout.reference import load_plan
from rollout.reports.closing import actions
from tests.rollout import reports_world
from tests.rollout.celery_helpers import forget_celery_connections

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


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


def wait_for_issue(closing_id: int, timeout: float = 90) -> IssuedReport:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            issued = IssuedReport.objects.filter(closing_id=closing_id).first()
        except OperationalError:
            # SQLite: the worker's issuing transaction holds the table until it commits.
            issued = None
        if issued is not None:
            return issued
        time.sleep(0.2)
    raise AssertionError(f"closing {closing_id} has no issued report")


def test_a_real_worker_issues_the_report_of_a_closed_quarter_once(worker, jiangshan, wuxiang, district_user):
    reports_world.build(jiangshan, wuxiang)
    # tick: the worker's thread waits on the real clock.
    with time_machine.travel(datetime.datetime(2023, 1, 5, 10, tzinfo=SHANGHAI), tick=True):
        closing = actions.quarter_close(actor=district_user, quarter="2022Q4")
        issued = wait_for_issue(closing.pk)
        assert issued.reference == "鄞科协督〔2023〕1号"
        assert sorted(issued.files.values_list("format", flat=True)) == ["docx", "pdf", "xlsx"]
        assert tasks.issue_quarter_report.delay(closing.pk).get(timeout=60) == issued.reference
    assert IssuedReport.objects.count() == 1
