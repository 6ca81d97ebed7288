"""A small district for tests whose expected figures are counted by hand: 鄞州区科协 and three
of its towns, with the quarter 2022Q4 (2022-10-01 … 2022-12-31) as the period under study.

``build_district()`` makes the world (it needs the database: call it from a fixture that asks
for ``db``) and returns a ``District`` of handles keyed by Chinese name. Dates are fixed; the
reference day of 2022Q4 is its last day, 2022-12-31, and reports, indicators and dashboards
are given ``today=TODAY`` (2026-11-29) so that no figure depends on the real clock.

Organisations (code · name · status; every grassroots association's parent is its town's
association, every town association's parent is 鄞州区科协 ``YZ-KX``)::

    town    association       production         ecology                life_health
    姜山镇  JS-KX 姜山镇科协  JS-NJ 姜山农技协会  JS-JY 姜山科普教育协会  JS-JK 姜山健康科普协会
    五乡镇  WX-KX 五乡镇科协  WX-NJ 五乡农技协会  WX-ST 五乡生态科普协会  WX-WJ 五乡卫生健康协会
                                                                         (dissolved)
    云龙镇  YL-KX 云龙镇科协  YL-NJ 云龙农技协会  YL-JY 云龙科普教育协会  YL-JK 云龙健康协会
                                                 (preparing)

Town associations were founded 2022-03-15, grassroots associations 2022-06-15 (the preparing
one has no founding date); the dissolved one was dissolved on 2022-09-01. 上李家村 is a village
region below 云龙镇.

People, leader roles (三长 unless marked 泛三长) and seats; a seat runs to 2027 unless dates
are given. ``*`` marks a seat held by a 三长/泛三长::

    陈建华  医院院长        *JS-KX 兼职副主席, *JS-JK 主席; member of JS-KX; leads 姜山镇科技志愿服务队
    王丽萍  —               JS-KX 主席; member of JS-KX; volunteer of 姜山镇科技志愿服务队
    刘芳    —               no seat; member of JS-KX; volunteer of 姜山镇科技志愿服务队
    孙立强  农技站站长      *JS-NJ 主席; member of JS-NJ; leads 姜山农技志愿服务队 (the leader login)
    周晓东  —               JS-NJ 秘书长; member of JS-NJ; volunteer of 姜山农技志愿服务队
    郑文斌  学校校长        *JS-JY 主席; member of JS-JY
    赵敏    —               no seat; member of WX-KX and of JS-JK (two towns)
    吴国庆  —               WX-KX 主席; member of WX-KX; volunteer of 五乡农技志愿服务队
    钱海波  基地负责人(泛)  *WX-KX 常委; member of WX-KX
    冯志刚  农技站站长      *WX-NJ 主席; member of WX-NJ; leads 五乡农技志愿服务队
    何春燕  医院院长        WX-WJ 主席 2022-06-15…2022-08-31 (ended); member of WX-WJ until 2022-08-31
    林志远  —               YL-KX 主席; member of YL-KX; volunteer of 云龙健康志愿服务队
    黄立新  学校校长        YL-KX 兼职副主席 2022-03-15…2022-06-30 (ended); member of YL-KX
    蒋卫东  农技站站长      *YL-NJ 主席; member of YL-NJ
    韩雪    —               YL-JK 秘书长; member of YL-JK; leads 云龙健康志愿服务队 and volunteers in it

Activities (check-ins are Attendance rows; hours are VolunteerService rows)::

    title             organiser region   start        status    check-ins reported hours
    姜山健康讲座      JS-KX     姜山镇   10-15 09:00  verified  4         —        2.5 刘芳 + 1.5 王丽萍
    姜山农技培训      JS-NJ     姜山镇   11-20 09:00  held      3         —        2.0 周晓东
    姜山科普展览      JS-JY     姜山镇   12-10 09:00  held      0         60       —
    姜山冬季义诊      JS-KX     姜山镇   11-05 09:00  cancelled 0         30       —
    姜山秋季科普讲座  JS-KX     姜山镇   09-28 09:00  held      2         —        2.0 刘芳 (2022Q3)
    五乡农技指导      WX-NJ     五乡镇   11-08 09:00  verified  2         —        3.0 吴国庆
    上李家村健康讲座  YL-JK     上李家村 12-03 14:00  held      5         —        1.5 韩雪 + 1.0 林志远

(all in 2022; the kinds are 科普宣讲, 技术讲座培训, 专题展览, 医疗义诊, 科普宣讲, 实地技术指导 and 科普宣讲)

Rollout: task “五乡重建生活健康类协会” (WX-KX, due 2022-11-30, in progress: overdue by 31 days
on 2022-12-31); task “姜山完成三会领导机构组建” (JS-KX, due 2022-12-15, done 2022-12-10);
inspection of YL-KX on 2022-12-01 with the open rectification item “云龙组建生态服务类协会”
(deadline 2022-12-20, overdue on 2022-12-31).

Hand-counted figures for 2022Q4 (reference day 2022-12-31; “served” is check-ins, or the
reported count for an activity nobody checked in to; seats are current seats, “led” those held
by a 三长/泛三长)::

    town    organised  led  三会齐全  working  covered  activities  served           hours  seats led/all
    姜山镇  √          √    √         √        √        3           67 (60 reported)  6.0    4 / 6
    五乡镇  √          √    ×         √        ×        1           2                 3.0    2 / 3
    云龙镇  √          ×    ×         √        ×        1           5                 2.5    1 / 3

    district (25 towns in scope): covered 1, organised 3, led 2, 三会齐全 1, working 3;
    activities 5, people served 74 (60 of them from 1 reported count), volunteer hours 11.5,
    三长/泛三长 seats 7 / 12; tasks due in the quarter 2, overdue 1; inspections 1, open items 1.

    by organiser (what an organisation admin's reports count): 姜山镇科协 and its three
    associations 3 activities, 67 served, 6.0 h, 4 / 6 seats; 姜山农技协会 alone 1, 3, 2.0 h,
    1 / 2; 五乡镇科协 and its associations 1, 2, 3.0 h, 2 / 3.

- 五乡镇 fails 三会齐全 only because its one life_health association is dissolved; 云龙镇 fails
  it only because its one ecology association is still preparing. Counting either would turn
  that town's condition to √ (and 五乡镇 would then be covered: 2 covered towns, not 1).
- 云龙镇 fails “led” because its only 三长 seat (黄立新) ended on 2022-06-30; its only
  activity that took place was held in the village 上李家村, which makes it “working”.
- Not counted: the cancelled 姜山冬季义诊 (30 reported), the Q3 姜山秋季科普讲座 (2 check-ins,
  2.0 hours), the ended seats of 黄立新 and 何春燕.
- 鄞州区科协, 五乡生态科普协会 and 云龙科普教育协会 hold no seats at all.

Coverage by quarter (district, 25 towns): covered 0, 0, 0, 1, 1 in 2021Q4, 2022Q1, Q2, Q3, Q4
(姜山镇 is covered in Q3 too, by its 2022-09-28 lecture); organised 0, 3, 3, 3, 3; working
0, 0, 0, 1, 3.

Logins: ``district`` (district staff), ``supervisor``, ``jiangshan`` (admin of JS-KX),
``wuxiang`` (admin of WX-KX), ``jiangshan-nongji`` (admin of JS-NJ, whose siblings are JS-JY and
JS-JK) and ``leader`` (孙立强).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from organizations.models import (
    LeaderRole,
    Organization,
    Person,
    Region,
    RoleAssignment,
    Seat,
    VolunteerTeam,
)
from rollout.indicators import Period
from rollout.models import Inspection, Rectification, RectificationUpdate, Task, TaskUpdate
from services.models import Activity, ActivityKind, VenueKind
from tests import factories as f
from tests.rollout import factories as rf
from tests.services.factories import ActivityFactory, AttendanceFactory, VolunteerServiceFactory

User = get_user_model()

Q4 = Period.quarter(2022, 4)
QUARTER_END = datetime.date(2022, 12, 31)
TODAY = datetime.date(2026, 11, 29)

TOWN_FOUNDED = datetime.date(2022, 3, 15)
GRASSROOTS_FOUNDED = datetime.date(2022, 6, 15)
GRASSROOTS_DISSOLVED = datetime.date(2022, 9, 1)
TOWN_TERM_END = datetime.date(2027, 3, 14)
GRASSROOTS_TERM_END = datetime.date(2027, 6, 14)


def at(year: int, month: int, day: int, hour: int = 9) -> datetime.datetime:
    """An aware moment in Asia/Shanghai."""
    return timezone.make_aware(datetime.datetime(year, month, day, hour))


@dataclass
class District:
    association: Organization
    towns: dict[str, Region]
    village: Region
    orgs: dict[str, Organization]
    people: dict[str, Person]
    seats: dict[tuple[str, str], Seat]
    teams: dict[str, VolunteerTeam]
    activities: dict[str, Activity]
    overdue_task: Task
    done_task: Task
    inspection: Inspection
    rectification: Rectification
    district_staff: User
    supervisor: User
    jiangshan_admin: User
    wuxiang_admin: User
    grassroots_admin: User
    leader: User


# (code, name, category, status) of each town's grassroots associations.
GRASSROOTS = {
    "姜山镇": [
        ("JS-NJ", "姜山农技协会", "production", "active"),
        ("JS-JY", "姜山科普教育协会", "ecology", "active"),
        ("JS-JK", "姜山健康科普协会", "life_health", "active"),
    ],
    "五乡镇": [
        ("WX-NJ", "五乡农技协会", "production", "active"),
        ("WX-ST", "五乡生态科普协会", "ecology", "active"),
        ("WX-WJ", "五乡卫生健康协会", "life_health", "dissolved"),
    ],
    "云龙镇": [
        ("YL-NJ", "云龙农技协会", "production", "active"),
        ("YL-JY", "云龙科普教育协会", "ecology", "preparing"),
        ("YL-JK", "云龙健康协会", "life_health", "active"),
    ],
}
TOWN_CODES = {"姜山镇": "JS-KX", "五乡镇": "WX-KX", "云龙镇": "YL-KX"}

Kind = LeaderRole.Kind

# name → (gender, profession, employer, leader role or ""); a leader's role is held at the employer.
PEOPLE = {
    "陈建华": ("male", "medical", "姜山镇卫生院", Kind.HOSPITAL_DIRECTOR),
    "王丽萍": ("female", "teacher", "姜山镇中学", ""),
    "刘芳": ("female", "medical", "姜山镇卫生院", ""),
    "孙立强": ("male", "agritech", "姜山镇农技站", Kind.AGRITECH_STATION_HEAD),
    "周晓东": ("male", "agritech", "姜山镇农技站", ""),
    "郑文斌": ("male", "teacher", "姜山镇中心小学", Kind.SCHOOL_PRINCIPAL),
    "赵敏": ("female", "lecturer", "五乡镇文化站", ""),
    "吴国庆": ("male", "other", "五乡镇人民政府", ""),
    "钱海波": ("male", "venue_staff", "五乡镇科普教育基地", Kind.BASE_LEADER),
    "冯志刚": ("male", "agritech", "五乡镇农技站", Kind.AGRITECH_STATION_HEAD),
    "何春燕": ("female", "medical", "五乡镇卫生院", Kind.HOSPITAL_DIRECTOR),
    "林志远": ("male", "other", "云龙镇人民政府", ""),
    "黄立新": ("male", "teacher", "云龙镇中心小学", Kind.SCHOOL_PRINCIPAL),
    "蒋卫东": ("male", "agritech", "云龙镇农业服务中心", Kind.AGRITECH_STATION_HEAD),
    "韩雪": ("female", "medical", "云龙镇卫生院", ""),
}

# (organisation, person, position, term start, term end or None for the association's default)
SEATS = [
    ("姜山镇科协", "陈建华", Seat.Position.VICE_CHAIR_PARTTIME, None, None),
    ("姜山镇科协", "王丽萍", Seat.Position.CHAIR, None, None),
    ("姜山农技协会", "孙立强", Seat.Position.CHAIR, None, None),
    ("姜山农技协会", "周晓东", Seat.Position.SECRETARY_GENERAL, None, None),
    ("姜山科普教育协会", "郑文斌", Seat.Position.CHAIR, None, None),
    ("姜山健康科普协会", "陈建华", Seat.Position.CHAIR, None, None),
    ("五乡镇科协", "吴国庆", Seat.Position.CHAIR, None, None),
    ("五乡镇科协", "钱海波", Seat.Position.STANDING_MEMBER, None, None),
    ("五乡农技协会", "冯志刚", Seat.Position.CHAIR, None, None),
    ("五乡卫生健康协会", "何春燕", Seat.Position.CHAIR, None, datetime.date(2022, 8, 31)),
    ("云龙镇科协", "林志远", Seat.Position.CHAIR, None, None),
    ("云龙镇科协", "黄立新", Seat.Position.VICE_CHAIR_PARTTIME, None, datetime.date(2022, 6, 30)),
    ("云龙农技协会", "蒋卫东", Seat.Position.CHAIR, None, None),
    ("云龙健康协会", "韩雪", Seat.Position.SECRETARY_GENERAL, None, None),
]

# (person, organisation, left on)
MEMBERSHIPS = [
    ("陈建华", "姜山镇科协", None),
    ("王丽萍", "姜山镇科协", None),
    ("刘芳", "姜山镇科协", None),
    ("孙立强", "姜山农技协会", None),
    ("周晓东", "姜山农技协会", None),
    ("郑文斌", "姜山科普教育协会", None),
    ("赵敏", "五乡镇科协", None),
    ("赵敏", "姜山健康科普协会", None),
    ("吴国庆", "五乡镇科协", None),
    ("钱海波", "五乡镇科协", None),
    ("冯志刚", "五乡农技协会", None),
    ("何春燕", "五乡卫生健康协会", datetime.date(2022, 8, 31)),
    ("林志远", "云龙镇科协", None),
    ("黄立新", "云龙镇科协", None),
    ("蒋卫东", "云龙农技协会", None),
    ("韩雪", "云龙健康协会", None),
]

# team → (organisation, leader, volunteers)
TEAMS = {
    "姜山镇科技志愿服务队": ("姜山镇科协", "陈建华", ["王丽萍", "刘芳"]),
    "姜山农技志愿服务队": ("姜山农技协会", "孙立强", ["周晓东"]),
    "五乡农技志愿服务队": ("五乡农技协会", "冯志刚", ["吴国庆"]),
    "云龙健康志愿服务队": ("云龙健康协会", "韩雪", ["韩雪", "林志远"]),
}


def _organizations(district_association: Organization, towns: dict[str, Region]) -> dict[str, Organization]:
    orgs = {district_association.name: district_association}
    for town_name, town in towns.items():
        town_association = f.OrganizationFactory(
            code=TOWN_CODES[town_name],
            name=f"{town_name}科协",
            kind=Organization.Kind.TOWN_ASSOCIATION,
            home_region=town,
            parent=district_association,
            founded_on=TOWN_FOUNDED,
        )
        orgs[town_association.name] = town_association
        for code, name, category, status in GRASSROOTS[town_name]:
            orgs[name] = f.OrganizationFactory(
                code=code,
                name=name,
                kind=Organization.Kind.GRASSROOTS_ASSOCIATION,
                category=category,
                home_region=town,
                parent=town_association,
                status=status,
                founded_on=None if status == Organization.Status.PREPARING else GRASSROOTS_FOUNDED,
                dissolved_on=GRASSROOTS_DISSOLVED if status == Organization.Status.DISSOLVED else None,
            )
    return orgs


def _people() -> dict[str, Person]:
    people = {}
    for name, (gender, profession, employer, role) in PEOPLE.items():
        person = f.PersonFactory(name=name, gender=gender, profession=profession, employer=employer)
        if role:
            f.LeaderRoleFactory(person=person, kind=role, institution=employer)
        people[name] = person
    return people


def _seats(orgs, people) -> dict[tuple[str, str], Seat]:
    seats = {}
    for org_name, person_name, position, start, end in SEATS:
        organization = orgs[org_name]
        town_level = organization.kind == Organization.Kind.TOWN_ASSOCIATION
        seats[(org_name, person_name)] = f.SeatFactory(
            organization=organization,
            person=people[person_name],
            position=position,
            term_start=start or (TOWN_FOUNDED if town_level else GRASSROOTS_FOUNDED),
            term_end=end or (TOWN_TERM_END if town_level else GRASSROOTS_TERM_END),
        )
    return seats


def _teams(orgs, people) -> dict[str, VolunteerTeam]:
    teams = {}
    for name, (org_name, leader, volunteers) in TEAMS.items():
        team = f.VolunteerTeamFactory(organization=orgs[org_name], name=name, leader=people[leader])
        for volunteer in volunteers:
            f.TeamMembershipFactory(team=team, person=people[volunteer], joined_on=GRASSROOTS_FOUNDED)
        teams[name] = team
    return teams


def _activity(title, organizer, region, starts_at, status, *, checkins=0, hours=(), **extra) -> Activity:
    activity = ActivityFactory(
        title=title,
        organizer=organizer,
        region=region,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=2),
        status=status,
        **extra,
    )
    for _ in range(checkins):
        AttendanceFactory(activity=activity)
    for person, team, served in hours:
        VolunteerServiceFactory(activity=activity, person=person, team=team, hours=Decimal(served))
    return activity


def _activities(orgs, people, teams, towns, village) -> dict[str, Activity]:
    held, verified = Activity.Status.HELD, Activity.Status.VERIFIED
    js_team, nj_team = teams["姜山镇科技志愿服务队"], teams["姜山农技志愿服务队"]
    wx_team, yl_team = teams["五乡农技志愿服务队"], teams["云龙健康志愿服务队"]
    activities = [
        _activity(
            "姜山健康讲座", orgs["姜山镇科协"], towns["姜山镇"], at(2022, 10, 15), verified,
            kind=ActivityKind.POPULAR_LECTURE, leaders=[people["陈建华"]], teams=[js_team], checkins=4,
            hours=[(people["刘芳"], js_team, "2.5"), (people["王丽萍"], js_team, "1.5")],
        ),
        _activity(
            "姜山农技培训", orgs["姜山农技协会"], towns["姜山镇"], at(2022, 11, 20), held,
            kind=ActivityKind.TECH_TRAINING, leaders=[people["孙立强"]], teams=[nj_team], checkins=3,
            hours=[(people["周晓东"], nj_team, "2.0")],
        ),
        _activity(
            "姜山科普展览", orgs["姜山科普教育协会"], towns["姜山镇"], at(2022, 12, 10), held,
            kind=ActivityKind.EXHIBITION, venue_kind=VenueKind.SCHOOL, leaders=[people["郑文斌"]],
            reported_participants=60,
        ),
        # Called off after a count had been entered: neither the activity nor the 30 count.
        _activity(
            "姜山冬季义诊", orgs["姜山镇科协"], towns["姜山镇"], at(2022, 11, 5), Activity.Status.CANCELLED,
            kind=ActivityKind.FREE_CLINIC, reported_participants=30,
        ),
        # 2022Q3: outside the quarter under study.
        _activity(
            "姜山秋季科普讲座", orgs["姜山镇科协"], towns["姜山镇"], at(2022, 9, 28), held,
            kind=ActivityKind.POPULAR_LECTURE, teams=[js_team], checkins=2,
            hours=[(people["刘芳"], js_team, "2.0")],
        ),
        _activity(
            "五乡农技指导", orgs["五乡农技协会"], towns["五乡镇"], at(2022, 11, 8), verified,
            kind=ActivityKind.FIELD_GUIDANCE, leaders=[people["冯志刚"]], teams=[wx_team], checkins=2,
            hours=[(people["吴国庆"], wx_team, "3.0")],
        ),
        _activity(
            "上李家村健康讲座", orgs["云龙健康协会"], village, at(2022, 12, 3, 14), held,
            kind=ActivityKind.POPULAR_LECTURE, venue_kind=VenueKind.VILLAGE, teams=[yl_team], checkins=5,
            hours=[(people["韩雪"], yl_team, "1.5"), (people["林志远"], yl_team, "1.0")],
        ),
    ]  # fmt: skip
    return {activity.title: activity for activity in activities}


def _user(username: str, role: str, **target):
    user = f.UserFactory(username=username)
    f.assign(user, role, **target)
    return user


def build_district() -> District:
    """Create the district described in this module's docstring and return its handles."""
    yinzhou = f.region("鄞州区")
    towns = {name: f.region(name) for name in ("姜山镇", "五乡镇", "云龙镇")}
    village = Region.objects.create(name="上李家村", kind=Region.Kind.VILLAGE, parent=towns["云龙镇"])
    district_association = f.OrganizationFactory(
        code="YZ-KX",
        name="鄞州区科协",
        kind=Organization.Kind.DISTRICT_ASSOCIATION,
        home_region=yinzhou,
    )
    orgs = _organizations(district_association, towns)
    people = _people()
    seats = _seats(orgs, people)
    for person, org_name, left_on in MEMBERSHIPS:
        organization = orgs[org_name]
        town_level = organization.kind == Organization.Kind.TOWN_ASSOCIATION
        f.MembershipFactory(
            person=people[person],
            organization=organization,
            joined_on=TOWN_FOUNDED if town_level else GRASSROOTS_FOUNDED,
            left_on=left_on,
        )
    teams = _teams(orgs, people)
    activities = _activities(orgs, people, teams, towns, village)

    overdue_task = rf.TaskFactory(
        organization=orgs["五乡镇科协"],
        title="五乡重建生活健康类协会",
        due_date=datetime.date(2022, 11, 30),
        status=Task.Status.IN_PROGRESS,
    )
    done_task = rf.TaskFactory(
        organization=orgs["姜山镇科协"],
        title="姜山完成三会领导机构组建",
        due_date=datetime.date(2022, 12, 15),
        status=Task.Status.DONE,
        completed_on=datetime.date(2022, 12, 10),
    )
    supervisor = _user("supervisor", RoleAssignment.Role.SUPERVISOR)
    inspection = rf.InspectionFactory(
        organization=orgs["云龙镇科协"],
        supervisor=supervisor,
        inspected_on=datetime.date(2022, 12, 1),
        score=Decimal("72.5"),
        findings="生态服务类协会尚在筹备，镇科协领导机构中无三长。",
    )
    rectification = rf.RectificationFactory(
        inspection=inspection, title="云龙组建生态服务类协会", deadline=datetime.date(2022, 12, 20)
    )
    # The factories write each record's first history entry "now"; date them as the plan did.
    TaskUpdate.objects.filter(task=overdue_task).update(created_at=at(2022, 4, 1))
    TaskUpdate.objects.filter(task=done_task).update(created_at=at(2022, 12, 10))
    RectificationUpdate.objects.filter(rectification=rectification).update(created_at=at(2022, 12, 1))
    return District(
        association=district_association,
        towns=towns,
        village=village,
        orgs=orgs,
        people=people,
        seats=seats,
        teams=teams,
        activities=activities,
        overdue_task=overdue_task,
        done_task=done_task,
        inspection=inspection,
        rectification=rectification,
        district_staff=_user("district", RoleAssignment.Role.DISTRICT_STAFF),
        supervisor=supervisor,
        jiangshan_admin=_user("jiangshan", RoleAssignment.Role.ORG_ADMIN, organization=orgs["姜山镇科协"]),
        wuxiang_admin=_user("wuxiang", RoleAssignment.Role.ORG_ADMIN, organization=orgs["五乡镇科协"]),
        grassroots_admin=_user(
            "jiangshan-nongji", RoleAssignment.Role.ORG_ADMIN, organization=orgs["姜山农技协会"]
        ),
        leader=_user("leader", RoleAssignment.Role.LEADER, person=people["孙立强"]),
    )
