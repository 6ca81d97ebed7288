"""The demo works on every day of the year.

``make run`` seeds the demo on the day it is run, and parts of the demo follow that day: terms
that end soon, recent and upcoming activities, the next themed days, current tasks and recent
inspections. Planned on each of the 366 days of a leap year, every row the demo would write is
checked against its model's rules; on a dozen days spread over the calendar's edges a fresh
database is seeded for real, twice, and the second run creates nothing.
"""

from __future__ import annotations

import datetime
import io
import zoneinfo

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.db.models import F
from django.utils import timezone

from organizations import demo as organizations_demo
from outreach import demo as outreach_demo
from rollout import demo as rollout_demo
from services import demo as services_demo
from services.demo import ActivitySpec
from services.models import Activity, ActivityKind
from tests.row_rules import RowChecker, holds, signature

# The tests pin their own days, so they need no second run at the calendar's edges.
pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
DEMO_APPS = ("organizations", "services", "outreach", "rollout")
LEAP_YEAR = 2028


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def at(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=SHANGHAI)


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", password="x-demo-pass-1", stdout=out)
    return out.getvalue()


def demo_counts() -> dict[str, int]:
    """Rows of every model of the apps the demo writes to, and the demo logins."""
    counted = {}
    for label in DEMO_APPS:
        for model in apps.get_app_config(label).get_models():
            counted[model._meta.label] = model._default_manager.count()
            for field in model._meta.local_many_to_many:
                through = field.remote_field.through
                counted[through._meta.label] = through._default_manager.count()
    counted["auth.User"] = apps.get_model("auth", "User")._default_manager.count()
    return counted


def planned(day: datetime.date) -> tuple[list[models.Model], list[ActivitySpec]]:
    """The rows the organisations' and the rollout's demos would write on ``day``, and the
    activities of the ledger's and the outreach demos."""
    rows = [*organizations_demo.plan_demo(today=day), *rollout_demo.plan_demo(today=day)]
    specs = [*services_demo.plan_demo(today=day), *outreach_demo.plan_demo(today=day)]
    return rows, specs


class DemoChecker(RowChecker):
    """Checks a day's plan. An activity is checked with its check-ins and service records
    (thousands of rows) only when it differs from every activity already found valid: they are
    generated from the activity alone."""

    def __init__(self) -> None:
        super().__init__()
        self.valid_specs: set[str] = set()

    def day(self, day: datetime.date) -> list[str]:
        rows, specs = planned(day)
        found = self.problems(rows, today=day)
        keys = [spec.key for spec in specs]
        found.extend(f"activity {key} planned twice" for key in {k for k in keys if keys.count(k) > 1})
        for spec in specs:
            fingerprint = repr(spec)
            if fingerprint in self.valid_specs:
                continue
            mine = self.problems(services_demo.planned_rows([spec]), today=day)
            if mine:
                found.extend(mine)
            else:
                self.valid_specs.add(fingerprint)
        return found


# --------------------------------------------------------------------------- every day


def test_the_demo_plans_valid_rows_on_every_day_of_a_leap_year():
    with time_machine.travel(at(datetime.date(LEAP_YEAR - 1, 12, 1)), tick=False):
        seed()
    checker = DemoChecker()
    day = datetime.date(LEAP_YEAR, 1, 1)
    days = 0
    problems: dict[datetime.date, list[str]] = {}
    while day.year == LEAP_YEAR:
        # Validators that compare with today (a birth date in an ID number) see the planned day.
        with time_machine.travel(at(day), tick=False):
            found = checker.day(day)
        if found:
            problems[day] = found[:5]
        days += 1
        day += datetime.timedelta(days=1)
    assert days == 366
    assert not problems, "\n".join(f"{day}: {found}" for day, found in list(problems.items())[:10])


def test_planning_is_repeatable_so_a_second_run_writes_nothing():
    """The writers create only rows missing by natural key; a plan that comes out the same
    twice on a day therefore leaves the second run nothing to create."""
    with time_machine.travel(at(datetime.date(2026, 6, 1)), tick=False):
        seed()
    for day in (datetime.date(2026, 12, 3), datetime.date(LEAP_YEAR, 2, 29), datetime.date(2027, 12, 31)):
        with time_machine.travel(at(day), tick=False):
            first, first_specs = planned(day)
            second, second_specs = planned(day)
        assert [signature(row) for row in first] == [signature(row) for row in second], day
        assert [repr(spec) for spec in first_specs] == [repr(spec) for spec in second_specs], day
        assert len(first) > 1500 and len(first_specs) > 500


# --------------------------------------------------------------------------- full seeds

