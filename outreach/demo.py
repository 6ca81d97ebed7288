"""Demo outreach for ``manage.py seed_demo``: campaigns of the programme year, themed-day
activities held on each themed day's latest occurrence (its real date, which the themed-day
calendar computes, not a date moved with the programme year), channel posts with reach figures
up to today, and themed-day events coming up in the next months on the public calendar.

Campaigns are written in the reference programme year 2022 and moved by the demo's calendar
(``organizations.demo_dates``), like the ledger they group. Runs after ``services.demo`` (apps
run in INSTALLED_APPS order) and writes its themed-day activities through the same
``write_activities``. Deterministic and idempotent, with keys that do not change with the day:
campaigns are found by their (demo) description, posts by (url, activity or campaign),
activities by ``source_key``; a run on a later day moves what it finds.
"""

from __future__ import annotations

import datetime
import random
import zlib

from django.db import transaction
from django.utils import timezone

from organizations.models import Organization
from sanhui import clock
from services.demo import (
    DEMO_NOTE,
    THIS_MORNING_KEY,
    YEAR,
    ActivitySpec,
    OrgInfo,
    Planner,
    write_activities,
)
from services.models import Activity, ActivityKind, Stream, stream_of

from .models import Campaign, ChannelPost, ThemedDay

SEED = 20220919
DEMO_URL = "https://example.com/sanhui-demo"
CAMPUS_FESTIVAL_KEY = f"demo:campaign:{YEAR}:jiangshan-campus-festival"
# Themed days this close ahead get planned activities on the public calendar.
UPCOMING_DAYS = 90

# Written in the reference programme year and moved by the demo's calendar; "{year}" in a name is
# the year the campaign starts in once moved. A campaign is found again by its description,
# which does not change with the day.
CAMPAIGNS = (
    # (name, start, end, description, owner town or None)
    (
        "{year}年科普惠民行动",
        datetime.date(YEAR, 3, 1),
        datetime.date(YEAR, 12, 31),
        "面向基层群众的全年科普惠民系列活动。",
        None,
    ),
    (
        "{year}年鄞州区青少年科技节",
        datetime.date(YEAR, 5, 1),
        datetime.date(YEAR, 6, 30),
        "全区中小学生科技创新体验与科学实验秀。",
        None,
    ),
    (
        "老年人智能手机操作技能培训工程",
        datetime.date(YEAR, 3, 1),
        datetime.date(YEAR, 12, 31),
        "帮助老年人跨越“数字鸿沟”。",
        None,
    ),
    (
        "新冠肺炎科学防控科普",
        datetime.date(YEAR, 1, 1),
        datetime.date(YEAR, 12, 31),
        "科学防控知识进村入户。",
        None,
    ),
    (
        "{year}年姜山镇校园科技节",
        datetime.date(YEAR, 10, 1),
        datetime.date(YEAR, 11, 30),
        "姜山镇各中小学校园科技节。",
        "姜山镇",
    ),
)
# Themed day → the kind of activity organisations hold for it.
THEMED_KINDS = {
    "全国爱耳日": ActivityKind.FREE_CLINIC,
    "全国爱眼日": ActivityKind.FREE_CLINIC,
    "全国爱牙日": ActivityKind.FREE_CLINIC,
    "全国肿瘤防治宣传周": ActivityKind.EXPERT_REPORT,
    "全国助残日": ActivityKind.POPULAR_LECTURE,
    "世界艾滋病日": ActivityKind.POPULAR_LECTURE,
    "中国农民丰收节": ActivityKind.CONSULTATION,
    "重阳节（敬老日）": ActivityKind.FREE_CLINIC,
}
CHANNELS = (
    (ChannelPost.Channel.WECHAT, "鄞州科协微信公众号", (300, 3000)),
    (ChannelPost.Channel.KEPU_CHINA, "科普中国", (1000, 20000)),
    (ChannelPost.Channel.KEPU_ESTATION, "科普e站", (100, 1500)),
    (ChannelPost.Channel.MEDIA, "鄞州日报", (2000, 30000)),
)


