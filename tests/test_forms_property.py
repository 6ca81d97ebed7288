"""Every form of the portal, public and signed in, takes any input without a server error and
without a half-written record (hypothesis).

The forms are found, not listed: every URL pattern whose view (or a helper of its own module
that it calls) builds a Django form or filter, reads ``request.POST``/``request.FILES``/
``request.GET`` or is a class-based form view; and every form and filter class of the four
apps must be used by one of them. A URL that is neither posted to below (``CASES``), read with
a query below (``QUERIES``) nor named in ``SHOWN_ELSEWHERE`` fails
``test_every_form_is_checked_here``, as a new export fails ``tests/test_exports.py``.

Each case posts as the persona that uses the form (anonymous for the public ones): first the
valid submission, which must succeed and leave its complete record, then hypothesis' data
(``tests/form_inputs.py``: the page's own fields, valid values mixed with hostile ones, fields
left out and added). For every submission:

- the answer is never a server error (5xx, or an exception out of the view);
- either the programme data is unchanged (``tests/dbstate.py``) — and a page that answers 200
  shows the form with every error it holds — or the request succeeded (2xx/3xx), the write is
  complete (its audit entry names an existing record, or the history rows that are its record
  exist), the page it redirects to opens, and a user without district-wide rights touched only
  records of organisations they may write for.

The world is the small district of ``tests/district.py`` (with a few records it lacks: a
campaign, a post, evidence, a check-in window open now, two checked imports …), built once for
the module with the clock pinned; every submission runs inside a savepoint that is rolled back,
so each starts from the same world. ``SANHUI_FORM_EXAMPLES`` raises the number of examples for
a longer search.
"""

from __future__ import annotations

import ast
import datetime
import functools
import html
import importlib
import inspect
import os
import pkgutil
import sys
import textwrap
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode, urlsplit

import django_filters
import pytest
import time_machine
from axes.models import AccessAttempt
from django import forms
from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.db.models import Max
from django.http import QueryDict
from django.test import Client, override_settings
from django.urls import reverse
from django.views.generic.edit import FormMixin, ProcessFormView
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from organizations.imports import actions as import_actions
from organizations.imports.models import ImportBatch
from organizations.models import AuditEntry, LeaderRole, Membership, Organization, Region, TeamMembership
from organizations.reference import load_regions
from organizations.scoping import scope_for, scoped
from outreach.models import ThemedDay
from outreach.reference import load_themed_days
from rollout.models import Phase, Rectification, ReportRun, Stage
from rollout.reference import load_plan
from rollout.reports import actions as report_actions
from rollout.reports.closing import actions as closing_actions
from services import actions as service_actions
from services.models import Activity, VolunteerService
from services.selectors import organizer_choices
from tests import files
from tests.dbstate import APPS as DATA_APPS
from tests.dbstate import changed_tables, snapshot
from tests.district import District, build_district
from tests.form_inputs import QUERY_TEXT, Field, Upload, encode, page_form, query_value, submissions
from tests.outreach.factories import CampaignFactory, ChannelPostFactory
from tests.rollout import factories as rf
from tests.services.factories import ActivityFactory, VolunteerServiceFactory
from tests.urlwalk import project_urls

APPS = ("organizations", "services", "outreach", "rollout")
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# The world's day: the district's reference "today" (tests/district.py), mid-morning.
NOW = datetime.datetime(2026, 11, 29, 10, 0, tzinfo=SHANGHAI)
PASSWORD = "pw-for-tests-1"  # tests/factories.py

EXAMPLES = int(os.environ.get("SANHUI_FORM_EXAMPLES", "15"))
FORM_SETTINGS = hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    # The same examples on every run, so that a failure in CI replays anywhere.
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    print_blob=True,
)


# --------------------------------------------------------------------------- discovery


def _names(source: str) -> set[str]:
    return {node.id for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Name)}


def _source(function, seen: set) -> str:
    """The function's source and that of the functions of its own module that it calls."""
    function = inspect.unwrap(function)
    if function in seen:
        return ""
    seen.add(function)
    text = textwrap.dedent(inspect.getsource(function))
    module = sys.modules[function.__module__]
    for name in sorted(_names(text)):
        value = module.__dict__.get(name)
        if inspect.isfunction(value) and value.__module__ == module.__name__:
            text += "\n" + _source(value, seen)
    return text


def _is_form_class(value) -> bool:
    return isinstance(value, type) and issubclass(value, forms.BaseForm | django_filters.FilterSet)


@dataclass
class View:
    forms: set[type] = field(default_factory=set)
    posts: bool = False
    reads_query: bool = False

    @property
    def serves_a_form(self) -> bool:
        return bool(self.forms) or self.posts or self.reads_query


def inspect_view(callback) -> View:
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        form_view = issubclass(view_class, FormMixin | ProcessFormView)
        named = [*callback.view_initkwargs.values(), *vars(view_class).values()]
        found = {value for value in named if _is_form_class(value)}
        return View(forms=found, posts=form_view or hasattr(view_class, "post"))
    function = inspect.unwrap(callback)
    source = _source(function, set())
    module = sys.modules[function.__module__]
    found = {module.__dict__[name] for name in _names(source) if _is_form_class(module.__dict__.get(name))}
    posts = any(marker in source for marker in ("request.POST", "request.FILES", "require_POST"))
    return View(forms=found, posts=posts, reads_query="request.GET" in source)


def form_urls() -> dict[str, View]:
    views = {name: inspect_view(callback) for name, callback in project_urls()}
    return {name: view for name, view in views.items() if view.serves_a_form}


def app_form_classes() -> set[type]:
    """Every form and filter class defined in a module of the four apps."""
    found = set()
    for app in APPS:
        for module_name in _module_names(importlib.import_module(app)):
            module = importlib.import_module(module_name)
            for value in vars(module).values():
                if _is_form_class(value) and value.__module__ == module.__name__:
                    found.add(value)
    return found


