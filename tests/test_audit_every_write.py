"""Every write of the portal leaves the audit entry it should (STYLE.md rule 2).

The actions are found, not listed: every public function defined in a module named
``actions`` (or in a module of a package named ``actions``) of the four apps. Each one is
either called below with the entry it must leave, or named in ``EXEMPT`` with the reason it
writes no entry. The table names actions by function name only, so moving an action to
another module (``rollout.actions`` → ``rollout.plan.actions.tasks``) keeps the test as it is,
and a new action fails ``test_every_action_is_in_the_table_or_exempt`` until it is added here.

Each case also says what its entry records, before and after: an update names exactly the
fields it changed as ``[old, new]`` (``changes``); a creation records the values the new row
starts with as ``[None, value]`` and a deletion what the row held as ``[value, None]``
(``records``, a part of the entry's changes, with the values that depend on the rows built
returned by the arrangement). Personal fields read "***".
"""

from __future__ import annotations

import datetime
import functools
import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple

import pytest
from django.utils import timezone

from organizations.models import AuditEntry, LeaderRole, Organization, RoleAssignment, Seat
from outreach.models import ChannelPost, ThemedDay
from rollout.models import Incentive, QuarterClosing, ShowcaseItem, SteeringMember
from services.models import ActivityKind, Evidence, VenueKind
from tests import factories as f
from tests.outreach.factories import CampaignFactory, ChannelPostFactory
from tests.rollout import conftest as rollout_fixtures
from tests.rollout import factories as rf
from tests.services.factories import ActivityFactory, VolunteerServiceFactory

APPS = ("organizations", "services", "outreach", "rollout")

# The rollout's fixtures (the plan, a task and a rectification item of 姜山镇), for the cases
# that ask for them by name.
plan = rollout_fixtures.plan
jiangshan_task = rollout_fixtures.jiangshan_task
jiangshan_rectification = rollout_fixtures.jiangshan_rectification


# --------------------------------------------------------------------------- discovery


def _module_names(package: str, paths: list[str]) -> Iterator[str]:
    """Dotted names of every module below ``package``, found on disk without importing them;
    folders without ``__init__.py`` (namespace packages) included."""
    for info in pkgutil.iter_modules(paths, prefix=f"{package}."):
        yield info.name
        if info.ispkg:
            yield from _module_names(
                info.name, [str(Path(info.module_finder.path, info.name.rpartition(".")[2]))]
            )
    for path in paths:
        for child in sorted(Path(path).iterdir()):
            if (
                child.is_dir()
                and child.name.isidentifier()
                and not (child / "__init__.py").exists()
                and any(child.rglob("*.py"))
            ):
                yield from _module_names(f"{package}.{child.name}", [str(child)])


@dataclass
class Discovery:
    functions: dict[str, Callable] = field(default_factory=dict)
    modules: list[str] = field(default_factory=list)
    import_errors: dict[str, str] = field(default_factory=dict)
    duplicates: dict[str, list[str]] = field(default_factory=dict)


@functools.cache
def discover() -> Discovery:
    """Every public function defined (not imported) in an ``actions`` module of the apps."""
    found = Discovery()
    homes: dict[str, list[str]] = {}
    for app in APPS:
        root = importlib.import_module(app)
        for name in _module_names(app, list(root.__path__)):
            if "actions" not in name.split("."):
                continue
            try:
                module: ModuleType = importlib.import_module(name)
            except Exception as error:
                found.import_errors[name] = repr(error)
                continue
            found.modules.append(name)
            for function_name, function in inspect.getmembers(module, inspect.isfunction):
                if function_name.startswith("_") or function.__module__ != module.__name__:
                    continue
                homes.setdefault(function_name, []).append(name)
                found.functions[function_name] = function
    found.duplicates = {name: modules for name, modules in homes.items() if len(modules) > 1}
    return found


def action_named(name: str) -> Callable:
    found = discover()
    assert name in found.functions, (
        f"no public function {name!r} in any actions module {found.modules}; "
        f"modules that failed to import: {found.import_errors}"
    )
    return found.functions[name]


# --------------------------------------------------------------------------- the table


class World:
    """The personas and the two-town world of tests/conftest.py (and the rollout's fixtures),
    each built when a case first asks for it."""

    def __init__(self, request: pytest.FixtureRequest) -> None:
        self._request = request

    def __getattr__(self, name: str) -> Any:
        return self._request.getfixturevalue(name)


class Arranged(NamedTuple):
    kwargs: dict[str, Any]
    # The row the entry must name; None: the row the action returns.
    names: Any = None
    # Keys the entry's changes must hold with these values (rows built by the arrangement).
    records: dict[str, Any] | None = None


@dataclass(frozen=True)
class Case:
    action: str
    actor: str
    arrange: Callable[[World], Arranged]
    entry: tuple[str, str]  # (AuditEntry.action, AuditEntry.object_type)
    changes: dict[str, Any] | None = None  # exactly the entry's changes (updates)
    records: dict[str, Any] | None = None  # part of them (creations, deletions, events)
    object_id: str | None = None  # for entries that name no single row
    variant: str = ""

    @property
    def id(self) -> str:
        return f"{self.action}-{self.variant}" if self.variant else self.action


CASES: list[Case] = []


def case(action: str, *, actor: str, entry: tuple[str, str], **options: Any):
    def register(arrange: Callable[[World], Arranged]) -> Callable[[World], Arranged]:
        CASES.append(Case(action, actor, arrange, entry, **options))
        return arrange

    return register


def at(year: int, month: int, day: int, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, month, day, hour))


def js_activity(w: World, **fields: Any):
    """A held lecture of the 姜山镇 association a week ago, with its volunteer team."""
    return ActivityFactory(
        title="姜山健康讲座", organizer=w.jiangshan.association, teams=[w.jiangshan.team], **fields
    )


# ---- organisations, people, seats, memberships, teams, roles


@case(
    "person_register",
    actor="jiangshan_admin",
    entry=("person_register", "organizations.person"),
    records={
        "name": [None, "姜山新会员"],
        "gender": [None, "unknown"],
        "profession": [None, "other"],
        "phone": "***",
        "leader_kind": "",
    },
)
def arrange_person_register(w: World) -> Arranged:
    return Arranged(
        {"organization": w.jiangshan.association, "name": "姜山新会员", "phone": "13800001111"},
        records={"organization": w.jiangshan.association.pk},
    )