EDGE_MOMENTS = (
    # 3 December: 全国爱耳日 (3 March, a free clinic) enters the window of upcoming themed days.
    at(datetime.date(2026, 12, 3), 2, 30),
    at(datetime.date(2027, 1, 1), 0, 5),
    at(datetime.date(2027, 2, 14)),
    at(datetime.date(2027, 3, 31), 23, 50),
    at(datetime.date(2027, 5, 20)),
    at(datetime.date(2027, 6, 30), 18, 0),
    at(datetime.date(2027, 8, 8)),
    at(datetime.date(2027, 9, 30), 9, 0),
    at(datetime.date(2027, 11, 11)),
    at(datetime.date(2027, 12, 31), 23, 59),
    at(datetime.date(2028, 2, 29)),
    # 16:00 UTC on 28 February is already 29 February in Shanghai.
    datetime.datetime(2028, 2, 28, 16, 0, 30, tzinfo=datetime.UTC),
)


@pytest.mark.parametrize("moment", EDGE_MOMENTS, ids=lambda moment: moment.isoformat(timespec="minutes"))
def test_seed_demo_on_a_fresh_database_then_again_creates_nothing(moment):
    with time_machine.travel(moment, tick=False):
        today = timezone.localdate()
        assert today == moment.astimezone(SHANGHAI).date()
        output = seed()
        first = demo_counts()
        assert "演示账号" in output
        assert first["services.Activity"] > 500
        assert first["organizations.Person"] > 400
        again = seed()
        assert demo_counts() == first
        assert "（本次新建 0）" in again
    # What follows the day follows the Shanghai day, not the machine's UTC one.
    on_the_day = Activity.objects.get(source_key__startswith="demo:today:")
    assert timezone.localtime(on_the_day.starts_at).date() == today
    upcoming = Activity.objects.filter(is_published=True, status=Activity.Status.PLANNED)
    assert upcoming.exists()
    assert not upcoming.exclude(stream="popularization").exists()
    # No activity predates its organiser's founding (the activity form refuses it too).
    assert not Activity.objects.filter(starts_at__date__lt=F("organizer__founded_on")).exists()
    assert Activity.objects.filter(organizer__founded_on__year=2022).exists()


# --------------------------------------------------------------------------- the checker itself


def _activity(**values) -> Activity:
    start = at(datetime.date(2027, 3, 3), 9)
    defaults = {
        "source_key": "demo:x",
        "title": "全国爱耳日主题活动",
        "kind": ActivityKind.POPULAR_LECTURE,
        "stream": "popularization",
        "organizer_id": 1,
        "region_id": 1,
        "venue_kind": "village",
        "venue": "某村文化礼堂",
        "starts_at": start,
        "ends_at": start + datetime.timedelta(hours=2),
        "status": Activity.Status.PLANNED,
        "planned_participants": 30,
        "is_published": True,
    }
    return Activity(**{**defaults, **values})


def test_the_checker_finds_a_published_technical_service():
    checker = RowChecker()
    day = datetime.date(2026, 12, 3)
    assert checker.problems([_activity()], today=day) == []
    clinic = _activity(kind=ActivityKind.FREE_CLINIC, stream="tech_service", source_key="demo:y")
    found = checker.problems([clinic], today=day)
    assert len(found) == 1 and "activity_only_popularization_published" in found[0]


def test_the_checker_finds_what_happened_after_today_repeated_keys_and_bad_fields():
    checker = RowChecker()
    day = datetime.date(2027, 3, 2)
    held = _activity(status=Activity.Status.HELD)
    assert any("after 2027-03-02" in problem for problem in checker.problems([held], today=day))
    twice = checker.problems([_activity(), _activity()], today=datetime.date(2027, 3, 3))
    assert any("activity_unique_source_key" in problem for problem in twice)
    bad = _activity(kind="no-such-kind", source_key="demo:z")
    assert any("kind" in problem for problem in checker.problems([bad], today=day))
    backwards = _activity(ends_at=at(datetime.date(2027, 3, 3), 8), source_key="demo:w")
    assert any("activity_ends_after_start" in p for p in checker.problems([backwards], today=day))


def test_three_valued_logic_as_in_sql():
    from django.db.models import F, Q

    activity = _activity(ends_at=None)
    assert holds(Q(ends_at__gte=F("starts_at")), activity) is None
    assert holds(Q(ends_at__isnull=True) | Q(ends_at__gte=F("starts_at")), activity) is True
    assert holds(~Q(ends_at__gte=F("starts_at")), activity) is None
    assert holds(Q(is_published=False) | Q(stream="popularization"), activity) is True
    assert holds(~Q(stream="popularization"), activity) is False
    with pytest.raises(NotImplementedError):
        holds(Q(title__icontains="爱耳"), activity)