def _module_names(package) -> list[str]:
    names = []
    for info in pkgutil.walk_packages(package.__path__, prefix=f"{package.__name__}."):
        # Django's admin (district staff only) is left out, as its URLs are.
        if any(part in ("migrations", "management", "admin") for part in info.name.split(".")):
            continue
        names.append(info.name)
    return names


# --------------------------------------------------------------------------- the world


@dataclass
class World:
    d: District
    js_activity: Activity  # held a week ago by 姜山镇科协, with its team
    open_activity: Activity  # 姜山镇科协, on now: check-in is open
    service: VolunteerService
    evidence: Any
    campaign: Any
    post: Any
    themed_day: ThemedDay
    js_task: Any
    milestone: Any
    pilot: Any
    steering_member: Any
    js_inspection: Any
    js_rectification: Rectification
    closed_rectification: Rectification
    showcase_item: Any
    incentive: Any
    failed_run: ReportRun
    csv_run: ReportRun
    # Two checked imports of members into 姜山镇科协: one to commit, one to discard.
    import_to_commit: ImportBatch
    import_to_discard: ImportBatch
    # Ids of 五乡镇's records: what a 姜山镇 admin may try to pass off as their own
    foreign_ids: list[int]
    media: Any = None

    def __getattr__(self, name: str) -> Any:
        # Users by persona: world.district_staff, world.jiangshan_admin …
        return getattr(self.d, name)

    @property
    def js(self) -> Organization:
        return self.d.orgs["姜山镇科协"]

    @property
    def wx(self) -> Organization:
        return self.d.orgs["五乡镇科协"]

    @property
    def js_team(self):
        return self.d.teams["姜山镇科技志愿服务队"]


def _members_csv(*rows: tuple[str, str]) -> bytes:
    """A member list as CSV (UTF-8 with a byte-order mark): 姓名, 手机号码."""
    lines = ["姓名,手机号码", *(f"{name},{phone}" for name, phone in rows)]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def _checked_import(d: District, name: str, *rows: tuple[str, str]) -> ImportBatch:
    batch = import_actions.import_upload(
        actor=d.jiangshan_admin,
        organization=d.orgs["姜山镇科协"],
        kind=ImportBatch.Kind.PEOPLE,
        upload=Upload(name, _members_csv(*rows), "text/csv").file(),
        background=False,
    )
    assert batch.status == ImportBatch.Status.CHECKED, batch.message
    return batch


def _build_world() -> World:
    # Reference data that a flush by an earlier transactional test may have removed.
    load_regions(Region)
    load_plan(Phase, Stage)
    load_themed_days(ThemedDay)
    d = build_district()
    js, wx = d.orgs["姜山镇科协"], d.orgs["五乡镇科协"]
    js_team = d.teams["姜山镇科技志愿服务队"]
    week_ago = NOW - datetime.timedelta(days=7)
    js_activity = ActivityFactory(
        title="姜山科普讲座",
        organizer=js,
        region=d.towns["姜山镇"],
        starts_at=week_ago,
        ends_at=week_ago + datetime.timedelta(hours=2),
        leaders=[d.people["陈建华"]],
        teams=[js_team],
        reported_participants=30,
    )
    open_activity = ActivityFactory(
        title="姜山现场讲座",
        organizer=js,
        region=d.towns["姜山镇"],
        starts_at=NOW - datetime.timedelta(hours=1),
        ends_at=NOW + datetime.timedelta(hours=1),
        status=Activity.Status.PLANNED,
        teams=[js_team],
    )
    service = VolunteerServiceFactory(
        activity=js_activity, person=d.people["刘芳"], team=js_team, hours=Decimal("2.0")
    )
    evidence = service_actions.evidence_add(
        actor=d.jiangshan_admin,
        activity=js_activity,
        upload=Upload("现场.png", files.PNG, "image/png").file(),
        caption="现场照片",
    )
    campaign = CampaignFactory(name="姜山科普月", owner=js, created_by=d.jiangshan_admin)
    campaign.activities.add(js_activity)
    # A themed day within a month of both activities: one is tagged, the other may be.
    themed_day = next(
        day
        for day in ThemedDay.objects.filter(is_active=True).order_by("sort_order", "pk")
        if abs((day.occurrence(NOW.year)[0] - NOW.date()).days) < 20
    )
    themed_day.activities.add(open_activity)
    post = ChannelPostFactory(activity=js_activity, title="姜山科普讲座报道", created_by=d.jiangshan_admin)
    js_task = rf.TaskFactory(organization=js, title="姜山推进任务", due_date=datetime.date(2030, 1, 1))
    js_inspection = rf.InspectionFactory(organization=js, supervisor=d.supervisor, findings="姜山督查发现")
    js_rectification = rf.RectificationFactory(
        inspection=js_inspection, title="姜山整改事项", deadline=datetime.date(2030, 1, 1)
    )
    closed_rectification = rf.RectificationFactory(
        inspection=js_inspection,
        title="姜山已销号事项",
        deadline=datetime.date(2026, 1, 1),
        status=Rectification.Status.CLOSED,
        closed_on=datetime.date(2026, 6, 1),
    )
    failed_run = report_actions.report_request(
        actor=d.supervisor, kind="coverage", period="2022Q3", fmt="xlsx"
    )
    ReportRun.objects.filter(pk=failed_run.pk).update(status=ReportRun.Status.FAILED, error="测试失败")
    csv_run = report_actions.report_request(
        actor=d.district_staff, kind="coverage", period="2022Q4", fmt="csv"
    )
    report_actions.report_build(run_id=csv_run.pk)
    closing_actions.quarter_close(actor=d.district_staff, quarter="2022Q3", note="")
    AccessAttempt.objects.create(
        username="locked-user",
        ip_address="10.0.0.9",
        user_agent="test",
        failures_since_start=5,
        get_data="",
        post_data="",
        http_accept="*/*",
        path_info="/accounts/login/",
    )
    wuxiang_records = [
        *Organization.objects.filter(home_region=d.towns["五乡镇"]).values_list("pk", flat=True),
        *(d.people[name].pk for name in ("赵敏", "吴国庆", "钱海波", "冯志刚", "何春燕")),
        d.teams["五乡农技志愿服务队"].pk,
        d.activities["五乡农技指导"].pk,
        d.overdue_task.pk,
        d.inspection.pk,
        d.rectification.pk,
    ]
    return World(
        d=d,
        js_activity=js_activity,
        open_activity=open_activity,
        service=service,
        evidence=evidence,
        campaign=campaign,
        post=post,
        themed_day=themed_day,
        js_task=js_task,
        milestone=rf.MilestoneFactory(title="姜山三会组建完成"),
        pilot=rf.PilotFactory(organization=js, focus="三会组建"),
        steering_member=rf.SteeringMemberFactory(name="指导组成员甲"),
        js_inspection=js_inspection,
        js_rectification=js_rectification,
        closed_rectification=closed_rectification,
        showcase_item=rf.ShowcaseItemFactory(organization=js, title="姜山三会联动"),
        incentive=rf.IncentiveFactory(person=d.people["孙立强"], title="优秀农技站站长"),
        failed_run=failed_run,
        csv_run=csv_run,
        import_to_commit=_checked_import(
            d, "姜山新会员.csv", ("姜山导入甲", "13600007701"), ("姜山导入乙", "13600007702")
        ),
        import_to_discard=_checked_import(d, "姜山待放弃.csv", ("姜山导入丙", "13600007703")),
        foreign_ids=[*wuxiang_records, wx.pk],
    )


