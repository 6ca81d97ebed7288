"""A realistic, repeatable demonstration of the whole district for ``manage.py seed_demo``.

The demo is planned first as plain data (nothing touches the database while planning) and then
written in one transaction, every row keyed on a natural key so that a second run adds nothing:
organisations by ``code``, people by ``phone``, seats by (organisation, person, position, rank
of the term), open memberships by (person, organisation), teams by (organisation, name), open team
memberships by (team, person), users by ``username``.

Everything comes from one seeded random generator and dates written in the plan's programme
year 2022, which ``demo_dates.DemoCalendar`` moves by whole quarters so that the seeding day falls
in the programme's fourth quarter: the district started the programme about a year ago and
stands in its full-coverage stage. Two runs on the same day on two empty databases give the same
rows. Besides the calendar, today's date matters in two places only: the few terms meant to be
"ending soon" end a set number of days from today, so that the reminder lists always have
something in them; and nothing that has happened (a joining, a founding) lies after today. Seats
are matched by organisation, person, position and the rank of the term, so that a run in a later
quarter moves the terms it finds instead of adding new ones.

The demo is system data: rows are written directly, without the permission checks and audit
entries of ``actions.py`` (there is no acting user to check or to blame).
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import models, transaction

from sanhui import clock
from sanhui.crypto import lookup_hash

from .actions import role_assign
from .demo_dates import DemoCalendar
from .models import (
    LeaderRole,
    Membership,
    Organization,
    PasswordState,
    Person,
    Region,
    RoleAssignment,
    Seat,
    TeamMembership,
    VolunteerTeam,
)
from .validators import USCC_ALPHABET, credit_code_check_char, resident_id_check_char

SEED = 20220315
DISTRICT_CODE = "YZ-KX"
PILOT_TOWNS = ("姜山镇", "五乡镇", "云龙镇", "下应街道")

# No range of mainland mobile numbers is reserved for fiction; a fixed prefix plus a counter at
# least keeps the demo's numbers unique among themselves and easy to recognise.
PHONE_PREFIX = "1990574"
# 330299 is not an allocated county code in Ningbo (3302xx), so these well-formed, correctly
# checked ID numbers cannot belong to anyone real.
ID_REGION_PREFIX = "330299"

Kind = Organization.Kind
Category = Organization.Category
Status = Organization.Status
Profession = Person.Profession
Position = Seat.Position
LK = LeaderRole.Kind


class DemoDataError(Exception):
    """The database lacks what the demo builds on (the regions of migration 0002)."""


# --------------------------------------------------------------------------- town profiles


@dataclass(frozen=True)
class TownProfile:
    people: int
    # H hospital director, S school principal (a second S heads the middle school),
    # A agri-tech station head.
    leaders: str
    # Chance that each of the town's 三长 sits on its association: the 三长 share of seats
    # differs from town to town, down to none at all.
    seated: float
    # P production, E ecology, H life and health; upper case active, lower case preparing.
    grassroots: str
    # Keep the previous term's seats (ended 2021/2022) as history.
    history: bool = False


PROFILES: dict[str, TownProfile] = {
    "下应街道": TownProfile(36, "HSSA", 1.0, "PEH", history=True),
    "钟公庙街道": TownProfile(16, "HS", 0.5, "H"),
    "梅墟街道": TownProfile(12, "HS", 0.5, "e"),
    "中河街道": TownProfile(16, "HSS", 0.6, "H", history=True),
    "首南街道": TownProfile(20, "HSA", 0.7, "EH"),
    "潘火街道": TownProfile(15, "HS", 0.5, "E"),
    "百丈街道": TownProfile(10, "HS", 0.3, "h"),
    "东胜街道": TownProfile(9, "H", 0.3, ""),
    "明楼街道": TownProfile(14, "HS", 0.5, "E"),
    "白鹤街道": TownProfile(12, "HS", 0.4, "H"),
    "东柳街道": TownProfile(10, "S", 0.0, ""),
    "东郊街道": TownProfile(8, "", 0.0, ""),
    "福明街道": TownProfile(13, "HS", 0.5, "H"),
    "新明街道": TownProfile(8, "", 0.0, ""),
    "聚贤街道": TownProfile(10, "S", 0.0, "E"),
    "瞻岐镇": TownProfile(16, "HSA", 0.6, "Ph"),
    "咸祥镇": TownProfile(17, "HSA", 0.6, "P"),
    "塘溪镇": TownProfile(12, "HSA", 0.4, "p"),
    "东钱湖镇": TownProfile(20, "HSA", 0.7, "EH"),
    "东吴镇": TownProfile(15, "HSA", 0.5, "Pe", history=True),
    "五乡镇": TownProfile(40, "HSSA", 1.0, "PEH", history=True),
    "邱隘镇": TownProfile(18, "HSA", 0.5, "H"),
    "云龙镇": TownProfile(36, "HSSA", 1.0, "PEH", history=True),
    "横溪镇": TownProfile(18, "HSA", 0.6, "PH", history=True),
    "姜山镇": TownProfile(44, "HSSA", 1.0, "PEH", history=True),
}
DEFAULT_PROFILE = TownProfile(10, "HS", 0.5, "")

# The whole leadership of this town association reaches the end of its term this many days
# from today, so that the 换届 reminders always have a case to show.
TERM_ENDING_SOON_DAYS = {"东吴镇": 45}
# Seconded vice chairs (挂职) of the pilot towns serve two-year postings; two of them end soon.
SECONDMENT_ENDING_SOON_DAYS = {"云龙镇": 20, "下应街道": 80}

# Grassroots associations that reach neighbouring towns, and the societies co-founding them.
SERVED_REGIONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("姜山镇", Category.PRODUCTION): ("首南街道",),
    ("五乡镇", Category.PRODUCTION): ("邱隘镇",),
    ("云龙镇", Category.ECOLOGY): ("东吴镇", "横溪镇"),
    ("下应街道", Category.LIFE_HEALTH): ("潘火街道",),
}
PARTNERS: dict[tuple[str, str], tuple[str, ...]] = {
    ("姜山镇", Category.LIFE_HEALTH): ("DS-MEDICAL",),
    ("姜山镇", Category.PRODUCTION): ("DS-AGRONOMY",),
    ("五乡镇", Category.ECOLOGY): ("DS-YOUTH-STE",),
    ("云龙镇", Category.PRODUCTION): ("DS-HORTICULTURE",),
    ("下应街道", Category.LIFE_HEALTH): ("DS-NURSING",),
    ("横溪镇", Category.PRODUCTION): ("DS-FORESTRY",),
    ("咸祥镇", Category.PRODUCTION): ("DS-FISHERIES",),
    ("东钱湖镇", Category.ECOLOGY): ("DS-ENVIRONMENT",),
    ("聚贤街道", Category.ECOLOGY): ("UA-DEMO",),
}

CATEGORY_LETTERS = {"P": Category.PRODUCTION, "E": Category.ECOLOGY, "H": Category.LIFE_HEALTH}
CATEGORY_SUFFIX = {
    Category.PRODUCTION: "农技服务科普协会",
    Category.ECOLOGY: "生态科普协会",
    Category.LIFE_HEALTH: "健康科普协会",
}
CATEGORY_TEAM = {
    Category.PRODUCTION: ("农技服务志愿服务队", "农技推广、实地技术指导"),
    Category.ECOLOGY: ("青少年科普志愿服务队", "青少年科技教育、生态科普"),
    Category.LIFE_HEALTH: ("健康义诊志愿服务队", "医疗义诊、健康科普"),
}
CATEGORY_DESCRIPTION = {
    Category.PRODUCTION: "农技人员和涉农学会组建，面向种养大户和新型职业农民开展技术培训与实地指导。",
    Category.ECOLOGY: "科技教师和科普场馆人员组建，开展青少年科技教育和生态科普。",
    Category.LIFE_HEALTH: "医务人员和科普讲师组建，开展健康科普、医疗义诊和老年人健康讲座。",
}
CATEGORY_PROFESSIONS = {
    Category.PRODUCTION: (Profession.AGRITECH,),
    Category.ECOLOGY: (Profession.TEACHER, Profession.VENUE_STAFF),
    Category.LIFE_HEALTH: (Profession.MEDICAL, Profession.LECTURER),
}
CATEGORY_LEADER = {
    Category.PRODUCTION: LK.AGRITECH_STATION_HEAD,
    Category.ECOLOGY: LK.SCHOOL_PRINCIPAL,
    Category.LIFE_HEALTH: LK.HOSPITAL_DIRECTOR,
}

# (code, name, employer of its secretary, title, profession)
SOCIETIES: tuple[tuple[str, str, str, str, str], ...] = (
    ("DS-MEDICAL", "示例医学会", "鄞州区人民医院", "医务科科长", Profession.MEDICAL),
    ("DS-NURSING", "示例护理学会", "鄞州区第二医院", "护理部主任", Profession.MEDICAL),
    ("DS-PHARMA", "示例药学会", "鄞州区人民医院", "药剂科主任", Profession.MEDICAL),
    ("DS-TCM", "示例中医药学会", "鄞州区中医院", "副主任中医师", Profession.MEDICAL),
    ("DS-AGRONOMY", "示例农学会", "鄞州区农业技术推广中心", "高级农艺师", Profession.AGRITECH),
    ("DS-HORTICULTURE", "示例园艺学会", "鄞州区农业技术推广中心", "农艺师", Profession.AGRITECH),
    ("DS-VETERINARY", "示例畜牧兽医学会", "鄞州区动物疫病预防控制中心", "高级兽医师", Profession.AGRITECH),
    ("DS-FISHERIES", "示例水产学会", "鄞州区水产技术推广站", "水产工程师", Profession.AGRITECH),
    ("DS-FORESTRY", "示例林学会", "鄞州区林业技术推广中心", "林业工程师", Profession.AGRITECH),
    ("DS-METEOROLOGY", "示例气象学会", "鄞州区气象局", "高级工程师", Profession.OTHER),
    ("DS-ENVIRONMENT", "示例环境科学学会", "鄞州区环境监测站", "工程师", Profession.OTHER),
    ("DS-EDUCATION", "示例教育学会", "鄞州区教育局教研室", "教研员", Profession.TEACHER),
    ("DS-YOUTH-STE", "示例青少年科技教育协会", "鄞州区青少年宫", "科技辅导员", Profession.TEACHER),
    ("DS-COMPUTING", "示例计算机学会", "鄞州区大数据中心", "高级工程师", Profession.OTHER),
    ("DS-MECHANICAL", "示例机械工程学会", "宁波甬辉机械有限公司", "高级工程师", Profession.OTHER),
    ("DS-ELECTRONICS", "示例电子学会", "宁波科润电子有限公司", "工程师", Profession.OTHER),
    ("DS-ARCHITECTURE", "示例建筑学会", "鄞州区建筑设计院", "高级建筑师", Profession.OTHER),
    ("DS-SCI-WRITERS", "示例科普作家协会", "鄞州区科普讲师团", "科普作家", Profession.LECTURER),
    ("DS-SENIOR-SCI", "示例老科技工作者协会", "鄞州区老科协", "高级农艺师（退休）", Profession.OTHER),
)
# Societies a member of each profession may join.
SOCIETIES_BY_PROFESSION = {
    Profession.MEDICAL: ("DS-MEDICAL", "DS-NURSING", "DS-PHARMA", "DS-TCM"),
    Profession.AGRITECH: ("DS-AGRONOMY", "DS-HORTICULTURE", "DS-VETERINARY", "DS-FISHERIES", "DS-FORESTRY"),
    Profession.TEACHER: ("DS-EDUCATION", "DS-YOUTH-STE"),
    Profession.LECTURER: ("DS-SCI-WRITERS", "DS-SENIOR-SCI"),
    Profession.OTHER: (
        "DS-COMPUTING",
        "DS-MECHANICAL",
        "DS-ELECTRONICS",
        "DS-ARCHITECTURE",
        "DS-METEOROLOGY",
    ),
}
SOCIETY_TEAMS = {
    "DS-MEDICAL": ("医疗专家志愿服务队", "医疗义诊、专家健康讲座"),
    "DS-AGRONOMY": ("农技专家志愿服务队", "农业技术指导、新型职业农民培训"),
    "DS-YOUTH-STE": ("青少年科技辅导员志愿服务队", "校园科技节、青少年科技创新辅导"),
    "DS-SENIOR-SCI": ("银龄科技志愿服务队", "老科技工作者科普宣讲"),
}
# Societies carrying a registered 统一社会信用代码; the one marked False was typed with a wrong
# check character, to show the warning.
CREDIT_CODES = {
    "DS-MEDICAL": True,
    "DS-AGRONOMY": True,
    "DS-EDUCATION": True,
    "DS-SCI-WRITERS": True,
    "DS-COMPUTING": True,
    "DS-PHARMA": False,
}

SURNAMES = "王王王陈陈陈张张李李周周徐徐林胡胡应应俞邵邵叶吴吴朱史孙杨黄金沈郑毛蒋竺忻虞鲍屠董任童邬乐汪"
GIVEN_MALE = "伟强磊军勇杰涛斌超明华建国平辉刚鹏波峰俊浩宇晨鑫立海志忠文永林东春凯锋亮成刚军"
GIVEN_FEMALE = "芳娟敏静丽艳燕霞婷雪琳洁玲萍红慧颖倩佳怡晓丹莉蓉青梅素秀英琴晶薇文"
ENTERPRISE_WORDS = ("甬辉", "东港", "华瑞", "科润", "明元", "鄞达", "金穗", "绿源", "天禾", "恒舜", "博远")
ENTERPRISE_KINDS = ("科技", "电子", "机械", "生物科技", "农业科技", "智能装备")

TITLES = {
    Profession.MEDICAL: ("全科主治医师", "副主任医师", "主管护师", "护师", "主管药师", "中医师", "公卫医师"),
    Profession.TEACHER: ("科学教师", "信息技术教师", "生物教师", "物理教师", "科技辅导员"),
    Profession.AGRITECH: ("农艺师", "高级农艺师", "助理农艺师", "农技员", "兽医师", "植保员"),
    Profession.LECTURER: ("科普宣讲员", "志愿讲师"),
    Profession.OTHER: ("工程师", "高级工程师", "技术员"),
}
FEMALE_SHARE = {
    Profession.MEDICAL: 0.6,
    Profession.TEACHER: 0.6,
    Profession.AGRITECH: 0.3,
    Profession.LECTURER: 0.4,
    Profession.VENUE_STAFF: 0.5,
    Profession.OTHER: 0.35,
}


# --------------------------------------------------------------------------- plan records


@dataclass
class OrgSpec:
    code: str
    name: str
    kind: str
    region: str
    category: str = ""
    parent: str | None = None
    status: str = Status.ACTIVE
    founded_on: datetime.date | None = None
    credit_code: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    address: str = ""
    description: str = ""
    is_demo: bool = False
    served_regions: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()


@dataclass(frozen=True)
class LeaderSpec:
    phone: str
    kind: str
    institution: str
    started_on: datetime.date


@dataclass(frozen=True)
class SeatSpec:
    org: str
    phone: str
    position: str
    term_start: datetime.date
    term_end: datetime.date | None
    notes: str = ""


@dataclass(frozen=True)
class TeamSpec:
    org: str
    name: str
    leader: str
    founded_on: datetime.date
    service_area: str
    status: str = VolunteerTeam.Status.ACTIVE


@dataclass(frozen=True)
class LoginSpec:
    username: str
    first_name: str
    role: str
    org: str | None = None
    person: str | None = None
    is_staff: bool = False


@dataclass(frozen=True)
class RegionInfo:
    name: str
    code: str
    kind: str

    @property
    def is_town(self) -> bool:
        return self.kind == Region.Kind.TOWN


@dataclass
class Units:
    """The institutions of one town that its people work for."""

    hospital: str
    primary_school: str
    middle_school: str
    agri_station: str
    government: str
    practice: str
    culture: str

    @classmethod
    def of(cls, region: RegionInfo) -> Units:
        name = region.name
        return cls(
            hospital=f"{name}卫生院" if region.is_town else f"{name}社区卫生服务中心",
            primary_school=f"{name}中心小学",
            middle_school=f"{name}中学",
            agri_station=f"{name}农业技术推广站" if region.is_town else f"{name}农业服务中心",
            government=f"{name}人民政府" if region.is_town else f"{name}办事处",
            practice=f"{name}新时代文明实践所",
            culture=f"{name}文化站",
        )


@dataclass
class DemoPlan:
    organizations: dict[str, OrgSpec] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    leader_roles: list[LeaderSpec] = field(default_factory=list)
    seats: list[SeatSpec] = field(default_factory=list)
    memberships: dict[tuple[str, str], datetime.date] = field(default_factory=dict)
    teams: list[TeamSpec] = field(default_factory=list)
    team_members: dict[tuple[str, str, str], datetime.date] = field(default_factory=dict)
    logins: list[LoginSpec] = field(default_factory=list)

    def join(self, person: Person, org: str, on: datetime.date) -> None:
        key = (person.phone, org)
        self.memberships[key] = min(on, self.memberships.get(key, on))


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    target: str


@dataclass
class DemoSummary:
    """What the demo holds after a run, and how much of it this run created."""

    counts: dict[str, int]
    created: dict[str, int]
    current_seats: int
    seats_ending_soon: int
    logins: list[DemoLogin]


# --------------------------------------------------------------------------- dates


def _years_later(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _term_end(start: datetime.date, years: int = 5) -> datetime.date:
    return _years_later(start, years) - datetime.timedelta(days=1)


# --------------------------------------------------------------------------- the planner


class _Planner:
    def __init__(self, *, district: RegionInfo, towns: Sequence[RegionInfo], today: datetime.date) -> None:
        # A fixed seed: the demo is the same on every machine and every run.
        self.rng = random.Random(SEED)
        self.district = district
        self.towns = list(towns)
        self.today = today
        # Dates below are written in the reference programme year (2022) and moved by the calendar.
        self.cal = DemoCalendar.seeded_on(today)
        self.plan = DemoPlan()
        self.names: set[str] = set()
        self.phone_counter = 0
        self.id_counter = 0
        # People who live or work in a town beyond its own profile (venue, park and college staff).
        self.town_extras: dict[str, list[Person]] = {}
        self.extra_leaders: dict[str, list[Person]] = {}
        self.leader_kind: dict[str, str] = {}
        self.society_members: dict[str, list[Person]] = {}
        self.seconded: list[Person] = []
        self.town_people: dict[str, list[Person]] = {}
        self.contacts: dict[str, Person] = {}

    # -- small helpers

    def day(self, start: datetime.date, end: datetime.date) -> datetime.date:
        return start + datetime.timedelta(days=self.rng.randint(0, (end - start).days))

    def when(self, start: datetime.date, end: datetime.date) -> datetime.date:
        """A day between two reference dates, moved into the demo's calendar."""
        return self.cal.at(self.day(start, end))

    def at(self, year: int, month: int, day: int) -> datetime.date:
        return self.cal.at(datetime.date(year, month, day))

    def name(self, female: bool) -> str:
        chars = GIVEN_FEMALE if female else GIVEN_MALE
        while True:
            given = self.rng.choice(chars)
            if self.rng.random() < 0.7:
                second = self.rng.choice(chars)
                if second == given:
                    continue
                given += second
            full = self.rng.choice(SURNAMES) + given
            if full not in self.names:
                self.names.add(full)
                return full

    def person(
        self,
        *,
        profession: str,
        employer: str,
        title: str,
        born: tuple[int, int] = (1962, 1995),
        female: bool | None = None,
    ) -> Person:
        if female is None:
            female = self.rng.random() < FEMALE_SHARE[profession]
        self.phone_counter += 1
        phone = f"{PHONE_PREFIX}{self.phone_counter:04d}"
        person = Person(
            name=self.name(female),
            gender=Person.Gender.FEMALE if female else Person.Gender.MALE,
            phone=phone,
            employer=employer,
            title=title,
            profession=profession,
        )
        birth = self.day(datetime.date(born[0], 1, 1), datetime.date(born[1], 12, 31))
        if self.rng.random() < 0.34:
            # The order code's last digit carries the gender (odd male); the counter keeps the
            # numbers unique whatever the birth dates.
            self.id_counter += 1
            order = 2 * self.id_counter + (0 if female else 1)
            first17 = f"{ID_REGION_PREFIX}{birth:%Y%m%d}{order:03d}"
            person.id_number = first17 + resident_id_check_char(first17)
            person.birth_date = birth
        self.plan.people[phone] = person
        return person

    def leader(self, person: Person, kind: str, institution: str) -> Person:
        started = self.when(datetime.date(2010, 1, 1), datetime.date(2021, 6, 30))
        self.plan.leader_roles.append(LeaderSpec(person.phone, kind, institution, started))
        self.leader_kind[person.phone] = kind
        return person

    def credit_code(self, prefix: str, *, valid: bool = True) -> str:
        body = prefix + "MJ" + "".join(self.rng.choice("0123456789") for _ in range(7))
        check = credit_code_check_char(body)
        if not valid:
            check = USCC_ALPHABET[(USCC_ALPHABET.index(check) + 1) % len(USCC_ALPHABET)]
        return body + check

    def org(self, spec: OrgSpec) -> OrgSpec:
        self.plan.organizations[spec.code] = spec
        return spec

    def seat(
        self,
        org: str,
        person: Person,
        position: str,
        start: datetime.date,
        end: datetime.date | None,
        notes: str = "",
        *,
        joined: datetime.date | None = None,
    ) -> None:
        self.plan.seats.append(SeatSpec(org, person.phone, position, start, end, notes))
        # A seat holder belongs to the association (as seat_create records it).
        self.plan.join(person, org, joined or start)

    def team(self, spec: TeamSpec, leader: Person, volunteers: Iterable[Person]) -> None:
        self.plan.teams.append(spec)
        self.plan.team_members[(spec.org, spec.name, leader.phone)] = spec.founded_on
        for person in volunteers:
            if person.phone != leader.phone:
                joined = self.day(spec.founded_on, spec.founded_on + datetime.timedelta(days=400))
                joined = min(joined, self.today)
                self.plan.team_members[(spec.org, spec.name, person.phone)] = joined

    def sample(self, pool: Sequence[Person], count: int) -> list[Person]:
        return self.rng.sample(list(pool), min(count, len(pool)))

    # -- the plan

    def build(self) -> DemoPlan:
        self.district_level()
        for region in self.towns:
            self.town(region)
        self.society_memberships()
        self.district_teams()
        self.logins()
        return self.plan

    def district_level(self) -> None:
        district = self.district.name
        self.org(
            OrgSpec(
                code=DISTRICT_CODE,
                name="鄞州区科协",
                kind=Kind.DISTRICT_ASSOCIATION,
                region=district,
                founded_on=self.at(1979, 6, 1),
                credit_code=self.credit_code("13330212"),
                address="宁波市鄞州区",
                description="鄞州区科协，“三长带三会”工作的牵头单位，下设科普科。",
            )
        )
        for index, (code, name, employer, title, profession) in enumerate(SOCIETIES):
            secretary = self.person(profession=profession, employer=employer, title=title, born=(1965, 1985))
            valid = CREDIT_CODES.get(code)
            self.org(
                OrgSpec(
                    code=code,
                    name=name,
                    kind=Kind.DISTRICT_SOCIETY,
                    region=district,
                    parent=DISTRICT_CODE,
                    founded_on=self.when(datetime.date(1985, 1, 1), datetime.date(2015, 12, 31)),
                    credit_code="" if valid is None else self.credit_code("51330212", valid=valid),
                    contact_name=secretary.name,
                    contact_phone=secretary.phone,
                    description="示例数据：区级学（协）会的真实名称和信息待区科协录入后替换。",
                    is_demo=True,
                )
            )
            self.plan.join(secretary, code, self.at(2012 + index % 8, 3, 1))
            self.society_members.setdefault(code, []).append(secretary)
            self.contacts[code] = secretary
        # Experts of district institutions, seconded to town associations as vice chairs.
        expert_sources = (
            ("鄞州区人民医院", "副主任医师", Profession.MEDICAL, "DS-MEDICAL"),
            ("鄞州区农业技术推广中心", "高级农艺师", Profession.AGRITECH, "DS-AGRONOMY"),
            ("鄞州区教育局教研室", "科学教研员", Profession.TEACHER, "DS-EDUCATION"),
            ("鄞州区第二医院", "主任医师", Profession.MEDICAL, "DS-NURSING"),
        )
        for index in range(12):
            employer, title, profession, society = expert_sources[index % len(expert_sources)]
            expert = self.person(profession=profession, employer=employer, title=title, born=(1968, 1986))
            self.seconded.append(expert)
            self.plan.join(expert, society, self.at(2016, 5, 1))
            self.society_members[society].append(expert)

        self.lecturer_group()
        self.venues()

    def lecturer_group(self) -> None:
        code = "LG-YZ"
        head = self.person(
            profession=Profession.LECTURER,
            employer="鄞州区人民医院",
            title="主任医师（退休）",
            born=(1960, 1964),
        )
        self.leader(head, LK.LECTURER_GROUP_HEAD, "鄞州区科普讲师团")
        self.org(
            OrgSpec(
                code=code,
                name="鄞州区科普讲师团",
                kind=Kind.LECTURER_GROUP,
                region=self.district.name,
                parent=DISTRICT_CODE,
                founded_on=self.at(2009, 9, 1),
                contact_name=head.name,
                contact_phone=head.phone,
                description="由医疗、农业、教育、气象等领域专家组成，承担“科普惠民行动”宣讲。",
            )
        )
        employers = (
            ("鄞州区疾病预防控制中心", "副主任医师"),
            ("鄞州区气象局", "高级工程师"),
            ("鄞州区教育局教研室", "中学高级教师（退休）"),
            ("鄞州区农业技术推广中心", "推广研究员"),
            ("鄞州区人民医院", "主管护师"),
            ("鄞州区应急管理局", "工程师"),
            ("鄞州区中医院", "主任中医师"),
            ("宁波市科技馆", "科普辅导员"),
        )
        lecturers = [head]
        for employer, title in employers:
            lecturer = self.person(
                profession=Profession.LECTURER, employer=employer, title=title, born=(1960, 1985)
            )
            lecturers.append(lecturer)
        for lecturer in lecturers:
            self.plan.join(lecturer, code, self.when(datetime.date(2010, 1, 1), datetime.date(2021, 12, 31)))
        self.team(
            TeamSpec(
                code,
                "鄞州区科普讲师团志愿服务队",
                head.phone,
                self.at(2016, 3, 1),
                "科普宣讲、专家报告会",
            ),
            head,
            lecturers,
        )

    def venues(self) -> None:
        """Two popularisation venues, an enterprise park and a college, with their staff."""
        # (code, name, kind, town, leader kind, staff titles, profession, description)
        venues = (
            (
                "PB-MUSEUM",
                "示例青少年科技馆",
                Kind.POPULARIZATION_BASE,
                "中河街道",
                LK.MUSEUM_DIRECTOR,
                ("科普辅导员", "讲解员", "展教部主任"),
                Profession.VENUE_STAFF,
                "区级科普教育基地，面向中小学生开展场馆科普和校园科技节活动。",
            ),
            (
                "PB-AGRI-BASE",
                "示例现代农业科普教育基地",
                Kind.POPULARIZATION_BASE,
                "姜山镇",
                LK.BASE_LEADER,
                ("基地讲解员", "农艺师"),
                Profession.VENUE_STAFF,
                "依托现代农业园区建设的科普教育基地，开展农业科普研学。",
            ),
            (
                "EA-DEMO-PARK",
                "示例高新科创园区科协",
                Kind.ENTERPRISE_ASSOCIATION,
                "梅墟街道",
                "",
                ("园区科协秘书长", "高级工程师", "工程师", "研发主管", "工程师"),
                Profession.OTHER,
                "园区内科技型企业联合组建的企业（园区）科协。",
            ),
            (
                "UA-DEMO",
                "示例职业技术学院科协",
                Kind.UNIVERSITY_ASSOCIATION,
                "聚贤街道",
                "",
                ("科研处副处长", "副教授", "讲师", "副教授"),
                Profession.OTHER,
                "高校科协，组织师生参与社区科普和青少年科技教育。",
            ),
        )
        for code, name, kind, town, leader_kind, titles, profession, description in venues:
            staff: list[Person] = []
            if leader_kind:
                title = "馆长" if leader_kind == LK.MUSEUM_DIRECTOR else "基地负责人"
                head = self.person(profession=profession, employer=name, title=title, born=(1966, 1982))
                self.leader(head, leader_kind, name)
                self.extra_leaders.setdefault(town, []).append(head)
                staff.append(head)
            for title in titles:
                staff.append(self.person(profession=profession, employer=name, title=title))
            founded = self.when(datetime.date(2008, 1, 1), datetime.date(2019, 12, 31))
            self.org(
                OrgSpec(
                    code=code,
                    name=name,
                    kind=kind,
                    region=town,
                    parent=DISTRICT_CODE,
                    founded_on=founded,
                    contact_name=staff[0].name,
                    contact_phone=staff[0].phone,
                    address=f"宁波市鄞州区{town}",
                    description=description,
                    is_demo=True,
                )
            )
            for person in staff:
                self.plan.join(person, code, self.day(founded, self.at(2022, 9, 30)))
            self.town_extras.setdefault(town, []).extend(staff)
            self.contacts[code] = staff[0]

    def town(self, region: RegionInfo) -> None:
        profile = PROFILES.get(region.name, DEFAULT_PROFILE)
        pilot = region.name in PILOT_TOWNS
        units = Units.of(region)
        code = f"TA-{region.code}"
        rng = self.rng

        chair = self.person(
            profession=Profession.OTHER,
            employer=units.government,
            title="党委委员、副镇长" if region.is_town else "党工委委员、办事处副主任",
            born=(1970, 1986),
        )
        secretary = self.person(
            profession=Profession.OTHER,
            employer=units.government,
            title="社会事业办副主任" if rng.random() < 0.5 else "宣传文化办科员",
            born=(1980, 1995),
        )
        leaders: dict[str, list[Person]] = {}
        for letter in profile.leaders:
            if letter == "H":
                title = "院长" if region.is_town else "主任"
                person = self.person(
                    profession=Profession.MEDICAL, employer=units.hospital, title=title, born=(1966, 1982)
                )
                self.leader(person, LK.HOSPITAL_DIRECTOR, units.hospital)
                leaders.setdefault("H", []).append(person)
            elif letter == "S":
                school = units.primary_school if "S" not in leaders else units.middle_school
                person = self.person(
                    profession=Profession.TEACHER, employer=school, title="校长", born=(1966, 1982)
                )
                self.leader(person, LK.SCHOOL_PRINCIPAL, school)
                leaders.setdefault("S", []).append(person)
            elif letter == "A":
                title = "站长" if region.is_town else "主任"
                person = self.person(
                    profession=Profession.AGRITECH,
                    employer=units.agri_station,
                    title=title,
                    born=(1966, 1982),
                )
                self.leader(person, LK.AGRITECH_STATION_HEAD, units.agri_station)
                leaders.setdefault("A", []).append(person)
        grassroots = [(CATEGORY_LETTERS[letter.upper()], letter.isupper()) for letter in profile.grassroots]

        # Everyone else: enough people of each grassroots category's professions first.
        others: list[Person] = []
        remaining = profile.people - 2 - len(profile.leaders)
        quotas: list[str] = []
        for category, _active in grassroots:
            quotas += [CATEGORY_PROFESSIONS[category][0]] * 4
        rural = region.is_town or "A" in profile.leaders
        weights = {
            Profession.MEDICAL: 3,
            Profession.TEACHER: 3,
            Profession.AGRITECH: 3 if rural else 0,
            Profession.OTHER: 2 if rural else 3,
            Profession.LECTURER: 1,
        }
        while len(quotas) < remaining:
            quotas.append(rng.choices(list(weights), weights=list(weights.values()))[0])
        for profession in quotas[: max(remaining, 0)]:
            others.append(self.town_person(region, units, profession))
        former_chair: Person | None = None
        if profile.history:
            former_chair = self.person(
                profession=Profession.OTHER, employer=units.government, title="四级调研员", born=(1962, 1972)
            )
            others.append(former_chair)
        extras = self.town_extras.get(region.name, [])
        people = [chair, secretary, *(p for group in leaders.values() for p in group), *others, *extras]
        self.town_people[region.name] = people

        # Elections fall before the full-coverage stage, so that they have taken place by the
        # seeding day (which lies in that stage).
        elected = (
            self.at(2021, 12, 28)
            if region.name in TERM_ENDING_SOON_DAYS
            else self.when(datetime.date(2022, 3, 1), datetime.date(2022, 9, 30))
        )
        term_start = elected
        if region.name in TERM_ENDING_SOON_DAYS:
            term_end = self.today + datetime.timedelta(days=TERM_ENDING_SOON_DAYS[region.name])
        else:
            term_end = _term_end(term_start)
        founded = self.when(datetime.date(1988, 1, 1), datetime.date(2015, 12, 31))
        self.org(
            OrgSpec(
                code=code,
                name=f"{region.name}科协",
                kind=Kind.TOWN_ASSOCIATION,
                region=region.name,
                parent=DISTRICT_CODE,
                founded_on=founded,
                contact_name=secretary.name,
                contact_phone=secretary.phone,
                address=f"宁波市鄞州区{units.government}",
                description=("“三长带三会”试点单位。" if pilot else ""),
            )
        )
        for person in people:
            self.plan.join(person, code, self.day(max(founded, self.at(2012, 1, 1)), elected))

        # Leadership of the current term.
        seated = [
            p
            for group in (*leaders.values(), self.extra_leaders.get(region.name, []))
            for p in group
            if pilot or rng.random() < profile.seated
        ]
        vice = [
            p for p in seated if self.leader_kind[p.phone] in (LK.HOSPITAL_DIRECTOR, LK.SCHOOL_PRINCIPAL)
        ][:3]
        standing_leaders = [p for p in seated if p not in vice]
        pool = list(others)
        rng.shuffle(pool)
        while len(vice) < 2 and pool:
            vice.append(pool.pop())
        standing = standing_leaders + [pool.pop() for _ in range(min(rng.randint(2, 3), len(pool)))]
        members = [pool.pop() for _ in range(min(rng.randint(3, 8), len(pool)))]
        for position, holders in (
            (Position.CHAIR, [chair]),
            (Position.VICE_CHAIR_PARTTIME, vice),
            (Position.STANDING_MEMBER, standing),
            (Position.MEMBER, members),
            (Position.SECRETARY_GENERAL, [secretary]),
        ):
            for person in holders:
                self.seat(code, person, position, term_start, term_end, joined=elected)

        # Seconded vice chairs: two-year postings from district institutions.
        if (pilot or profile.seated >= 0.7) and len(self.seconded) >= 2:
            posting_start = self.at(2022, 3, 1)
            earlier = self.seconded.pop()
            self.seat(
                code,
                earlier,
                Position.VICE_CHAIR_SECONDED,
                _years_later(posting_start, -3),
                posting_start - datetime.timedelta(days=60),
                notes="挂职两年，已期满",
            )
            current = self.seconded.pop()
            days = SECONDMENT_ENDING_SOON_DAYS.get(region.name)
            posting_end = self.today + datetime.timedelta(days=days) if days else _term_end(posting_start, 2)
            self.seat(code, current, Position.VICE_CHAIR_SECONDED, posting_start, posting_end, "挂职")

        if former_chair is not None:
            previous_start = _years_later(term_start, -5)
            previous_end = term_start - datetime.timedelta(days=1)
            previous = [former_chair, secretary]
            self.seat(code, former_chair, Position.CHAIR, previous_start, previous_end)
            self.seat(code, secretary, Position.SECRETARY_GENERAL, previous_start, previous_end)
            earlier_vice = [p for p in vice if p in seated][:1] or vice[:1]
            for person in earlier_vice:
                self.seat(code, person, Position.VICE_CHAIR_PARTTIME, previous_start, previous_end)
            for person in self.sample([p for p in others if p not in previous], rng.randint(3, 5)):
                self.seat(code, person, Position.MEMBER, previous_start, previous_end)

        for category, active in grassroots:
            self.grassroots(region, units, code, category, active, people, profile, pilot)

        team_leader = secretary
        volunteers = self.sample([p for p in people if p is not team_leader], rng.randint(6, 20))
        self.team(
            TeamSpec(
                code,
                f"{region.name}科技志愿服务队",
                team_leader.phone,
                self.when(datetime.date(2018, 1, 1), datetime.date(2021, 12, 31)),
                "科普宣传、科技咨询、新时代文明实践",
                status=VolunteerTeam.Status.INACTIVE
                if region.name == "塘溪镇"
                else VolunteerTeam.Status.ACTIVE,
            ),
            team_leader,
            volunteers,
        )

    def town_person(self, region: RegionInfo, units: Units, profession: str) -> Person:
        rng = self.rng
        title = rng.choice(TITLES[profession])
        if profession == Profession.MEDICAL:
            employer = units.hospital
        elif profession == Profession.TEACHER:
            employer = rng.choice((units.primary_school, units.middle_school))
        elif profession == Profession.AGRITECH:
            employer = units.agri_station
        elif profession == Profession.LECTURER:
            return self.person(profession=profession, employer=units.practice, title=title, born=(1960, 1975))
        elif rng.random() < 0.25:
            employer, title = units.culture, "文化员"
        else:
            employer = f"宁波{rng.choice(ENTERPRISE_WORDS)}{rng.choice(ENTERPRISE_KINDS)}有限公司"
        return self.person(profession=profession, employer=employer, title=title)

    def grassroots(
        self,
        region: RegionInfo,
        units: Units,
        parent: str,
        category: str,
        active: bool,
        people: list[Person],
        profile: TownProfile,
        pilot: bool,
    ) -> None:
        rng = self.rng
        code = f"GA-{region.code}-{category[0].upper()}"
        key = (region.name, category)
        matching = [p for p in people if p.profession in CATEGORY_PROFESSIONS[category]]
        leader_kind = CATEGORY_LEADER[category]
        leader = next((p for p in matching if self.leader_kind.get(p.phone) == leader_kind), None)
        if leader is not None and not (pilot or rng.random() < profile.seated):
            leader = None
        ordinary = [p for p in matching if p.phone not in self.leader_kind]
        rng.shuffle(ordinary)
        served = SERVED_REGIONS.get(key, ())
        partners = PARTNERS.get(key, ())
        base = {
            Category.PRODUCTION: units.agri_station,
            Category.ECOLOGY: f"{units.primary_school}、{units.middle_school}",
            Category.LIFE_HEALTH: units.hospital,
        }[category]
        description = f"依托{base}{CATEGORY_DESCRIPTION[category]}"
        if served:
            description += f"服务范围延伸至{'、'.join(served)}。"
        chair = leader or (ordinary.pop() if ordinary else None)
        # The pilots' associations are founded in stage 3a, the others in stage 3b: before the
        # seeding day, which lies in stage 3c.
        founded = (
            self.when(datetime.date(2022, 3, 1), datetime.date(2022, 6, 30))
            if pilot
            else self.when(datetime.date(2022, 7, 1), datetime.date(2022, 9, 30))
        )
        secretary = ordinary.pop() if ordinary else chair
        credit = ""
        if region.name == "姜山镇" and category == Category.LIFE_HEALTH:
            credit = self.credit_code("51330212")
        self.org(
            OrgSpec(
                code=code,
                name=f"{region.name}{CATEGORY_SUFFIX[category]}",
                kind=Kind.GRASSROOTS_ASSOCIATION,
                category=category,
                region=region.name,
                parent=parent,
                status=Status.ACTIVE if active else Status.PREPARING,
                founded_on=founded if active else None,
                credit_code=credit,
                contact_name=secretary.name if secretary else "",
                contact_phone=secretary.phone if secretary else "",
                address=f"宁波市鄞州区{base.split('、')[0]}",
                description=description if active else "筹备中。" + description,
                is_demo=True,
                served_regions=served,
                partners=partners,
            )
        )
        if not active or chair is None:
            if secretary is not None:
                self.plan.join(secretary, code, self.at(2022, 9, 1))
            return
        start = founded
        end = _term_end(start)
        self.seat(code, chair, Position.CHAIR, start, end, joined=founded)
        vice: list[Person] = []
        for partner in partners:
            # The co-founding organisation sends its contact person as a part-time vice chair.
            vice.append(self.contacts[partner])
        if ordinary:
            vice.append(ordinary.pop())
        for person in vice:
            self.seat(code, person, Position.VICE_CHAIR_PARTTIME, start, end, joined=founded)
        if secretary is not chair:
            self.seat(code, secretary, Position.SECRETARY_GENERAL, start, end, joined=founded)
        for person in [ordinary.pop() for _ in range(min(rng.randint(2, 5), len(ordinary)))]:
            self.seat(code, person, Position.MEMBER, start, end, joined=founded)
        for person in matching:
            if rng.random() < 0.8:
                joined = self.day(founded, founded + datetime.timedelta(days=365))
                self.plan.join(person, code, min(joined, self.today))

        if pilot or rng.random() < 0.5:
            suffix, area = CATEGORY_TEAM[category]
            members = [
                p for p in matching if (p.phone, code) in self.plan.memberships and p.phone != chair.phone
            ]
            if len(members) < 4:
                members += [p for p in people if p not in members and p is not chair]
            team_founded = min(founded + datetime.timedelta(days=rng.randint(30, 120)), self.today)
            self.team(
                TeamSpec(code, f"{region.name}{suffix}", chair.phone, team_founded, area),
                chair,
                self.sample(members, rng.randint(5, 14)),
            )

    def society_memberships(self) -> None:
        for region in self.towns:
            for person in self.town_people[region.name]:
                choices = SOCIETIES_BY_PROFESSION.get(person.profession)
                if choices and self.rng.random() < 0.3:
                    society = self.rng.choice(choices)
                    self.society_members[society].append(person)
                    joined = self.when(datetime.date(2012, 1, 1), datetime.date(2022, 9, 30))
                    self.plan.join(person, society, joined)

    def district_teams(self) -> None:
        for code, (suffix, area) in SOCIETY_TEAMS.items():
            members = self.society_members[code]
            if len(members) < 6:
                society_profession = next(s[4] for s in SOCIETIES if s[0] == code)
                pool = [
                    p
                    for p in self.plan.people.values()
                    if p.profession in (society_profession, Profession.LECTURER) and p not in members
                ]
                for person in self.sample(pool, 8 - len(members)):
                    members.append(person)
                    self.plan.join(person, code, self.at(2021, 5, 1))
            leader = members[0]
            name = next(s[1] for s in SOCIETIES if s[0] == code)
            founded = self.when(datetime.date(2017, 1, 1), datetime.date(2021, 12, 31))
            self.team(
                TeamSpec(code, f"{name}{suffix}", leader.phone, founded, area),
                leader,
                self.sample(members[1:], self.rng.randint(5, 18)),
            )
        museum = self.plan.organizations["PB-MUSEUM"]
        staff = [p for p in self.town_extras["中河街道"] if p.employer == museum.name]
        teachers = [p for p in self.town_people["中河街道"] if p.profession == Profession.TEACHER]
        self.team(
            TeamSpec(
                museum.code,
                "示例青少年科技馆科普志愿服务队",
                staff[0].phone,
                self.at(2019, 5, 18),
                "场馆讲解、科学实验秀",
            ),
            staff[0],
            staff[1:] + self.sample(teachers, 4),
        )

    def logins(self) -> None:
        jiangshan = next(r for r in self.towns if r.name == "姜山镇")
        wuxiang = next(r for r in self.towns if r.name == "五乡镇")
        director = next(
            spec.phone
            for spec in self.plan.leader_roles
            if spec.kind == LK.HOSPITAL_DIRECTOR and spec.institution == Units.of(jiangshan).hospital
        )
        self.plan.logins = [
            LoginSpec("district", "区科协科普科", RoleAssignment.Role.DISTRICT_STAFF, is_staff=True),
            LoginSpec("jiangshan", "姜山镇科协", RoleAssignment.Role.ORG_ADMIN, org=f"TA-{jiangshan.code}"),
            LoginSpec("wuxiang", "五乡镇科协", RoleAssignment.Role.ORG_ADMIN, org=f"TA-{wuxiang.code}"),
            LoginSpec("leader", self.plan.people[director].name, RoleAssignment.Role.LEADER, person=director),
            LoginSpec("supervisor", "专项指导组办公室", RoleAssignment.Role.SUPERVISOR),
        ]