@case(
    "person_register",
    actor="jiangshan_admin",
    entry=("person_link", "organizations.person"),
    variant="link-existing",
)
def arrange_person_link(w: World) -> Arranged:
    member = w.wuxiang.member
    return Arranged(
        {
            "organization": w.jiangshan.association,
            "name": member.name,
            "phone": member.phone,
            "link_existing": True,
        },
        names=member,
        records={"organization": w.jiangshan.association.pk, "leader_kind": ""},
    )


@case(
    "person_update",
    actor="jiangshan_admin",
    entry=("person_update", "organizations.person"),
    changes={"employer": ["测试单位", "姜山镇卫生院"]},
)
def arrange_person_update(w: World) -> Arranged:
    return Arranged(
        {"person": w.jiangshan.member, "data": {"employer": "姜山镇卫生院"}}, names=w.jiangshan.member
    )


@case(
    "leader_role_add",
    actor="jiangshan_admin",
    entry=("leader_role_add", "organizations.leaderrole"),
    records={"kind": [None, "school_principal"], "institution": [None, "姜山中学"]},
)
def arrange_leader_role_add(w: World) -> Arranged:
    return Arranged(
        {"person": w.jiangshan.member, "kind": LeaderRole.Kind.SCHOOL_PRINCIPAL, "institution": "姜山中学"},
        records={"person": [None, w.jiangshan.member.pk]},
    )


@case(
    "leader_role_end",
    actor="jiangshan_admin",
    entry=("leader_role_end", "organizations.leaderrole"),
    changes={"ended_on": [None, "2022-12-31"]},
)
def arrange_leader_role_end(w: World) -> Arranged:
    role = w.jiangshan.leader.leader_roles.get()
    return Arranged({"role": role, "ended_on": datetime.date(2022, 12, 31)}, names=role)


@case("membership_add", actor="jiangshan_admin", entry=("membership_add", "organizations.membership"))
def arrange_membership_add(w: World) -> Arranged:
    person = f.PersonFactory(name="姜山新会员")
    return Arranged(
        {"person": person, "organization": w.jiangshan.association},
        records={"person": [None, person.pk], "organization": [None, w.jiangshan.association.pk]},
    )


@case(
    "membership_end",
    actor="jiangshan_admin",
    entry=("membership_end", "organizations.membership"),
    changes={"left_on": [None, "2022-12-31"]},
)
def arrange_membership_end(w: World) -> Arranged:
    membership = w.jiangshan.membership
    return Arranged({"membership": membership, "left_on": datetime.date(2022, 12, 31)}, names=membership)


@case(
    "seat_create",
    actor="jiangshan_admin",
    entry=("seat_create", "organizations.seat"),
    records={
        "position": [None, "standing_member"],
        "term_start": [None, "2022-01-01"],
        "term_end": [None, "2026-12-31"],
    },
)
def arrange_seat_create(w: World) -> Arranged:
    return Arranged(
        {
            "organization": w.jiangshan.association,
            "person": w.jiangshan.member,
            "position": Seat.Position.STANDING_MEMBER,
            "term_start": datetime.date(2022, 1, 1),
            "term_end": datetime.date(2026, 12, 31),
        },
        records={
            "organization": [None, w.jiangshan.association.pk],
            "person": [None, w.jiangshan.member.pk],
        },
    )


@case(
    "seat_update",
    actor="jiangshan_admin",
    entry=("seat_update", "organizations.seat"),
    changes={"notes": ["", "换届后连任"]},
)
def arrange_seat_update(w: World) -> Arranged:
    return Arranged({"seat": w.jiangshan.seat, "data": {"notes": "换届后连任"}}, names=w.jiangshan.seat)


@case(
    "team_create",
    actor="jiangshan_admin",
    entry=("team_create", "organizations.volunteerteam"),
    records={"name": [None, "姜山镇农技服务队"]},
)
def arrange_team_create(w: World) -> Arranged:
    return Arranged(
        {"organization": w.jiangshan.association, "name": "姜山镇农技服务队"},
        records={"organization": [None, w.jiangshan.association.pk]},
    )


@case(
    "team_update",
    actor="jiangshan_admin",
    entry=("team_update", "organizations.volunteerteam"),
    changes={"service_area": ["", "健康科普"]},
)
def arrange_team_update(w: World) -> Arranged:
    return Arranged({"team": w.jiangshan.team, "data": {"service_area": "健康科普"}}, names=w.jiangshan.team)


@case(
    "team_volunteer_add",
    actor="jiangshan_admin",
    entry=("team_volunteer_add", "organizations.teammembership"),
)
def arrange_team_volunteer_add(w: World) -> Arranged:
    return Arranged(
        {"team": w.jiangshan.team, "person": w.jiangshan.leader},
        records={"team": [None, w.jiangshan.team.pk], "person": [None, w.jiangshan.leader.pk]},
    )


@case(
    "team_volunteer_remove",
    actor="jiangshan_admin",
    entry=("team_volunteer_remove", "organizations.teammembership"),
    changes={"left_on": [None, "2022-12-31"]},
)
def arrange_team_volunteer_remove(w: World) -> Arranged:
    membership = w.jiangshan.volunteer_membership
    return Arranged({"membership": membership, "left_on": datetime.date(2022, 12, 31)}, names=membership)


@case(
    "organization_create",
    actor="district_user",
    entry=("organization_create", "organizations.organization"),
    records={
        "code": [None, "JS-NX"],
        "name": [None, "姜山镇农学会"],
        "kind": [None, "grassroots_association"],
        "category": [None, "production"],
    },
)
def arrange_organization_create(w: World) -> Arranged:
    return Arranged(
        {
            "data": {
                "code": "JS-NX",
                "name": "姜山镇农学会",
                "kind": Organization.Kind.GRASSROOTS_ASSOCIATION,
                "category": Organization.Category.PRODUCTION,
                "home_region": f.region("姜山镇"),
            }
        },
        records={"home_region": [None, f.region("姜山镇").pk]},
    )


