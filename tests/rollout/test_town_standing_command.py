"""``manage.py town_standing``: the check and the rebuild of the towns' coverage spans."""

import datetime

import pytest
from django.core.management import CommandError, call_command

from rollout.indicators import standing
from rollout.models import TownStanding
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def association(db):
    """姜山镇科协, active since 2022-01-01: one span of 姜山镇's association."""
    return f.OrganizationFactory(
        kind="town_association",
        home_region=f.region("姜山镇"),
        status="active",
        founded_on=datetime.date(2022, 1, 1),
    )


def test_the_rebuild_then_the_check(association, capsys):
    call_command("town_standing", "--rebuild")
    assert "1 个区间" in capsys.readouterr().out
    call_command("town_standing")
    assert "与原始记录一致" in capsys.readouterr().out


def test_a_change_waiting_for_the_rebuild_is_reported_not_refused(association, capsys):
    standing.rebuild()
    association.founded_on = datetime.date(2022, 3, 1)
    association.save()
    call_command("town_standing")
    out = capsys.readouterr().out
    assert "2022-01-01" in out and "2022-03-01" in out
    assert "尚待重建" in out


def test_spans_written_around_the_rebuild_are_refused(association, capsys):
    standing.rebuild()
    TownStanding.objects.update(since=datetime.date(2021, 1, 1))
    with pytest.raises(CommandError, match="2 处不一致"):
        call_command("town_standing")
    out = capsys.readouterr().out
    assert "表中" in out and "2021-01-01" in out and "应为" in out
    call_command("town_standing", "--rebuild")
    call_command("town_standing")
    assert "与原始记录一致" in capsys.readouterr().out
