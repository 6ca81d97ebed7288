"""Fixtures of the rollout tests, on top of the personas and the two-town world of
tests/conftest.py: one task and one rectification item for each town."""

import datetime

import pytest

from rollout.indicators import standing
from rollout.models import Phase, Stage, TownStandingChange
from rollout.reference import load_plan
from tests.rollout import factories as rf


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Evidence files go to a throwaway folder, never the project's media folder.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def plan(db):
    """The phases and stages (loaded by migration; restored after a flush)."""
    load_plan(Phase, Stage)
    return {phase.number: phase for phase in Phase.objects.all()}


@pytest.fixture
def jiangshan_task(plan, jiangshan):
    return rf.TaskFactory(
        organization=jiangshan.association, title="姜山推进任务", due_date=datetime.date(2030, 1, 1)
    )


@pytest.fixture
def wuxiang_task(plan, wuxiang):
    return rf.TaskFactory(
        organization=wuxiang.association, title="五乡推进任务", due_date=datetime.date(2030, 1, 1)
    )


@pytest.fixture
def jiangshan_rectification(jiangshan):
    inspection = rf.InspectionFactory(organization=jiangshan.association, findings="姜山督查发现")
    return rf.RectificationFactory(
        inspection=inspection, title="姜山整改事项", deadline=datetime.date(2030, 1, 1)
    )


@pytest.fixture
def wuxiang_rectification(wuxiang):
    inspection = rf.InspectionFactory(organization=wuxiang.association, findings="五乡督查发现")
    return rf.RectificationFactory(
        inspection=inspection, title="五乡整改事项", deadline=datetime.date(2030, 1, 1)
    )


@pytest.fixture(params=["raw rows", "spans"])
def coverage_source(request, db):
    """Where the coverage is read from, both ways: the raw rows (the towns' spans out of date, as
    after any change until the rebuild has run) or the towns' spans (rebuilt). Call it after the
    writes and before the reads."""

    def ready() -> None:
        if request.param == "spans":
            standing.rebuild()
            assert standing.up_to_date()
        else:
            TownStandingChange.objects.get_or_create(txid=0)
            assert not standing.up_to_date()

    return ready
