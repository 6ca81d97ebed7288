"""The benchmark command: every page it times answers, and it prints its figures."""

import datetime
import io
import zoneinfo

import pytest
import time_machine
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_it_prints_times_and_query_counts_for_each_page(
    settings, district_user, jiangshan_admin, leader_user, supervisor_user
):
    settings.ALLOWED_HOSTS = ["testserver"]
    out = io.StringIO()
    call_command("benchmark", repeat=1, no_reports=True, period="2022Q4", stdout=out)
    output = out.getvalue()
    for path in ("/dashboard/?period=2022Q4", "/people/", "/reports/", "/dashboard/me/?period=2022Q4"):
        assert path in output
    assert "coverage of 25 towns in 2022Q4" in output
    line = next(line for line in output.splitlines() if "/rollout/supervision/" in line)
    assert line.split()[0] == "supervisor" and int(line.split()[-1]) > 0


def test_it_builds_each_report_format(settings, district_user, jiangshan):
    settings.ALLOWED_HOSTS = ["testserver"]
    out = io.StringIO()
    call_command("benchmark", repeat=1, stdout=out)
    formats = [line.split()[:2] for line in out.getvalue().splitlines() if " figures " in line]
    assert formats == [
        [kind, fmt] for kind in ("coverage", "supervision") for fmt in ("csv", "xlsx", "docx", "pdf")
    ]


def test_it_needs_the_logins():
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("benchmark", repeat=1, stdout=io.StringIO())


@time_machine.travel(
    datetime.datetime(2027, 1, 1, 0, 30, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai")), tick=False
)
def test_it_times_the_last_quarter_unless_told(settings, district_user):
    """On 1 January 2027 (Shanghai; still 31 December in UTC) the last quarter is 2026Q4."""
    settings.ALLOWED_HOSTS = ["testserver"]
    out = io.StringIO()
    call_command("benchmark", repeat=1, no_reports=True, stdout=out)
    assert "/dashboard/?period=2026Q4" in out.getvalue()
