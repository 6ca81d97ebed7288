"""``manage.py import_activities FILE --organization CODE [--dry-run] [--user USERNAME]``: the
activity import from the shell, with the per-row summary of the import pages and a non-zero
exit (``CommandError``) when nothing could be imported.

The world and the ledger of twelve rows (nine good, three bad) are those of
``test_activity_import``; the clock is pinned to 5 January 2023, 10:00 in Asia/Shanghai.
"""

from __future__ import annotations

import datetime
import io
import zoneinfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from organizations.imports.models import ImportBatch
from organizations.models import AuditEntry, Region
from services.models import Activity, VolunteerService
from tests import factories as f
from tests.services.test_activity_import import LEDGER, xlsx_file

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock():
    moment = datetime.datetime(2023, 1, 5, 10, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(moment, tick=False):
        yield


@pytest.fixture
def town(jiangshan):
    Region.objects.create(name="张村", kind=Region.Kind.VILLAGE, parent=f.region("姜山镇"))
    f.TeamMembershipFactory(team=jiangshan.team, person=f.PersonFactory(name="李红", phone="13900001111"))
    return jiangshan


def ledger_file(tmp_path, rows=LEDGER, name="活动台账.xlsx"):
    path = tmp_path / name
    path.write_bytes(xlsx_file(rows).read())
    return path


def run(*args, **options) -> str:
    out = io.StringIO()
    call_command("import_activities", *[str(arg) for arg in args], stdout=out, **options)
    return out.getvalue()


def test_a_dry_run_prints_the_summary_and_writes_nothing(tmp_path, town, jiangshan_admin):
    output = run(ledger_file(tmp_path), organization="TA-JS", user="jiangshan", dry_run=True)

    lines = output.splitlines()
    assert lines[0] == "活动台账.xlsx: 12 rows; new 9, update 0, duplicate 0, error 3"
    assert [line.split("\t")[:3] for line in lines[1:] if "\terror\t" in line] == [
        ["  row 11", "error", "活动类型"],
        ["  row 12", "error", "结束时间"],
        ["  row 13", "error", "志愿者及服务时长"],
    ]
    assert [line.split("\t")[:2] for line in lines[1:10]] == [[f"  row {n}", "new"] for n in range(2, 11)]
    assert lines[1] == "  row 2\tnew\t将登记为已举办的活动，录入 2 名志愿者的服务时长"
    assert not Activity.objects.exists() and not VolunteerService.objects.exists()
    assert not ImportBatch.objects.exists()


def test_a_run_writes_the_good_rows_and_a_second_run_nothing(tmp_path, town, jiangshan_admin):
    path = ledger_file(tmp_path)

    output = run(path, organization="TA-JS", user="jiangshan")

    assert output.splitlines()[-1] == "committed: 9 new, 0 updated"
    assert Activity.objects.filter(organizer=town.association).count() == 9
    assert VolunteerService.objects.count() == 9
    again = run(path, organization="TA-JS", user="jiangshan")
    assert again.splitlines()[0] == "活动台账.xlsx: 12 rows; new 0, update 0, duplicate 9, error 3"
    assert "committed" not in again
    assert Activity.objects.count() == 9


def test_nothing_importable_exits_non_zero(tmp_path, town, jiangshan_admin):
    with pytest.raises(CommandError, match="nothing could be imported") as raised:
        run(ledger_file(tmp_path, LEDGER[9:]), organization="TA-JS", user="jiangshan")
    assert raised.value.returncode == 1
    assert not Activity.objects.exists()


def test_without_a_user_the_system_logs_the_activities(tmp_path, town):
    output = run(ledger_file(tmp_path), organization="TA-JS")

    assert output.splitlines()[-1] == "committed: 9 new, 0 updated"
    activities = Activity.objects.filter(organizer=town.association)
    assert activities.count() == 9
    assert not activities.exclude(created_by=None).exists()
    assert not VolunteerService.objects.exclude(changes__actor=None).exists()
    entries = AuditEntry.objects.filter(action="activity_create")
    assert entries.count() == 9 and not entries.exclude(actor=None).exists()


def test_a_given_user_must_be_allowed_to_write_the_organisation(tmp_path, town, wuxiang, wuxiang_admin):
    path = ledger_file(tmp_path)
    with pytest.raises(CommandError, match="may not write TA-JS"):
        run(path, organization="TA-JS", user="wuxiang")
    with pytest.raises(CommandError, match="no organisation"):
        run(path, organization="NO-SUCH")
    assert not Activity.objects.exists()