# Passwords are hashed fast: signing in is part of many submissions.
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# As in every test (tests/conftest.py), never a Redis shared with other runs.
LOCAL_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The district, built once for this module inside a transaction rolled back at its end;
    every test of the module runs in a savepoint inside it (pytest-django's ``db``)."""
    media = tmp_path_factory.mktemp("media")
    with (
        time_machine.travel(NOW, tick=True),
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=FAST_HASHER, CACHES=LOCAL_CACHE),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        built = _build_world()
        built.media = media
        yield built
        transaction.set_rollback(True)


@pytest.fixture
def in_world(_test_settings, settings, world, db) -> World:
    """The world, with its media folder and its clock."""
    settings.MEDIA_ROOT = world.media
    settings.PASSWORD_HASHERS = FAST_HASHER
    with time_machine.travel(NOW, tick=True):
        yield world


# --------------------------------------------------------------------------- the cases


def _pk(value) -> str:
    return str(value.pk)


def _reset_link(user) -> list[str]:
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    # The token hashes the last sign-in, which earlier cases' sign-ins moved: read it afresh.
    user = type(user).objects.get(pk=user.pk)
    return [urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)]


@dataclass(frozen=True)
class Case:
    url: str  # "namespace:name" of the URL posted to
    actor: str | None  # the persona (a user of tests/district.py), None: anonymous
    args: Callable[[World], list] = lambda w: []
    # What a valid submission holds on top of what the page shows; field → value(s)
    valid: Callable[[World], dict] = lambda w: {}
    # The page that shows the form, when it is not the URL posted to
    page: Callable[[World], str] | None = None
    # False: no page shows a form for this URL (a client may still post to it)
    shown: bool = True
    # The query string the URL is posted with (the subject of the form)
    base_query: Callable[[World], dict] = lambda w: {}
    # GET parameters the view also reads (fuzzed with the rest)
    query: tuple[str, ...] = ()
    # What the valid submission does: "writes" (a complete record), or the status it answers
    # with nothing written.
    succeeds: str | int = "writes"
    # Tables that hold the record of the write instead of an audit entry
    record: tuple[str, ...] = ()
    # The audit entry the valid submission leaves when it writes no programme data (exports)
    audit: str = ""
    variant: str = ""

    @property
    def id(self) -> str:
        return f"{self.url}-{self.variant}" if self.variant else self.url


