"""The rollout of the demo district, for ``manage.py seed_demo`` (run after the organisations'
demo, whose organisations, leaders and logins it builds on).

It loads the plan as 《鄞州区深入推进“三长带三会”工作方案》 describes it: the four phases and the
three implementation stages, milestones, representative tasks with the organisations responsible
for them, the four pilots (姜山镇, 五乡镇, 云龙镇 and 下应街道), the steering group, inspections with
their rectification items, showcase items and incentives for leaders.

Dates are written in the plan's programme year 2022 and moved by the demo's calendar
(``organizations.demo_dates``), which puts today in the programme's fourth quarter (stage 3c):
the district's phases and stages get the plan's dates moved that way (``rollout.reference``
keeps the plan's own), the earlier stages are done, and what is still open of stage 3b is
overdue by weeks. What happens after today has not happened: a task or rectification item done
after it is still in progress, a milestone reached after it is not reached yet. The current
tasks of a few towns and the latest inspections with their rectification deadlines are placed
relative to today. Every row is keyed on a natural key that does not change with the day (tasks
by phase, organisation and title; inspections by organisation and findings; showcase items by
kind and title; …), so a second run creates nothing. Rows that exist keep their status, and
their dates follow the day: a task someone has moved on while exploring the demo keeps its
status and the history that explains it.

The demo is system data: rows are written directly, without the permission checks and audit
entries of ``actions.py``. Its people and places are fictional; steering-group members carry the
note "示例数据".
"""

from __future__ import annotations

import datetime
import random
import struct
import zlib
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone

from organizations.demo import DemoDataError
from organizations.demo_dates import DemoCalendar
from organizations.models import LeaderRole, Organization, Person
from sanhui import clock

from .indicators import standing
from .models import (
    Incentive,
    Inspection,
    Milestone,
    Phase,
    Pilot,
    Rectification,
    RectificationEvidence,
    RectificationUpdate,
    ShowcaseItem,
    Stage,
    SteeringMember,
    Task,
    TaskUpdate,
)
from .reference import PHASES, STAGES, load_plan

SEED = 20221231
D = datetime.date
PILOT_TOWNS = ("姜山镇", "五乡镇", "云龙镇", "下应街道")
DEMO_NOTE = "示例数据"

TaskStatus = Task.Status
RectStatus = Rectification.Status
Cat = Organization.Category