@case(
    "organization_update",
    actor="jiangshan_admin",
    entry=("organization_update", "organizations.organization"),
    changes={"contact_name": ["", "张秘书"]},
)
def arrange_organization_update(w: World) -> Arranged:
    association = w.jiangshan.association
    return Arranged({"organization": association, "data": {"contact_name": "张秘书"}}, names=association)


@case(
    "role_assign",
    actor="district_user",
    entry=("role_assign", "organizations.roleassignment"),
    records={"role": [None, "org_admin"]},
)
def arrange_role_assign(w: World) -> Arranged:
    user = f.UserFactory(username="jiangshan2")
    return Arranged(
        {"user": user, "role": RoleAssignment.Role.ORG_ADMIN, "organization": w.jiangshan.association},
        records={"user": [None, user.pk], "organization": [None, w.jiangshan.association.pk]},
    )


@case(
    "role_revoke",
    actor="district_user",
    entry=("role_revoke", "organizations.roleassignment"),
    records={"role": ["org_admin", None]},
)
def arrange_role_revoke(w: World) -> Arranged:
    assignment = f.assign(
        f.UserFactory(username="jiangshan2"),
        RoleAssignment.Role.ORG_ADMIN,
        organization=w.jiangshan.association,
    )
    return Arranged(
        {"assignment": assignment},
        names=assignment,
        records={"user": [assignment.user_id, None], "organization": [w.jiangshan.association.pk, None]},
    )


@case(
    "admin_record_save",
    actor="district_user",
    entry=("admin_update", "organizations.membership"),
    changes={"left_on": [None, "2026-03-01"]},
    variant="update",
)
def arrange_admin_record_save_update(w: World) -> Arranged:
    membership = w.jiangshan.membership
    membership.left_on = datetime.date(2026, 3, 1)
    # A field the form did not change is not recorded.
    return Arranged({"obj": membership, "fields": ["left_on", "joined_on"]}, names=membership)


@case(
    "admin_record_save",
    actor="district_user",
    entry=("admin_create", "organizations.membership"),
    records={"joined_on": [None, "2026-03-01"]},
    variant="create",
)
def arrange_admin_record_save_create(w: World) -> Arranged:
    person = f.PersonFactory(name="姜山新会员")
    membership = f.MembershipFactory.build(
        person=person, organization=w.jiangshan.association, joined_on=datetime.date(2026, 3, 1)
    )
    return Arranged(
        {"obj": membership, "fields": ["person", "organization", "joined_on", "left_on"]},
        records={"person": [None, person.pk], "organization": [None, w.jiangshan.association.pk]},
    )


@case(
    "admin_record_delete",
    actor="district_user",
    entry=("admin_delete", "organizations.membership"),
    records={"joined_on": ["2022-03-01", None]},
)
def arrange_admin_record_delete(w: World) -> Arranged:
    membership = w.jiangshan.membership
    return Arranged(
        {"obj": membership},
        names=membership,
        records={"person": [membership.person_id, None], "organization": [membership.organization_id, None]},
    )


@case(
    "list_export_record",
    actor="district_user",
    entry=("people_export_full", "organizations.person"),
    object_id="*",
    changes={"list": "people", "count": 3, "filters": "organization=TA-JS"},
)
def arrange_list_export_record(w: World) -> Arranged:
    return Arranged(
        {
            "list_key": "people",
            "object_type": "organizations.person",
            "reason": "上报市科协核对名单",
            "count": 3,
            "filters": "organization=TA-JS",
        }
    )


# ---- accounts: lockouts and passwords


@case(
    "lockout_release",
    actor="district_user",
    entry=("lockout_release", "axes.accessattempt"),
    changes={"username": "jiangshan", "failures": 5, "last_attempt": "2026-03-10T09:00+08:00"},
)
def arrange_lockout_release(w: World) -> Arranged:
    from axes.models import AccessAttempt

    attempt = AccessAttempt.objects.create(
        username="jiangshan",
        ip_address="10.0.0.1",
        user_agent="test",
        failures_since_start=5,
        get_data="",
        post_data="",
        http_accept="",
        path_info="/accounts/login/",
    )
    AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=at(2026, 3, 10, 9))
    return Arranged({"kind": "username", "value": "jiangshan"}, names=attempt)


@case(
    "account_require_password_change",
    actor="district_user",
    entry=("account_require_password_change", "auth.user"),
    changes={"must_change": True},
)
def arrange_account_require_password_change(w: World) -> Arranged:
    user = f.UserFactory(username="newclerk")
    return Arranged({"user": user}, names=user)


@case(
    "account_password_change",
    actor="district_user",
    entry=("account_password_change", "auth.user"),
    changes={},
)
def arrange_account_password_change(w: World) -> Arranged:
    return Arranged({"new_password": "Own-choice-77"})


@case(
    "account_password_reset",
    actor="district_user",
    entry=("account_password_reset", "auth.user"),
    changes={},
)
def arrange_account_password_reset(w: World) -> Arranged:
    return Arranged({"new_password": "Mailed-link-78"})


# ---- the service ledger


@case(
    "activity_create",
    actor="jiangshan_admin",
    entry=("activity_create", "services.activity"),
    records={
        "title": [None, "姜山科普讲座"],
        "kind": [None, "popular_lecture"],
        "venue_kind": [None, "civilization_center"],
        "venue": [None, "姜山镇文明实践所"],
        "starts_at": [None, "2022-06-01T09:00+08:00"],
        "ends_at": [None, "2022-06-01T11:00+08:00"],
        "status": [None, "planned"],
    },
)
def arrange_activity_create(w: World) -> Arranged:
    return Arranged(
        {
            "data": {
                "title": "姜山科普讲座",
                "kind": ActivityKind.POPULAR_LECTURE,
                "organizer": w.jiangshan.association,
                "region": f.region("姜山镇"),
                "venue_kind": VenueKind.CIVILIZATION_CENTER,
                "venue": "姜山镇文明实践所",
                "starts_at": at(2022, 6, 1, 9),
                "ends_at": at(2022, 6, 1, 11),
            }
        },
        records={
            "organizer": [None, w.jiangshan.association.pk],
            "region": [None, f.region("姜山镇").pk],
        },
    )