# --------------------------------------------------------------------------- writing


def _sync(
    model: type[models.Model],
    *,
    existing: models.QuerySet,
    rows: Sequence[models.Model],
    key: tuple[str, ...],
    fields: tuple[str, ...],
) -> int:
    """Create the rows missing by natural key and update those that differ; return how many were
    created. Bulk writes keep a full run to a few dozen queries."""

    def key_of(obj: models.Model) -> tuple:
        return tuple(getattr(obj, name) for name in key)

    # Without the models' default ordering, which would join the related tables for nothing.
    current = {key_of(obj): obj for obj in existing.order_by()}
    missing: list[models.Model] = []
    changed: list[models.Model] = []
    for row in rows:
        found = current.get(key_of(row))
        if found is None:
            missing.append(row)
        elif any(getattr(found, name) != getattr(row, name) for name in fields):
            for name in fields:
                setattr(found, name, getattr(row, name))
            changed.append(found)
    model._default_manager.bulk_create(missing, batch_size=500)
    if changed:
        model._default_manager.bulk_update(changed, fields, batch_size=500)
    return len(missing)


def _sync_seats(existing: models.QuerySet, rows: Sequence[Seat]) -> int:
    """Like ``_sync`` for seats, keyed by (organisation, person, position) and the rank of the
    term among that person's terms in that position: the terms' dates follow the seeding day,
    so a run in a later quarter moves the seats it finds instead of adding a second set."""

    def key_of(seat: Seat) -> tuple:
        return (seat.organization_id, seat.person_id, seat.position)

    current: dict[tuple, list[Seat]] = {}
    for seat in existing.order_by("term_start", "pk"):
        current.setdefault(key_of(seat), []).append(seat)
    wanted: dict[tuple, list[Seat]] = {}
    for seat in sorted(rows, key=lambda row: row.term_start):
        wanted.setdefault(key_of(seat), []).append(seat)
    missing: list[Seat] = []
    earlier: list[Seat] = []
    later: list[Seat] = []
    for key, seats in wanted.items():
        found = current.get(key, [])
        for rank, seat in enumerate(seats):
            if rank >= len(found):
                missing.append(seat)
                continue
            old = found[rank]
            if (old.term_start, old.term_end, old.notes) != (seat.term_start, seat.term_end, seat.notes):
                (later if seat.term_start > old.term_start else earlier).append(old)
                old.term_start, old.term_end, old.notes = seat.term_start, seat.term_end, seat.notes
    # Terms moving earlier are saved earliest first, terms moving later latest first, so that no
    # term takes the start another of the same person and position still holds.
    ordered = sorted(earlier, key=lambda s: s.term_start) + sorted(later, key=lambda s: s.term_start)[::-1]
    for seat in ordered:
        seat.save(update_fields=["term_start", "term_end", "notes"])
    Seat.objects.bulk_create(missing, batch_size=500)
    return len(missing)