def _organizers_for(themed_day: ThemedDay, planner: Planner) -> list[OrgInfo]:
    """Organisations likely to hold the day: grassroots associations of its suggested category
    and the pilot towns' associations."""
    infos = list(planner.infos.values())
    chosen = [
        info
        for info in infos
        if info.org.kind == Organization.Kind.GRASSROOTS_ASSOCIATION
        and (not themed_day.suggested_category or info.org.category == themed_day.suggested_category)
    ]
    towns = [
        info
        for info in infos
        if info.org.kind == Organization.Kind.TOWN_ASSOCIATION
        and info.org.home_region.name in ("姜山镇", "五乡镇")
    ]
    return chosen[:6] + towns


def _upcoming_spec(
    planner: Planner,
    rng: random.Random,
    key: str,
    info: OrgInfo,
    themed_day: ThemedDay,
    kind: str,
    day: datetime.date,
    *,
    first: bool,
):
    """A planned activity for the next occurrence of a themed day.

    Only popularisation activities may appear on the public calendar. Where the day's usual
    activity is a technical service (义诊 on 全国爱耳日), the first organiser holds a themed
    popularisation event for the public and the second the service itself, unpublished."""
    if first and stream_of(kind) != Stream.POPULARIZATION:
        kind = ActivityKind.THEMED_DAY
    return planner.spec(
        rng,
        key=key,
        info=info,
        kind=kind,
        day=day,
        status=Activity.Status.PLANNED,
        published=stream_of(kind) == Stream.POPULARIZATION,
        title=f"{themed_day.name}主题活动",
    )


def _last_occurrence(themed_day: ThemedDay, today: datetime.date) -> datetime.date:
    """The first day of the themed day's latest occurrence that began before today."""
    start, _end = themed_day.occurrence(today.year)
    return start if start < today else themed_day.occurrence(today.year - 1)[0]


def _themed_specs(planner: Planner, today: datetime.date) -> tuple[list, dict[str, list[str]]]:
    """Activities held on each themed day's latest occurrence (on its real date, within the
    past year), and planned ones for the themed days of the next three months (published to the
    public calendar)."""
    specs = []
    tags: dict[str, list[str]] = {}
    for themed_day in ThemedDay.objects.filter(is_active=True).order_by("sort_order"):
        rng = random.Random(SEED + zlib.crc32(themed_day.name.encode()))  # noqa: S311 (demo data, not secrets)
        kind = THEMED_KINDS.get(themed_day.name, ActivityKind.THEMED_DAY)
        organizers = _organizers_for(themed_day, planner)
        start = _last_occurrence(themed_day, today)
        upcoming, _ = themed_day.next_occurrence(today)
        # The towns' associations, long established, hold every themed day; the associations
        # founded during the programme follow. The organisers do not depend on the day, so that a
        # later run moves the activities it finds instead of adding others.
        towns = [info for info in organizers if info.org.kind == Organization.Kind.TOWN_ASSOCIATION]
        holders = towns + [info for info in organizers if info not in towns]
        for info in holders[: rng.randint(2, 4)]:
            # The key names the reference year, not the occurrence: the activity moves to the
            # latest occurrence on a later run.
            key = f"demo:themed:{YEAR}:{themed_day.sort_order:02d}:{info.org.code}"
            roll = rng.random()
            status = Activity.Status.VERIFIED if roll < 0.85 else Activity.Status.HELD
            title = f"{themed_day.name}主题活动"
            # An association founded after the latest occurrence holds the next one it can
            # (planned), on the themed day's own date.
            founded = info.org.founded_on
            day = start
            if founded is not None and founded > start:
                day = upcoming if upcoming >= founded else themed_day.occurrence(upcoming.year + 1)[0]
            specs.append(
                planner.spec(rng, key=key, info=info, kind=kind, day=day, status=status, title=title)
            )
            tags.setdefault(themed_day.name, []).append(key)
        if (upcoming - today).days <= UPCOMING_DAYS:
            for n, info in enumerate(organizers[:2]):
                key = f"demo:themed:next:{themed_day.sort_order:02d}:{info.org.code}"
                specs.append(
                    _upcoming_spec(planner, rng, key, info, themed_day, kind, upcoming, first=n == 0)
                )
                tags.setdefault(themed_day.name, []).append(key)
    # The 姜山 campus science festival: a school event in each of three weeks of October.
    jiangshan = [
        info
        for info in planner.infos.values()
        if info.org.kind == Organization.Kind.TOWN_ASSOCIATION and info.org.home_region.name == "姜山镇"
    ]
    for n, info in enumerate(jiangshan * 3, start=1):
        rng = random.Random(SEED + n)  # noqa: S311 (demo data, not secrets)
        day = planner.cal.at(datetime.date(YEAR, 10, 7 * n + 4))
        specs.append(
            planner.spec(
                rng,
                key=f"{CAMPUS_FESTIVAL_KEY}:{n}",
                info=info,
                kind=ActivityKind.FESTIVAL,
                day=day,
                status=Activity.Status.VERIFIED,
                title=("姜山镇中心小学科技节", "姜山镇实验中学科学实验秀", "姜山镇校园创客嘉年华")[n - 1],
            )
        )
    return specs, tags