def _at(day: datetime.date, hour: int = 9, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _png(rgb: tuple[int, int, int], width: int = 96, height: int = 64) -> bytes:
    """A small solid-colour PNG: stands in for a photo of a rectified notice board."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


# --------------------------------------------------------------------------- lookups


class _World:
    """The organisations, leaders and logins of the organisations' demo, found by natural key."""

    def __init__(self, today: datetime.date) -> None:
        self.today = today
        self._categories: dict[str, set[str]] | None = None
        self.users = {
            user.username: user
            for user in get_user_model().objects.filter(
                username__in=("district", "jiangshan", "wuxiang", "leader", "supervisor")
            )
        }
        self.district = (
            Organization.objects.filter(kind=Organization.Kind.DISTRICT_ASSOCIATION).order_by("pk").first()
        )
        if self.district is None:
            raise DemoDataError("未找到区科协，请先生成组织演示数据（seed_demo）。")
        self.towns = {
            org.home_region.name: org
            for org in Organization.objects.filter(kind=Organization.Kind.TOWN_ASSOCIATION)
            .exclude(status=Organization.Status.DISSOLVED)
            .select_related("home_region")
        }
        missing = [name for name in PILOT_TOWNS if name not in self.towns]
        if missing:
            raise DemoDataError(f"未找到镇（街）科协：{'、'.join(missing)}，请先生成组织演示数据。")

    def town(self, name: str) -> Organization:
        return self.towns[name]

    def org(self, code: str) -> Organization:
        org = Organization.objects.filter(code=code).first()
        if org is None:
            raise DemoDataError(f"未找到组织 {code}，请先生成组织演示数据。")
        return org

    def grassroots(self, town: str, category: str) -> Organization:
        org = (
            Organization.objects.filter(
                kind=Organization.Kind.GRASSROOTS_ASSOCIATION, home_region__name=town, category=category
            )
            .order_by("pk")
            .first()
        )
        if org is None:
            raise DemoDataError(f"未找到{town}的{Cat(category).label}科普协会，请先生成组织演示数据。")
        return org

    def leader(self, kind: str, institution: str) -> Person:
        role = (
            LeaderRole.objects.filter(kind=kind, institution=institution, ended_on__isnull=True)
            .select_related("person")
            .order_by("pk")
            .first()
        )
        if role is None:
            raise DemoDataError(f"未找到{institution}的{LeaderRole.Kind(kind).label}，请先生成组织演示数据。")
        return role.person

    def admin_of(self, org: Organization):
        """The demo login that administers the organisation's town, for history rows."""
        if org.home_region.name == "姜山镇" and org.kind != Organization.Kind.DISTRICT_SOCIETY:
            return self.users.get("jiangshan")
        if org.home_region.name == "五乡镇" and org.kind != Organization.Kind.DISTRICT_SOCIETY:
            return self.users.get("wuxiang")
        if org.kind in (Organization.Kind.DISTRICT_ASSOCIATION,):
            return self.users.get("district")
        return None

    def covered_categories(self, town: str) -> int:
        """How many of the three categories of 三会 serve the town (home or served region)."""
        if self._categories is None:
            # Every town's at once: the plan asks for each of them.
            grassroots = Organization.objects.active().filter(kind=Organization.Kind.GRASSROOTS_ASSOCIATION)
            self._categories = {}
            for name, category in [
                *grassroots.values_list("home_region__name", "category"),
                *grassroots.filter(served_regions__isnull=False).values_list(
                    "served_regions__name", "category"
                ),
            ]:
                self._categories.setdefault(name, set()).add(category)
        return len(self._categories.get(town, ()))


# --------------------------------------------------------------------------- the plan


MILESTONES = (
    # (phase, stage, title, due, achieved, description)
    (
        1,
        None,
        "完成基层科协和区级学（协）会调研",
        D(2022, 2, 15),
        D(2022, 2, 20),
        "形成调研报告，摸清三长在领导机构中的比例。",
    ),
    (2, None, "印发《鄞州区“三长带三会”试点行动方案》", D(2022, 3, 1), D(2022, 2, 28), ""),
    (
        2,
        None,
        "召开全区学（协）会和重点镇（街）科协动员部署会",
        D(2022, 3, 10),
        D(2022, 3, 9),
        "19家区级学（协）会参加。",
    ),
    (
        3,
        "3a",
        "四个试点单位完成试点总结",
        D(2022, 6, 30),
        D(2022, 7, 12),
        "姜山镇、五乡镇、云龙镇、下应街道科协报送试点总结。",
    ),
    (3, "3b", "区级学（协）会与镇（街）合作成立变革型服务组织", D(2022, 9, 30), D(2022, 9, 28), ""),
    (
        3,
        "3c",
        "“三长（泛三长）”和“三会”服务覆盖所有镇（街）",
        D(2022, 12, 31),
        None,
        "全面覆盖阶段的目标；覆盖情况以平台统计为准。",
    ),
    (
        4,
        None,
        "鄞州区科协第十一次代表大会",
        D(2022, 12, 16),
        D(2022, 12, 16),
        "四季度召开，会上总结“三长带三会”工作。",
    ),
    (4, None, "完成“三长带三会”工作总结报告", D(2022, 12, 31), D(2023, 1, 10), ""),
)


@dataclass(frozen=True)
class TaskSpec:
    phase: int
    stage: str | None
    org: str  # "district", "town:<name>", "code:<code>", "ga:<town>:<category>"
    title: str
    due: datetime.date | int  # an int: days from today
    status: str
    done: datetime.date | int | None = None
    note: str = ""
    description: str = ""


def _pilot_tasks() -> list[TaskSpec]:
    specs: list[TaskSpec] = []
    late = {"下应街道": D(2022, 7, 12)}
    for town in PILOT_TOWNS:
        specs += [
            TaskSpec(
                3,
                "3a",
                f"town:{town}",
                "吸纳三长（泛三长）进入镇（街）科协领导机构",
                D(2022, 4, 30),
                TaskStatus.DONE,
                D(2022, 4, 26),
                "医院院长、学校校长、农技站站长已任兼职副主席或常委。",
            ),
            TaskSpec(
                3,
                "3a",
                f"town:{town}",
                "组建生产、生态、生活健康三类基层科普协会",
                D(2022, 6, 30),
                TaskStatus.DONE,
                D(2022, 6, 24),
                "三类协会均已召开成立大会，选举产生领导机构。",
            ),
            TaskSpec(
                3,
                "3a",
                f"town:{town}",
                "分析试点存在的问题，研究具体对策并报送试点总结",
                D(2022, 6, 30),
                TaskStatus.DONE,
                late.get(town, D(2022, 6, 29)),
                "试点总结已报区科协。",
            ),
        ]
    return specs


TASKS: tuple[TaskSpec, ...] = (
    TaskSpec(
        1,
        None,
        "district",
        "学习上级有关文件精神，制定调研提纲",
        D(2022, 1, 15),
        TaskStatus.DONE,
        D(2022, 1, 14),
    ),
    TaskSpec(
        1,
        None,
        "district",
        "调研基层科协的组织机构、人员队伍和工作开展情况",
        D(2022, 2, 10),
        TaskStatus.DONE,
        D(2022, 2, 8),
        "走访25个镇（街）科协，形成调研报告。",
    ),
    TaskSpec(
        1,
        None,
        "district",
        "开展区级学（协）会调研专项行动，摸清“三长（泛三长）”在领导机构中的数量比例",
        D(2022, 2, 15),
        TaskStatus.DONE,
        D(2022, 2, 20),
        "19家学（协）会全部完成填报。",
    ),
    TaskSpec(
        1,
        None,
        "code:DS-MEDICAL",
        "报送本会“三长（泛三长）”任职和作用发挥情况",
        D(2022, 2, 10),
        TaskStatus.DONE,
        D(2022, 2, 9),
    ),
    TaskSpec(
        1,
        None,
        "code:DS-AGRONOMY",
        "报送本会“三长（泛三长）”任职和作用发挥情况",
        D(2022, 2, 10),
        TaskStatus.DONE,
        D(2022, 2, 14),
    ),
    TaskSpec(
        2,
        None,
        "district",
        "制定《鄞州区“三长带三会”试点行动方案》",
        D(2022, 3, 1),
        TaskStatus.DONE,
        D(2022, 2, 28),
    ),
    TaskSpec(
        2,
        None,
        "district",
        "召集19家学（协）会和重点镇（街）科协解读“三长带三会”文件精神",
        D(2022, 3, 10),
        TaskStatus.DONE,
        D(2022, 3, 9),
    ),
    TaskSpec(
        2,
        None,
        "district",
        "升级出台《鄞州区深入推进“三长带三会”工作方案》，在全区科协组织动员部署",
        D(2022, 3, 14),
        TaskStatus.DONE,
        D(2022, 3, 14),
    ),
    TaskSpec(
        3,
        "3b",
        "code:DS-MEDICAL",
        "与镇（街）科协合作成立细分行业的健康科普服务组织",
        D(2022, 9, 30),
        TaskStatus.DONE,
        D(2022, 9, 20),
        "与姜山镇科协共建健康科普协会。",
    ),
    TaskSpec(
        3,
        "3b",
        "code:DS-AGRONOMY",
        "组建农技专家志愿服务队，对接试点镇农技服务科普协会",
        D(2022, 9, 30),
        TaskStatus.DONE,
        D(2022, 9, 26),
    ),
    TaskSpec(
        3,
        "3b",
        "code:DS-YOUTH-STE",
        "联合五乡镇科协开展校园科技节",
        D(2022, 9, 15),
        TaskStatus.DONE,
        D(2022, 9, 10),
    ),
    TaskSpec(
        3,
        "3b",
        "code:DS-NURSING",
        "与下应街道共建社区健康科普驿站",
        D(2022, 9, 30),
        TaskStatus.IN_PROGRESS,
        None,
        "选址已确定，设备采购中。",
    ),
    TaskSpec(
        3,
        "3b",
        "town:姜山镇",
        "梳理总结试点好经验好做法，形成典型案例",
        D(2022, 9, 30),
        TaskStatus.DONE,
        D(2022, 9, 29),
    ),
    TaskSpec(
        3,
        "3b",
        "town:云龙镇",
        "梳理总结试点好经验好做法，形成典型案例",
        D(2022, 9, 30),
        TaskStatus.DONE,
        D(2022, 10, 8),
    ),
    TaskSpec(
        3,
        "3b",
        "town:横溪镇",
        "对照试点经验组建生产服务类科普协会",
        D(2022, 9, 30),
        TaskStatus.DONE,
        D(2022, 9, 21),
    ),
    TaskSpec(
        3,
        "3c",
        "district",
        "建立“三长带三会”工作联系和督查制度",
        D(2022, 11, 30),
        TaskStatus.DONE,
        D(2022, 11, 18),
    ),
    TaskSpec(
        3,
        "3c",
        "code:EA-DEMO-PARK",
        "依托园区科协成立企业科技服务联盟",
        D(2022, 12, 31),
        TaskStatus.DONE,
        D(2022, 12, 12),
    ),
    TaskSpec(
        3,
        "3c",
        "code:UA-DEMO",
        "组织高校师生参与社区科普和青少年科技教育",
        D(2022, 12, 31),
        TaskStatus.DONE,
        D(2022, 12, 20),
    ),
    TaskSpec(
        4,
        None,
        "district",
        "总结“三长带三会”工作的总体情况、主要做法和主要成效",
        D(2022, 12, 10),
        TaskStatus.DONE,
        D(2022, 12, 9),
    ),
    TaskSpec(
        4,
        None,
        "district",
        "在鄞州区科协第十一次代表大会上报告“三长带三会”工作",
        D(2022, 12, 16),
        TaskStatus.DONE,
        D(2022, 12, 16),
    ),
    TaskSpec(
        4,
        None,
        "district",
        "梳理制度机制成果，汇编可复制可推广的经验做法",
        D(2022, 12, 31),
        TaskStatus.DONE,
        D(2023, 1, 20),
        "经验做法汇编已印发各镇（街）科协和学（协）会。",
    ),
    TaskSpec(
        4, None, "district", "完成“三长带三会”工作总结报告", D(2022, 12, 31), TaskStatus.DONE, D(2023, 1, 10)
    ),
    # Current work: kept relative to today so that the lists always have something due.
    TaskSpec(
        4,
        None,
        "town:姜山镇",
        "报送本年度“三长带三会”工作总结",
        -7,
        TaskStatus.NOT_STARTED,
        description="按区科协通知报送，附活动台账和志愿服务时长统计。",
    ),
    TaskSpec(
        3,
        "3c",
        "ga:姜山镇:life_health",
        "完善健康义诊志愿服务队队员名册和服务台账",
        20,
        TaskStatus.IN_PROGRESS,
        None,
        "已核对15名队员信息，待补充服务时长。",
    ),
    TaskSpec(
        4,
        None,
        "town:五乡镇",
        "报送本年度“三长带三会”工作总结",
        -7,
        TaskStatus.IN_PROGRESS,
        None,
        "初稿已完成，待镇分管领导审核。",
    ),
    TaskSpec(3, "3c", "ga:五乡镇:production", "组织冬季农技“田间课堂”", 15, TaskStatus.NOT_STARTED),
    TaskSpec(
        3,
        "3c",
        "town:东吴镇",
        "做好镇科协换届准备，推荐三长进入新一届领导机构",
        40,
        TaskStatus.IN_PROGRESS,
        None,
        "已与镇卫生院、中心小学沟通人选。",
    ),
    TaskSpec(3, "3c", "town:东柳街道", "组建首个基层科普协会（三会）", 60, TaskStatus.NOT_STARTED),
)

COVERAGE_TITLE = "实现“三长（泛三长）”和“三会”服务全覆盖"

PILOTS = {
    "姜山镇": (
        "医院院长、学校校长、农技站站长进入镇科协领导机构，三类协会同步组建",
        "1. 三长本职工作繁忙，参与科协活动的时间难以保证；\n"
        "2. 村级科普阵地与新时代文明实践站点尚未打通；\n"
        "3. 活动台账分散在各协会，统计口径不一。",
        "1. 实行三长轮值制，每季度由一名三长牵头一次主题服务；\n"
        "2. 依托新时代文明实践所统一排期，科普活动纳入实践站点“点单”；\n"
        "3. 活动和志愿服务时长统一在平台登记。",
    ),
    "五乡镇": (
        "农技服务科普协会带动新型职业农民培训",
        "1. 农技站人员少，覆盖全镇种养大户力量不足；\n2. 青年农民参与培训的积极性不高。",
        "1. 联合区农学会、农技专家志愿服务队开设“田间课堂”；\n"
        "2. 以合作社为单位组织培训，培训结果与项目扶持挂钩。",
    ),
    "云龙镇": (
        "生态服务类科普协会与中小学科技教育结合",
        "1. 学校科普资源集中在校内，面向村（社区）开放不足；\n2. 科技教师的志愿服务时长未被认可。",
        "1. 校园科技节向社区开放，每学期不少于两次；\n"
        "2. 科技教师参与志愿服务计入继续教育学时，由镇科协出具证明。",
    ),
    "下应街道": (
        "社区卫生服务中心牵头组建生活健康类科普协会",
        "1. 城市社区老年人多，健康科普需求大但活动同质化；\n2. 社区与医院之间缺少固定对接机制。",
        "1. 建立“医社联动”月度对接机制；\n"
        "2. 与区护理学会共建社区健康科普驿站，开设老年慢病和智能手机使用专题。",
    ),
}

STEERING = (
    # (role, name, title, login)
    (SteeringMember.Role.LEADER, "陈立群", "区科协党组书记、主席", None),
    (SteeringMember.Role.DEPUTY, "王海燕", "区科协副主席", None),
    (SteeringMember.Role.DEPUTY, "李国平", "区科协副主席", None),
    (SteeringMember.Role.OFFICE_DIRECTOR, "张志远", "区科协副主席（兼办公室主任）", "supervisor"),
    (SteeringMember.Role.MEMBER, "徐婷", "区科协科普科科长", "district"),
    (SteeringMember.Role.MEMBER, "邵晨", "区科协科普科科员", None),
    (SteeringMember.Role.MEMBER, "林佳怡", "区科协科普科科员", None),
)


@dataclass(frozen=True)
class RectSpec:
    title: str
    deadline: datetime.date | int
    status: str
    requirement: str = ""
    owner: str = ""
    closed: datetime.date | int | None = None
    closure: str = ""
    progress: str = ""


@dataclass(frozen=True)
class InspectionSpec:
    town: str
    day: datetime.date | int
    score: str
    findings: str
    reference: str
    inspectors: str
    items: tuple[RectSpec, ...] = ()


INSPECTIONS: tuple[InspectionSpec, ...] = (
    InspectionSpec(
        "姜山镇",
        D(2022, 6, 20),
        "92.0",
        "三长全部进入镇科协领导机构，三类协会已成立并开展活动；活动台账记录不完整，部分活动缺少签到表。",
        "鄞科协督〔2022〕1号",
        "张志远、徐婷",
        (
            RectSpec(
                "完善三会活动台账，补齐签到表",
                D(2022, 7, 31),
                RectStatus.CLOSED,
                "三类协会6月以来的活动逐场补齐签到表和照片。",
                "镇科协秘书长",
                D(2022, 7, 25),
                "已补齐12场活动的签到表和照片，今后活动统一在平台登记。",
                "已安排各协会秘书长逐场核对。",
            ),
        ),
    ),
    InspectionSpec(
        "五乡镇",
        D(2022, 6, 22),
        "88.5",
        "农技服务科普协会运行良好，“田间课堂”反响好；协会章程未经会员大会表决通过。",
        "鄞科协督〔2022〕2号",
        "张志远、邵晨",
        (
            RectSpec(
                "农技服务科普协会章程提交会员大会表决",
                D(2022, 8, 31),
                RectStatus.CLOSED,
                "召开会员大会，表决通过协会章程并报镇科协备案。",
                "协会秘书长",
                D(2022, 8, 19),
                "8月18日召开会员大会，章程全票通过，已备案。",
            ),
        ),
    ),
    InspectionSpec(
        "云龙镇",
        D(2022, 6, 24),
        "90.0",
        "生态科普协会依托中小学开展科技教育，校园科技节已向社区开放；暂无需整改事项。",
        "鄞科协督〔2022〕3号",
        "王海燕、徐婷",
    ),
    InspectionSpec(
        "下应街道",
        D(2022, 6, 28),
        "85.5",
        "健康科普需求大、活动多；生活健康类协会领导机构中三长比例偏低，社区卫生服务中心以外的医疗机构未参与。",
        "鄞科协督〔2022〕4号",
        "李国平、林佳怡",
        (
            RectSpec(
                "提高生活健康类协会领导机构中三长（泛三长）比例",
                D(2022, 8, 31),
                RectStatus.CLOSED,
                "吸纳辖区医院院长、学校校长进入协会领导机构。",
                "街道科协",
                D(2022, 9, 14),
                "增补两名三长为协会副会长，三长比例由20%提高到50%。",
            ),
        ),
    ),
    InspectionSpec(
        "东吴镇",
        D(2022, 9, 15),
        "72.0",
        "三长已进入镇科协领导机构，但尚未组建生活健康类科普协会，全面覆盖进度滞后。",
        "鄞科协督〔2022〕5号",
        "张志远、徐婷",
        (
            RectSpec(
                "组建生活健康类科普协会",
                D(2022, 12, 31),
                RectStatus.IN_PROGRESS,
                "依托镇卫生院组建生活健康类科普协会。",
                "镇科协",
                progress="已与镇卫生院商定筹备方案，正在发展会员。",
            ),
        ),
    ),
    InspectionSpec(
        "东柳街道",
        D(2022, 9, 20),
        "60.0",
        "街道科协领导机构中没有三长（泛三长），尚未组建基层科普协会。",
        "鄞科协督〔2022〕6号",
        "王海燕、邵晨",
        (
            RectSpec(
                "推荐三长（泛三长）进入街道科协领导机构",
                D(2022, 12, 31),
                RectStatus.OPEN,
                "结合换届，推荐辖区学校校长、社区卫生服务中心主任进入领导机构。",
                "街道科协",
            ),
        ),
    ),
    # Recent inspections: dates relative to today.
    InspectionSpec(
        "姜山镇",
        -35,
        "94.0",
        "年度督查：三类协会活动正常，志愿服务时长登记及时；服务队名册未随人员变动更新，全国科普日部分活动签到表缺失。",
        "",
        "张志远、徐婷",
        (
            RectSpec(
                "更新科技志愿服务队队员名册",
                -5,
                RectStatus.IN_PROGRESS,
                "核对各服务队在队人员，退出人员登记退出日期。",
                "镇科协秘书长",
                progress="已核对镇科技志愿服务队，健康义诊服务队核对中。",
            ),
            RectSpec(
                "补充全国科普日活动签到表",
                10,
                RectStatus.OPEN,
                "补齐两场活动的签到表扫描件。",
                "镇科协秘书长",
            ),
        ),
    ),
    InspectionSpec(
        "五乡镇",
        -20,
        "89.0",
        "年度督查：农技“田间课堂”持续开展；活动缺少影像资料，不利于宣传推广。",
        "",
        "李国平、邵晨",
        (
            RectSpec(
                "补充农技“田间课堂”活动影像资料",
                25,
                RectStatus.OPEN,
                "每场活动至少留存3张现场照片。",
                "农技服务科普协会",
            ),
        ),
    ),
    InspectionSpec(
        "云龙镇",
        -50,
        "91.0",
        "年度督查：生态科普协会工作扎实；年度活动计划未向会员公开。",
        "",
        "王海燕、林佳怡",
        (
            RectSpec(
                "公开生态科普协会年度活动计划",
                -20,
                RectStatus.CLOSED,
                "在镇科协公众号和协会群公开年度计划。",
                "生态科普协会",
                -22,
                "年度计划已在镇科协公众号发布并张贴于文化站公告栏。",
            ),
        ),
    ),
    InspectionSpec(
        "横溪镇",
        -12,
        "80.0",
        "年度督查：生产服务类协会运行良好；生活健康类协会筹备进度滞后。",
        "",
        "张志远、林佳怡",
        (
            RectSpec(
                "加快生活健康类科普协会筹备",
                45,
                RectStatus.OPEN,
                "明年一季度前召开成立大会。",
                "镇科协",
            ),
        ),
    ),
)


# --------------------------------------------------------------------------- building


def _day(value: datetime.date | int | None, cal: DemoCalendar) -> datetime.date | None:
    """A spec's date: a date of the reference programme year moved by the demo's calendar, or
    (an int) that many days from today."""
    if value is None:
        return None
    if isinstance(value, datetime.date):
        return cal.at(value)
    return cal.today + datetime.timedelta(days=value)


def _task_state(spec: TaskSpec, cal: DemoCalendar) -> tuple[str, datetime.date | None]:
    """The task's status and completion day on the seeding day: a task done after it is still
    in progress."""
    if spec.status != TaskStatus.DONE:
        return spec.status, None
    done = _day(spec.done, cal)
    if done > cal.today:
        return TaskStatus.IN_PROGRESS, None
    return spec.status, done


def _rectification_state(spec: RectSpec, cal: DemoCalendar) -> tuple[str, datetime.date | None]:
    """As ``_task_state``, for a rectification item and its closure."""
    if spec.status != RectStatus.CLOSED:
        return spec.status, None
    closed = _day(spec.closed, cal)
    if closed > cal.today:
        return RectStatus.IN_PROGRESS, None
    return spec.status, closed


def _reference_number(spec: InspectionSpec, day: datetime.date) -> str:
    """The 督查 number, with the year it was issued in once moved."""
    return spec.reference.replace("〔2022〕", f"〔{day.year}〕")


class _Builder:
    def __init__(self, today: datetime.date) -> None:
        self.today = today
        self.cal = DemoCalendar.seeded_on(today)
        # A fixed seed: the same demo on every machine and every run (not for secrets).
        self.rng = random.Random(SEED)  # noqa: S311
        self.world = _World(today)
        self.created: dict[str, int] = {}

    def day(self, value: datetime.date | int | None) -> datetime.date | None:
        return _day(value, self.cal)

    def count(self, key: str, created: bool) -> None:
        self.created[key] = self.created.get(key, 0) + int(created)

    def resolve(self, ref: str) -> Organization:
        if ref == "district":
            return self.world.district
        kind, _, rest = ref.partition(":")
        if kind == "town":
            return self.world.town(rest)
        if kind == "code":
            return self.world.org(rest)
        town, _, category = rest.partition(":")
        return self.world.grassroots(town, category)

    # -- plan

    def plan(self) -> tuple[dict[int, Phase], dict[str, Stage]]:
        """The plan's phases and stages, with the demo's dates (the plan's own dates moved by
        the calendar, so that durations and order are the plan's), and its milestones."""
        self.created["phases"] = load_plan(Phase, Stage)
        phases = {phase.number: phase for phase in Phase.objects.all()}
        stages = {stage.code: stage for stage in Stage.objects.all()}
        year = f"{self.cal.programme_end.year}年"
        for rows, specs, key in ((phases, PHASES, "number"), (stages, STAGES, "code")):
            for spec in specs:
                row = rows[spec[key]]
                values = {
                    "start_date": self.cal.at(spec["start_date"]),
                    "end_date": self.cal.at(spec["end_date"]),
                }
                for text in ("summary", "target"):
                    if text in spec:
                        values[text] = spec[text].replace("2022年", year)
                if any(getattr(row, name) != value for name, value in values.items()):
                    for name, value in values.items():
                        setattr(row, name, value)
                    row.save(update_fields=list(values))
        for number, stage_code, title, due, achieved, description in MILESTONES:
            achieved_on = self.day(achieved)
            values = {
                "stage": stages.get(stage_code) if stage_code else None,
                "due_date": self.day(due),
                "achieved_on": achieved_on if achieved_on and achieved_on <= self.today else None,
                "description": description,
            }
            milestone = Milestone.objects.filter(phase=phases[number], title=title).first()
            if milestone is None:
                Milestone.objects.create(phase=phases[number], title=title, **values)
            elif (milestone.due_date, milestone.achieved_on) != (values["due_date"], values["achieved_on"]):
                milestone.due_date, milestone.achieved_on = values["due_date"], values["achieved_on"]
                milestone.save(update_fields=["due_date", "achieved_on"])
            self.count("milestones", milestone is None)
        return phases, stages

    def tasks(self, phases: dict[int, Phase], stages: dict[str, Stage]) -> None:
        for spec in self.task_specs():
            self.task(spec, phases, stages)

    def task_specs(self) -> list[TaskSpec]:
        """The plan's tasks, then the coverage task of every town that is not a pilot, its status
        following how many kinds of association serve the town."""
        specs = list(TASKS[:8]) + _pilot_tasks() + list(TASKS[8:])
        for town, _org in sorted(self.world.towns.items(), key=lambda item: item[1].home_region.sort_order):
            if town in PILOT_TOWNS:
                continue
            covered = self.world.covered_categories(town)
            if covered == 3:
                status, done, note = TaskStatus.DONE, D(2022, 10, 1), "三类协会服务均已覆盖本镇（街）。"
            elif covered:
                status, done, note = TaskStatus.IN_PROGRESS, None, "已有部分类别的三会覆盖，其余类别筹备中。"
            else:
                status, done, note = TaskStatus.NOT_STARTED, None, ""
            specs.append(
                TaskSpec(3, "3c", f"town:{town}", COVERAGE_TITLE, D(2022, 12, 31), status, done, note)
            )
        return specs

    def task(self, spec: TaskSpec, phases: dict[int, Phase], stages: dict[str, Stage]) -> None:
        phase = phases[spec.phase]
        organization = self.resolve(spec.org)
        due = self.day(spec.due)
        relative = isinstance(spec.due, int)
        status, done = _task_state(spec, self.cal)
        task = Task.objects.filter(phase=phase, organization=organization, title=spec.title).first()
        if task is not None:
            self.count("tasks", False)
            # The dates follow the seeding day; the status is left alone (someone may have moved
            # the task on while exploring the demo), and so is a completion the demo did not make.
            fields = []
            if task.due_date != due:
                task.due_date = due
                fields.append("due_date")
            if task.status == TaskStatus.DONE and done is not None and task.completed_on != done:
                task.completed_on = done
                fields.append("completed_on")
            if fields:
                task.save(update_fields=[*fields, "updated_at"])
            return
        stage = stages.get(spec.stage) if spec.stage else None
        start = stage.start_date if stage else phase.start_date
        created_day = min((due - datetime.timedelta(days=45)) if relative else min(start, due), self.today)
        task = Task.objects.create(
            phase=phase,
            stage=stage,
            organization=organization,
            title=spec.title,
            description=spec.description,
            due_date=due,
            status=status,
            completed_on=done,
            created_by=self.world.users.get("district"),
        )
        Task.objects.filter(pk=task.pk).update(created_at=_at(created_day, 9, 0))
        self.count("tasks", True)
        actor = self.world.admin_of(organization)
        history = [
            TaskUpdate(
                task=task,
                actor=self.world.users.get("district"),
                created_at=_at(created_day, 9, 0),
                old_status="",
                new_status=TaskStatus.NOT_STARTED,
            )
        ]
        if status in (TaskStatus.IN_PROGRESS, TaskStatus.DONE):
            started = min(created_day + datetime.timedelta(days=self.rng.randint(3, 12)), self.today)
            if done is not None:
                started = min(started, done)
            started_at = _at(started, self.rng.randint(9, 16), self.rng.choice((0, 15, 30, 45)))
            history.append(
                TaskUpdate(
                    task=task,
                    actor=actor,
                    created_at=started_at,
                    old_status=TaskStatus.NOT_STARTED,
                    new_status=TaskStatus.IN_PROGRESS,
                    note=spec.note if spec.status == TaskStatus.IN_PROGRESS else "",
                )
            )
        if status == TaskStatus.DONE:
            done_at = _at(done, self.rng.randint(9, 17), self.rng.choice((0, 10, 20, 40)))
            history.append(
                TaskUpdate(
                    task=task,
                    actor=actor,
                    # Started and done on one day: done after it was started.
                    created_at=max(done_at, started_at + datetime.timedelta(hours=1)),
                    old_status=TaskStatus.IN_PROGRESS,
                    new_status=TaskStatus.DONE,
                    note=spec.note,
                )
            )
        TaskUpdate.objects.bulk_create(history)

    # -- pilots and steering group

    def pilots(self, stages: dict[str, Stage]) -> None:
        for town, (focus, findings, measures) in PILOTS.items():
            started_on = self.day(D(2022, 3, 15))
            pilot, created = Pilot.objects.get_or_create(
                organization=self.world.town(town),
                stage=stages["3a"],
                defaults={
                    "started_on": started_on,
                    "focus": focus,
                    "findings": findings,
                    "measures": measures,
                },
            )
            if pilot.started_on != started_on:
                pilot.started_on = started_on
                pilot.save(update_fields=["started_on"])
            self.count("pilots", created)

    def steering_group(self) -> None:
        for role, name, title, login in STEERING:
            started_on = self.day(D(2022, 3, 1))
            member = SteeringMember.objects.filter(role=role, name=name, ended_on__isnull=True).first()
            created = member is None
            if created:
                SteeringMember.objects.create(
                    role=role,
                    name=name,
                    title=title,
                    user=self.world.users.get(login) if login else None,
                    started_on=started_on,
                    notes=DEMO_NOTE,
                )
            elif member.started_on != started_on:
                member.started_on = started_on
                member.save(update_fields=["started_on"])
            self.count("steering", created)

    # -- inspections

    def inspections(self) -> None:
        supervisor = self.world.users.get("supervisor")
        for spec in INSPECTIONS:
            organization = self.world.town(spec.town)
            day = self.day(spec.day)
            inspection = Inspection.objects.filter(organization=organization, findings=spec.findings).first()
            created = inspection is None
            reference = _reference_number(spec, day)
            if created:
                inspection = Inspection.objects.create(
                    reference=reference,
                    organization=organization,
                    supervisor=supervisor,
                    inspectors=spec.inspectors,
                    inspected_on=day,
                    score=Decimal(spec.score),
                    findings=spec.findings,
                )
            elif (inspection.inspected_on, inspection.reference) != (day, reference):
                inspection.inspected_on, inspection.reference = day, reference
                inspection.save(update_fields=["inspected_on", "reference", "updated_at"])
            self.count("inspections", created)
            for item in spec.items:
                self.rectification(inspection, item)

    def rectification(self, inspection: Inspection, spec: RectSpec) -> None:
        deadline = self.day(spec.deadline)
        status, closed = _rectification_state(spec, self.cal)
        rectification = Rectification.objects.filter(inspection=inspection, title=spec.title).first()
        if rectification is not None:
            self.count("rectifications", False)
            # Dates follow the seeding day; the status is left as it is (see ``task``).
            fields = []
            if rectification.deadline != deadline:
                rectification.deadline = deadline
                fields.append("deadline")
            if rectification.is_closed and closed is not None and rectification.closed_on != closed:
                rectification.closed_on = closed
                fields.append("closed_on")
            if fields:
                rectification.save(update_fields=[*fields, "updated_at"])
            return
        supervisor = self.world.users.get("supervisor")
        rectification = Rectification.objects.create(
            inspection=inspection,
            organization=inspection.organization,
            title=spec.title,
            requirement=spec.requirement,
            owner_name=spec.owner,
            deadline=deadline,
            status=status,
            closed_on=closed,
            closure_note=spec.closure if closed else "",
            created_by=supervisor,
        )
        self.count("rectifications", True)
        admin = self.world.admin_of(inspection.organization)
        history = [
            RectificationUpdate(
                rectification=rectification,
                actor=supervisor,
                created_at=_at(inspection.inspected_on, 16, 0),
                old_status="",
                new_status=RectStatus.OPEN,
            )
        ]
        if status in (RectStatus.IN_PROGRESS, RectStatus.CLOSED):
            started = inspection.inspected_on + datetime.timedelta(days=self.rng.randint(2, 6))
            started = min(started, self.today)
            if closed is not None:
                started = min(started, closed)
            history.append(
                RectificationUpdate(
                    rectification=rectification,
                    actor=admin,
                    created_at=_at(started, 10, 30),
                    old_status=RectStatus.OPEN,
                    new_status=RectStatus.IN_PROGRESS,
                    note=spec.progress,
                )
            )
        if status == RectStatus.CLOSED:
            colour = (self.rng.randint(90, 200), self.rng.randint(120, 210), self.rng.randint(90, 200))
            evidence = RectificationEvidence(
                rectification=rectification,
                original_name="整改佐证照片.png",
                uploaded_by=admin,
                uploaded_at=_at(closed, 15, 0),
            )
            content = _png(colour)
            evidence.size = len(content)
            evidence.file.save("evidence.png", ContentFile(content), save=False)
            evidence.save()
            history.append(
                RectificationUpdate(
                    rectification=rectification,
                    actor=admin,
                    created_at=_at(closed, 15, 5),
                    old_status=RectStatus.IN_PROGRESS,
                    new_status=RectStatus.CLOSED,
                    note=f"{spec.closure}\n上传佐证材料：整改佐证照片.png",
                )
            )
        RectificationUpdate.objects.bulk_create(history)

    # -- showcase and incentives

    def showcase(self) -> None:
        w = self.world
        jiangshan_director = w.leader(LeaderRole.Kind.HOSPITAL_DIRECTOR, "姜山镇卫生院")
        wuxiang_head = w.leader(LeaderRole.Kind.AGRITECH_STATION_HEAD, "五乡镇农业技术推广站")
        yunlong_principal = w.leader(LeaderRole.Kind.SCHOOL_PRINCIPAL, "云龙镇中心小学")
        lecturer_head = w.leader(LeaderRole.Kind.LECTURER_GROUP_HEAD, "鄞州区科普讲师团")
        Kind, Status = ShowcaseItem.Kind, ShowcaseItem.Status
        items = (
            (
                Kind.PRACTICE,
                "姜山镇“三长轮值”健康服务模式",
                "医院院长、学校校长、农技站站长按季度轮值牵头，把健康讲座、科学实验和农技指导送进村（社区）。",
                "姜山镇科协把三长吸纳进领导机构后，实行“三长轮值”：每季度由一名三长牵头，联合三类协会策划一次主题服务，"
                "依托新时代文明实践所统一排期，村（社区）“点单”，协会“接单”。\n试点以来共开展主题服务40余场，服务群众"
                "3000余人次，经验在全区推广。",
                w.town("姜山镇"),
                None,
                Status.PUBLISHED,
                D(2022, 8, 10),
                D(2022, 9, 20),
            ),
            (
                Kind.PRACTICE,
                "五乡镇农技“田间课堂”",
                "农技服务科普协会联合区农学会专家，在田间地头为新型职业农民开展实用技术培训。",
                "协会以合作社为单位组织培训，每月一期，培训内容由农户点单；培训结果与农业项目扶持挂钩，提高了青年农民的"
                "参与积极性。",
                w.grassroots("五乡镇", Cat.PRODUCTION),
                None,
                Status.PUBLISHED,
                D(2022, 8, 2),
                D(2022, 9, 25),
            ),
            (
                Kind.PRACTICE,
                "云龙镇校园科技节向社区开放",
                "生态科普协会推动中小学校园科技节向周边村（社区）开放，科技教师志愿服务计入继续教育学时。",
                "",
                w.town("云龙镇"),
                None,
                Status.APPROVED,
                D(2022, 8, 5),
                None,
            ),
            (
                Kind.PRACTICE,
                "下应街道“医社联动”健康科普驿站",
                "社区卫生服务中心与社区按月对接，在驿站开设老年慢病和智能手机使用专题。",
                "",
                w.town("下应街道"),
                None,
                Status.NOMINATED,
                D(2022, 9, 26),
                None,
            ),
            (
                Kind.ORGANIZATION,
                "姜山镇健康科普协会",
                "依托镇卫生院组建，医务人员和科普讲师常态化开展健康科普和医疗义诊。",
                "协会由镇卫生院院长担任会长，区医学会派员任兼职副会长，组建健康义诊志愿服务队，年均开展义诊和健康讲座"
                "30余场。",
                w.grassroots("姜山镇", Cat.LIFE_HEALTH),
                None,
                Status.PUBLISHED,
                D(2022, 8, 10),
                D(2022, 9, 20),
            ),
            (
                Kind.ORGANIZATION,
                "五乡镇农技服务科普协会",
                "农技人员和涉农学会共同组建，服务范围延伸至邱隘镇。",
                "",
                w.grassroots("五乡镇", Cat.PRODUCTION),
                None,
                Status.PUBLISHED,
                D(2022, 8, 2),
                D(2022, 9, 25),
            ),
            (
                Kind.ORGANIZATION,
                "云龙镇生态科普协会",
                "科技教师和科普场馆人员组建，生态科普服务延伸至东吴镇、横溪镇。",
                "",
                w.grassroots("云龙镇", Cat.ECOLOGY),
                None,
                Status.NOMINATED,
                D(2022, 9, 26),
                None,
            ),
            (
                Kind.LEADER,
                f"{jiangshan_director.name}：把健康讲座办到田间地头",
                "姜山镇卫生院院长，镇科协兼职副主席，牵头组建健康科普协会和健康义诊志愿服务队。",
                "试点以来带领医务人员开展义诊和健康讲座50余场，推动“三长轮值”模式在全镇落地。",
                w.town("姜山镇"),
                jiangshan_director,
                Status.PUBLISHED,
                D(2022, 8, 10),
                D(2022, 9, 20),
            ),
            (
                Kind.LEADER,
                f"{wuxiang_head.name}：农技“田间课堂”的带头人",
                "五乡镇农业技术推广站站长，牵头开设农技“田间课堂”。",
                "",
                w.town("五乡镇"),
                wuxiang_head,
                Status.PUBLISHED,
                D(2022, 8, 2),
                D(2022, 9, 25),
            ),
            (
                Kind.LEADER,
                f"{yunlong_principal.name}：让校园科技节走进社区",
                "云龙镇中心小学校长，推动校园科技节向社区开放。",
                "",
                w.town("云龙镇"),
                yunlong_principal,
                Status.APPROVED,
                D(2022, 8, 5),
                None,
            ),
            (
                Kind.LEADER,
                f"{lecturer_head.name}：退休不褪色的科普宣讲员",
                "鄞州区科普讲师团团长，组织讲师团专家开展“科普惠民行动”宣讲。",
                "",
                w.org("LG-YZ"),
                lecturer_head,
                Status.NOMINATED,
                D(2022, 9, 26),
                None,
            ),
        )
        for kind, title, summary, story, organization, person, status, nominated, published in items:
            # Nominated, approved and published in stage 3b: before the seeding day.
            dates = {
                "nominated_on": self.day(nominated),
                "approved_on": self.day(nominated + datetime.timedelta(days=30))
                if status in (Status.APPROVED, Status.PUBLISHED)
                else None,
                "published_on": self.day(published),
            }
            item, created = ShowcaseItem.objects.get_or_create(
                kind=kind,
                title=title,
                defaults={
                    "summary": summary,
                    "story": story,
                    "organization": organization,
                    "person": person,
                    "status": status,
                    "nominated_by": organization.name if organization else "",
                    **dates,
                },
            )
            if not created and item.status == status and any(getattr(item, k) != v for k, v in dates.items()):
                for name, value in dates.items():
                    setattr(item, name, value)
                item.save(update_fields=list(dates))
            self.count("showcase", created)

    def incentives(self) -> None:
        w = self.world
        Kind = Incentive.Kind
        rows = (
            (
                w.leader(LeaderRole.Kind.HOSPITAL_DIRECTOR, "姜山镇卫生院"),
                Kind.AWARD,
                "鄞州区科协系统年度先进个人",
                D(2022, 1, 10),
                "鄞州区科协",
                None,
                None,
            ),
            (
                w.leader(LeaderRole.Kind.HOSPITAL_DIRECTOR, "姜山镇卫生院"),
                Kind.TALENT,
                "推荐为宁波市“最美科技工作者”候选人",
                D(2022, 4, 20),
                "鄞州区科协",
                None,
                None,
            ),
            (
                w.leader(LeaderRole.Kind.AGRITECH_STATION_HEAD, "五乡镇农业技术推广站"),
                Kind.FUNDING,
                "农技“田间课堂”项目经费",
                D(2022, 8, 15),
                "鄞州区科协",
                Decimal("30000.00"),
                w.grassroots("五乡镇", Cat.PRODUCTION),
            ),
            (
                w.leader(LeaderRole.Kind.AGRITECH_STATION_HEAD, "五乡镇农业技术推广站"),
                Kind.TALENT,
                "推荐为宁波市农村实用人才带头人",
                D(2022, 5, 10),
                "鄞州区科协",
                None,
                None,
            ),
            (
                w.leader(LeaderRole.Kind.SCHOOL_PRINCIPAL, "云龙镇中心小学"),
                Kind.AWARD,
                "鄞州区青少年科技教育优秀组织者",
                D(2022, 8, 30),
                "鄞州区科协、区教育局",
                None,
                None,
            ),
            (
                w.leader(LeaderRole.Kind.HOSPITAL_DIRECTOR, "下应街道社区卫生服务中心"),
                Kind.FUNDING,
                "社区健康科普驿站建设经费",
                D(2022, 9, 1),
                "鄞州区科协",
                Decimal("20000.00"),
                w.grassroots("下应街道", Cat.LIFE_HEALTH),
            ),
            (
                w.leader(LeaderRole.Kind.LECTURER_GROUP_HEAD, "鄞州区科普讲师团"),
                Kind.AWARD,
                "全国科普日活动优秀个人（区级推荐）",
                D(2022, 9, 23),
                "鄞州区科协",
                None,
                None,
            ),
            (
                w.leader(LeaderRole.Kind.MUSEUM_DIRECTOR, "示例青少年科技馆"),
                Kind.FUNDING,
                "青少年科普研学活动补助",
                D(2022, 3, 1),
                "鄞州区科协",
                Decimal("15000.00"),
                w.org("PB-MUSEUM"),
            ),
        )
        for person, kind, title, granted_on, granted_by, amount, organization in rows:
            granted_on = self.day(granted_on)
            incentive, created = Incentive.objects.get_or_create(
                person=person,
                kind=kind,
                title=title,
                defaults={
                    "granted_on": granted_on,
                    "granted_by": granted_by,
                    "amount": amount,
                    "organization": organization,
                },
            )
            if incentive.granted_on != granted_on:
                incentive.granted_on = granted_on
                incentive.save(update_fields=["granted_on"])
            self.count("incentives", created)


LABELS = (
    ("phases", Phase, "推进阶段", "个"),
    ("milestones", Milestone, "里程碑", "个"),
    ("tasks", Task, "推进任务", "项"),
    ("pilots", Pilot, "试点单位", "个"),
    ("steering", SteeringMember, "专项指导组成员", "人"),
    ("inspections", Inspection, "督查记录", "次"),
    ("rectifications", Rectification, "整改事项", "项"),
    ("showcase", ShowcaseItem, "典型", "个"),
    ("incentives", Incentive, "激励记录", "条"),
)


def plan_demo(*, today: datetime.date) -> list[models.Model]:
    """The phases, stages, milestones, tasks, inspections and rectification items ``build_demo``
    would write on ``today``, as unsaved rows with their dates resolved (reads, never writes).
    Phases are referred to by number, and an inspection's items refer to it by its town and
    findings, in place of a primary key."""
    builder = _Builder(today)
    cal = builder.cal
    rows: list[models.Model] = [
        Phase(
            number=spec["number"],
            code=spec["code"],
            name=spec["name"],
            start_date=cal.at(spec["start_date"]),
            end_date=cal.at(spec["end_date"]),
        )
        for spec in PHASES
    ]
    rows += [
        Stage(
            phase_id=spec["phase"],
            code=spec["code"],
            name=spec["name"],
            start_date=cal.at(spec["start_date"]),
            end_date=cal.at(spec["end_date"]),
        )
        for spec in STAGES
    ]
    for number, _stage, title, due, achieved, _description in MILESTONES:
        achieved_on = _day(achieved, cal)
        rows.append(
            Milestone(
                phase_id=number,
                title=title,
                due_date=_day(due, cal),
                achieved_on=achieved_on if achieved_on and achieved_on <= cal.today else None,
            )
        )
    for spec in builder.task_specs():
        status, done = _task_state(spec, cal)
        rows.append(
            Task(
                phase_id=spec.phase,
                organization_id=builder.resolve(spec.org).pk,
                title=spec.title,
                due_date=_day(spec.due, cal),
                status=status,
                completed_on=done,
            )
        )
    for spec in INSPECTIONS:
        key = f"{spec.town}:{spec.findings}"
        day = _day(spec.day, cal)
        rows.append(
            Inspection(
                reference=_reference_number(spec, day),
                organization_id=builder.world.town(spec.town).pk,
                inspected_on=day,
                score=Decimal(spec.score),
                findings=spec.findings,
            )
        )
        for item in spec.items:
            status, closed = _rectification_state(item, cal)
            rows.append(
                Rectification(
                    inspection_id=key,
                    organization_id=builder.world.town(spec.town).pk,
                    title=item.title,
                    deadline=_day(item.deadline, cal),
                    status=status,
                    closed_on=closed,
                )
            )
    return rows


@transaction.atomic
def build_demo(*, today: datetime.date | None = None) -> list[tuple[str, int, str, int]]:
    """Create (or complete) the demo rollout; return (label, count, unit, created) rows."""
    builder = _Builder(today or clock.today())
    phases, stages = builder.plan()
    builder.tasks(phases, stages)
    builder.pilots(stages)
    builder.steering_group()
    builder.inspections()
    builder.showcase()
    builder.incentives()
    # The towns' coverage spans, built from the organisations the demo has just written.
    standing.rebuild()
    return [
        (label, model._default_manager.count(), unit, builder.created.get(key, 0))
        for key, model, label, unit in LABELS
    ]