@case(
    "activity_update",
    actor="jiangshan_admin",
    entry=("activity_update", "services.activity"),
    changes={"title": ["姜山健康讲座", "姜山健康讲座（第二场）"]},
)
def arrange_activity_update(w: World) -> Arranged:
    activity = js_activity(w)
    return Arranged({"activity": activity, "data": {"title": "姜山健康讲座（第二场）"}}, names=activity)


@case(
    "activity_publish",
    actor="jiangshan_admin",
    entry=("activity_publish", "services.activity"),
    changes={"is_published": [False, True]},
)
def arrange_activity_publish(w: World) -> Arranged:
    activity = js_activity(w)
    return Arranged({"activity": activity, "publish": True}, names=activity)


@case(
    "evidence_add",
    actor="jiangshan_admin",
    entry=("evidence_add", "services.evidence"),
    records={"kind": [None, "photo"], "caption": [None, "现场照片"], "original_name": [None, "照片.png"]},
)
def arrange_evidence_add(w: World) -> Arranged:
    activity = js_activity(w)
    return Arranged(
        {"activity": activity, "upload": rf.png(), "caption": "现场照片"},
        records={"activity": [None, activity.pk]},
    )


@case(
    "evidence_delete",
    actor="jiangshan_admin",
    entry=("evidence_delete", "services.evidence"),
    records={"kind": ["photo", None], "original_name": ["照片.png", None]},
)
def arrange_evidence_delete(w: World) -> Arranged:
    activity = js_activity(w)
    evidence = Evidence(activity=activity, original_name="照片.png", size=len(rf.PNG))
    evidence.file.save("照片.png", rf.png(), save=True)
    return Arranged({"evidence": evidence}, names=evidence, records={"activity": [activity.pk, None]})


@case(
    "volunteer_hours_enter",
    actor="jiangshan_admin",
    entry=("volunteer_hours_change", "services.volunteerservice"),
    changes={"hours": [None, "2.50"]},
)
def arrange_volunteer_hours_enter(w: World) -> Arranged:
    return Arranged(
        {
            "activity": js_activity(w),
            "person": w.jiangshan.member,
            "hours": "2.5",
            "reason": "未扫码签到，按签到表补录",
        }
    )


@case(
    "volunteer_hours_correct",
    actor="jiangshan_admin",
    entry=("volunteer_hours_change", "services.volunteerservice"),
    changes={"hours": ["2.00", "3.00"]},
)
def arrange_volunteer_hours_correct(w: World) -> Arranged:
    service = VolunteerServiceFactory(
        activity=js_activity(w), person=w.jiangshan.member, team=w.jiangshan.team, hours=Decimal("2.00")
    )
    return Arranged({"service": service, "hours": "3", "reason": "签退时间登记有误"}, names=service)


@case(
    "volunteer_records_export",
    actor="jiangshan_admin",
    entry=("volunteer_records_export", "organizations.volunteerteam"),
    changes={"year": 2022, "rows": 0, "reason": "上报全国科技志愿服务平台"},
)
def arrange_volunteer_records_export(w: World) -> Arranged:
    return Arranged(
        {"team": w.jiangshan.team, "year": 2022, "reason": "上报全国科技志愿服务平台"}, names=w.jiangshan.team
    )


# ---- outreach


@case(
    "campaign_create",
    actor="district_user",
    entry=("campaign_create", "outreach.campaign"),
    records={
        "name": [None, "科普惠民行动"],
        "starts_on": [None, "2022-03-01"],
        "ends_on": [None, "2022-11-30"],
    },
)
def arrange_campaign_create(w: World) -> Arranged:
    return Arranged(
        {
            "data": {
                "name": "科普惠民行动",
                "starts_on": datetime.date(2022, 3, 1),
                "ends_on": datetime.date(2022, 11, 30),
            }
        }
    )


@case(
    "campaign_update",
    actor="district_user",
    entry=("campaign_update", "outreach.campaign"),
    changes={"description": ["", "全区科普惠民系列活动"]},
)
def arrange_campaign_update(w: World) -> Arranged:
    campaign = CampaignFactory(name="科普惠民行动")
    return Arranged({"campaign": campaign, "data": {"description": "全区科普惠民系列活动"}}, names=campaign)


@case(
    "campaign_add_activities", actor="jiangshan_admin", entry=("campaign_add_activities", "outreach.campaign")
)
def arrange_campaign_add_activities(w: World) -> Arranged:
    campaign = CampaignFactory(name="科普惠民行动")
    activity = js_activity(w)
    return Arranged(
        {"campaign": campaign, "activities": [activity]},
        names=campaign,
        records={"activities": [activity.pk]},
    )


@case(
    "campaign_remove_activity",
    actor="jiangshan_admin",
    entry=("campaign_remove_activity", "outreach.campaign"),
)
def arrange_campaign_remove_activity(w: World) -> Arranged:
    campaign = CampaignFactory(name="科普惠民行动")
    activity = js_activity(w)
    campaign.activities.add(activity)
    return Arranged(
        {"campaign": campaign, "activity": activity}, names=campaign, records={"activity": activity.pk}
    )


@case("activity_outreach_set", actor="jiangshan_admin", entry=("activity_outreach_set", "services.activity"))
def arrange_activity_outreach_set(w: World) -> Arranged:
    activity = js_activity(w)
    eye_day = ThemedDay.objects.get(name="全国爱眼日")
    return Arranged(
        {"activity": activity, "campaigns": [], "themed_days": [eye_day]},
        names=activity,
        records={"themed_days": [[], [eye_day.pk]]},
    )


@case("themed_day_tag", actor="jiangshan_admin", entry=("themed_day_tag", "services.activity"))
def arrange_themed_day_tag(w: World) -> Arranged:
    activity = js_activity(w)
    eye_day = ThemedDay.objects.get(name="全国爱眼日")
    return Arranged(
        {"themed_day": eye_day, "activity": activity},
        names=activity,
        records={"themed_days": [[], [eye_day.pk]]},
    )


@case("themed_day_untag", actor="jiangshan_admin", entry=("themed_day_untag", "services.activity"))
def arrange_themed_day_untag(w: World) -> Arranged:
    activity = js_activity(w)
    themed_day = ThemedDay.objects.get(name="全国爱眼日")
    themed_day.activities.add(activity)
    return Arranged(
        {"themed_day": themed_day, "activity": activity},
        names=activity,
        records={"themed_days": [[themed_day.pk], []]},
    )


