"""A realistic, repeatable year of the service ledger for ``manage.py seed_demo``.

Builds on the demo district of ``organizations.demo`` (run before this): every town and
subdistrict association, the grassroots associations, societies, the popularisation bases and
the lecturer group log the activities of the programme year and of the quarter before it (the
towns, societies and bases were at work before the programme began) — both streams, every
type, with leaders who led them, volunteer teams, QR check-ins and volunteer hours — and a few
recent and upcoming ones relative to today, so that the verification queue, the check-in page
and the public calendar always have something to show.

The ledger is written in the reference programme year 2022 and moved by the demo's calendar
(``organizations.demo_dates``), which puts today in the programme's fourth quarter: the current
quarter, the year to date and the last four whole quarters all hold activities. Nothing after
the seeding moment has happened: such an activity is planned, without check-ins or hours, and
an activity is verified three days after it ends.

Deterministic and idempotent: every activity carries a natural key (``source_key``,
``demo:…``) that does not change with the day, attendance is keyed by (activity, phone),
volunteer service by (activity, person); each activity's check-ins and hours come from a
generator seeded by its own key, so two runs on the same day on two empty databases give the
same rows and a second run adds nothing. A run on a later day moves the activities it finds
(with their check-ins, hours and history) and brings their status up to date. The rows are
system data, written directly without actions (there is no acting user).
"""

from __future__ import annotations

import datetime
import random
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone

from organizations.demo_dates import DemoCalendar
from organizations.models import (
    LeaderRole,
    Membership,
    Organization,
    Seat,
    TeamMembership,
    VolunteerTeam,
)
from sanhui import clock

from . import tallies
from .models import (
    Activity,
    ActivityKind,
    ActivityTransition,
    AlignmentTag,
    Attendance,
    Audience,
    VenueKind,
    VolunteerService,
    hours_served,
    stream_of,
)

SEED = 20220601
# The reference programme year the ledger is written in (``organizations.demo_dates``). Natural
# keys name it ("demo:2022:…") whatever year the activities land in, so that a run in a later
# quarter, or on a database seeded before the demo followed the seeding day, moves the rows it
# finds instead of adding new ones.
YEAR = 2022
# Volunteers check out up to this long after an activity ends: it has taken place (and may have
# check-ins and hours) only when that lies before the seeding moment.
CHECKOUT_MARGIN = datetime.timedelta(minutes=40)
VERIFIED_AFTER = datetime.timedelta(days=3)
# An activity held early on the seeding day, so that even a quarter's first day has one.
THIS_MORNING_KEY = "demo:this-morning:"
DEMO_NOTE = "（演示数据）"
# Attendee numbers: a fixed prefix and a counter, unique within an activity and easy to spot.
ATTENDEE_PHONE_PREFIX = "1990576"

Kind = ActivityKind
Status = Activity.Status
OrgKind = Organization.Kind
Category = Organization.Category

SURNAMES = "王王陈陈张李李周徐林胡应俞邵叶吴朱史孙杨黄金沈郑毛蒋竺忻虞鲍屠董任童邬乐汪"
GIVEN = "伟强磊军勇杰涛斌超明华平辉刚鹏波峰俊浩宇芳娟敏静丽艳燕霞婷雪琳洁玲萍红慧颖佳怡晓丹莉秀英琴"