CASES: list[Case] = [
    # ---- public
    Case("login", None, valid=lambda w: {"username": "district", "password": PASSWORD},
         record=("auth_user",)),
    Case("services:checkin", None, args=lambda w: [w.open_activity.checkin_token],
         valid=lambda w: {"name": "李四", "phone": "13912345678", "consent": "on"},
         record=("services_attendance",)),
    Case("services:volunteer_checkin", None, args=lambda w: [w.open_activity.checkin_token],
         valid=lambda w: {"name": "刘芳", "phone": w.people["刘芳"].phone, "consent": "on",
                          "direction": "in"},
         record=("services_volunteerservice",)),
    Case("set_language", None, page=lambda w: reverse("outreach:public_events"),
         valid=lambda w: {"language": "en", "next": "/outreach/events/"}, succeeds=302),
    # ---- accounts
    Case("logout", "leader", page=lambda w: reverse("home"), succeeds=302),
    Case("password_change", "leader",
         valid=lambda w: {"old_password": PASSWORD, "new_password1": "Xin-mima-2026",
                          "new_password2": "Xin-mima-2026"}),
    # 忘记密码: the same answer for any address; the mailed link moves its token into the
    # session and leads to the new-password form.
    Case("password_reset", None, valid=lambda w: {"email": "nobody@example.cn"}, succeeds=302),
    Case("password_reset_confirm", None, args=lambda w: _reset_link(w.leader), shown=False,
         valid=lambda w: {"new_password1": "Xin-mima-2026", "new_password2": "Xin-mima-2026"},
         succeeds=302),
    Case("account_lockout_release", "district_staff", page=lambda w: reverse("account_lockouts"),
         valid=lambda w: {"kind": "username", "value": "locked-user"}, succeeds=302),
    # ---- organisations, people, seats, teams
    Case("organizations:person_add", "jiangshan_admin",
         valid=lambda w: {"name": "姜山新会员", "phone": "13800001111", "gender": "female",
                          "profession": "medical", "organization": _pk(w.js)}),
    Case("organizations:person_edit", "jiangshan_admin", args=lambda w: [w.people["刘芳"].pk],
         valid=lambda w: {"employer": "姜山镇中心卫生院"}),
    Case("organizations:list_export", "district_staff", args=lambda w: ["people"], query=("sort", "full"),
         valid=lambda w: {"format": "csv", "full": "on", "reason": "向区科协报送三长名单"},
         succeeds=200, audit="people_export_full"),
    Case("organizations:list_export", "jiangshan_admin", args=lambda w: ["leaders"], query=("sort", "full"),
         valid=lambda w: {"format": "xlsx"}, succeeds=200, variant="masked"),
    Case("organizations:leader_role_add", "jiangshan_admin", args=lambda w: [w.people["刘芳"].pk],
         valid=lambda w: {"kind": "hospital_director", "institution": "姜山镇卫生院",
                          "started_on": "2026-01-01"}),
    Case("organizations:leader_role_end", "jiangshan_admin",
         args=lambda w: [LeaderRole.objects.get(person=w.people["陈建华"]).pk],
         valid=lambda w: {"ended_on": "2026-11-01"}),
    Case("organizations:membership_add", "jiangshan_admin", args=lambda w: [w.people["赵敏"].pk],
         valid=lambda w: {"organization": _pk(w.orgs["姜山农技协会"]), "joined_on": "2026-01-01"}),
    Case("organizations:membership_end", "jiangshan_admin",
         args=lambda w: [Membership.objects.get(person=w.people["刘芳"], organization=w.js).pk],
         valid=lambda w: {"ended_on": "2026-11-01"}),
    Case("organizations:seat_add", "jiangshan_admin", query=("person", "organization"),
         valid=lambda w: {"organization": _pk(w.js), "person": _pk(w.people["刘芳"]), "position": "member",
                          "term_start": "2026-01-01", "term_end": "2028-12-31"}),
    Case("organizations:seat_edit", "jiangshan_admin", args=lambda w: [w.seats[("姜山镇科协", "王丽萍")].pk],
         valid=lambda w: {"notes": "换届后连任"}),
    Case("organizations:team_add", "jiangshan_admin",
         valid=lambda w: {"organization": _pk(w.js), "name": "姜山青年志愿服务队",
                          "leader": _pk(w.people["刘芳"])}),
    Case("organizations:team_edit", "jiangshan_admin", args=lambda w: [w.js_team.pk],
         valid=lambda w: {"service_area": "健康科普"}),
    Case("organizations:team_volunteer_add", "jiangshan_admin", args=lambda w: [w.js_team.pk],
         valid=lambda w: {"person": _pk(w.people["陈建华"]), "joined_on": "2026-01-01"}),
    Case("organizations:team_volunteer_remove", "jiangshan_admin",
         args=lambda w: [TeamMembership.objects.get(team=w.js_team, person=w.people["刘芳"]).pk],
         page=lambda w: reverse("organizations:team_detail", args=[w.js_team.pk])),
    Case("organizations:import_new", "jiangshan_admin", query=("kind",), audit="import_upload",
         valid=lambda w: {"kind": "people", "organization": _pk(w.js),
                          "file": Upload("姜山会员.csv", _members_csv(("姜山导入丁", "13600007704")),
                                         "text/csv")}),
    Case("organizations:import_commit", "jiangshan_admin", args=lambda w: [w.import_to_commit.pk],
         page=lambda w: w.import_to_commit.get_absolute_url(), audit="import_commit"),
    Case("organizations:import_discard", "jiangshan_admin", args=lambda w: [w.import_to_discard.pk],
         page=lambda w: w.import_to_discard.get_absolute_url(), audit="import_discard"),
    Case("organizations:organization_add", "district_staff",
         valid=lambda w: {"code": "JS-QN", "name": "姜山青年科技协会", "kind": "grassroots_association",
                          "category": "ecology", "home_region": _pk(w.towns["姜山镇"]), "status": "active"}),
    Case("organizations:organization_edit", "jiangshan_admin", args=lambda w: [w.js.pk],
         valid=lambda w: {"address": "姜山镇政府大院"}),
    # ---- service ledger
    Case("services:activity_add", "jiangshan_admin",
         valid=lambda w: {"title": "姜山冬季讲座", "kind": "popular_lecture", "organizer": _pk(w.js),
                          "region": _pk(w.towns["姜山镇"]), "venue_kind": "school",
                          "starts_at": "2026-12-05T09:00", "ends_at": "2026-12-05T11:00",
                          "planned_participants": "40"}),
    Case("services:activity_add", "leader", variant="leader",
         valid=lambda w: {"title": "农技田间课堂", "kind": "field_guidance",
                          "organizer": _pk(w.orgs["姜山农技协会"]),
                          "region": _pk(w.towns["姜山镇"]), "venue_kind": "village",
                          "starts_at": "2026-12-05T09:00", "ends_at": "2026-12-05T11:00",
                          "planned_participants": "20"}),
    Case("services:activity_edit", "jiangshan_admin", args=lambda w: [w.js_activity.pk],
         valid=lambda w: {"venue": "姜山镇文化礼堂"}),
    Case("services:activity_transition", "jiangshan_admin", args=lambda w: [w.open_activity.pk, "cancelled"],
         valid=lambda w: {"note": "天气原因取消"}, record=("services_activitytransition",), variant="cancel"),
    Case("services:activity_transition", "jiangshan_admin", args=lambda w: [w.js_activity.pk, "verified"],
         valid=lambda w: {"note": ""}, record=("services_activitytransition",), variant="verify"),
    Case("services:activity_publish", "jiangshan_admin", args=lambda w: [w.open_activity.pk],
         page=lambda w: reverse("services:activity_detail", args=[w.open_activity.pk]),
         valid=lambda w: {"publish": "1"}),
    Case("services:evidence_add", "jiangshan_admin", args=lambda w: [w.js_activity.pk],
         valid=lambda w: {"kind": "photo", "file": Upload("签到表.png", files.PNG, "image/png"),
                          "caption": "签到表"}),
    Case("services:evidence_delete", "jiangshan_admin", args=lambda w: [w.evidence.pk],
         page=lambda w: reverse("services:activity_detail", args=[w.js_activity.pk])),
    Case("services:hours_enter", "jiangshan_admin", args=lambda w: [w.js_activity.pk],
         valid=lambda w: {"person": _pk(w.people["王丽萍"]), "hours": "1.5",
                          "reason": "未扫码签到，按实际补录"}),
    Case("services:hours_correct", "jiangshan_admin", args=lambda w: [w.service.pk],
         valid=lambda w: {"hours": "2.5", "reason": "签退时间有误"}),
    Case("services:team_export", "jiangshan_admin", args=lambda w: [w.js_team.pk], query=("year",),
         valid=lambda w: {"year": "2026", "reason": "上报志愿服务平台"}, succeeds=200,
         audit="volunteer_records_export"),
    # ---- outreach
    Case("outreach:campaign_add", "jiangshan_admin",
         valid=lambda w: {"name": "姜山科技周", "owner": _pk(w.js), "starts_on": "2026-12-01",
                          "ends_on": "2026-12-31"}),
    Case("outreach:campaign_edit", "jiangshan_admin", args=lambda w: [w.campaign.pk],
         valid=lambda w: {"description": "全镇科普月"}),
    Case("outreach:campaign_activities_add", "jiangshan_admin", args=lambda w: [w.campaign.pk],
         valid=lambda w: {"activities": [_pk(w.open_activity)]}),
    Case("outreach:campaign_activity_remove", "jiangshan_admin",
         args=lambda w: [w.campaign.pk, w.js_activity.pk],
         page=lambda w: reverse("outreach:campaign_detail", args=[w.campaign.pk])),
    Case("outreach:themed_day_detail", "jiangshan_admin", args=lambda w: [w.themed_day.pk, 2026],
         valid=lambda w: {"activity": _pk(w.js_activity)}),
    Case("outreach:themed_day_untag", "jiangshan_admin",
         args=lambda w: [w.themed_day.pk, 2026, w.open_activity.pk],
         page=lambda w: reverse("outreach:themed_day_detail", args=[w.themed_day.pk, 2026])),
    Case("outreach:activity_outreach", "jiangshan_admin", args=lambda w: [w.js_activity.pk],
         valid=lambda w: {"campaigns": [_pk(w.campaign)], "themed_days": [_pk(w.themed_day)]}),
    Case("outreach:post_add", "jiangshan_admin", query=("activity", "campaign"),
         base_query=lambda w: {"activity": w.js_activity.pk},
         valid=lambda w: {"channel": "wechat", "title": "姜山科普讲座回顾", "url": "https://example.com/js/2",
                          "published_on": "2026-11-20", "reach": "800"}),
    Case("outreach:post_edit", "jiangshan_admin", args=lambda w: [w.post.pk],
         valid=lambda w: {"reach": "1200"}),
    Case("outreach:post_delete", "jiangshan_admin", args=lambda w: [w.post.pk], shown=False),
    # ---- the rollout
    Case("rollout:phase_edit", "district_staff", args=lambda w: [Phase.objects.get(number=1).pk],
         valid=lambda w: {"summary": "调研各镇三会现状"}),
    Case("rollout:stage_edit", "district_staff", args=lambda w: [Stage.objects.get(code="3a").pk],
         valid=lambda w: {"target": "试点镇三会全部组建"}),
    Case("rollout:milestone_add", "district_staff", query=("phase",),
         valid=lambda w: {"phase": _pk(Phase.objects.get(number=3)), "title": "全区覆盖",
                          "due_date": "2022-12-31"}),
    Case("rollout:milestone_edit", "district_staff", args=lambda w: [w.milestone.pk],
         valid=lambda w: {"achieved_on": "2022-06-30"}),
    Case("rollout:task_add", "district_staff", query=("phase", "stage", "organization"),
         valid=lambda w: {"phase": _pk(Phase.objects.get(number=3)), "title": "姜山组建生态类协会",
                          "organization": _pk(w.js), "due_date": "2027-03-31"}),
    Case("rollout:task_progress", "jiangshan_admin", args=lambda w: [w.js_task.pk],
         page=lambda w: reverse("rollout:task_detail", args=[w.js_task.pk]),
         valid=lambda w: {"status": "in_progress", "note": "已召开筹备会"}, record=("rollout_taskupdate",)),
    Case("rollout:task_edit", "district_staff", args=lambda w: [w.js_task.pk],
         valid=lambda w: {"description": "年底前完成"}),
    Case("rollout:pilot_add", "district_staff",
         valid=lambda w: {"organization": _pk(w.wx), "stage": _pk(Stage.objects.get(code="3a")),
                          "focus": "三会组建"}),
    Case("rollout:pilot_edit", "district_staff", args=lambda w: [w.pilot.pk],
         valid=lambda w: {"measures": "统一台账"}),
    Case("rollout:steering_member_add", "district_staff",
         valid=lambda w: {"role": "member", "name": "指导组成员乙", "started_on": "2026-01-01"}),
    Case("rollout:steering_member_edit", "district_staff", args=lambda w: [w.steering_member.pk],
         valid=lambda w: {"notes": "区科协科普科"}),
    Case("rollout:inspection_add", "supervisor", query=("organization",),
         valid=lambda w: {"organization": _pk(w.js), "inspected_on": "2026-11-20", "findings": "三会台账完整",
                          "score": "88.5", "rectification_title": "补齐签到表",
                          "rectification_deadline": "2026-12-31"}),
    Case("rollout:inspection_edit", "supervisor", args=lambda w: [w.js_inspection.pk],
         valid=lambda w: {"inspectors": "张三、李四"}),
    Case("rollout:rectification_add", "supervisor", args=lambda w: [w.js_inspection.pk],
         valid=lambda w: {"title": "补齐活动照片", "deadline": "2026-12-31"}),
    Case("rollout:rectification_progress", "jiangshan_admin", args=lambda w: [w.js_rectification.pk],
         page=lambda w: reverse("rollout:rectification_detail", args=[w.js_rectification.pk]),
         valid=lambda w: {"status": "in_progress", "note": "正在整改"},
         record=("rollout_rectificationupdate",)),
    Case("rollout:rectification_edit", "supervisor", args=lambda w: [w.js_rectification.pk],
         valid=lambda w: {"owner_name": "王丽萍"}),
    Case("rollout:rectification_reopen", "supervisor", args=lambda w: [w.closed_rectification.pk],
         page=lambda w: reverse("rollout:rectification_detail", args=[w.closed_rectification.pk]),
         valid=lambda w: {"note": "复查发现问题未整改到位"}, record=("rollout_rectificationupdate",)),
    Case("rollout:showcase_add", "district_staff",
         valid=lambda w: {"kind": "organization", "title": "姜山三会协同", "summary": "三会联动服务群众",
                          "organization": _pk(w.js), "nominated_on": "2026-11-01"}),
    Case("rollout:showcase_edit", "district_staff", args=lambda w: [w.showcase_item.pk],
         valid=lambda w: {"nominated_by": "姜山镇科协"}),
    Case("rollout:showcase_advance", "district_staff", args=lambda w: [w.showcase_item.pk, "approve"],
         page=lambda w: reverse("rollout:showcase_manage"), query=("status", "kind", "cursor")),
    Case("rollout:incentive_add", "district_staff", query=("person",),
         valid=lambda w: {"person": _pk(w.people["孙立强"]), "kind": "funding", "title": "农技推广经费",
                          "granted_on": "2026-10-01", "amount": "5000"}),
    Case("rollout:incentive_edit", "district_staff", args=lambda w: [w.incentive.pk],
         valid=lambda w: {"granted_by": "鄞州区人才办"}),
    Case("rollout:term_send", "district_staff", page=lambda w: reverse("rollout:term_list"), succeeds=302),
    # ---- reports and closed quarters
    Case("reports:request", "jiangshan_admin", query=("kind", "format"),
         valid=lambda w: {"kind": "supervision", "period_type": "quarter", "quarter": "2022Q4",
                          "format": "csv"},
         record=("rollout_reportrun",)),
    Case("reports:rerun", "supervisor", args=lambda w: [w.failed_run.pk],
         page=lambda w: reverse("reports:detail", args=[w.failed_run.pk]), record=("rollout_reportrun",)),
    Case("reports:quarter_close", "district_staff", args=lambda w: ["2022Q4"],
         valid=lambda w: {"confirm": "on"}),
    Case("reports:quarter_reopen", "district_staff", args=lambda w: ["2022Q3"],
         valid=lambda w: {"reason": "五乡镇补报漏登的活动"}),
    Case("reports:quarter_issue", "district_staff", args=lambda w: ["2022Q3"],
         page=lambda w: reverse("reports:quarter_detail", args=["2022Q3"]), succeeds=302),
]  # fmt: skip


