"""Province-sized load data on top of the demo district: ``manage.py seed_demo --scale N [--towns M]``.

Owns the generator of the scaled data: ``sizes`` (what the arguments mean in rows), ``pools``
(phone numbers encrypted in Python), ``structure`` (regions, organisations, people, seats,
memberships, teams) and ``ledger`` (activities, check-ins, volunteer hours). ``seed_demo`` finds
this module by name (``organizations`` imports none of the apps built on it) and calls
``refuse_unless_possible`` before the demo and ``generate`` after it.

The rows are written set-based inside PostgreSQL (INSERT … SELECT over ``generate_series``,
COPY for the encrypted numbers), in one transaction: a run that fails leaves nothing behind.
They are system data, like the demo's, written without actions or audit entries. The
generator adds towns and never touches the demo's rows, so the demo's logins keep working; it
refuses to run twice on one database (the generated regions carry their own code set), and on
SQLite. Foreign keys are checked by construction: on a superuser connection their triggers are
switched off for the transaction alone (``session_replication_role``, which the end of the
transaction restores), as each check-in would otherwise look up and lock its activity.

May import: ``organizations``, ``services``; nothing of the other rooms of ``rollout``.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, connection, transaction

from organizations.demo import DISTRICT_CODE, DemoDataError
from organizations.demo_dates import REFERENCE_YEAR, DemoCalendar
from organizations.models import Organization, Region
from services import tallies

from . import ledger, pools, structure
from .run import Run
from .sizes import LEADERS_PER_TOWN, ORGS_PER_TOWN, TEAMS_PER_TOWN, VILLAGES_PER_TOWN, Sizes, sizes_for

CODE_SET = "扩容测试示例区划（非真实区划）"
NOTE = "示例数据（扩容生成）"

# label, unit, for the counts printed; in the order the steps write them.
LABELS = {
    "regions": ("区域（镇街及村社）", "个"),
    "organizations": ("组织", "个"),
    "served_regions": ("组织服务区域", "条"),
    "people": ("人员", "人"),
    "leader_roles": ("三长/泛三长身份", "个"),
    "memberships": ("会员关系", "条"),
    "seats": ("领导机构职务", "个"),
    "teams": ("科技志愿服务队", "支"),
    "team_memberships": ("服务队志愿者", "人次"),
    "activities": ("服务活动", "项"),
    "activity_leaders": ("活动带队三长", "条"),
    "activity_co_organizers": ("活动协办组织", "条"),
    "activity_transitions": ("活动状态变更", "条"),
    "attendances": ("扫码签到", "人次"),
    "activity_teams": ("活动参与服务队", "条"),
    "volunteer_services": ("志愿服务记录", "条"),
}
TABLES = [
    "organizations_region",
    "organizations_organization",
    "organizations_organization_served_regions",
    "organizations_person",
    "organizations_leaderrole",
    "organizations_membership",
    "organizations_seat",
    "organizations_volunteerteam",
    "organizations_teammembership",
    "services_activity",
    "services_activity_leaders",
    "services_activity_co_organizers",
    "services_activitytransition",
    "services_attendance",
    "services_activity_teams",
    "services_volunteerservice",
]


@dataclass
class Generated:
    """What a run wrote: rows per table (keys of ``LABELS``) and seconds per step."""

    counts: dict[str, int] = field(default_factory=dict)
    steps: list[tuple[str, float]] = field(default_factory=list)

    def rows(self) -> list[tuple[str, int, str]]:
        return [(LABELS[key][0], self.counts[key], LABELS[key][1]) for key in LABELS if key in self.counts]


def refuse_unless_possible(*, scale, towns: int | None) -> Sizes:
    """The sizes of the run, or ``DemoDataError`` saying why it cannot take place here."""
    if connection.vendor != "postgresql":
        raise DemoDataError(
            "扩容数据（--scale）只能在 PostgreSQL 中生成：当前数据库是 "
            f"{connection.display_name}，无法承载数千万条签到记录的批量写入。"
            "请将 DATABASE_URL 指向 PostgreSQL 数据库后再运行。"
        )
    sizes = sizes_for(scale=scale, towns=towns)
    if sizes.scale <= 0 or sizes.towns < 1:
        raise DemoDataError("--scale 须大于 0，--towns 须至少为 1。")
    if Region.objects.filter(code_set=CODE_SET).exists():
        raise DemoDataError(
            "本数据库已生成过扩容数据，不再重复生成（同一参数生成的数据完全相同）。"
            "如需不同规模，请新建一个数据库，运行 migrate 后再运行 seed_demo --scale。"
        )
    return sizes


def _token_secret() -> str:
    # Check-in links are secrets: derived from the site's key, not guessable from the index.
    return hmac.new(settings.SECRET_KEY.encode(), b"loadgen-checkin-token", hashlib.sha256).hexdigest()


def _params(sizes: Sizes, today: datetime.date | None) -> dict:
    calendar = DemoCalendar.seeded_on(today)
    # The demo's ledger starts a quarter before the programme year (services.demo).
    window_start = calendar.at(datetime.date(REFERENCE_YEAR - 1, 10, 1))
    district = Region.objects.filter(kind=Region.Kind.DISTRICT, parent__isnull=True).order_by("pk").first()
    district_org = Organization.objects.filter(code=DISTRICT_CODE).first()
    if district is None or district_org is None:
        raise DemoDataError("未找到演示区的区科协，请先运行 seed_demo（不带 --scale）。")
    return {
        "towns": sizes.towns,
        "people": sizes.people,
        "activities": sizes.activities,
        "checkins": sizes.checkins,
        "pool": sizes.pool,
        "today": calendar.today,
        "moment": calendar.moment,
        "window_start": window_start,
        "window_days": (calendar.programme_end - window_start).days + 1,
        "tz": settings.TIME_ZONE,
        "district_region": district.pk,
        "district_path": district.path,
        "district_org": district_org.pk,
        "code_set": CODE_SET,
        "note": NOTE,
        "token_secret": _token_secret(),
    }


SESSION = {"work_mem": "256MB", "synchronous_commit": "off", "session_replication_role": "replica"}
TEMPORARY_TABLES = (
    *("lg_phone", "lg_pool", "lg_town", "lg_village", "lg_org", "lg_team"),
    *("lg_kind", "lg_place", "lg_act", "lg_tp", "lg_share"),
)


def _session(run: Run) -> dict[str, str]:
    """Settings for the run (SET LOCAL: at most until the transaction ends); the settings they
    replace, which ``_restore`` puts back when the run ends inside a longer transaction."""
    settings_now = {}
    superuser = run.value("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    for name, value in SESSION.items():
        if name == "session_replication_role" and not superuser:
            continue  # foreign keys then stay checked, slower
        settings_now[name] = run.value("SELECT current_setting(%s)", [name])
        run.value("SELECT set_config(%s, %s, true)", [name, value])
    try:
        with transaction.atomic():
            run.sql("SET LOCAL temp_buffers = '512MB'")
    except DatabaseError:  # temporary tables were used earlier in this session
        pass
    run.sql(structure.HASH_FUNCTION)
    return settings_now


def _restore(run: Run, settings_before: dict[str, str]) -> None:
    run.sql(f"DROP TABLE IF EXISTS {', '.join(TEMPORARY_TABLES)}")
    run.sql("DROP FUNCTION pg_temp.lg_h(bigint, integer)")
    for name, value in settings_before.items():
        run.value("SELECT set_config(%s, %s, true)", [name, value])


def _reserve_keys(run: Run, sizes: Sizes) -> None:
    towns = sizes.towns
    run.params.update(
        base_region=run.reserve("organizations_region", towns * (1 + VILLAGES_PER_TOWN)),
        base_org=run.reserve("organizations_organization", towns * ORGS_PER_TOWN),
        base_person=run.reserve("organizations_person", towns * sizes.people),
        base_leader_role=run.reserve("organizations_leaderrole", towns * LEADERS_PER_TOWN),
        base_team=run.reserve("organizations_volunteerteam", towns * TEAMS_PER_TOWN),
        base_activity=run.reserve("services_activity", towns * sizes.activities),
    )


def _steps(run: Run, sizes: Sizes, progress: Callable[[str], None]) -> list[tuple[str, Callable[[], dict]]]:
    return [
        ("加密人员手机号码", lambda: {"_phones": pools.load_person_phones(sizes.towns * sizes.people)}),
        ("加密签到手机号码池", lambda: {"_pool": pools.load_attendee_pool(sizes.pool)}),
        ("区域与组织", lambda: structure.regions_and_organizations(run)),
        ("人员与三长身份", lambda: structure.people(run)),
        ("会员、职务与服务队", lambda: structure.memberships_seats_teams(run)),
        ("服务活动", lambda: ledger.activities(run)),
        ("带队、协办与状态变更", lambda: ledger.activity_links(run)),
        ("扫码签到", lambda: ledger.checkins(run, progress)),
        ("志愿服务记录", lambda: ledger.volunteer_services(run)),
        # Statistics first: the rebuild of the summaries reads the tables just written.
        ("更新统计信息（ANALYZE）", lambda: ledger.analyze(TABLES) or {}),
        ("重建台账汇总表", _rebuild_summaries),
    ]


def _rebuild_summaries() -> dict[str, int]:
    """The generated rows bypass the actions that keep the ledger's summary tables exact
    (services.tallies): count them again, set-based, inside the generation's transaction. The
    towns' coverage spans need nothing here: the database's triggers have noted the generated
    organisations, and the first reading of the coverage queues their rebuild."""
    activities, cells = tallies.rebuild()
    return {"activity_tallies": activities, "ledger_months": cells}


def generate(
    *,
    scale,
    towns: int | None = None,
    today: datetime.date | None = None,
    progress: Callable[[str], None] = lambda line: None,
) -> Generated:
    """Add ``towns`` generated towns of size ``scale`` to the demo district (see ``sizes``), in
    one transaction; then, unless a longer transaction holds it, vacuum the tables written."""
    result = _generate(scale=scale, towns=towns, today=today, progress=progress)
    if not connection.in_atomic_block:
        started = time.monotonic()
        vacuum(TABLES)
        seconds = time.monotonic() - started
        result.steps.append(("VACUUM", seconds))
        progress(f"  清理并更新统计信息（VACUUM）：用时 {seconds:.1f} 秒")
    return result


def vacuum(tables: list[str]) -> None:
    """VACUUM (ANALYZE) the tables: rows written in bulk are not yet marked visible to every
    transaction, so until autovacuum comes by, counts read the tables' pages instead of their
    indexes alone (the calendar's activities per day, a list's total)."""
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(table)}")


@transaction.atomic
def _generate(
    *,
    scale,
    towns: int | None = None,
    today: datetime.date | None = None,
    progress: Callable[[str], None] = lambda line: None,
) -> Generated:
    sizes = refuse_unless_possible(scale=scale, towns=towns)
    run = Run(params=_params(sizes, today))
    settings_before = _session(run)
    _reserve_keys(run, sizes)
    result = Generated()
    for label, step in _steps(run, sizes, progress):
        started = time.monotonic()
        counts = step()
        seconds = time.monotonic() - started
        result.steps.append((label, seconds))
        result.counts.update({key: value for key, value in counts.items() if not key.startswith("_")})
        written = sum(counts.values())
        progress(
            f"  {label}：{written} 行，用时 {seconds:.1f} 秒"
            if counts
            else f"  {label}：用时 {seconds:.1f} 秒"
        )
    _restore(run, settings_before)
    return result