# Kind → (titles, venue kinds, audiences, duration hours). "{place}" is the town's name.
KINDS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], float]] = {
    Kind.TECH_TRAINING: (
        (
            "水稻病虫害绿色防控技术讲座",
            "设施蔬菜栽培技术培训",
            "果树修剪与施肥技术讲座",
            "农产品电商实用技术培训",
        ),
        (VenueKind.CIVILIZATION_CENTER, VenueKind.PARTY_SERVICE_CENTER, VenueKind.VILLAGE),
        (Audience.FARMERS,),
        2.5,
    ),
    Kind.FIELD_GUIDANCE: (
        ("草莓大棚实地技术指导", "水稻田间管理现场指导", "葡萄园病害诊断与防治指导", "畜禽养殖防疫现场指导"),
        (VenueKind.VILLAGE, VenueKind.ENTERPRISE),
        (Audience.FARMERS,),
        3,
    ),
    Kind.FREE_CLINIC: (
        ("{place}“三长”健康义诊", "慢性病筛查义诊进村", "眼健康义诊", "口腔健康义诊"),
        (VenueKind.CIVILIZATION_CENTER, VenueKind.VILLAGE, VenueKind.HOSPITAL),
        (Audience.ELDERLY, Audience.PATIENTS),
        3,
    ),
    Kind.RURAL_TALENT_TRAINING: (
        ("新型职业农民培训班", "农村实用人才培训（家庭农场经营）", "农机操作与安全培训"),
        (VenueKind.PARTY_SERVICE_CENTER, VenueKind.CIVILIZATION_CENTER),
        (Audience.FARMERS,),
        4,
    ),
    Kind.TECH_MATCHING: (
        ("农业科技成果对接会", "“三长”技术对接座谈", "校企科技合作对接"),
        (VenueKind.ENTERPRISE, VenueKind.PARTY_SERVICE_CENTER),
        (Audience.GENERAL,),
        2,
    ),
    Kind.POPULAR_LECTURE: (
        (
            "老年人智能手机操作技能培训",
            "健康生活方式科普宣讲",
            "防范电信诈骗科普讲座",
            "垃圾分类科普宣讲",
            "应急避险科普宣讲",
        ),
        (VenueKind.CIVILIZATION_CENTER, VenueKind.PARTY_SERVICE_CENTER, VenueKind.VILLAGE),
        (Audience.ELDERLY, Audience.GENERAL),
        1.5,
    ),
    Kind.EXPERT_REPORT: (
        ("慢病防治专家报告会", "青少年近视防控专家讲座", "心理健康专家报告会"),
        (VenueKind.HOSPITAL, VenueKind.SCHOOL, VenueKind.CIVILIZATION_CENTER),
        (Audience.GENERAL, Audience.YOUTH),
        2,
    ),
    Kind.EXHIBITION: (
        ("“科技改变生活”科普展", "生态文明科普展", "健康科普图片展"),
        (VenueKind.VENUE, VenueKind.CIVILIZATION_CENTER, VenueKind.SCHOOL),
        (Audience.YOUTH, Audience.GENERAL),
        6,
    ),
    Kind.CONSULTATION: (
        ("科技咨询服务日", "健康咨询进社区", "农技咨询服务日"),
        (VenueKind.CIVILIZATION_CENTER, VenueKind.VILLAGE),
        (Audience.GENERAL, Audience.FARMERS),
        3,
    ),
    Kind.FESTIVAL: (
        ("{place}校园科技节", "青少年科技创新体验日", "科学实验秀进校园"),
        (VenueKind.SCHOOL, VenueKind.VENUE),
        (Audience.YOUTH,),
        4,
    ),
    Kind.THEMED_DAY: (
        ("{place}主题日科普活动",),
        (VenueKind.CIVILIZATION_CENTER, VenueKind.VILLAGE, VenueKind.SCHOOL),
        (Audience.GENERAL,),
        3,
    ),
    Kind.ONLINE: (
        ("“科普云课堂”直播", "健康科普短视频发布", "农技知识线上课堂"),
        (VenueKind.ONLINE,),
        (Audience.GENERAL,),
        1,
    ),
}
# What each kind of organiser mostly does.
KINDS_BY_CATEGORY = {
    Category.PRODUCTION: (
        Kind.TECH_TRAINING,
        Kind.FIELD_GUIDANCE,
        Kind.RURAL_TALENT_TRAINING,
        Kind.CONSULTATION,
    ),
    Category.ECOLOGY: (Kind.FESTIVAL, Kind.EXHIBITION, Kind.POPULAR_LECTURE, Kind.ONLINE),
    Category.LIFE_HEALTH: (Kind.FREE_CLINIC, Kind.POPULAR_LECTURE, Kind.EXPERT_REPORT, Kind.CONSULTATION),
}
# Themed-day activities come from the outreach demo, which tags them with their day.
TOWN_KINDS = tuple(kind for kind in KINDS if kind != Kind.THEMED_DAY)
SOCIETY_KINDS = (Kind.EXPERT_REPORT, Kind.TECH_MATCHING, Kind.FREE_CLINIC, Kind.ONLINE, Kind.TECH_TRAINING)
BASE_KINDS = (Kind.EXHIBITION, Kind.FESTIVAL, Kind.POPULAR_LECTURE, Kind.ONLINE)
PILOT_TOWNS = ("姜山镇", "五乡镇", "云龙镇", "下应街道")