ORG_FIELDS = (
    "name",
    "kind",
    "category",
    "home_region",
    "parent",
    "status",
    "founded_on",
    "credit_code",
    "contact_name",
    "contact_phone",
    "address",
    "description",
    "is_demo",
)


def _org_values(spec: OrgSpec, home_region: Region | None, parent: Organization | None) -> dict:
    return {
        "name": spec.name,
        "kind": spec.kind,
        "category": spec.category,
        "home_region": home_region,
        "parent": parent,
        "status": spec.status,
        "founded_on": spec.founded_on,
        "credit_code": spec.credit_code,
        "contact_name": spec.contact_name,
        "contact_phone": spec.contact_phone,
        "address": spec.address,
        "description": spec.description,
        "is_demo": spec.is_demo,
    }


def _write_organizations(plan: DemoPlan, regions: dict[str, Region]) -> tuple[dict[str, Organization], int]:
    orgs: dict[str, Organization] = {}
    created = 0
    # Parents are planned before their children, so each parent is saved when it is needed.
    for spec in plan.organizations.values():
        values = _org_values(spec, regions[spec.region], orgs[spec.parent] if spec.parent else None)
        org = Organization.objects.filter(code=spec.code).first()
        if org is None and spec.kind == Kind.TOWN_ASSOCIATION:
            # A town may have been given its association before the demo ran; only one may be open.
            org = (
                Organization.objects.filter(kind=spec.kind, home_region=values["home_region"])
                .exclude(status=Status.DISSOLVED)
                .first()
            )
        if org is None:
            org = Organization.objects.create(code=spec.code, **values)
            created += 1
        elif any(getattr(org, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(org, name, value)
            org.save()
        orgs[spec.code] = org
    for spec in plan.organizations.values():
        # add() rather than set(): partners are symmetrical, and staff may have added more.
        if spec.served_regions:
            orgs[spec.code].served_regions.add(*(regions[name] for name in spec.served_regions))
        if spec.partners:
            orgs[spec.code].partners.add(*(orgs[code] for code in spec.partners))
    return orgs, created


@dataclass
class _Rows:
    leader_roles: list[LeaderRole]
    seats: list[Seat]
    memberships: list[Membership]
    teams: list[VolunteerTeam]


def _rows(plan: DemoPlan, org_ids: dict, person_ids: dict) -> _Rows:
    """The rows of the plan that refer to organisations and people, given their keys."""
    return _Rows(
        leader_roles=[
            LeaderRole(
                person_id=person_ids[spec.phone],
                kind=spec.kind,
                institution=spec.institution,
                started_on=spec.started_on,
            )
            for spec in plan.leader_roles
        ],
        seats=[
            Seat(
                organization_id=org_ids[spec.org],
                person_id=person_ids[spec.phone],
                position=spec.position,
                term_start=spec.term_start,
                term_end=spec.term_end,
                notes=spec.notes,
            )
            for spec in plan.seats
        ],
        memberships=[
            Membership(person_id=person_ids[phone], organization_id=org_ids[org], joined_on=joined)
            for (phone, org), joined in plan.memberships.items()
        ],
        teams=[
            VolunteerTeam(
                organization_id=org_ids[spec.org],
                name=spec.name,
                leader_id=person_ids[spec.leader],
                founded_on=spec.founded_on,
                service_area=spec.service_area,
                status=spec.status,
            )
            for spec in plan.teams
        ],
    )


def _team_member_rows(
    plan: DemoPlan, org_ids: dict, person_ids: dict, team_ids: dict
) -> list[TeamMembership]:
    return [
        TeamMembership(team_id=team_ids[(org_ids[org], name)], person_id=person_ids[phone], joined_on=joined)
        for (org, name, phone), joined in plan.team_members.items()
    ]


def planned_rows(plan: DemoPlan) -> list[models.Model]:
    """The rows ``_write`` would write for ``plan``, unsaved and without touching the database.

    Rows refer to one another by natural key in place of a primary key: organisations by code,
    regions by name, people by phone, teams by (organisation code, name)."""
    org_ids = {code: code for code in plan.organizations}
    person_ids = {phone: phone for phone in plan.people}
    organizations = []
    for spec in plan.organizations.values():
        org = Organization(code=spec.code, **_org_values(spec, None, None))
        org.home_region_id, org.parent_id = spec.region, spec.parent
        organizations.append(org)
    rows = _rows(plan, org_ids, person_ids)
    team_ids = {(team.organization_id, team.name): (team.organization_id, team.name) for team in rows.teams}
    return [
        *organizations,
        *plan.people.values(),
        *rows.leader_roles,
        *rows.seats,
        *rows.memberships,
        *rows.teams,
        *_team_member_rows(plan, org_ids, person_ids, team_ids),
    ]


def _write(plan: DemoPlan, regions: dict[str, Region], password: str) -> dict[str, int]:
    created: dict[str, int] = {}
    orgs, created["organizations"] = _write_organizations(plan, regions)
    org_ids = {code: org.pk for code, org in orgs.items()}

    # Phones are stored encrypted: the demo's people are found by the phones' keyed hashes.
    phone_hashes = [lookup_hash(phone) for phone in plan.people]
    created["people"] = _sync(
        Person,
        existing=Person.objects.filter(phone_hash__in=phone_hashes),
        rows=list(plan.people.values()),
        key=("phone",),
        fields=(
            "name",
            "gender",
            "id_number",
            "id_number_hash",
            "birth_date",
            "employer",
            "title",
            "profession",
        ),
    )
    person_ids = dict(Person.objects.filter(phone_hash__in=phone_hashes).values_list("phone", "pk"))

    rows = _rows(plan, org_ids, person_ids)
    created["leader_roles"] = _sync(
        LeaderRole,
        existing=LeaderRole.objects.filter(person_id__in=person_ids.values(), ended_on__isnull=True),
        rows=rows.leader_roles,
        key=("person_id", "kind"),
        fields=("institution", "started_on"),
    )
    created["seats"] = _sync_seats(Seat.objects.filter(organization_id__in=org_ids.values()), rows.seats)
    created["memberships"] = _sync(
        Membership,
        existing=Membership.objects.filter(organization_id__in=org_ids.values(), left_on__isnull=True),
        rows=rows.memberships,
        key=("person_id", "organization_id"),
        fields=("joined_on",),
    )
    created["teams"] = _sync(
        VolunteerTeam,
        existing=VolunteerTeam.objects.filter(organization_id__in=org_ids.values()),
        rows=rows.teams,
        key=("organization_id", "name"),
        fields=("leader_id", "founded_on", "service_area", "status"),
    )
    team_ids = {
        (org_id, name): pk
        for pk, org_id, name in VolunteerTeam.objects.filter(
            organization_id__in=org_ids.values()
        ).values_list("pk", "organization_id", "name")
    }
    created["team_memberships"] = _sync(
        TeamMembership,
        existing=TeamMembership.objects.filter(team_id__in=team_ids.values(), left_on__isnull=True),
        rows=_team_member_rows(plan, org_ids, person_ids, team_ids),
        key=("team_id", "person_id"),
        fields=("joined_on",),
    )

    created["users"] = 0
    user_model = get_user_model()
    # One hash for all five: they share a password that the command prints anyway, and each
    # hash costs a noticeable fraction of a second.
    hashed = make_password(password)
    for login in plan.logins:
        user, was_created = user_model._default_manager.get_or_create(username=login.username)
        created["users"] += was_created
        user.first_name = login.first_name
        # Reserved example domain: reminder mails of the demo go nowhere real (the console in
        # development), but there is an address to send them to.
        user.email = f"{login.username}@example.org"
        user.is_staff = login.is_staff
        user.is_superuser = False
        user.is_active = True
        # Reset on every run, so that a changed DEMO_PASSWORD takes effect.
        user.password = hashed
        user.save()
        # The documented demo password counts as chosen by its user: never a forced change.
        PasswordState.objects.filter(user=user).update(must_change=False)
        role_assign(
            actor=None,
            system=True,
            user=user,
            role=login.role,
            organization=orgs[login.org] if login.org else None,
            person=Person.objects.get(pk=person_ids[login.person]) if login.person else None,
        )
    return created


def _regions() -> tuple[RegionInfo, list[RegionInfo], dict[str, Region]]:
    district = Region.objects.filter(kind=Region.Kind.DISTRICT, parent__isnull=True).order_by("pk").first()
    if district is None:
        raise DemoDataError("未找到区级区域（鄞州区），请先运行 migrate。")
    towns = list(Region.objects.towns().filter(parent=district).order_by("code", "name"))
    names = {region.name for region in towns}
    missing = [name for name in PROFILES if name not in names]
    if missing:
        raise DemoDataError(f"未找到镇（街道）：{'、'.join(missing)}，请先运行 migrate。")
    by_name = {region.name: region for region in [district, *towns]}
    return (
        RegionInfo(district.name, district.code, district.kind),
        [RegionInfo(region.name, region.code, region.kind) for region in towns],
        by_name,
    )


def plan_demo(*, today: datetime.date) -> list[models.Model]:
    """What ``build_demo`` would write on ``today``, as unsaved rows (reads, never writes)."""
    district, towns, _by_name = _regions()
    return planned_rows(_Planner(district=district, towns=towns, today=today).build())


@transaction.atomic
def build_demo(*, password: str, today: datetime.date | None = None) -> DemoSummary:
    """Create (or bring back) the demo district and its five logins, all with ``password``."""
    today = today or clock.today()
    district, towns, by_name = _regions()
    plan = _Planner(district=district, towns=towns, today=today).build()
    created = _write(plan, by_name, password)

    soon = today + datetime.timedelta(days=90)
    current = [s for s in plan.seats if s.term_start <= today and (s.term_end is None or s.term_end >= today)]
    logins = []
    for login in plan.logins:
        if login.org:
            target = plan.organizations[login.org].name
        elif login.person:
            person = plan.people[login.person]
            target = f"{person.name}（{person.employer}{person.title}）"
        else:
            target = ""
        logins.append(DemoLogin(login.username, str(RoleAssignment.Role(login.role).label), target))
    return DemoSummary(
        counts={
            "organizations": len(plan.organizations),
            "people": len(plan.people),
            "leader_roles": len(plan.leader_roles),
            "seats": len(plan.seats),
            "memberships": len(plan.memberships),
            "teams": len(plan.teams),
            "team_memberships": len(plan.team_members),
            "users": len(plan.logins),
        },
        created=created,
        current_seats=len(current),
        seats_ending_soon=sum(1 for s in current if s.term_end is not None and s.term_end <= soon),
        logins=logins,
    )