@case(
    "channel_post_create",
    actor="jiangshan_admin",
    entry=("channel_post_create", "outreach.channelpost"),
    records={
        "channel": [None, "wechat"],
        "title": [None, "姜山健康讲座回顾"],
        "url": [None, "https://example.com/js/1"],
        "published_on": [None, "2022-06-02"],
        "reach": [None, 500],
    },
)
def arrange_channel_post_create(w: World) -> Arranged:
    activity = js_activity(w)
    return Arranged(
        {
            "activity": activity,
            "data": {
                "channel": ChannelPost.Channel.WECHAT,
                "title": "姜山健康讲座回顾",
                "url": "https://example.com/js/1",
                "published_on": datetime.date(2022, 6, 2),
                "reach": 500,
            },
        },
        records={"activity": [None, activity.pk]},
    )


@case(
    "channel_post_update",
    actor="jiangshan_admin",
    entry=("channel_post_update", "outreach.channelpost"),
    changes={"reach": [500, 800]},
)
def arrange_channel_post_update(w: World) -> Arranged:
    post = ChannelPostFactory(activity=js_activity(w), title="姜山健康讲座回顾", reach=500)
    data = {
        "channel": post.channel,
        "title": post.title,
        "url": post.url,
        "published_on": post.published_on,
        "reach": 800,
        "outlet": post.outlet,
    }
    return Arranged({"post": post, "data": data}, names=post)


@case(
    "channel_post_delete",
    actor="jiangshan_admin",
    entry=("channel_post_delete", "outreach.channelpost"),
    records={"title": ["姜山健康讲座回顾", None]},
)
def arrange_channel_post_delete(w: World) -> Arranged:
    activity = js_activity(w)
    post = ChannelPostFactory(activity=activity, title="姜山健康讲座回顾")
    return Arranged({"post": post}, names=post, records={"activity": [activity.pk, None]})


# ---- the rollout


@case(
    "phase_update",
    actor="district_user",
    entry=("phase_update", "rollout.phase"),
    changes={"name": ["调研准备", "调研准备（含专项调研）"]},
)
def arrange_phase_update(w: World) -> Arranged:
    phase = w.plan[1]
    kwargs = {
        "phase": phase,
        "name": "调研准备（含专项调研）",
        "summary": phase.summary,
        "start_date": phase.start_date,
        "end_date": phase.end_date,
    }
    return Arranged(kwargs, names=phase)


@case(
    "stage_update",
    actor="district_user",
    entry=("stage_update", "rollout.stage"),
    changes={"target": ["姜山镇、五乡镇、云龙镇、下应街道科协完成试点", "四个试点镇（街）科协完成试点"]},
)
def arrange_stage_update(w: World) -> Arranged:
    stage = w.plan[3].stages.get(code="3a")
    kwargs = {
        "stage": stage,
        "name": stage.name,
        "summary": stage.summary,
        "target": "四个试点镇（街）科协完成试点",
        "start_date": stage.start_date,
        "end_date": stage.end_date,
    }
    return Arranged(kwargs, names=stage)


@case(
    "milestone_create",
    actor="district_user",
    entry=("milestone_create", "rollout.milestone"),
    records={"title": [None, "试点镇（街）完成试点"], "due_date": [None, "2022-06-30"]},
)
def arrange_milestone_create(w: World) -> Arranged:
    return Arranged(
        {"phase": w.plan[3], "title": "试点镇（街）完成试点", "due_date": datetime.date(2022, 6, 30)},
        records={"phase": [None, w.plan[3].pk]},
    )


@case(
    "milestone_update",
    actor="district_user",
    entry=("milestone_update", "rollout.milestone"),
    changes={"achieved_on": [None, "2022-06-28"]},
)
def arrange_milestone_update(w: World) -> Arranged:
    milestone = rf.MilestoneFactory(phase=w.plan[3], title="试点镇（街）完成试点")
    return Arranged(
        {"milestone": milestone, "data": {"achieved_on": datetime.date(2022, 6, 28)}}, names=milestone
    )


@case(
    "task_create",
    actor="district_user",
    entry=("task_create", "rollout.task"),
    records={
        "title": [None, "姜山镇科协换届"],
        "due_date": [None, "2022-12-31"],
        "status": [None, "not_started"],
    },
)
def arrange_task_create(w: World) -> Arranged:
    return Arranged(
        {
            "phase": w.plan[3],
            "title": "姜山镇科协换届",
            "organization": w.jiangshan.association,
            "due_date": datetime.date(2022, 12, 31),
        },
        records={"phase": [None, w.plan[3].pk], "organization": [None, w.jiangshan.association.pk]},
    )


@case(
    "task_update",
    actor="district_user",
    entry=("task_update", "rollout.task"),
    changes={"title": ["姜山推进任务", "姜山推进任务（调整）"], "due_date": ["2030-01-01", "2030-06-30"]},
)
def arrange_task_update(w: World) -> Arranged:
    task = w.jiangshan_task
    data = {"title": "姜山推进任务（调整）", "due_date": datetime.date(2030, 6, 30)}
    return Arranged({"task": task, "data": data}, names=task)


@case(
    "pilot_create",
    actor="district_user",
    entry=("pilot_create", "rollout.pilot"),
    records={"started_on": [None, "2022-03-15"]},
)
def arrange_pilot_create(w: World) -> Arranged:
    stage = w.plan[3].stages.get(code="3a")
    return Arranged(
        {"organization": w.jiangshan.association, "stage": stage, "started_on": datetime.date(2022, 3, 15)},
        records={"organization": [None, w.jiangshan.association.pk], "stage": [None, stage.pk]},
    )


@case(
    "pilot_update",
    actor="district_user",
    entry=("pilot_update", "rollout.pilot"),
    changes={"measures": ["具体对策：统一在平台登记。", "具体对策：统一在平台登记，每月通报。"]},
)
def arrange_pilot_update(w: World) -> Arranged:
    pilot = rf.PilotFactory(organization=w.jiangshan.association, stage=w.plan[3].stages.get(code="3a"))
    return Arranged(
        {"pilot": pilot, "data": {"measures": "具体对策：统一在平台登记，每月通报。"}}, names=pilot
    )


