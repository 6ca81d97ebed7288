"""The demo works on every day of the year.

``make run`` seeds the demo on the day it is run, and the demo lives on that day: its programme
year is laid so that the seeding day falls in the programme's fourth quarter (terms that end
soon, recent and upcoming activities, the next themed days, current tasks and recent inspections
follow the day as well). Planned on each of the 366 days of a leap year, every row the demo would
write is checked against its model's rules; on a dozen days spread over the calendar's edges a
fresh database is seeded for real, twice, and the second run creates nothing; on three days the
dashboards' periods are checked to hold data.
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
from organizations.models import Seat
from outreach import demo as outreach_demo
from outreach.models import ChannelPost
from rollout import demo as rollout_demo
from rollout.models import Phase, Stage, Task
from services import demo as services_demo
from services import tallies
from services.demo import ActivitySpec
from services.models import Activity, ActivityKind, Attendance, VolunteerService
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


# Planning 366 days takes minutes, more on a busy machine.
@pytest.mark.timeout(1500)
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
        moment = timezone.now()
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
    # Associations founded during the programme hold activities after their founding.
    programme_start = Phase.objects.get(number=1).start_date
    assert Activity.objects.filter(organizer__founded_on__gte=programme_start).exists()
    # Nothing after the seeding moment has happened.
    assert not Activity.objects.filter(status__in=("held", "verified"), ends_at__gt=moment).exists()
    assert not Attendance.objects.filter(checked_in_at__gt=moment).exists()
    assert not VolunteerService.objects.filter(checked_out_at__gt=moment).exists()


# --------------------------------------------------------------------------- a demo that lives now

# Seeding moment (10:00 in Shanghai) → the current quarter's first day, the first days of the last
# four whole quarters, and the first day of the programme (phase 1), which falls three quarters
# before the current one.
LIVING_DAYS = {
    datetime.date(2026, 12, 4): (
        datetime.date(2026, 10, 1),
        (
            datetime.date(2025, 10, 1),
            datetime.date(2026, 1, 1),
            datetime.date(2026, 4, 1),
            datetime.date(2026, 7, 1),
        ),
        datetime.date(2026, 1, 1),
    ),
    datetime.date(2027, 2, 28): (
        datetime.date(2027, 1, 1),
        (
            datetime.date(2026, 1, 1),
            datetime.date(2026, 4, 1),
            datetime.date(2026, 7, 1),
            datetime.date(2026, 10, 1),
        ),
        datetime.date(2026, 4, 1),
    ),
    datetime.date(2027, 7, 1): (
        datetime.date(2027, 7, 1),
        (
            datetime.date(2026, 7, 1),
            datetime.date(2026, 10, 1),
            datetime.date(2027, 1, 1),
            datetime.date(2027, 4, 1),
        ),
        datetime.date(2026, 10, 1),
    ),
}


def _quarter_end(first: datetime.date) -> datetime.date:
    return (first + datetime.timedelta(days=95)).replace(day=1) - datetime.timedelta(days=1)


def _held(start: datetime.date, end: datetime.date):
    return Activity.objects.filter(
        status__in=("held", "verified"), starts_at__date__gte=start, starts_at__date__lte=end
    )


@pytest.mark.parametrize("day", list(LIVING_DAYS), ids=str)
def test_the_demo_lives_on_the_day_it_is_seeded(day):
    quarter_start, last_four, programme_start = LIVING_DAYS[day]
    moment = at(day)
    with time_machine.travel(moment, tick=False):
        seed()
    # The programme began three quarters before the current one: 9 to 12 months ago.
    phases = {phase.number: phase for phase in Phase.objects.all()}
    assert phases[1].start_date == programme_start
    assert 270 <= (day - phases[1].start_date).days <= 400
    # The plan's phases in the plan's order and shape: 1 (1 January – 15 February), 2 (16 February
    # – 14 March), 3 (15 March – 31 December), 4 (1 November – 31 December), a quarter apart.
    assert phases[1].end_date == phases[2].start_date - datetime.timedelta(days=1)
    assert phases[2].end_date == phases[3].start_date - datetime.timedelta(days=1)
    assert phases[3].end_date == phases[4].end_date == _quarter_end(quarter_start)
    assert phases[4].start_date.day == 1 and phases[4].start_date.month == quarter_start.month + 1
    assert phases[1].end_date.day == 15 and phases[2].end_date.day == 14
    assert 45 <= (phases[1].end_date - phases[1].start_date).days + 1 <= 46
    assert 27 <= (phases[2].end_date - phases[2].start_date).days + 1 <= 30
    stages = {stage.code: stage for stage in Stage.objects.all()}
    assert stages["3c"].start_date == quarter_start
    assert stages["3c"].end_date == _quarter_end(quarter_start)
    assert stages["3b"].end_date == quarter_start - datetime.timedelta(days=1)
    # The current quarter has held activities and check-ins up to today.
    current = _held(quarter_start, day)
    assert current.exists()
    assert Attendance.objects.filter(activity__in=current).exists()
    # Each of the last four whole quarters has held activities; so does the calendar year.
    for first in last_four:
        assert _held(first, _quarter_end(first)).count() >= 10, first
    assert _held(datetime.date(day.year, 1, 1), day).exists()
    # The posts page opens on the current year, which has posts; so has the year before.
    assert ChannelPost.objects.filter(published_on__year=day.year).exists()
    assert ChannelPost.objects.filter(published_on__year=day.year - 1).exists()
    assert not ChannelPost.objects.filter(published_on__gt=day).exists()
    # Some open tasks are overdue, by days or weeks, never by years.
    overdue = Task.objects.open().filter(due_date__lt=day)
    assert overdue.exists()
    assert all((day - task.due_date).days <= 120 for task in overdue), [t.due_date for t in overdue]
    # Nothing after the seeding moment has happened.
    assert not Activity.objects.filter(status__in=("held", "verified"), ends_at__gt=moment).exists()
    assert not Attendance.objects.filter(checked_in_at__gt=moment).exists()


def test_a_whole_year_on_the_programme_s_phases_keeps_their_lengths_exactly():
    """Seeded in the fourth quarter of a calendar year, the programme is that calendar year:
    phase 1 runs 1 January – 15 February (46 days), as in the plan."""
    with time_machine.travel(at(datetime.date(2026, 11, 20)), tick=False):
        seed()
    phases = {phase.number: (phase.start_date, phase.end_date) for phase in Phase.objects.all()}
    assert phases == {
        1: (datetime.date(2026, 1, 1), datetime.date(2026, 2, 15)),
        2: (datetime.date(2026, 2, 16), datetime.date(2026, 3, 14)),
        3: (datetime.date(2026, 3, 15), datetime.date(2026, 12, 31)),
        4: (datetime.date(2026, 11, 1), datetime.date(2026, 12, 31)),
    }


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


def _natural_counts() -> dict[str, int]:
    """Rows the demo keys on what does not change with the day; activities planned for the
    themed days coming up next depend on the day and are left out."""
    counted = demo_counts()
    # Check-ins, hours and the ledger's summaries follow the activities' dates (the summaries'
    # exactness is checked after the second seeding).
    for label in (
        "services.Attendance",
        "services.VolunteerService",
        "services.ActivityTransition",
        "services.ActivityTally",
        "services.LedgerMonth",
        "services.LedgerRegionMonth",
        "services.LedgerTownMonth",
        "services.LedgerCategoryMonth",
        "services.TeamYear",
        # The notes of the towns' months' writes, and their fold.
        "services.LedgerTownChange",
        "services.LedgerTownFold",
        # The towns' coverage spans follow the organisations' dates; their notes of change, the
        # writes of each seeding.
        "rollout.TownStanding",
        "rollout.TownStandingChange",
        "rollout.TownStandingBuild",
        "rollout.SeatShareStep",
    ):
        counted.pop(label)
    for label in list(counted):
        # Links and posts are added as activities take place.
        if label.startswith(
            ("outreach.ChannelPost", "outreach.ThemedDay_", "outreach.Campaign_", "services.Activity_")
        ):
            counted.pop(label)
    counted["services.Activity"] = Activity.objects.exclude(
        source_key__startswith="demo:themed:next:"
    ).count()
    return counted


def test_seeded_again_a_quarter_later_the_demo_moves_instead_of_growing():
    first_moment, later_moment = at(datetime.date(2026, 12, 4)), at(datetime.date(2027, 2, 28))
    with time_machine.travel(first_moment, tick=False):
        seed()
    before = _natural_counts()
    with time_machine.travel(later_moment, tick=False):
        seed()
    assert _natural_counts() == before
    assert not tallies.differences()
    # The programme moved by one quarter: phase 1 from 1 January 2026 to 1 April 2026.
    assert Phase.objects.get(number=1).start_date == datetime.date(2026, 4, 1)
    # Terms moved with it: the seats found were moved, and every association has one chair.
    chairs = Seat.objects.current(on=later_moment.date()).filter(position=Seat.Position.CHAIR)
    assert chairs.values("organization").distinct().count() == chairs.count() > 25
    # The records of a moved activity moved with it; nothing after the moment has happened.
    assert not Activity.objects.filter(status__in=("held", "verified"), ends_at__gt=later_moment).exists()
    assert not Attendance.objects.filter(checked_in_at__gt=later_moment).exists()
    early = Attendance.objects.filter(
        checked_in_at__lt=F("activity__starts_at") - datetime.timedelta(hours=1)
    )
    assert not early.exists()
    assert not ChannelPost.objects.filter(published_on__gt=later_moment.date()).exists()