@dataclass
class ActivitySpec:
    """One demo activity as plain data; ``write_activities`` turns specs into rows."""

    key: str
    title: str
    kind: str
    organizer_id: int
    region_id: int
    venue_kind: str
    venue: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    status: str
    audiences: list[str]
    alignment_tags: list[str]
    planned: int
    reported: int | None = None
    description: str = ""
    leader_ids: list[int] = field(default_factory=list)
    team_ids: list[int] = field(default_factory=list)
    co_organizer_ids: list[int] = field(default_factory=list)
    published: bool = False
    attendees: int = 0
    volunteers: list[tuple[int, int]] = field(default_factory=list)  # (person, team)
    # The seeding moment: registration and publication, a fixed time ahead of the activity,
    # never lie after it. Not part of the activity's identity (nor of its repr).
    seeded_at: datetime.datetime | None = field(default=None, repr=False, compare=False)

    def before(self, days: int) -> datetime.datetime:
        """``days`` before the start, or the seeding moment if that is earlier."""
        moment = self.starts_at - datetime.timedelta(days=days)
        return moment if self.seeded_at is None else min(moment, self.seeded_at)


@dataclass
class OrgInfo:
    org: Organization
    leaders: list[int]
    teams: list[int]
    volunteers: list[tuple[int, int]]


