"""Who reads and changes which record of the service ledger, with every path into the scope
the only one for some row.

Activities (all organised by 五乡镇科协 unless said otherwise)::

    姜山自办      organised by 姜山镇科协, held
    五乡办姜山协办  co-organised by 姜山镇科协, held
    五乡自办      held
    院长计划中    led by 姜山院长 (the leader login), planned
    院长已开展    led by 姜山院长, held
    院长已核验    led by 姜山院长, verified
    院长已取消    led by 姜山院长, cancelled

Volunteer service rows (person · activity · team)::

    志愿甲    姜山自办        —
    志愿乙    五乡自办        姜山镇科技志愿服务队
    志愿丙    五乡办姜山协办  —
    姜山院长  五乡自办        —
    志愿丁    院长已开展      —
    志愿戊    五乡自办        五乡镇科技志愿服务队

Every activity has one check-in, one evidence file and one status change; every service row
has one hours correction.
"""

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile

from organizations.models import RoleAssignment
from organizations.scoping import scoped
from services.models import (
    Activity,
    ActivityTransition,
    Attendance,
    Evidence,
    VolunteerHoursChange,
    VolunteerService,
)
from tests import factories as f
from tests.services.factories import ActivityFactory, AttendanceFactory, VolunteerServiceFactory

pytestmark = pytest.mark.django_db

S = Activity.Status


@pytest.fixture
def users(jiangshan, wuxiang, district_user, supervisor_user, jiangshan_admin, leader_user):
    js, wx = jiangshan.association, wuxiang.association
    activities = {
        "姜山自办": ActivityFactory(title="姜山自办", organizer=js),
        "五乡办姜山协办": ActivityFactory(title="五乡办姜山协办", organizer=wx, co_organizers=[js]),
        "五乡自办": ActivityFactory(title="五乡自办", organizer=wx),
    }
    for title, status in (
        ("院长计划中", S.PLANNED),
        ("院长已开展", S.HELD),
        ("院长已核验", S.VERIFIED),
        ("院长已取消", S.CANCELLED),
    ):
        activities[title] = ActivityFactory(
            title=title, organizer=wx, leaders=[jiangshan.leader], status=status
        )
    for title, activity in activities.items():
        AttendanceFactory(activity=activity)
        Evidence.objects.create(
            activity=activity, file=SimpleUploadedFile(f"{title}.png", b"png"), original_name=f"{title}.png"
        )
        ActivityTransition.objects.create(activity=activity, from_status="", to_status=activity.status)
    rows = (
        (f.PersonFactory(name="志愿甲"), "姜山自办", None),
        (f.PersonFactory(name="志愿乙"), "五乡自办", jiangshan.team),
        (f.PersonFactory(name="志愿丙"), "五乡办姜山协办", None),
        (jiangshan.leader, "五乡自办", None),
        (f.PersonFactory(name="志愿丁"), "院长已开展", None),
        (f.PersonFactory(name="志愿戊"), "五乡自办", wuxiang.team),
    )
    for person, title, team in rows:
        service = VolunteerServiceFactory(
            person=person, activity=activities[title], team=team, hours=Decimal(2)
        )
        VolunteerHoursChange.objects.create(
            service=service, old_hours=Decimal(2), new_hours=Decimal(3), reason="更正"
        )
    return {
        "district": district_user,
        "supervisor": supervisor_user,
        "jiangshan": jiangshan_admin,
        "leader": leader_user,
        "nobody": f.UserFactory(username="nobody"),
        "anonymous": AnonymousUser(),
    }


ACTIVITIES = {
    "姜山自办",
    "五乡办姜山协办",
    "五乡自办",
    "院长计划中",
    "院长已开展",
    "院长已核验",
    "院长已取消",
}
LED = {"院长计划中", "院长已开展", "院长已核验", "院长已取消"}
VOLUNTEERS = {"志愿甲", "志愿乙", "志愿丙", "姜山院长", "志愿丁", "志愿戊"}
NONE = set()

# persona → (activities read, activities changed)
BY_ACTIVITY = {
    "district": (ACTIVITIES, ACTIVITIES),
    "supervisor": (ACTIVITIES, NONE),
    "jiangshan": ({"姜山自办", "五乡办姜山协办"}, {"姜山自办"}),
    # Led ones are changed until verified; a cancelled one stays changeable to no one.
    "leader": (LED, {"院长计划中", "院长已开展"}),
    "nobody": (NONE, NONE),
    "anonymous": (NONE, NONE),
}

# persona → (volunteers whose rows are read, volunteers whose rows are changed)
BY_SERVICE = {
    "district": (VOLUNTEERS, VOLUNTEERS),
    "supervisor": (VOLUNTEERS, NONE),
    "jiangshan": ({"志愿甲", "志愿乙", "志愿丙"}, {"志愿甲", "志愿乙"}),
    "leader": ({"姜山院长", "志愿丁"}, NONE),
    "nobody": (NONE, NONE),
    "anonymous": (NONE, NONE),
}


def visible(user, model, field: str, *, write: bool) -> set[str]:
    return set(scoped(user, model, write=write).values_list(field, flat=True))


@pytest.mark.parametrize(
    ("model", "field"),
    [
        (Activity, "title"),
        (Attendance, "activity__title"),
        (Evidence, "activity__title"),
        (ActivityTransition, "activity__title"),
    ],
)
def test_activities_and_what_hangs_off_them(users, model, field):
    for persona, (reads, changes) in BY_ACTIVITY.items():
        assert visible(users[persona], model, field, write=False) == reads, (persona, "read")
        assert visible(users[persona], model, field, write=True) == changes, (persona, "write")


@pytest.mark.parametrize(
    ("model", "field"),
    [(VolunteerService, "person__name"), (VolunteerHoursChange, "service__person__name")],
)
def test_volunteer_hours_and_their_corrections(users, model, field):
    for persona, (reads, changes) in BY_SERVICE.items():
        assert visible(users[persona], model, field, write=False) == reads, (persona, "read")
        assert visible(users[persona], model, field, write=True) == changes, (persona, "write")


def test_a_leader_who_also_administers_changes_the_led_ones_and_the_own(users, jiangshan, wuxiang):
    user = f.UserFactory(username="leader-and-admin")
    f.assign(user, RoleAssignment.Role.LEADER, person=jiangshan.leader)
    f.assign(user, RoleAssignment.Role.ORG_ADMIN, organization=jiangshan.association)
    assert visible(user, Activity, "title", write=False) == {"姜山自办", "五乡办姜山协办"} | LED
    assert visible(user, Activity, "title", write=True) == {"姜山自办", "院长计划中", "院长已开展"}
    assert visible(user, VolunteerService, "person__name", write=True) == {"志愿甲", "志愿乙"}
    assert visible(user, VolunteerService, "person__name", write=False) == {
        "志愿甲",
        "志愿乙",
        "志愿丙",
        "姜山院长",
        "志愿丁",
    }
