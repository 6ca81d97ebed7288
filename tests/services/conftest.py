"""Fixtures of the service-ledger tests: an activity in each of the two towns."""

import pytest

from tests.services.factories import ActivityFactory


@pytest.fixture
def js_activity(jiangshan):
    """A held lecture of the 姜山镇 association, led by its hospital director, with its team."""
    return ActivityFactory(
        title="姜山健康讲座",
        organizer=jiangshan.association,
        leaders=[jiangshan.leader],
        teams=[jiangshan.team],
    )


@pytest.fixture
def wx_activity(wuxiang):
    return ActivityFactory(
        title="五乡农技培训",
        kind="tech_training",
        organizer=wuxiang.association,
        leaders=[wuxiang.leader],
        teams=[wuxiang.team],
    )