def _campaigns(planner: Planner) -> tuple[dict[str, Campaign], int]:
    """The campaigns, by the name they are written under in ``CAMPAIGNS``."""
    created = 0
    campaigns = {}
    for template, start, end, description, owner_town in CAMPAIGNS:
        owner = (
            Organization.objects.filter(
                kind=Organization.Kind.TOWN_ASSOCIATION, home_region__name=owner_town
            ).first()
            if owner_town
            else None
        )
        starts_on, ends_on = planner.cal.at(start), planner.cal.at(end)
        values = {
            "name": template.format(year=starts_on.year),
            "starts_on": starts_on,
            "ends_on": ends_on,
            "owner": owner,
        }
        campaign, was_created = Campaign.objects.update_or_create(
            description=f"{description}{DEMO_NOTE}", defaults=values
        )
        created += was_created
        campaigns[template] = campaign
    return campaigns, created


def _campaign_members(campaigns: dict[str, Campaign]) -> None:
    """Put the ledger's activities into the campaigns that fit them (add only: staff may have
    added more)."""
    activities = Activity.objects.filter(source_key__startswith=f"demo:{YEAR}:").exclude(
        status=Activity.Status.CANCELLED
    )
    through = Campaign.activities.through
    rows = []
    youth_festival = campaigns["{year}年鄞州区青少年科技节"]
    campus_festival = campaigns["{year}年姜山镇校园科技节"]
    for pk, kind, title, stream, starts_at, region in activities.values_list(
        "pk", "kind", "title", "stream", "starts_at", "region__name"
    ):
        day = timezone.localtime(starts_at).date()
        names = []
        if stream == "popularization":
            names.append("{year}年科普惠民行动")
        if "智能手机" in title:
            names.append("老年人智能手机操作技能培训工程")
        if kind == ActivityKind.FESTIVAL and youth_festival.starts_on <= day <= youth_festival.ends_on:
            names.append("{year}年鄞州区青少年科技节")
        if kind == ActivityKind.FESTIVAL and region == "姜山镇":
            names.append("{year}年姜山镇校园科技节")
        if kind in (ActivityKind.POPULAR_LECTURE, ActivityKind.CONSULTATION) and "健康" in title:
            names.append("新冠肺炎科学防控科普")
        for name in names:
            campaign = campaigns[name]
            if campaign.starts_on <= day <= campaign.ends_on:
                rows.append(through(campaign_id=campaign.pk, activity_id=pk))
    for pk in Activity.objects.filter(source_key__startswith=CAMPUS_FESTIVAL_KEY).values_list(
        "pk", flat=True
    ):
        rows.append(through(campaign_id=campus_festival.pk, activity_id=pk))
    through.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)