@dataclass(frozen=True)
class Query:
    """A page whose query string is its form (filters, years, periods): any query string opens
    it or is refused, never a server error, and nothing is written."""

    url: str
    actor: str | None
    args: Callable[[World], list] = lambda w: []
    params: tuple[str, ...] = ()  # parameters the view reads beside the page's own form
    form: bool = True  # whether the page carries a GET form to read the fields from
    htmx: bool = False  # asked for as htmx asks (the HX-Request header)

    @property
    def id(self) -> str:
        return self.url


FILTER_PARAMS = ("cursor", "sort")
QUERIES: list[Query] = [
    Query("account_login_log", "district_staff", params=FILTER_PARAMS),
    Query("organizations:audit_log", "district_staff", params=FILTER_PARAMS),
    Query("organizations:person_list", "jiangshan_admin", params=FILTER_PARAMS),
    Query("organizations:leader_list", "jiangshan_admin", params=FILTER_PARAMS),
    Query("organizations:person_options", "jiangshan_admin", params=("q", "for"), form=False),
    Query("organizations:organization_options", "jiangshan_admin", params=("q", "for", "inspection"),
          form=False),
    Query("organizations:region_options", "jiangshan_admin", params=("q", "for"), form=False),
    Query("organizations:team_options", "jiangshan_admin", params=("q", "for"), form=False),
    Query("organizations:seat_list", "jiangshan_admin", params=FILTER_PARAMS),
    Query("organizations:team_list", "jiangshan_admin", params=FILTER_PARAMS),
    Query("organizations:organization_list", "district_staff", params=FILTER_PARAMS),
    Query("organizations:import_detail", "jiangshan_admin", args=lambda w: [w.import_to_commit.pk],
          params=("outcome", "cursor"), form=False),
    Query("organizations:import_progress", "jiangshan_admin", args=lambda w: [w.import_to_commit.pk],
          params=("outcome", "cursor"), form=False, htmx=True),
    Query("organizations:import_template", "jiangshan_admin", args=lambda w: ["people"], params=("format",),
          form=False),
    Query("services:activity_list", "jiangshan_admin", params=FILTER_PARAMS),
    Query("services:activity_calendar", "jiangshan_admin", params=("month",)),
    Query("services:activity_day", "jiangshan_admin", args=lambda w: ["2022-10-15"], params=FILTER_PARAMS,
          form=False),
    Query("services:activity_qr", "jiangshan_admin", args=lambda w: [w.js_activity.pk], params=("for",),
          form=False),
    Query("services:activity_poster", "jiangshan_admin", args=lambda w: [w.js_activity.pk], params=("for",),
          form=False),
    Query("services:activity_qr_screen", "jiangshan_admin", args=lambda w: [w.js_activity.pk],
          params=("for",), form=False),
    Query("services:volunteer_record", "jiangshan_admin", args=lambda w: [w.people["刘芳"].pk],
          params=("year",)),
    Query("services:team_list", "jiangshan_admin", params=("year", "cursor", "sort")),
    Query("services:team_record", "jiangshan_admin", args=lambda w: [w.js_team.pk], params=("year",)),
    Query("outreach:themed_day_list", "jiangshan_admin", params=("year",), form=False),
    Query("outreach:post_list", "jiangshan_admin", params=("channel", "year", "cursor", "sort")),
    Query("outreach:public_events", None, params=("town",)),
    Query("outreach:public_events_ics", None, params=("town",), form=False),
    Query("rollout:task_list", "district_staff", params=FILTER_PARAMS),
    Query("rollout:inspection_list", "supervisor", params=FILTER_PARAMS),
    Query("rollout:rectification_list", "jiangshan_admin", params=FILTER_PARAMS),
    Query("rollout:showcase_manage", "district_staff", params=FILTER_PARAMS),
    Query("rollout:incentive_list", "district_staff", params=("kind", "cursor", "sort"), form=False),
    Query("rollout:term_list", "district_staff", params=("days",)),
    Query("dashboards:district", "district_staff", params=("period", "start", "end")),
    Query("dashboards:town", "jiangshan_admin", params=("period", "start", "end", "region")),
    Query("dashboards:mine", "leader", params=("period", "start", "end")),
    Query("dashboards:district_data", "supervisor", params=("period", "start", "end"), form=False),
    Query("dashboards:town_data", "district_staff", params=("period", "start", "end", "region"), form=False),
    Query("dashboards:mine_data", "leader", params=("period", "start", "end"), form=False),
    Query("reports:list", "jiangshan_admin", params=("kind", "cursor", "sort"), form=False),
    Query("reports:download", "district_staff", args=lambda w: [w.csv_run.pk], params=("section",),
          form=False),
]  # fmt: skip

