"""Closings that race, on PostgreSQL (CI's database; skipped on SQLite, which serialises every
write and so cannot race): two reports issued at the same moment get two different 文号 of the
year, a year's first numbers taken at once are 1, 2, 3… with none given twice, and the same
quarter closed twice at once is closed once.

Each racer runs in a thread of its own, with its own database connection, and they are lined
up with a barrier just before the part that must be atomic."""

from __future__ import annotations

import datetime
import threading
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction

from rollout.models import IssuedReport, QuarterClosing, ReportNumberSequence
from rollout.reports.closing import actions, selectors
from tests.needs import need_postgresql, race

pytestmark = pytest.mark.django_db(transaction=True)

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def postgresql():
    need_postgresql("the race tests need PostgreSQL (CI's database): set DATABASE_URL=postgres://…")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(datetime.datetime(2023, 1, 5, 10, tzinfo=SHANGHAI), tick=False):
        yield


def test_two_reports_issued_at_once_get_two_numbers(district_user, monkeypatch):
    monkeypatch.setattr(actions, "_enqueue_issue", lambda closing_id: None)
    closings = [actions.quarter_close(actor=district_user, quarter=code) for code in ("2022Q3", "2022Q4")]
    # The year's counter exists already, so that it is its row lock, not the first insert, that
    # keeps the two apart.
    ReportNumberSequence.objects.create(year=2023, last=0)
    barrier = threading.Barrier(2, timeout=30)
    build = actions.build_report

    def built_then_wait(*args, **kwargs):
        report = build(*args, **kwargs)
        barrier.wait()  # both reports built: now both take a number
        return report

    monkeypatch.setattr(actions, "build_report", built_then_wait)
    results, errors = race(
        2,
        lambda i: (
            actions.quarter_report_issue(actor=district_user, closing=closings[i], formats=("xlsx",)).pk
        ),
    )
    assert errors == []
    issued = IssuedReport.objects.filter(pk__in=results).order_by("sequence")
    assert [(report.year, report.sequence) for report in issued] == [(2023, 1), (2023, 2)]
    assert sorted(report.reference for report in issued) == ["鄞科协督〔2023〕1号", "鄞科协督〔2023〕2号"]
    assert ReportNumberSequence.objects.get(year=2023).last == 2


def test_a_years_first_numbers_taken_at_once_are_each_given_once():
    barrier = threading.Barrier(6, timeout=30)

    def take(_index: int) -> int:
        barrier.wait()
        with transaction.atomic():
            return actions._take_number(2031)

    results, errors = race(6, take)
    assert errors == []
    assert sorted(results) == [1, 2, 3, 4, 5, 6]
    assert ReportNumberSequence.objects.get(year=2031).last == 6


def test_the_same_quarter_closed_twice_at_once_is_closed_once(district_user, monkeypatch):
    monkeypatch.setattr(actions, "_enqueue_issue", lambda closing_id: None)
    barrier = threading.Barrier(2, timeout=30)
    finished = selectors.is_finished

    def checked_then_wait(*args, **kwargs):
        answer = finished(*args, **kwargs)
        barrier.wait()  # both past the permission and date checks, neither has written yet
        return answer

    monkeypatch.setattr(selectors, "is_finished", checked_then_wait)
    results, errors = race(2, lambda _i: actions.quarter_close(actor=district_user, quarter="2022Q4").pk)
    assert len([pk for pk in results if pk]) == 1
    assert len(errors) == 1 and isinstance(errors[0], ValidationError)
    assert "该季度已关闭" in str(errors[0])
    assert QuarterClosing.objects.filter(quarter="2022Q4", reopened_at__isnull=True).count() == 1