@case(
    "steering_member_create",
    actor="district_user",
    entry=("steering_member_create", "rollout.steeringmember"),
    records={"role": [None, "member"], "name": [None, "王指导"], "title": [None, "区科协科普科"]},
)
def arrange_steering_member_create(w: World) -> Arranged:
    return Arranged({"role": SteeringMember.Role.MEMBER, "name": "王指导", "title": "区科协科普科"})


@case(
    "steering_member_update",
    actor="district_user",
    entry=("steering_member_update", "rollout.steeringmember"),
    changes={"title": ["区科协科普科", "区科协副主席"]},
)
def arrange_steering_member_update(w: World) -> Arranged:
    member = rf.SteeringMemberFactory(name="王指导", title="区科协科普科")
    return Arranged({"member": member, "data": {"title": "区科协副主席"}}, names=member)


@case(
    "inspection_create",
    actor="supervisor_user",
    entry=("inspection_create", "rollout.inspection"),
    records={"inspected_on": [None, "2022-09-20"], "findings": [None, "会员登记不全"]},
)
def arrange_inspection_create(w: World) -> Arranged:
    return Arranged(
        {
            "organization": w.jiangshan.association,
            "inspected_on": datetime.date(2022, 9, 20),
            "findings": "会员登记不全",
        },
        records={"organization": [None, w.jiangshan.association.pk]},
    )


@case(
    "inspection_update",
    actor="supervisor_user",
    entry=("inspection_update", "rollout.inspection"),
    changes={"reference": ["", "鄞科督〔2022〕3号"]},
)
def arrange_inspection_update(w: World) -> Arranged:
    inspection = rf.InspectionFactory(
        organization=w.jiangshan.association, inspected_on=datetime.date(2022, 9, 20)
    )
    return Arranged({"inspection": inspection, "data": {"reference": "鄞科督〔2022〕3号"}}, names=inspection)


@case(
    "rectification_create",
    actor="supervisor_user",
    entry=("rectification_create", "rollout.rectification"),
    records={"title": [None, "补登会员信息"], "deadline": [None, "2022-12-31"]},
)
def arrange_rectification_create(w: World) -> Arranged:
    inspection = rf.InspectionFactory(
        organization=w.jiangshan.association, inspected_on=datetime.date(2022, 9, 20)
    )
    return Arranged(
        {"inspection": inspection, "title": "补登会员信息", "deadline": datetime.date(2022, 12, 31)},
        records={"inspection": [None, inspection.pk], "organization": [None, w.jiangshan.association.pk]},
    )


@case(
    "rectification_update",
    actor="supervisor_user",
    entry=("rectification_update", "rollout.rectification"),
    changes={"title": ["姜山整改事项", "姜山整改事项（补登会员）"], "deadline": ["2030-01-01", "2030-06-30"]},
)
def arrange_rectification_update(w: World) -> Arranged:
    rectification = w.jiangshan_rectification
    data = {"title": "姜山整改事项（补登会员）", "deadline": datetime.date(2030, 6, 30), "note": "延期半年。"}
    return Arranged({"rectification": rectification, "data": data}, names=rectification)


@case(
    "showcase_nominate",
    actor="district_user",
    entry=("showcase_nominate", "rollout.showcaseitem"),
    records={
        "kind": [None, "practice"],
        "title": [None, "姜山镇“院长进村”"],
        "summary": [None, "卫生院院长带队下村义诊"],
        "nominated_on": [None, "2022-10-01"],
    },
)
def arrange_showcase_nominate(w: World) -> Arranged:
    return Arranged(
        {
            "kind": ShowcaseItem.Kind.PRACTICE,
            "title": "姜山镇“院长进村”",
            "summary": "卫生院院长带队下村义诊",
            "nominated_on": datetime.date(2022, 10, 1),
        }
    )


@case(
    "showcase_update",
    actor="district_user",
    entry=("showcase_update", "rollout.showcaseitem"),
    changes={"summary": ["摘要", "卫生院院长带队下村义诊"]},
)
def arrange_showcase_update(w: World) -> Arranged:
    item = rf.ShowcaseItemFactory(title="姜山镇“院长进村”")
    return Arranged({"item": item, "data": {"summary": "卫生院院长带队下村义诊"}}, names=item)


@case(
    "showcase_advance",
    actor="district_user",
    entry=("showcase_approve", "rollout.showcaseitem"),
    changes={"status": ["nominated", "approved"]},
)
def arrange_showcase_advance(w: World) -> Arranged:
    item = rf.ShowcaseItemFactory(title="姜山镇“院长进村”")
    return Arranged({"item": item, "step": "approve"}, names=item)


@case(
    "incentive_create",
    actor="district_user",
    entry=("incentive_create", "rollout.incentive"),
    records={
        "kind": [None, "award"],
        "title": [None, "鄞州区优秀科技工作者"],
        "granted_on": [None, "2023-01-10"],
    },
)
def arrange_incentive_create(w: World) -> Arranged:
    return Arranged(
        {
            "person": w.jiangshan.leader,
            "kind": Incentive.Kind.AWARD,
            "title": "鄞州区优秀科技工作者",
            "granted_on": datetime.date(2023, 1, 10),
        },
        records={"person": [None, w.jiangshan.leader.pk]},
    )


@case(
    "incentive_update",
    actor="district_user",
    entry=("incentive_update", "rollout.incentive"),
    changes={"granted_by": ["鄞州区科协", "宁波市科协"]},
)
def arrange_incentive_update(w: World) -> Arranged:
    incentive = rf.IncentiveFactory(person=w.jiangshan.leader, title="鄞州区优秀科技工作者")
    return Arranged({"incentive": incentive, "data": {"granted_by": "宁波市科协"}}, names=incentive)


# ---- closing a quarter and issuing its report


def closed_q4() -> QuarterClosing:
    """2022Q4, closed (its issue not yet run); always a finished quarter, whatever the clock."""
    return QuarterClosing.objects.create(
        quarter="2022Q4", starts_on=datetime.date(2022, 10, 1), ends_on=datetime.date(2022, 12, 31)
    )