# Pages that show a form submitted to another URL, checked there.
SHOWN_ELSEWHERE = {
    "rollout:task_detail": "rollout:task_progress",
    "rollout:rectification_detail": "rollout:rectification_progress",
}


# --------------------------------------------------------------------------- discovery tests


def test_every_form_is_checked_here():
    checked = {case.url for case in CASES} | {query.url for query in QUERIES} | set(SHOWN_ELSEWHERE)
    assert set(form_urls()) == checked


def test_every_form_class_of_the_portal_is_served_by_a_checked_url():
    served: set[type] = set()
    for view in form_urls().values():
        served |= view.forms
    used = {base for form_class in served for base in form_class.__mro__}
    assert {cls.__qualname__ for cls in app_form_classes() - used} == set()


def test_the_posted_urls_take_posts_and_the_queries_read_their_query():
    found = form_urls()
    assert [case.url for case in CASES if not found[case.url].posts] == []
    assert [query.url for query in QUERIES if not found[query.url].reads_query] == []


# --------------------------------------------------------------------------- checking a submission


AUDIT_GONE = ("_delete", "_remove", "_release")  # audit entries whose record is gone by design


@functools.cache
def _organisation_columns() -> dict[str, list[int]]:
    """Per table of the programme data, the positions (in ``snapshot()`` rows) of the columns
    that name the organisation a row belongs to."""
    found = {}
    for app_label in DATA_APPS:
        for model in apps.get_app_config(app_label).get_models():
            columns = [field.attname for field in model._meta.concrete_fields]
            positions = [
                index
                for index, name in enumerate(columns)
                if name in ("organization_id", "organizer_id", "owner_id")
            ]
            if positions:
                found[model._meta.db_table] = positions
    return found


