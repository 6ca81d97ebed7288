"""The bench command (`manage.py bench`): on the test database alone (no ``--small``/``--large``)
it opens every page it times as district staff and as a town admin, gathers and builds the
supervision report, exports the people list, and prints its tables and the plans of the slowest
queries. Figures of time are not checked (nothing here is a timed test): what is checked is that
every row is there with its query count and size."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from services.models import Activity
from tests.services.factories import ActivityFactory

pytestmark = pytest.mark.django_db


def _rows(output: str) -> dict[str, list[str]]:
    """The "Pages and jobs" table: name → its cells."""
    rows = {}
    for line in output.split("## Pages and jobs", 1)[1].split("##", 1)[0].splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 4 and cells[0] not in ("page or job", "---"):
            rows[cells[0]] = cells[1:]
    return rows


def test_it_prints_every_page_as_district_staff_and_as_a_town_admin(
    settings, district_user, jiangshan_admin, jiangshan
):
    settings.ALLOWED_HOSTS = ["testserver"]
    # Two activities held in the last quarter, so that the figures and the calendar have rows.
    last_quarter_day = timezone.localdate().replace(day=1) - datetime.timedelta(days=95)
    for hour in (9, 14):
        start = timezone.make_aware(datetime.datetime.combine(last_quarter_day, datetime.time(hour)))
        ActivityFactory(organizer=jiangshan.association, starts_at=start, status=Activity.Status.HELD)
    out = io.StringIO()
    call_command("bench", repeat=1, stdout=out)
    output = out.getvalue()
    rows = _rows(output)
    for name in (
        "people: first page",
        "seats: first page",
        "activities: first page",
        "jiangshan: /dashboard/town/",
        "jiangshan: activities, first page",
        "jiangshan: people, first page",
        "jiangshan: seats, first page",
        "calendar, busiest month",
    ):
        milliseconds, queries, kilobytes = rows[name]
        assert float(milliseconds.replace(",", "")) > 0 and int(queries) > 0 and float(kilobytes) > 0, name
    assert any(name.startswith("/dashboard/?period=") for name in rows)
    reports = sorted(name.rsplit(" ", 1)[-1] for name in rows if name.startswith("supervision report"))
    assert reports == ["PDF", "XLSX", "figures"]
    assert "people export, CSV" in rows
    assert "people export: " in output and " rows in its tables" in output
    # The calendar's goal: bounded (at most 3 a day over six weeks), with what the page showed.
    bounded = re.search(
        r"- month calendar bounded \(at most 3 a day.*\): (\d+) shown of .* (\d+) activities ✓", output
    )
    assert bounded and int(bounded[1]) <= 3 * 42
    # The plans of the slowest queries, as the database gave them.
    plans = output.split("EXPLAIN ANALYZE", 1)[1]
    assert "### jiangshan: activities, first page" in plans
    assert ("Execution Time" in plans) or ("SCAN" in plans or "SEARCH" in plans)


def test_it_needs_the_district_login():
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("bench", repeat=1, no_reports=True, no_export=True, stdout=io.StringIO())