@case(
    "quarter_close",
    actor="district_user",
    entry=("quarter_close", "rollout.quarterclosing"),
    records={
        "quarter": [None, "2022Q4"],
        "starts_on": [None, "2022-10-01"],
        "ends_on": [None, "2022-12-31"],
        "note": [None, "台账已核对"],
    },
)
def arrange_quarter_close(w: World) -> Arranged:
    return Arranged({"quarter": "2022Q4", "note": "台账已核对"})


@case(
    "quarter_reopen",
    actor="district_user",
    entry=("quarter_reopen", "rollout.quarterclosing"),
    changes={"quarter": "2022Q4", "reason": "姜山镇补登漏报活动"},
)
def arrange_quarter_reopen(w: World) -> Arranged:
    closing = closed_q4()
    return Arranged({"quarter": "2022Q4", "reason": "姜山镇补登漏报活动"}, names=closing)


@case(
    "quarter_report_issue",
    actor="district_user",
    entry=("quarter_report_issue", "rollout.issuedreport"),
    records={"quarter": "2022Q4"},
)
def arrange_quarter_report_issue(w: World) -> Arranged:
    return Arranged({"closing": closed_q4(), "formats": ("xlsx",)})


# ---- imports (organizations.imports.actions)


def _member_file(*rows: list[str]):
    """An XLSX upload of the member import: 姓名, 手机号码 and the given rows."""
    import io

    import openpyxl
    from django.core.files.uploadedfile import SimpleUploadedFile

    workbook = openpyxl.Workbook()
    workbook.active.append(["姓名", "手机号码"])
    for row in rows:
        workbook.active.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return SimpleUploadedFile("名单.xlsx", output.getvalue())


def _checked_batch(w: World, *rows: list[str]):
    from organizations.imports.actions import import_upload

    return import_upload(
        actor=w.jiangshan_admin,
        organization=w.jiangshan.association,
        kind="people",
        upload=_member_file(*rows),
        background=False,
    )


@case(
    "import_upload",
    actor="jiangshan_admin",
    entry=("import_upload", "organizations.importbatch"),
    records={"file_name": "名单.xlsx", "rows": 1},
)
def arrange_import_upload(w: World) -> Arranged:
    return Arranged(
        {
            "organization": w.jiangshan.association,
            "kind": "people",
            "upload": _member_file(["姜山新会员", "13600009901"]),
            "background": False,
        }
    )


@case(
    "import_commit",
    actor="jiangshan_admin",
    entry=("import_commit", "organizations.importbatch"),
    records={"new": 0, "update": 0, "duplicate": 1, "error": 0},
)
def arrange_import_commit(w: World) -> Arranged:
    # A row already imported: the commit writes the batch's own entry and nothing else.
    batch = _checked_batch(w, [w.jiangshan.member.name, w.jiangshan.member.phone])
    return Arranged({"batch": batch, "background": False}, names=batch)


@case(
    "import_discard",
    actor="jiangshan_admin",
    entry=("import_discard", "organizations.importbatch"),
    records={"status": ["checked", "discarded"]},
)
def arrange_import_discard(w: World) -> Arranged:
    batch = _checked_batch(w, ["姜山新会员", "13600009902"])
    return Arranged({"batch": batch}, names=batch)