@functools.cache
def _timestamp_columns() -> dict[str, list[int]]:
    """Per table, the positions of the columns Django sets on every save (``auto_now``)."""
    found = {}
    for app_label in DATA_APPS:
        for model in apps.get_app_config(app_label).get_models():
            fields = model._meta.concrete_fields
            positions = [index for index, field in enumerate(fields) if getattr(field, "auto_now", False)]
            if positions:
                found[model._meta.db_table] = positions
    return found


def _without_timestamps(state: dict) -> dict:
    """The state with ``auto_now`` columns blanked: a save that changes nothing else is no
    change of the data."""
    masked = dict(state)
    for table, positions in _timestamp_columns().items():
        masked[table] = [
            tuple("" if index in positions else value for index, value in enumerate(row))
            for row in state.get(table, [])
        ]
    return masked


def _touched_organisations(before: dict, after: dict) -> set[int]:
    touched = set()
    for table, positions in _organisation_columns().items():
        old, new = set(before.get(table, [])), set(after.get(table, []))
        for row in old ^ new:
            touched |= {int(row[position]) for position in positions if row[position] != "None"}
    return touched


def _unshown_errors(response) -> list[str]:
    """The errors of the bound forms of a page that the page does not show; a page that
    refuses without any error is reported too."""
    content = response.content.decode()
    values = [value for context in response.context or [] for value in context.flatten().values()]
    bound = [value for value in values if isinstance(value, forms.BaseForm) and value.is_bound]
    if not any(form.errors for form in bound):
        return ["(refused without a message)"]
    return sorted(
        {
            str(message)
            for form in bound
            for messages in form.errors.values()
            for message in messages
            if html.escape(str(message)) not in content
        }
    )


def _query_string(query: dict) -> str:
    return urlencode([(key, item) for key, value in query.items() for item in _listed(value)])


def _listed(value) -> list:
    return value if isinstance(value, list) else [value]