def _posts(campaigns: dict[str, Campaign], today: datetime.date) -> tuple[int, int]:
    """Posts on the activities that took place (the day after, never after today) and on the
    start of each campaign. A post is found again by its address and what it is about; a run on
    a later day moves its date with the activity's."""
    rng = random.Random(SEED)  # noqa: S311 (demo data, not secrets)
    wanted = []
    took_place = (
        Activity.objects.filter(
            source_key__startswith="demo:", stream="popularization", status__in=Activity.TOOK_PLACE
        )
        .order_by("source_key")
        .values_list("pk", "source_key", "title", "ends_at")
    )
    for pk, key, title, ends_at in took_place:
        # This morning's activity is always reported, so that even the year's first day has a post.
        if rng.random() > 0.35 and not key.startswith(THIS_MORNING_KEY):
            continue
        channel, outlet, (low, high) = CHANNELS[zlib.crc32(key.encode()) % len(CHANNELS)]
        wanted.append(
            ChannelPost(
                channel=channel,
                outlet=outlet,
                title=f"{title}圆满举行",
                url=f"{DEMO_URL}/{channel}/{zlib.crc32(key.encode()):08x}",
                published_on=min(timezone.localtime(ends_at).date() + datetime.timedelta(days=1), today),
                reach=rng.randint(low, high),
                activity_id=pk,
            )
        )
    for name, campaign in sorted(campaigns.items()):
        for channel, outlet, (low, high) in CHANNELS[:2]:
            wanted.append(
                ChannelPost(
                    channel=channel,
                    outlet=outlet,
                    title=f"{campaign.name}启动",
                    url=f"{DEMO_URL}/{channel}/campaign-{zlib.crc32(name.encode()):08x}",
                    published_on=min(campaign.starts_on, today),
                    reach=rng.randint(low, high),
                    campaign_id=campaign.pk,
                )
            )
    before = ChannelPost.objects.count()
    existing = {
        (post.url, post.activity_id, post.campaign_id): post
        for post in ChannelPost.objects.filter(url__startswith=DEMO_URL)
    }
    moved = []
    for post in wanted:
        found = existing.get((post.url, post.activity_id, post.campaign_id))
        if found is not None and (found.published_on, found.title) != (post.published_on, post.title):
            found.published_on, found.title = post.published_on, post.title
            moved.append(found)
    ChannelPost.objects.bulk_update(moved, ["published_on", "title"], batch_size=500)
    ChannelPost.objects.bulk_create(
        [post for post in wanted if (post.url, post.activity_id, post.campaign_id) not in existing],
        batch_size=500,
    )
    return ChannelPost.objects.count(), ChannelPost.objects.count() - before


def plan_demo(*, today: datetime.date) -> list[ActivitySpec]:
    """The themed-day activities ``build_demo`` would write on ``today`` (reads, never writes);
    ``services.demo.planned_rows`` turns them into the rows."""
    specs, _tags = _themed_specs(Planner(today=today), today)
    return specs


@transaction.atomic
def build_demo(*, today: datetime.date | None = None) -> list[tuple[str, int, str, int]]:
    today = today or clock.today()
    if not Organization.objects.filter(code__startswith="TA-").exists():
        return []
    planner = Planner(today=today)
    specs, tags = _themed_specs(planner, today)
    themed = write_activities(specs)
    ids = dict(Activity.objects.filter(source_key__in=[s.key for s in specs]).values_list("source_key", "pk"))
    days = dict(ThemedDay.objects.values_list("name", "pk"))
    ThemedDay.activities.through.objects.bulk_create(
        [
            ThemedDay.activities.through(themedday_id=days[name], activity_id=ids[key])
            for name, keys in tags.items()
            for key in keys
        ],
        ignore_conflicts=True,
    )
    campaigns, campaigns_created = _campaigns(planner)
    _campaign_members(campaigns)
    posts, posts_created = _posts(campaigns, today)
    return [
        ("系列活动", len(campaigns), "个", campaigns_created),
        ("主题日与校园科技节活动", themed["activities"][0], "项", themed["activities"][1]),
        ("宣传发布", posts, "篇", posts_created),
    ]