def local(day: datetime.date, hour: float) -> datetime.datetime:
    minutes = round(hour * 60)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(minutes // 60, minutes % 60)))


def _alignment(rng: random.Random, kind: str, venue_kind: str) -> list[str]:
    tags = {AlignmentTag.COORDINATED}
    if venue_kind in (VenueKind.CIVILIZATION_CENTER, VenueKind.PARTY_SERVICE_CENTER):
        tags.add(AlignmentTag.WITH_CIVILIZATION_CENTERS)
    if stream_of(kind) == "tech_service":
        tags.add(AlignmentTag.WITH_RURAL_REVITALIZATION)
    else:
        tags.add(AlignmentTag.WITH_EQUAL_ACCESS)
    if kind in (Kind.FESTIVAL, Kind.POPULAR_LECTURE):
        tags.add(AlignmentTag.WITH_YOUTH_AND_ELDERLY)
    if rng.random() < 0.5:
        tags.add(AlignmentTag.WITH_VOLUNTEER_TEAMS)
    if rng.random() < 0.3:
        tags.add(AlignmentTag.INTO_PROSPERITY)
    return [tag.value for tag in AlignmentTag if tag in tags]


def _on_or_after_founding(day: datetime.date, founded: datetime.date | None) -> datetime.date:
    """``day``, or for a day before the organiser was founded, a day in the four months after its
    founding, chosen from ``day`` without drawing on the random sequence."""
    if founded is None or day >= founded:
        return day
    return founded + datetime.timedelta(days=day.toordinal() % 120)


def _reference_month(month: int) -> datetime.date:
    """The first day of a month of the reference programme year; months 0, -1 and -2 are those
    of the quarter before it."""
    year, index = divmod(month - 1, 12)
    return datetime.date(YEAR + year, index + 1, 1)


class Planner:
    def __init__(self, *, today: datetime.date) -> None:
        self.today = today
        self.cal = DemoCalendar.seeded_on(today)
        self.specs: list[ActivitySpec] = []
        self.infos = self._org_infos()

    def _org_infos(self) -> dict[str, OrgInfo]:
        """Each active organisation with its leaders, teams and team volunteers (a few queries)."""
        orgs = list(Organization.objects.active().select_related("home_region").order_by("code"))
        ids = [org.pk for org in orgs]
        leaders_open = set(
            LeaderRole.objects.open_on(self.cal.at(datetime.date(YEAR, 6, 30))).values_list(
                "person_id", flat=True
            )
        )
        members: dict[int, set[int]] = {}
        for org_id, person_id in Membership.objects.filter(organization_id__in=ids).values_list(
            "organization_id", "person_id"
        ):
            members.setdefault(org_id, set()).add(person_id)
        for org_id, person_id in Seat.objects.filter(organization_id__in=ids).values_list(
            "organization_id", "person_id"
        ):
            members.setdefault(org_id, set()).add(person_id)
        teams: dict[int, list[int]] = {}
        for team_id, org_id in (
            VolunteerTeam.objects.filter(organization_id__in=ids, status=VolunteerTeam.Status.ACTIVE)
            .order_by("pk")
            .values_list("pk", "organization_id")
        ):
            teams.setdefault(org_id, []).append(team_id)
        volunteers: dict[int, list[tuple[int, int]]] = {}
        # By team, then by person: the demo registers its people in the order of their numbers,
        # and ordering by the (encrypted) phone would mean decrypting every one.
        for team_id, person_id, org_id in (
            TeamMembership.objects.filter(team__organization_id__in=ids, left_on__isnull=True)
            .order_by("team_id", "person_id")
            .values_list("team_id", "person_id", "team__organization_id")
        ):
            volunteers.setdefault(org_id, []).append((person_id, team_id))
        return {
            org.code: OrgInfo(
                org,
                sorted(p for p in members.get(org.pk, ()) if p in leaders_open),
                teams.get(org.pk, []),
                volunteers.get(org.pk, []),
            )
            for org in orgs
        }

    def _by_kind(self, *kinds: str) -> list[OrgInfo]:
        return [info for info in self.infos.values() if info.org.kind in kinds]

    def spec(self, rng: random.Random, *, info: OrgInfo, **values) -> ActivitySpec:
        """An activity of ``info``'s organisation, planned if it would lie after the seeding
        moment (see ``draft`` for the values)."""
        spec = self.draft(rng, info=info, **values)
        self.settle(spec, info)
        return spec

    def draft(
        self,
        rng: random.Random,
        *,
        key: str,
        info: OrgInfo,
        kind: str,
        day: datetime.date,
        status: str,
        partner: OrgInfo | None = None,
        published: bool = False,
        title: str | None = None,
    ) -> ActivitySpec:
        titles, venues, audiences, hours = KINDS[kind]
        org = info.org
        day = _on_or_after_founding(day, org.founded_on)
        town = org.home_region.name if org.home_region.kind != "district" else "鄞州区"
        title = title or rng.choice(titles).replace("{place}", town)
        venue_kind = rng.choice(venues)
        start_hour = 19.0 if kind == Kind.ONLINE else rng.choice((8.5, 9.0, 13.5, 14.0))
        starts_at = local(day, start_hour)
        ends_at = starts_at + datetime.timedelta(hours=hours)
        venue = {
            VenueKind.CIVILIZATION_CENTER: f"{town}新时代文明实践所",
            VenueKind.PARTY_SERVICE_CENTER: f"{town}党群服务中心",
            VenueKind.SCHOOL: f"{town}中心小学",
            VenueKind.VILLAGE: f"{town}{rng.choice('东南西北')}村文化礼堂",
            VenueKind.HOSPITAL: f"{town}卫生院",
            VenueKind.ENTERPRISE: f"{town}农业科技园区",
            VenueKind.VENUE: "鄞州区青少年科技馆" if org.kind != OrgKind.POPULARIZATION_BASE else org.name,
            VenueKind.ONLINE: "线上直播",
        }[venue_kind]
        planned = rng.choice((30, 40, 50, 60, 80, 100, 150))
        # Every draw is made whatever the status, so that the sequence, and with it every other
        # activity, stays the same when an activity is planned on one day and held on a later one.
        share, reach, extra, report_roll = (
            rng.uniform(0.5, 1.05),
            rng.randint(300, 3000),
            rng.randint(0, 20),
            rng.random(),
        )
        leaders = [rng.choice(info.leaders)] if info.leaders and rng.random() < 0.85 else []
        online = kind == Kind.ONLINE
        volunteers = []
        if info.volunteers and not online:
            volunteers = rng.sample(info.volunteers, min(len(info.volunteers), rng.randint(2, 6)))
        attendees = 0 if online else max(8, int(planned * share))
        reported = reach if online else (attendees + extra if report_roll < 0.3 else None)
        spec = ActivitySpec(
            key=key,
            title=title,
            kind=kind,
            organizer_id=org.pk,
            region_id=org.home_region_id,
            venue_kind=venue_kind,
            venue=venue,
            starts_at=starts_at,
            ends_at=ends_at,
            status=status,
            audiences=[a.value for a in Audience if a in audiences],
            alignment_tags=_alignment(rng, kind, venue_kind),
            planned=planned,
            reported=reported,
            description=f"{title}，由{org.name}组织开展。{DEMO_NOTE}",
            leader_ids=leaders,
            team_ids=sorted({team for _person, team in volunteers}) or info.teams[:1],
            co_organizer_ids=[partner.org.pk] if partner else [],
            published=published,
            attendees=attendees,
            volunteers=volunteers,
        )
        return spec

    def settle(self, spec: ActivitySpec, info: OrgInfo) -> None:
        """Nothing after the seeding moment has happened: such an activity is planned, with no
        check-ins, hours or reported figures (and only what took place keeps them)."""
        spec.seeded_at = self.cal.moment
        if spec.status != Status.PLANNED and spec.ends_at + CHECKOUT_MARGIN > self.cal.moment:
            spec.status = Status.PLANNED
        # The organiser's admin verifies an activity three days after it ends.
        if spec.status == Status.VERIFIED and spec.ends_at + VERIFIED_AFTER > self.cal.moment:
            spec.status = Status.HELD
        if spec.status not in Activity.TOOK_PLACE:
            spec.attendees, spec.reported, spec.volunteers = 0, None, []
            spec.team_ids = info.teams[:1]

    def build(self) -> list[ActivitySpec]:
        rng = random.Random(SEED)  # noqa: S311 (demo data, not secrets)
        towns = self._by_kind(OrgKind.TOWN_ASSOCIATION)
        grassroots = self._by_kind(OrgKind.GRASSROOTS_ASSOCIATION)
        societies = [info for info in self._by_kind(OrgKind.DISTRICT_SOCIETY) if info.teams]
        bases = self._by_kind(OrgKind.POPULARIZATION_BASE, OrgKind.LECTURER_GROUP)
        societies_all = self._by_kind(OrgKind.DISTRICT_SOCIETY)
        kind_cycle = list(TOWN_KINDS)
        for info in towns:
            pilot = info.org.home_region.name in PILOT_TOWNS
            # A few towns lag behind: no activity at all in some quarters, which the coverage
            # figures then show.
            count = 20 if pilot else rng.choice((4, 6, 8, 10, 12))
            # Months 1–12 of the programme year and -2–0 of the quarter before it: the towns
            # were already at work when the programme began.
            months = sorted(rng.choice(range(-2, 13)) for _ in range(count))
            if not pilot and count <= 6:
                months = [m for m in months if m > 6] or [12]
            for index, month in enumerate(months, start=1):
                kind = kind_cycle[(index + zlib.crc32(info.org.code.encode())) % len(kind_cycle)]
                partner = rng.choice(societies_all) if rng.random() < 0.15 else None
                self._planned_year_activity(
                    rng, info, kind, month, f"demo:{YEAR}:{info.org.code}:{index:02d}", partner
                )
        for info in grassroots:
            kinds = KINDS_BY_CATEGORY[info.org.category]
            for index in range(1, rng.randint(4, 9) + 1):
                month = rng.randint(1, 12)
                self._planned_year_activity(
                    rng, info, kinds[index % len(kinds)], month, f"demo:{YEAR}:{info.org.code}:{index:02d}"
                )
        for info in societies + bases:
            kinds = SOCIETY_KINDS if info.org.kind == OrgKind.DISTRICT_SOCIETY else BASE_KINDS
            for index in range(1, rng.randint(5, 10) + 1):
                town = rng.choice(towns)
                spec_kind = kinds[index % len(kinds)]
                key = f"demo:{YEAR}:{info.org.code}:{index:02d}"
                month = rng.randint(-2, 12)
                self._planned_year_activity(rng, info, spec_kind, month, key, partner=town)
                # Societies and bases serve the towns: the activity takes place there.
                self.specs[-1].region_id = town.org.home_region_id
        self._around_today(rng, towns)
        return self.specs

    def _planned_year_activity(
        self,
        rng: random.Random,
        info: OrgInfo,
        kind: str,
        month: int,
        key: str,
        partner: OrgInfo | None = None,
    ) -> None:
        day = self.cal.at(_reference_month(month).replace(day=rng.randint(1, 28)))
        roll = rng.random()
        status = Status.VERIFIED if roll < 0.8 else Status.HELD if roll < 0.95 else Status.CANCELLED
        self.specs.append(
            self.spec(rng, key=key, info=info, kind=kind, day=day, status=status, partner=partner)
        )

    def _around_today(self, rng: random.Random, towns: Sequence[OrgInfo]) -> None:
        """Recent activities awaiting verification, one open for check-in today, and upcoming
        popularisation events approved for the public calendar."""
        pilots = [info for info in towns if info.org.home_region.name in PILOT_TOWNS]
        for index, info in enumerate(pilots, start=1):
            for offset in (3, 9):
                day = self.today - datetime.timedelta(days=offset)
                kind = (Kind.FREE_CLINIC, Kind.TECH_TRAINING)[offset % 2]
                self.specs.append(
                    self.spec(
                        rng,
                        key=f"demo:recent:{info.org.code}:{offset}",
                        info=info,
                        kind=kind,
                        day=day,
                        status=Status.HELD,
                    )
                )
            if index == 1:
                spec = self.spec(
                    rng,
                    key=f"demo:today:{info.org.code}",
                    info=info,
                    kind=Kind.EXHIBITION,
                    day=self.today,
                    status=Status.PLANNED,
                    published=True,
                    title="科普大篷车进乡村巡展",
                )
                spec.starts_at, spec.ends_at = local(self.today, 8.5), local(self.today, 21)
                self.specs.append(spec)
                # An early consultation: held by mid-morning, so that even on a quarter's first
                # day the current quarter has something that took place.
                spec = self.draft(
                    rng,
                    key=f"{THIS_MORNING_KEY}{info.org.code}",
                    info=info,
                    kind=Kind.CONSULTATION,
                    day=self.today,
                    status=Status.HELD,
                    title="晨间健康咨询进菜场",
                )
                spec.starts_at, spec.ends_at = local(self.today, 7), local(self.today, 8.5)
                self.settle(spec, info)
                self.specs.append(spec)
        popular = (
            Kind.POPULAR_LECTURE,
            Kind.EXPERT_REPORT,
            Kind.EXHIBITION,
            Kind.FESTIVAL,
            Kind.CONSULTATION,
        )
        for index, info in enumerate(towns):
            if index % 2 and info not in pilots:
                continue
            for n, offset in enumerate((5 + index % 7, 20 + index % 11, 45 + index % 13), start=1):
                day = self.today + datetime.timedelta(days=offset)
                self.specs.append(
                    self.spec(
                        rng,
                        key=f"demo:upcoming:{info.org.code}:{n}",
                        info=info,
                        kind=popular[(index + n) % len(popular)],
                        day=day,
                        status=Status.PLANNED,
                        published=n < 3,
                    )
                )


# --------------------------------------------------------------------------- writing


def _people_names(rng: random.Random, count: int) -> list[str]:
    return [
        rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        for _ in range(count)
    ]


ACTIVITY_FIELDS = (
    "title",
    "kind",
    "stream",
    "organizer_id",
    "region_id",
    "venue_kind",
    "venue",
    "starts_at",
    "ends_at",
    "status",
    "audiences",
    "alignment_tags",
    "planned_participants",
    "reported_participants",
    "description",
    "is_published",
)


def _row(spec: ActivitySpec) -> Activity:
    return Activity(
        source_key=spec.key,
        title=spec.title,
        kind=spec.kind,
        stream=stream_of(spec.kind),
        organizer_id=spec.organizer_id,
        region_id=spec.region_id,
        venue_kind=spec.venue_kind,
        venue=spec.venue,
        starts_at=spec.starts_at,
        ends_at=spec.ends_at,
        status=spec.status,
        audiences=spec.audiences,
        alignment_tags=spec.alignment_tags,
        planned_participants=spec.planned,
        reported_participants=spec.reported,
        description=spec.description,
        is_published=spec.published,
        published_at=spec.before(10) if spec.published else None,
        status_changed_at=spec.ends_at if spec.status != Status.PLANNED else spec.before(14),
    )


def _link(through, rows: list[tuple[int, int]], left: str, right: str) -> None:
    through.objects.bulk_create(
        [through(**{left: a, right: b}) for a, b in rows], ignore_conflicts=True, batch_size=1000
    )


def checkins(spec: ActivitySpec, activity_id) -> tuple[list[Attendance], list[VolunteerService]]:
    """The QR check-ins and volunteer service records of one demo activity.

    They come from a generator seeded by the activity's own key, so they are the same on every
    run and every day."""
    rng = random.Random(zlib.crc32(spec.key.encode()))  # noqa: S311 (demo data, not secrets)
    attendances = []
    for n, name in enumerate(_people_names(rng, spec.attendees)):
        minutes = rng.randint(-25, 40)
        attendances.append(
            Attendance(
                activity_id=activity_id,
                name=name,
                phone=f"{ATTENDEE_PHONE_PREFIX}{n:04d}",
                checked_in_at=spec.starts_at + datetime.timedelta(minutes=minutes),
            )
        )
    services = []
    for person_id, team_id in spec.volunteers:
        checked_in = spec.starts_at - datetime.timedelta(minutes=rng.choice((15, 30, 45)))
        checked_out = spec.ends_at + datetime.timedelta(minutes=rng.randint(0, 40))
        services.append(
            VolunteerService(
                activity_id=activity_id,
                person_id=person_id,
                team_id=team_id,
                checked_in_at=checked_in,
                checked_out_at=checked_out,
                hours=hours_served(checked_in, checked_out),
                source=VolunteerService.Source.CHECKIN,
            )
        )
    return attendances, services


def planned_rows(specs: Sequence[ActivitySpec]) -> list[models.Model]:
    """The rows ``write_activities`` would write for ``specs``, unsaved and without touching the
    database: each activity with its check-ins and service records, which refer to their
    activity by its natural key (``source_key``) in place of a primary key."""
    rows: list[models.Model] = []
    for spec in specs:
        rows.append(_row(spec))
        attendances, services = checkins(spec, spec.key)
        rows.extend(attendances)
        rows.extend(services)
    return rows


def _transitions(spec: ActivitySpec, activity_id: int, *, since: str) -> list[ActivityTransition]:
    """The history of a demo activity from status ``since`` ("" for a new one) to its own."""
    steps = [("", Status.PLANNED, "登记", spec.before(14))]
    if spec.status == Status.CANCELLED:
        steps.append(
            (Status.PLANNED, Status.CANCELLED, "天气原因取消", spec.starts_at - datetime.timedelta(days=1))
        )
    if spec.status in Activity.TOOK_PLACE:
        steps.append((Status.PLANNED, Status.HELD, "", spec.ends_at))
    if spec.status == Status.VERIFIED:
        steps.append((Status.HELD, Status.VERIFIED, "", spec.ends_at + VERIFIED_AFTER))
    sources = [step[0] for step in steps]
    first = sources.index(since) if since in sources else len(steps)
    return [
        ActivityTransition(
            activity_id=activity_id, from_status=old, to_status=new, note=note, created_at=created_at
        )
        for old, new, note, created_at in steps[first:]
    ]


def write_activities(specs: Sequence[ActivitySpec]) -> dict[str, tuple[int, int]]:
    """Create or update the activities of ``specs`` with their links, check-ins and hours, and
    count the ledger's summary tables again.

    Returns {"activities": (count, created), "attendances": …, "volunteer_services": …}."""
    keys = [spec.key for spec in specs]
    existing = {a.source_key: a for a in Activity.objects.filter(source_key__in=keys).order_by()}
    missing = [_row(spec) for spec in specs if spec.key not in existing]
    Activity.objects.bulk_create(missing, batch_size=500)
    changed = []
    moved: dict[int, datetime.timedelta] = {}
    progressed: dict[int, str] = {}
    for spec in specs:
        current = existing.get(spec.key)
        if current is None:
            continue
        wanted = _row(spec)
        if any(getattr(current, name) != getattr(wanted, name) for name in ACTIVITY_FIELDS):
            if current.starts_at != wanted.starts_at:
                moved[current.pk] = wanted.starts_at - current.starts_at
            if current.status != wanted.status:
                progressed[current.pk] = current.status
            for name in (*ACTIVITY_FIELDS, "published_at", "status_changed_at"):
                setattr(current, name, getattr(wanted, name))
            changed.append(current)
    if changed:
        Activity.objects.bulk_update(
            changed, [*ACTIVITY_FIELDS, "published_at", "status_changed_at"], batch_size=500
        )
    # A run in a later quarter moves the activities: their records move with them. One that
    # moved after the seeding moment is planned again and loses what it recorded.
    for activity_id, delta in moved.items():
        Attendance.objects.filter(activity_id=activity_id).update(checked_in_at=F("checked_in_at") + delta)
        VolunteerService.objects.filter(activity_id=activity_id).update(
            checked_in_at=F("checked_in_at") + delta, checked_out_at=F("checked_out_at") + delta
        )
        ActivityTransition.objects.filter(activity_id=activity_id).update(created_at=F("created_at") + delta)
    replanned = [a.pk for a in changed if a.pk in progressed and a.status == Status.PLANNED]
    if replanned:
        Attendance.objects.filter(activity_id__in=replanned).delete()
        VolunteerService.objects.filter(activity_id__in=replanned).delete()
        ActivityTransition.objects.filter(activity_id__in=replanned).exclude(from_status="").delete()
    ids = dict(Activity.objects.filter(source_key__in=keys).values_list("source_key", "pk"))
    new_keys = {row.source_key for row in missing}

    _link(
        Activity.leaders.through,
        [(ids[s.key], p) for s in specs for p in s.leader_ids],
        "activity_id",
        "person_id",
    )
    _link(
        Activity.teams.through,
        [(ids[s.key], t) for s in specs for t in s.team_ids],
        "activity_id",
        "volunteerteam_id",
    )
    _link(
        Activity.co_organizers.through,
        [(ids[s.key], o) for s in specs for o in s.co_organizer_ids],
        "activity_id",
        "organization_id",
    )

    transitions = []
    for spec in specs:
        activity_id = ids[spec.key]
        if spec.key in new_keys:
            transitions.extend(_transitions(spec, activity_id, since=""))
        elif activity_id in progressed and spec.status != Status.PLANNED:
            transitions.extend(_transitions(spec, activity_id, since=progressed[activity_id]))
    ActivityTransition.objects.bulk_create(transitions, batch_size=1000)

    attendance_before = Attendance.objects.filter(activity_id__in=ids.values()).count()
    attendances = []
    services = []
    for spec in specs:
        spec_attendances, spec_services = checkins(spec, ids[spec.key])
        attendances.extend(spec_attendances)
        services.extend(spec_services)
    Attendance.objects.bulk_create(attendances, ignore_conflicts=True, batch_size=2000)
    attendance_total = Attendance.objects.filter(activity_id__in=ids.values()).count()
    services_before = VolunteerService.objects.filter(activity_id__in=ids.values()).count()
    VolunteerService.objects.bulk_create(services, ignore_conflicts=True, batch_size=1000)
    services_total = VolunteerService.objects.filter(activity_id__in=ids.values()).count()
    # Written in bulk, around the actions: count the ledger again, set-based.
    tallies.rebuild()
    return {
        "activities": (len(ids), len(missing)),
        "attendances": (attendance_total, attendance_total - attendance_before),
        "volunteer_services": (services_total, services_total - services_before),
    }


def plan_demo(*, today: datetime.date) -> list[ActivitySpec]:
    """The activities ``build_demo`` would write on ``today`` (reads, never writes);
    ``planned_rows`` turns them into the rows."""
    return Planner(today=today).build()


@transaction.atomic
def build_demo(*, today: datetime.date | None = None) -> list[tuple[str, int, str, int]]:
    """Create (or bring back) the demo ledger; rows for the seed_demo summary."""
    today = today or clock.today()
    if not Organization.objects.filter(Q(code__startswith="TA-")).exists():
        return []
    specs = Planner(today=today).build()
    result = write_activities(specs)
    rows = (
        ("activities", "服务活动", "项"),
        ("attendances", "扫码签到", "人次"),
        ("volunteer_services", "志愿服务记录", "条"),
    )
    return [(label, result[key][0], unit, result[key][1]) for key, label, unit in rows]