class Submitter:
    """Posts submissions of one case, each in a savepoint rolled back afterwards, and checks
    each as the module's docstring says. The persona signs in once; every submission starts
    from the same database, taken once."""

    def __init__(self, world: World, case: Case) -> None:
        self.world, self.case = world, case
        self.user = getattr(world, case.actor) if case.actor else None
        self.url = reverse(case.url, args=case.args(world))
        self.base_query = case.base_query(world)
        signed_in = Client()
        if self.user is not None:
            signed_in.force_login(self.user)
        self.cookies = signed_in.cookies
        self.before = _without_timestamps(snapshot())
        self.audit_from = AuditEntry.objects.aggregate(last=Max("pk"))["last"] or 0
        self.allowed = None
        scope = scope_for(self.user) if self.user else None
        if scope is not None and not (scope.write_all or scope.is_supervisor):
            self.allowed = set(scoped(self.user, Organization, write=True).values_list("pk", flat=True))
            self.allowed |= set(organizer_choices(user=self.user).values_list("pk", flat=True))

    def client(self) -> Client:
        client = Client()
        client.cookies = self.cookies
        return client

    def page_fields(self) -> dict[str, Field]:
        if not self.case.shown:
            return {}
        page = self.case.page(self.world) if self.case.page else self.url
        if not self.case.page and self.base_query:
            page += "?" + _query_string(self.base_query)
        with transaction.atomic():
            response = self.client().get(page)
            transaction.set_rollback(True)
        assert response.status_code == 200, f"{page} answers {response.status_code}"
        return page_form(response.content.decode(), page, self.url)

    def submit(self, data: dict, query: dict | None = None, *, audit: str = "") -> tuple[int, list[str]]:
        """Post ``data`` (with ``query`` on top of the case's own query string); return the
        status and the tables changed. ``audit``: the entry the submission must leave."""
        url = self.url
        if self.base_query or query:
            url += "?" + _query_string({**self.base_query, **(query or {})})
        # A browser always sends the CSRF token: the form is never posted empty.
        posted = {"csrfmiddlewaretoken": "token", **encode(data)}
        with transaction.atomic():
            cache.clear()
            client = self.client()
            response = client.post(url, posted)
            status = response.status_code
            assert status < 500, f"{status} for {data!r}"
            after = _without_timestamps(snapshot())
            changed = changed_tables(self.before, after)
            if changed:
                assert 200 <= status < 400, f"{status} after writing {changed} for {data!r}"
                assert self.record_problems(changed) == [], data
                if self.allowed is not None:
                    strangers = _touched_organisations(self.before, after) - self.allowed
                    assert strangers == set(), f"{self.user} changed records of organisations {strangers}"
            elif status == 200 and response["Content-Type"].startswith("text/html"):
                assert _unshown_errors(response) == [], f"refused {data!r} without showing why"
            if audit:
                assert AuditEntry.objects.filter(pk__gt=self.audit_from, action=audit).exists(), audit
            if 300 <= status < 400:
                location = urlsplit(response["Location"])
                if not location.netloc:
                    following = client.get(location.path, QueryDict(location.query))
                    assert following.status_code < 500, (
                        f"the page after {data!r} answers {following.status_code}"
                    )
            transaction.set_rollback(True)
        return status, changed

    def record_problems(self, changed: list[str]) -> list[str]:
        """What is missing from the record of a write."""
        if self.case.record:
            return [f"no row in {table}" for table in self.case.record if table not in changed]
        entries = list(AuditEntry.objects.filter(pk__gt=self.audit_from))
        if not any(entry.actor_id == self.user.pk for entry in entries):
            return [f"no audit entry by {self.user} for the change of {changed}"]
        problems = []
        for entry in entries:
            if entry.action.endswith(AUDIT_GONE) or "." not in entry.object_type:
                continue
            model = apps.get_model(entry.object_type)
            if not model._base_manager.filter(pk=entry.object_id).exists():
                problems.append(f"the audit entry {entry} names a {entry.object_type} that does not exist")
        return problems


# --------------------------------------------------------------------------- the properties


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_a_form_takes_any_input_without_an_error_or_a_partial_write(in_world, case):
    submitter = Submitter(in_world, case)
    fields = submitter.page_fields()
    valid = case.valid(in_world)
    assert set(valid) <= set(fields) or not case.shown, f"fields the form lacks: {set(valid) - set(fields)}"
    as_shown = {name: list(field.values) for name, field in fields.items() if field.values}

    status, changed = submitter.submit({**as_shown, **valid}, audit=case.audit)
    if case.succeeds == "writes":
        assert changed, f"the valid submission wrote nothing (answered {status})"
    else:
        assert (status, changed) == (case.succeeds, [])

    query = (
        st.dictionaries(
            st.sampled_from(case.query), query_value(in_world.foreign_ids), max_size=len(case.query)
        )
        if case.query
        else st.just({})
    )

    @FORM_SETTINGS
    @given(data=submissions(fields, valid=valid, foreign_ids=in_world.foreign_ids), query=query)
    def any_submission(data, query):
        submitter.submit(data, query)

    any_submission()


@pytest.mark.parametrize("query", QUERIES, ids=lambda query: query.id)
def test_a_query_opens_the_page_or_is_refused_and_writes_nothing(in_world, query):
    url = reverse(query.url, args=query.args(in_world))
    client = Client()
    if query.actor is not None:
        client.force_login(getattr(in_world, query.actor))
    fields: dict[str, Field] = {}
    if query.form:
        response = client.get(url)
        assert response.status_code == 200, f"{url} answers {response.status_code}"
        fields = page_form(response.content.decode(), url, url, method="get")
    for name in query.params:
        fields.setdefault(name, Field(name, "text"))
    before = snapshot(include_audit=True)

    @FORM_SETTINGS
    @given(params=submissions(fields, foreign_ids=in_world.foreign_ids, longest=QUERY_TEXT))
    def any_query(params):
        with transaction.atomic():
            cache.clear()
            response = client.get(url, encode(params), headers={"HX-Request": "true"} if query.htmx else {})
            assert response.status_code < 500, f"{response.status_code} for {params!r}"
            assert changed_tables(before, snapshot(include_audit=True)) == [], params
            transaction.set_rollback(True)

    any_query()