# Public functions of the actions modules that are not in the table, and why.
EXEMPT: dict[str, str] = {
    # Helpers that write nothing.
    "audit_record": "the helper that writes the entries of the actions above; not an action of its own",
    "commit_progress": "reads how far a running import commit has got, from the cache; writes nothing",
    "recorded_user": "says which user an action records (None for a shell command); writes nothing",
    "field_changes": "computes the old and new values an update records; writes nothing",
    "plain": "turns a value into what the audit trail's JSON keeps; writes nothing",
    "initial_values": "computes the values a creation records ([None, value]); writes nothing",
    "removed_values": "computes the values a deletion records ([value, None]); writes nothing",
    "set_change": "computes the old and new members of a many-to-many set; writes nothing",
    "require": "permission check (403); writes nothing",
    "person_clean_identifiers": "normalises phone and ID number and looks for duplicates; writes nothing",
    "duplicate_error": "builds the message for a duplicate phone or ID number; writes nothing",
    "import_check": "the dry run of an import: writes only the batch's ImportRow rows, which are its record "
    "(the upload before it and the commit after it leave entries of their own)",
    "is_organizer_admin": "permission check on an activity; writes nothing",
    "may_report_on": "permission check on a rectification item; writes nothing",
    "term_reminder_days": "reads SANHUI_TERM_REMINDER_DAYS; writes nothing",
    "report_soft_time_limit": "reads SANHUI_REPORT_SOFT_TIME_LIMIT; writes nothing",
    "report_time_limit": "reads SANHUI_REPORT_TIME_LIMIT; writes nothing",
    "report_redispatch_after": "reads SANHUI_REPORT_REDISPATCH_AFTER; writes nothing",
    "report_file_name": "formats the download name of a report run; writes nothing",
    "previous_quarter": "computes the quarter before a day; writes nothing",
    "on_category_change": "registers, when the apps start, what follows a change of an organisation's "
    "category (the ledger's sums per category); writes nothing",
    # Writes whose history is kept elsewhere, by design.
    "login_event_record": "a line of the login log, written for every login, logout and failed login "
    "(often with no signed-in actor); the LoginEvent row is the record",
    "login_success_record": "a sign-in: its LoginEvent row (time, user, address) is the record; it also "
    "forgets the account's failed attempts, which the lockout keeps only until they lapse",
    "login_events_prune": "a scheduled job with no actor: deletes login log lines past the retention "
    "period (never under 184 days) and logs the count",
    "login_log_days": "reads SANHUI_LOGIN_LOG_DAYS; writes nothing",
    "audit_entries_prune": "a scheduled job with no actor: deletes audit entries past the retention period "
    "(never under 184 days) and logs the count",
    "audit_log_days": "reads SANHUI_AUDIT_LOG_DAYS; writes nothing",
    "prune_before": "the retention rule both scheduled prunes above call; deletes log rows past their "
    "period (never under 184 days) and logs the count",
    "activity_transition": "status moves are kept as ActivityTransition rows (actor, from, to, note, time), "
    "the activity's own history (services/actions.py)",
    "attendance_record": "public QR check-in with no actor: the Attendance row (name, phone, time) is "
    "the record",
    "volunteer_check_in": "public QR check-in with no actor: the VolunteerService row and its check-in time "
    "are the record",
    "volunteer_check_out": "public QR check-out with no actor: the check-out time and hours on the "
    "VolunteerService row are the record; admins' changes go through the audited volunteer_hours_correct",
    "task_record_progress": "progress notes and status changes are kept as TaskUpdate rows (actor, old and "
    "new status, note), the task's own history",
    "rectification_record_progress": "progress, evidence and closure are kept as RectificationUpdate rows "
    "(actor, old and new status, note) and RectificationEvidence rows (uploaded_by), the item's own history",
    "rectification_reopen": "the reopening is kept as a RectificationUpdate row (actor, old and new status, "
    "reason), the item's own history",
    "term_reminder_send": "a scheduled job with no actor: each reminder sent is a TermReminder row (seat, "
    "term end, recipients, time)",
    "themed_day_reminders_schedule": "queues send_themed_day_reminder tasks; writes nothing itself",
    "themed_day_reminder_send": "a scheduled job with no actor: the ThemedDayReminder row (themed day, "
    "organisation, year, recipients, time) is the record",
    "report_request": "the ReportRun it creates is the record of the request (requested_by, requested_at, "
    "parameters), listed on the reports page",
    "report_rerun": "a fresh ReportRun through report_request, recorded the same way",
    "report_build": "run by the Celery task with no actor: fills in the ReportRun's status, times, file and "
    "checksum",
    "scheduled_supervision_reports": "beat-scheduled requests with no actor, recorded as ReportRun rows by "
    "report_request",
    "report_refuse": "run by the Celery task with no actor when a build killed its worker too often: the "
    "ReportRun's status and error are the record",
    "reports_redispatch": "a scheduled job with no actor: sends queued builds to the task queue again and "
    "notes when on the ReportRun (dispatched_at)",
    "quarter_report_requeue": "queues the issue task again for a closing whose report was not issued; "
    "writes nothing itself (the issue leaves its own quarter_report_issue entry)",
    # Exports of the list pages (organizations/exports/actions.py): reads; the full ones are
    # recorded by list_export_record when asked for.
    "export_request": "the ExportFile it creates is the record of the request (created_by, created_at, "
    "list, filters, full numbers and reason), listed under 我的导出; a full export also leaves "
    "list_export_record's entry",
    "export_build": "run by the Celery task with no actor: fills in the ExportFile's status, progress "
    "and file",
    "export_files_prune": "a scheduled job with no actor: deletes exports (rows and files) past "
    "SANHUI_EXPORT_KEEP_DAYS and logs the count",
    "import_files_prune": "a scheduled job with no actor: removes the files and row contents of imports "
    "past SANHUI_IMPORT_KEEP_DAYS (giving up batches left checked as long, with a message on the batch) "
    "and logs the count; the batch keeps pruned_at",
    "export_file_name": "formats the download name of an export; writes nothing",
    "export_keep_days": "reads SANHUI_EXPORT_KEEP_DAYS; writes nothing",
}


# --------------------------------------------------------------------------- the tests


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_each_write_leaves_its_audit_entry(case: Case, request: pytest.FixtureRequest) -> None:
    action = action_named(case.action)
    actor = request.getfixturevalue(case.actor)
    arranged = case.arrange(World(request))
    # Taken before the call: deleting a row clears the primary key of the instance.
    named_pk = arranged.names.pk if arranged.names is not None else None
    earlier = list(AuditEntry.objects.values_list("pk", flat=True))

    result = action(actor=actor, **arranged.kwargs)

    if named_pk is None:
        named_pk = result.pk
    entries = list(
        AuditEntry.objects.exclude(pk__in=earlier)
        .order_by("pk")
        .values("action", "object_type", "object_id", "actor_id", "changes")
    )
    assert len(entries) == 1, f"{case.action} recorded {entries}"
    entry = entries[0]
    recorded = entry.pop("changes")
    assert entry == {
        "action": case.entry[0],
        "object_type": case.entry[1],
        "object_id": case.object_id or str(named_pk),
        "actor_id": actor.pk,
    }, f"{case.action} recorded {entries}"
    if case.changes is not None:
        assert recorded == case.changes, f"{case.action} recorded {recorded}"
    else:
        expected = {**(case.records or {}), **(arranged.records or {})}
        assert expected, f"{case.id}: say what the entry records (changes or records)"
        assert {key: recorded.get(key, "<missing>") for key in expected} == expected, (
            f"{case.action} recorded {recorded}"
        )
    if case.action.endswith(CHANGING):
        assert recorded, f"{case.action} changed a record and recorded no change"


# Actions that change an existing record: their entry names what changed, before and after.
CHANGING = (
    "_update",
    "_end",
    "_remove",
    "_correct",
    "_enter",
    "_advance",
    "_publish",
    "_set",
    "_tag",
    "_untag",
)


def test_every_change_is_recorded_before_and_after() -> None:
    """Updates are held to the exact fields they changed, each as [old, new]."""
    updates = [case for case in CASES if case.action.endswith("_update")]
    assert updates and all(case.changes for case in updates), [c.id for c in updates if not c.changes]
    for case in updates:
        for name, value in case.changes.items():
            assert value == "***" or (isinstance(value, list) and len(value) == 2), (case.id, name)


def test_every_action_is_in_the_table_or_exempt() -> None:
    found = discover()
    assert found.import_errors == {}
    assert {name.split(".")[0] for name in found.modules} == set(APPS), found.modules
    # The table names actions by function name: two actions of one name would be ambiguous.
    assert found.duplicates == {}
    tabled = {case.action for case in CASES}
    assert sorted(tabled & EXEMPT.keys()) == [], "an action is either in the table or exempt"
    assert sorted(found.functions.keys() - tabled - EXEMPT.keys()) == [], "add these to the table or EXEMPT"
    assert sorted((tabled | EXEMPT.keys()) - found.functions.keys()) == [], "no such action any more"
