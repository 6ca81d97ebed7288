"""Who may open and change what, over every URL of the portal: the permission matrix (等保 2.0
access control).

Every URL pattern of the project is found from the resolver (with its namespaces) and must have
a line in ``MATRIX``: how to build its arguments for a record of 姜山镇 (the owning side) and what
each role gets when it opens the page — anonymous, district staff, 姜山镇科协's admin (the
owner), 五乡镇科协's admin (another organisation), the leader 孙立强 (a 三长 of 姜山农技协会) and a
supervisor. A URL the matrix does not know fails ``test_every_url_is_in_the_matrix`` with its
name, so that no page can be added without saying who may open it. Another organisation's admin
gets 404 or 403 for every record of 姜山镇, never the page.

Every view that accepts POST has its form data in the matrix: each role that may not write posts
data the form would accept, and the database is the same afterwards (``tests.dbstate``) and no
job is queued; one role that may write posts the same data and changes it.

The Django admin is checked by a rule of its own (``test_the_admin_*``): it is for district staff
only, whatever the ``is_staff`` flag says. Static files have no URL pattern (WhiteNoise serves
them), and uploaded files leave the portal only through the views in the matrix.

The world is tests/district.py's, built once for this module, with one record of each kind the
district lacks (evidence, a campaign, an inspection, a report run, a closed quarter …), all of
姜山镇 unless said otherwise. The clock stands at 2023-01-10 10:00 in Asia/Shanghai: 2022Q3 is
closed, 2022Q4 is over and open, and the check-in of 姜山新春科普讲座 is open.
"""

from __future__ import annotations

import datetime
import inspect
import re
import shutil
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from organizations.models import AuditEntry, ExportFile, LeaderRole, Membership, Organization, TeamMembership
from outreach.models import Campaign, ChannelPost, ThemedDay
from rollout.models import (
    Incentive,
    Inspection,
    IssuedReportFile,
    Milestone,
    Phase,
    Pilot,
    Rectification,
    RectificationEvidence,
    ReportRun,
    ShowcaseItem,
    Stage,
    SteeringMember,
    Task,
)
from rollout.reference import load_plan
from rollout.reports import actions as report_actions
from rollout.reports.closing import actions as closing_actions
from services.models import Activity, ActivityKind, Evidence, VolunteerService
from tests import files
from tests.dbstate import changed_tables, snapshot
from tests.district import District, at, build_district
from tests.outreach.factories import CampaignFactory, ChannelPostFactory
from tests.rollout import factories as rf
from tests.services.factories import ActivityFactory
from tests.urlwalk import project_urls

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2023, 1, 10, 10, 0, tzinfo=SHANGHAI)
PASSWORD = "pw-for-tests-1"  # tests/factories.UserFactory's

# --------------------------------------------------------------------------- roles and answers

ANONYMOUS, DISTRICT, OWNER, OTHER, LEADER, SUPERVISOR = ROLES = (
    "anonymous",
    "district",
    "owner",
    "other",
    "leader",
    "supervisor",
)

OK, REDIRECT, FORBIDDEN, HIDDEN, NOT_ALLOWED = 200, 302, 403, 404, 405
LOGIN = "login"  # a redirect to the sign-in page
# Answers to a POST besides the status codes above:
WRITE = "write"  # may write: the request succeeds and changes the database
REFUSED = "refused"  # the form comes back (200) because the record is not among the user's choices
HARMLESS = "harmless"  # allowed, and writes no programme data (an export, signing out)

DENIALS = {LOGIN, FORBIDDEN, HIDDEN, NOT_ALLOWED}
# The role whose write is checked, when several may write.
WRITER_PREFERENCE = (OWNER, SUPERVISOR, DISTRICT, LEADER, ANONYMOUS)


def roles(**answers) -> dict[str, Any]:
    """Each role's answer: signed-in roles get the page and anonymous callers the sign-in page,
    unless said otherwise."""
    unknown = set(answers) - set(ROLES)
    assert not unknown, unknown
    return {ANONYMOUS: LOGIN, **dict.fromkeys(ROLES[1:], OK), **answers}


# Pages (GET)
PUBLIC = roles(anonymous=OK)
SIGNED_IN = roles()
DISTRICT_ONLY = roles(owner=FORBIDDEN, other=FORBIDDEN, leader=FORBIDDEN, supervisor=FORBIDDEN)
READERS = roles(owner=FORBIDDEN, other=FORBIDDEN, leader=FORBIDDEN)  # district staff, supervisors
ADMINS_AND_READERS = roles(leader=FORBIDDEN)  # and organisation admins
MANAGERS = roles(leader=FORBIDDEN, supervisor=FORBIDDEN)  # district staff, organisation admins
OWNED = roles(other=HIDDEN, leader=HIDDEN)  # a record of 姜山镇科协 the leader has nothing to do with
OWNED_WRITE = roles(other=HIDDEN, leader=HIDDEN, supervisor=FORBIDDEN)
LED = roles(other=HIDDEN)  # a record of 姜山农技培训, which the leader led
LED_WRITE = roles(other=HIDDEN, supervisor=FORBIDDEN)
PLAN_EDIT = roles(owner=HIDDEN, other=HIDDEN, leader=HIDDEN, supervisor=FORBIDDEN)
SUPERVISED = roles(owner=HIDDEN, other=HIDDEN, leader=HIDDEN)  # inspections: the steering group's
POST_ONLY = roles(**dict.fromkeys(ROLES[1:], NOT_ALLOWED))
OWN_EXPORT = roles(district=HIDDEN, other=HIDDEN, leader=HIDDEN, supervisor=HIDDEN)  # the owner's only

# Writes (POST)
OWNED_POST = roles(district=WRITE, owner=WRITE, other=HIDDEN, leader=HIDDEN, supervisor=FORBIDDEN)
LED_POST = roles(district=WRITE, owner=WRITE, other=HIDDEN, leader=WRITE, supervisor=FORBIDDEN)
DISTRICT_POST = roles(
    district=WRITE, owner=FORBIDDEN, other=FORBIDDEN, leader=FORBIDDEN, supervisor=FORBIDDEN
)
PLAN_POST = roles(district=WRITE, owner=HIDDEN, other=HIDDEN, leader=HIDDEN, supervisor=FORBIDDEN)
SUPERVISION_POST = roles(district=WRITE, owner=HIDDEN, other=HIDDEN, leader=HIDDEN, supervisor=WRITE)
# Creating a record of 姜山镇科协: another organisation's admin is not offered it as a choice.
ADD_POST = roles(district=WRITE, owner=WRITE, other=REFUSED, leader=FORBIDDEN, supervisor=FORBIDDEN)


# --------------------------------------------------------------------------- the world


@dataclass
class World:
    district: District
    users: dict[str, Any]
    checkin_activity: Activity
    evidence: Evidence
    service: VolunteerService
    campaign: Campaign
    post: ChannelPost
    aids_day: ThemedDay
    volunteer_day: ThemedDay
    task: Task
    pilot: Pilot
    milestone: Milestone
    member: SteeringMember
    inspection: Inspection
    rectification: Rectification
    closed_rectification: Rectification
    rectification_evidence: RectificationEvidence
    showcase: ShowcaseItem
    incentive: Incentive
    run: ReportRun
    issued_file: IssuedReportFile
    media: Path | None = None

    # Handles the table uses often.
    @property
    def town(self) -> Organization:
        return self.district.orgs["姜山镇科协"]

    @property
    def training(self) -> Activity:
        """姜山农技培训: organised by 姜山农技协会 (under 姜山镇科协), led by the leader 孙立强."""
        return self.district.activities["姜山农技培训"]

    @property
    def chen(self):
        """陈建华: 姜山镇科协's vice-chair and member; the leader has nothing to do with him."""
        return self.district.people["陈建华"]

    def person(self, name: str):
        return self.district.people[name]

    def org(self, name: str) -> Organization:
        return self.district.orgs[name]


def _build_world() -> World:
    load_plan(Phase, Stage)
    district = build_district()
    town = district.orgs["姜山镇科协"]
    staff = district.district_staff
    training = district.activities["姜山农技培训"]
    users = {
        ANONYMOUS: None,
        DISTRICT: staff,
        OWNER: district.jiangshan_admin,
        OTHER: district.wuxiang_admin,
        LEADER: district.leader,
        SUPERVISOR: district.supervisor,
    }
    for user in users.values():
        if user is not None:
            # The admin site must refuse on the portal's roles, not on this flag.
            user.is_staff = True
            user.save(update_fields=["is_staff"])

    checkin_activity = ActivityFactory(
        title="姜山新春科普讲座",
        kind=ActivityKind.POPULAR_LECTURE,
        organizer=town,
        region=district.towns["姜山镇"],
        starts_at=at(2023, 1, 10, 9),
        ends_at=at(2023, 1, 10, 11),
        status=Activity.Status.PLANNED,
    )
    evidence = Evidence.objects.create(
        activity=training,
        file=SimpleUploadedFile("现场.png", files.PNG, content_type="image/png"),
        original_name="现场.png",
        size=len(files.PNG),
    )
    service = VolunteerService.objects.get(activity=training, person=district.people["周晓东"])
    campaign = CampaignFactory(name="姜山科普惠民行动", owner=town)
    campaign.activities.add(training)
    post = ChannelPostFactory(
        activity=training, title="姜山农技培训见闻", published_on=datetime.date(2022, 11, 21)
    )
    aids_day = ThemedDay.objects.get(name="世界艾滋病日")
    volunteer_day = ThemedDay.objects.get(name="国际志愿者日")
    training.themed_days.add(volunteer_day)

    task = rf.TaskFactory(
        organization=town, title="姜山补齐生活健康类协会", due_date=datetime.date(2023, 3, 31)
    )
    inspection = rf.InspectionFactory(
        organization=town,
        supervisor=district.supervisor,
        inspected_on=datetime.date(2022, 12, 15),
        findings="姜山镇活动佐证材料不全。",
    )
    rectification = rf.RectificationFactory(
        inspection=inspection, title="姜山补齐活动佐证", deadline=datetime.date(2023, 2, 28)
    )
    closed_rectification = rf.RectificationFactory(
        inspection=inspection,
        title="姜山完善会员名册",
        deadline=datetime.date(2022, 12, 31),
        status=Rectification.Status.CLOSED,
        closed_on=datetime.date(2022, 12, 28),
        closure_note="名册已完善。",
    )
    rectification_evidence = RectificationEvidence.objects.create(
        rectification=rectification, file=rf.png(), original_name="照片.png", size=len(rf.PNG)
    )

    # 2022Q3 is closed and its supervision report issued (as a workbook only, which is quick).
    closing = closing_actions.quarter_close(actor=staff, quarter="2022Q3")
    closing_actions.quarter_report_issue(actor=staff, closing=closing, formats=("xlsx",))
    issued_file = closing.issued_report.files.get()

    # A report run the 姜山镇 admin requested for their town, built (as CSV, which is quick).
    run = report_actions.report_request(
        actor=district.jiangshan_admin, kind="supervision", period="2022Q4", fmt="csv", organization=town
    )
    report_actions.report_build(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE, run.error

    # A locked account for the lock list.
    AccessAttempt.objects.create(
        username="locked-user",
        ip_address="203.0.113.9",
        user_agent="test",
        http_accept="*/*",
        path_info="/accounts/login/",
        get_data="",
        post_data="",
        failures_since_start=5,
    )
    return World(
        district=district,
        users=users,
        checkin_activity=checkin_activity,
        evidence=evidence,
        service=service,
        campaign=campaign,
        post=post,
        aids_day=aids_day,
        volunteer_day=volunteer_day,
        task=task,
        pilot=rf.PilotFactory(organization=town, focus="三长进班子"),
        milestone=rf.MilestoneFactory(title="姜山试点总结"),
        member=rf.SteeringMemberFactory(name="李建国"),
        inspection=inspection,
        rectification=rectification,
        closed_rectification=closed_rectification,
        rectification_evidence=rectification_evidence,
        showcase=rf.ShowcaseItemFactory(title="姜山三长进班子", organization=town),
        incentive=rf.IncentiveFactory(person=district.people["陈建华"], title="优秀三长"),
        run=run,
        issued_file=issued_file,
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world, built once in a transaction that is rolled back after the module's last test;
    each test runs in a savepoint inside it."""
    media = tmp_path_factory.mktemp("matrix-media")
    with (
        time_machine.travel(NOW, tick=False),
        override_settings(MEDIA_ROOT=media),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        built = _build_world()
        built.media = media
        yield built
        transaction.set_rollback(True)


@pytest.fixture
def world_db(world, db, settings):
    """The world, for one test: its database in a savepoint, and a media folder of its own
    (tests/conftest.py) that starts with the world's files."""
    shutil.copytree(world.media, settings.MEDIA_ROOT, dirs_exist_ok=True)
    return world


# --------------------------------------------------------------------------- the matrix


@dataclass(frozen=True)
class Post:
    """What a POST sends and what each role gets for it."""

    data: Callable[[World], dict]
    answers: dict[str, Any]
    # The writer's request queues a job once it commits instead of writing rows itself.
    queues: bool = False
    # The role whose write is checked, if not the first of WRITER_PREFERENCE that may write.
    check_writer: str | None = None

    @property
    def writer(self) -> str | None:
        if self.check_writer:
            return self.check_writer
        return next((role for role in WRITER_PREFERENCE if self.answers[role] == WRITE), None)


@dataclass(frozen=True)
class Row:
    get: dict[str, Any]
    args: Callable[[World], list] | None = None
    query: Callable[[World], dict] | None = None
    post: Post | None = None
    # Why a URL with arguments is not refused to another organisation: it names no record of
    # 姜山镇 (reference data, the plan, a quarter), or it is public.
    shared: str = ""


def day(value: datetime.date | None) -> str:
    return value.isoformat() if value else ""


def png(name: str = "现场.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, files.PNG, content_type="image/png")


def _export_file(w: World) -> ExportFile:
    """A finished background export of the people list, asked for by 姜山镇科协's admin."""
    export, created = ExportFile.objects.get_or_create(
        list_key="people",
        format="csv",
        created_by=w.users[OWNER],
        defaults={"status": ExportFile.Status.DONE},
    )
    if created:
        export.file.save("people.csv", ContentFile(b"\xef\xbb\xbf"), save=True)
    return export


def _person_form(w: World, **changes) -> dict:
    chen = w.chen
    return {
        "name": chen.name,
        "gender": chen.gender,
        "phone": chen.phone,
        "id_number": "",
        "employer": chen.employer,
        "title": "院长",
        "profession": chen.profession,
        "email": "",
        "notes": "",
        **changes,
    }


def _organization_form(w: World) -> dict:
    town = w.town
    return {
        "code": town.code,
        "name": town.name,
        "kind": town.kind,
        "category": town.category,
        "home_region": town.home_region_id,
        "parent": town.parent_id,
        "status": town.status,
        "founded_on": day(town.founded_on),
        "dissolved_on": "",
        "credit_code": "",
        "contact_name": "王丽萍",
        "contact_phone": "",
        "address": "姜山镇人民政府",
        "description": "",
    }


def _activity_form(w: World) -> dict:
    training = w.training
    return {
        "title": training.title,
        "kind": training.kind,
        "organizer": training.organizer_id,
        "leaders": [w.person("孙立强").pk],
        "teams": [w.district.teams["姜山农技志愿服务队"].pk],
        "region": training.region_id,
        "venue_kind": training.venue_kind,
        "venue": "姜山镇农技站",
        "starts_at": "2022-11-20T09:00",
        "ends_at": "2022-11-20T11:00",
        "planned_participants": 50,
        "reported_participants": "",
        "description": "水稻病虫害绿色防控",
    }


def _task_form(w: World) -> dict:
    task = w.task
    return {
        "phase": task.phase_id,
        "stage": "",
        "title": task.title,
        "organization": task.organization_id,
        "due_date": "2023-04-30",
        "description": "筹建姜山镇生活健康类协会",
        "status": task.status,
        "note": "",
    }


def _rectification_form(w: World) -> dict:
    return {
        "organization": w.town.pk,
        "title": "姜山补齐活动佐证",
        "requirement": "补传活动照片和签到表",
        "deadline": "2023-03-31",
        "owner_name": "王丽萍",
        "note": "延长整改时限",
    }


def _showcase_form(w: World) -> dict:
    return {
        "kind": ShowcaseItem.Kind.PRACTICE,
        "title": "姜山三长进班子",
        "summary": "三长进入镇科协领导机构",
        "story": "",
        "organization": w.town.pk,
        "person": "",
        "nominated_on": "2022-10-01",
        "nominated_by": "姜山镇科协",
    }


def _incentive_form(w: World) -> dict:
    return {
        "person": w.chen.pk,
        "kind": "award",
        "title": "优秀三长",
        "granted_on": "2023-01-05",
        "granted_by": "鄞州区科协",
        "amount": "",
        "organization": "",
        "notes": "区科协年度表彰",
    }


def _steering_form(w: World) -> dict:
    return {"role": "member", "name": w.member.name, "title": "区科协办公室", "started_on": "2023-01-05"}


def _phase_form(obj) -> dict:
    return {
        "name": obj.name,
        "start_date": day(obj.start_date),
        "end_date": day(obj.end_date),
        "summary": "按计划推进",
        "target": getattr(obj, "target", ""),
    }


def _phase(w: World) -> Phase:
    return Phase.objects.get(number=3)


def _stage(w: World) -> Stage:
    return Stage.objects.get(code="3a")


def _chen_role(w: World) -> LeaderRole:
    return LeaderRole.objects.get(person=w.chen)


def _chen_membership(w: World) -> Membership:
    return Membership.objects.get(person=w.chen, organization=w.town)


def _liu_in_team(w: World) -> TeamMembership:
    return TeamMembership.objects.get(person=w.person("刘芳"), team=w.district.teams["姜山镇科技志愿服务队"])


def _town_seat(w: World):
    return w.district.seats[("姜山镇科协", "王丽萍")]


def _town_team(w: World):
    return w.district.teams["姜山镇科技志愿服务队"]


def _member_upload() -> SimpleUploadedFile:
    """A member-import file of two rows: one to import, one in error (for its rejected rows)."""
    import io

    import openpyxl

    workbook = openpyxl.Workbook()
    for row in (["姓名", "手机号码"], ["蒋文静", "13857400002"], ["", "13857400003"]):
        workbook.active.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return SimpleUploadedFile("会员名单.xlsx", output.getvalue())


def _import_batch(w: World):
    """A checked import into 姜山镇科协, uploaded by its admin."""
    from organizations.imports.actions import import_upload

    return import_upload(
        actor=w.users[OWNER], organization=w.town, kind="people", upload=_member_upload(), background=False
    )


# Imports are for those who manage people: a leader and a supervisor are refused every page.
IMPORT_PAGES = roles(leader=FORBIDDEN, supervisor=FORBIDDEN)
IMPORT_BATCH = roles(other=HIDDEN, leader=FORBIDDEN, supervisor=FORBIDDEN)
IMPORT_POST = roles(district=WRITE, owner=WRITE, other=HIDDEN, leader=FORBIDDEN, supervisor=FORBIDDEN)
IMPORT_NEW_POST = roles(district=WRITE, owner=WRITE, other=REFUSED, leader=FORBIDDEN, supervisor=FORBIDDEN)


MATRIX: dict[str, Row] = {
    # ------------------------------------------------------------------ the portal and accounts
    "home": Row(SIGNED_IN),
    "healthz": Row(PUBLIC),
    "login": Row(
        PUBLIC,
        post=Post(
            lambda w: {"username": "jiangshan", "password": PASSWORD},
            # Anyone may sign in; signing in records the time on the account.
            roles(**dict.fromkeys(ROLES, WRITE)),
            check_writer=ANONYMOUS,
        ),
    ),
    "logout": Row(
        POST_ONLY,
        post=Post(lambda w: {}, roles(**dict.fromkeys(ROLES[1:], HARMLESS))),
    ),
    "password_change": Row(
        SIGNED_IN,
        post=Post(
            lambda w: {
                "old_password": PASSWORD,
                "new_password1": "Sanhui#2023-ok",
                "new_password2": "Sanhui#2023-ok",
            },
            roles(district=WRITE, owner=WRITE, other=WRITE, leader=WRITE, supervisor=WRITE),
        ),
    ),
    "password_change_done": Row(SIGNED_IN),
    # 忘记密码: open to everyone; asking sends a mail at most and writes no data.
    "password_reset": Row(
        PUBLIC,
        post=Post(lambda w: {"email": "nobody@example.cn"}, roles(**dict.fromkeys(ROLES, HARMLESS))),
    ),
    "password_reset_done": Row(PUBLIC),
    "password_reset_confirm": Row(
        PUBLIC,
        args=lambda w: ["MQ", "not-a-valid-token"],
        shared="public: the mailed link admits its holder; a wrong link is refused on the page",
        post=Post(
            lambda w: {"new_password1": "Sanhui#2023-ok", "new_password2": "Sanhui#2023-ok"},
            roles(**dict.fromkeys(ROLES, HARMLESS)),
        ),
    ),
    "password_reset_complete": Row(PUBLIC),
    "account_lockouts": Row(DISTRICT_ONLY),
    "account_lockout_release": Row(
        POST_ONLY, post=Post(lambda w: {"kind": "username", "value": "locked-user"}, DISTRICT_POST)
    ),
    "account_login_log": Row(DISTRICT_ONLY),
    "set_language": Row(
        roles(**dict.fromkeys(ROLES, REDIRECT)),
        post=Post(lambda w: {"language": "en", "next": "/"}, roles(**dict.fromkeys(ROLES, HARMLESS))),
    ),
    # ------------------------------------------------------------------ people
    "organizations:person_list": Row(SIGNED_IN),
    "organizations:leader_list": Row(SIGNED_IN),
    "organizations:person_options": Row(SIGNED_IN),
    "organizations:organization_options": Row(SIGNED_IN),
    "organizations:region_options": Row(SIGNED_IN),
    "organizations:team_options": Row(SIGNED_IN),
    "organizations:person_add": Row(
        MANAGERS,
        post=Post(
            lambda w: {
                "organization": w.town.pk,
                "name": "蒋文静",
                "gender": "female",
                "phone": "13857400001",
                "id_number": "",
                "employer": "姜山镇卫生院",
                "title": "",
                "profession": "medical",
                "email": "",
                "notes": "",
                "joined_on": "2023-01-05",
                "leader_kind": "",
                "leader_institution": "",
            },
            ADD_POST,
        ),
    ),
    "organizations:list_export": Row(
        SIGNED_IN,
        args=lambda w: ["people"],
        post=Post(
            # Masked numbers for everyone; the full ones (audited) only for those who manage
            # people, refused to the others.
            lambda w: {"query": "", "format": "csv", "full": "on", "reason": "向区科协报送名单"},
            roles(district=WRITE, owner=WRITE, other=WRITE, leader=FORBIDDEN, supervisor=FORBIDDEN),
        ),
        shared="names a list, not a record: each user exports the rows of their own scope",
    ),
    "organizations:export_list": Row(SIGNED_IN),
    # 姜山镇科协's admin's own export: nobody else's, district staff's neither.
    "organizations:export_detail": Row(OWN_EXPORT, args=lambda w: [_export_file(w).pk]),
    "organizations:export_download": Row(OWN_EXPORT, args=lambda w: [_export_file(w).pk]),
    "organizations:person_detail": Row(OWNED, args=lambda w: [w.chen.pk]),
    "organizations:person_edit": Row(
        OWNED_WRITE, args=lambda w: [w.chen.pk], post=Post(_person_form, OWNED_POST)
    ),
    "organizations:person_history": Row(OWNED, args=lambda w: [w.chen.pk]),
    "organizations:leader_role_add": Row(
        OWNED_WRITE,
        args=lambda w: [w.chen.pk],
        post=Post(
            lambda w: {
                "kind": "lecturer_group_head",
                "institution": "姜山镇科普讲师团",
                "started_on": "2023-01-05",
            },
            OWNED_POST,
        ),
    ),
    "organizations:membership_add": Row(
        OWNED_WRITE,
        args=lambda w: [w.chen.pk],
        post=Post(
            lambda w: {"organization": w.org("姜山科普教育协会").pk, "joined_on": "2023-01-05"}, OWNED_POST
        ),
    ),
    "organizations:leader_role_end": Row(
        OWNED_WRITE,
        args=lambda w: [_chen_role(w).pk],
        post=Post(lambda w: {"ended_on": "2023-01-09"}, OWNED_POST),
    ),
    "organizations:membership_end": Row(
        OWNED_WRITE,
        args=lambda w: [_chen_membership(w).pk],
        post=Post(lambda w: {"ended_on": "2023-01-09"}, OWNED_POST),
    ),
    # ------------------------------------------------------------------ imports
    "organizations:import_list": Row(IMPORT_PAGES),
    "organizations:import_new": Row(
        IMPORT_PAGES,
        post=Post(
            lambda w: {"kind": "people", "organization": w.town.pk, "file": _member_upload()}, IMPORT_NEW_POST
        ),
    ),
    "organizations:import_template": Row(
        IMPORT_PAGES, args=lambda w: ["people"], shared="a template is the same for every organisation"
    ),
    "organizations:import_detail": Row(IMPORT_BATCH, args=lambda w: [_import_batch(w).pk]),
    "organizations:import_progress": Row(IMPORT_BATCH, args=lambda w: [_import_batch(w).pk]),
    "organizations:import_rejected": Row(IMPORT_BATCH, args=lambda w: [_import_batch(w).pk]),
    "organizations:import_commit": Row(
        POST_ONLY, args=lambda w: [_import_batch(w).pk], post=Post(lambda w: {}, IMPORT_POST)
    ),
    "organizations:import_discard": Row(
        POST_ONLY, args=lambda w: [_import_batch(w).pk], post=Post(lambda w: {}, IMPORT_POST)
    ),
    # ------------------------------------------------------------------ seats
    "organizations:seat_list": Row(SIGNED_IN),
    "organizations:seat_add": Row(
        MANAGERS,
        post=Post(
            lambda w: {
                "organization": w.town.pk,
                "person": w.person("刘芳").pk,
                "position": "member",
                "term_start": "2023-01-01",
                "term_end": "2027-03-14",
                "notes": "",
            },
            ADD_POST,
        ),
    ),
    "organizations:seat_detail": Row(OWNED, args=lambda w: [_town_seat(w).pk]),
    "organizations:seat_edit": Row(
        OWNED_WRITE,
        args=lambda w: [_town_seat(w).pk],
        post=Post(
            lambda w: {
                "position": "chair",
                "term_start": "2022-03-15",
                "term_end": "2027-03-14",
                "notes": "换届确认",
            },
            OWNED_POST,
        ),
    ),
    # ------------------------------------------------------------------ volunteer teams
    "organizations:team_list": Row(SIGNED_IN),
    "organizations:team_add": Row(
        MANAGERS,
        post=Post(
            lambda w: {
                "organization": w.town.pk,
                "name": "姜山镇科普宣讲队",
                "leader": w.chen.pk,
                "founded_on": "2023-01-05",
                "service_area": "科普宣讲",
                "status": "active",
            },
            ADD_POST,
        ),
    ),
    "organizations:team_detail": Row(OWNED, args=lambda w: [_town_team(w).pk]),
    "organizations:team_edit": Row(
        OWNED_WRITE,
        args=lambda w: [_town_team(w).pk],
        post=Post(
            lambda w: {
                "name": "姜山镇科技志愿服务队",
                "leader": w.chen.pk,
                "founded_on": "",
                "service_area": "医疗义诊",
                "status": "active",
            },
            OWNED_POST,
        ),
    ),
    "organizations:team_volunteer_add": Row(
        OWNED_WRITE,
        args=lambda w: [_town_team(w).pk],
        post=Post(lambda w: {"person": w.person("周晓东").pk, "joined_on": "2023-01-05"}, OWNED_POST),
    ),
    "organizations:team_volunteer_remove": Row(
        POST_ONLY, args=lambda w: [_liu_in_team(w).pk], post=Post(lambda w: {}, OWNED_POST)
    ),
    # ------------------------------------------------------------------ organisations
    "organizations:organization_list": Row(SIGNED_IN),
    "organizations:organization_add": Row(
        DISTRICT_ONLY,
        post=Post(
            lambda w: {
                **_organization_form(w),
                "code": "JS-ZY",
                "name": "姜山科普志愿者协会",
                "kind": Organization.Kind.GRASSROOTS_ASSOCIATION,
                "category": Organization.Category.ECOLOGY,
                "parent": w.town.pk,
                "founded_on": "2023-01-05",
            },
            DISTRICT_POST,
        ),
    ),
    "organizations:organization_detail": Row(OWNED, args=lambda w: [w.town.pk]),
    "organizations:organization_edit": Row(
        OWNED_WRITE,
        args=lambda w: [w.town.pk],
        # District staff's write is checked here; the town admin's in
        # test_a_town_admin_saves_their_own_association.
        post=Post(_organization_form, OWNED_POST, check_writer=DISTRICT),
    ),
    "organizations:organization_history": Row(OWNED, args=lambda w: [w.town.pk]),
    # The audit log of every write: district staff only.
    "organizations:audit_log": Row(DISTRICT_ONLY),
    # ------------------------------------------------------------------ activities
    "services:activity_list": Row(SIGNED_IN),
    "services:activity_calendar": Row(SIGNED_IN),
    "services:activity_day": Row(
        SIGNED_IN,
        args=lambda w: ["2022-10-15"],
        shared="a day of the calendar, not a record: each role sees its own activities of it",
    ),
    "services:my_activities": Row(
        roles(district=FORBIDDEN, owner=FORBIDDEN, other=FORBIDDEN, supervisor=FORBIDDEN)
    ),
    "services:my_next_activity": Row(
        roles(district=FORBIDDEN, owner=FORBIDDEN, other=FORBIDDEN, supervisor=FORBIDDEN)
    ),
    "services:activity_add": Row(
        # A leader logs activities for the associations they belong to (姜山农技协会).
        roles(supervisor=FORBIDDEN),
        post=Post(
            lambda w: {
                "title": "姜山新春义诊",
                "kind": ActivityKind.FREE_CLINIC,
                "organizer": w.town.pk,
                "region": w.town.home_region_id,
                "venue_kind": "hospital",
                "venue": "姜山镇卫生院",
                "starts_at": "2023-01-20T09:00",
                "ends_at": "2023-01-20T11:00",
                "planned_participants": 40,
                "reported_participants": "",
                "description": "",
            },
            roles(district=WRITE, owner=WRITE, other=REFUSED, leader=REFUSED, supervisor=FORBIDDEN),
        ),
    ),
    "services:activity_detail": Row(LED, args=lambda w: [w.training.pk]),
    "services:activity_edit": Row(
        LED_WRITE, args=lambda w: [w.training.pk], post=Post(_activity_form, LED_POST)
    ),
    "services:activity_history": Row(LED, args=lambda w: [w.training.pk]),
    "services:activity_transition": Row(
        # Verifying is for the organiser's admins, not for the leader who led it.
        roles(other=HIDDEN, leader=FORBIDDEN, supervisor=FORBIDDEN),
        args=lambda w: [w.training.pk, Activity.Status.VERIFIED],
        post=Post(
            lambda w: {"note": ""},
            roles(district=WRITE, owner=WRITE, other=HIDDEN, leader=FORBIDDEN, supervisor=FORBIDDEN),
        ),
    ),
    "services:activity_publish": Row(
        POST_ONLY,
        args=lambda w: [w.checkin_activity.pk],
        post=Post(
            lambda w: {"publish": "1"},
            roles(district=WRITE, owner=WRITE, other=HIDDEN, leader=HIDDEN, supervisor=FORBIDDEN),
        ),
    ),
    "services:evidence_add": Row(
        LED_WRITE,
        args=lambda w: [w.training.pk],
        post=Post(lambda w: {"kind": "photo", "caption": "现场照片", "file": png()}, LED_POST),
    ),
    "services:evidence_file": Row(LED, args=lambda w: [w.evidence.pk]),
    "services:evidence_delete": Row(
        POST_ONLY, args=lambda w: [w.evidence.pk], post=Post(lambda w: {}, LED_POST)
    ),
    "services:activity_qr": Row(LED, args=lambda w: [w.training.pk]),
    "services:activity_poster": Row(LED, args=lambda w: [w.training.pk]),
    "services:activity_qr_screen": Row(LED, args=lambda w: [w.training.pk]),
    "services:attendee_list": Row(LED, args=lambda w: [w.training.pk]),
    "services:attendance_count": Row(LED, args=lambda w: [w.training.pk]),
    "services:hours_enter": Row(
        # Hours are entered by admins only.
        roles(other=HIDDEN, leader=FORBIDDEN, supervisor=FORBIDDEN),
        args=lambda w: [w.training.pk],
        post=Post(
            lambda w: {
                "person": w.person("周晓东").pk,
                "hours": "3.00",
                "reason": "未扫码签退，按签到表补录",
            },
            roles(district=WRITE, owner=WRITE, other=HIDDEN, leader=FORBIDDEN, supervisor=FORBIDDEN),
        ),
    ),
    "services:hours_correct": Row(
        roles(other=HIDDEN, leader=FORBIDDEN, supervisor=FORBIDDEN),
        args=lambda w: [w.service.pk],
        post=Post(
            lambda w: {"hours": "1.50", "reason": "按签到表更正"},
            roles(district=WRITE, owner=WRITE, other=HIDDEN, leader=FORBIDDEN, supervisor=FORBIDDEN),
        ),
    ),
    "services:volunteer_record": Row(OWNED, args=lambda w: [w.chen.pk]),
    "services:team_list": Row(SIGNED_IN),
    "services:team_record": Row(OWNED, args=lambda w: [_town_team(w).pk]),
    "services:team_export": Row(
        OWNED_WRITE,
        args=lambda w: [_town_team(w).pk],
        post=Post(lambda w: {"year": 2022, "reason": "向平台补录服务时长"}, OWNED_POST),
    ),
    # The public check-in pages: the token in the link admits the caller.
    "services:checkin": Row(
        PUBLIC,
        args=lambda w: [w.checkin_activity.checkin_token],
        shared="public: the token in the link admits anyone",
        post=Post(
            lambda w: {"name": "张晓燕", "phone": "13857400002", "consent": "on"},
            roles(**dict.fromkeys(ROLES, WRITE)),
            check_writer=ANONYMOUS,
        ),
    ),
    "services:volunteer_checkin": Row(
        PUBLIC,
        args=lambda w: [w.checkin_activity.checkin_token],
        shared="public: the token in the link admits anyone",
        post=Post(
            lambda w: {"name": "刘芳", "phone": w.person("刘芳").phone, "consent": "on", "direction": "in"},
            roles(**dict.fromkeys(ROLES, WRITE)),
            check_writer=ANONYMOUS,
        ),
    ),
    # ------------------------------------------------------------------ outreach
    "outreach:activity_outreach": Row(
        LED_WRITE,
        args=lambda w: [w.training.pk],
        post=Post(lambda w: {"themed_days": [w.aids_day.pk]}, LED_POST),
    ),
    "outreach:campaign_list": Row(SIGNED_IN),
    "outreach:campaign_add": Row(
        MANAGERS,
        post=Post(
            lambda w: {
                "name": "姜山科普进村",
                "owner": w.town.pk,
                "starts_on": "2023-01-01",
                "ends_on": "2023-12-31",
                "description": "",
            },
            ADD_POST,
        ),
    ),
    "outreach:campaign_detail": Row(OWNED, args=lambda w: [w.campaign.pk]),
    "outreach:campaign_edit": Row(
        OWNED_WRITE,
        args=lambda w: [w.campaign.pk],
        post=Post(
            lambda w: {
                "name": w.campaign.name,
                "starts_on": day(w.campaign.starts_on),
                "ends_on": day(w.campaign.ends_on),
                "description": "科普进村入户",
            },
            OWNED_POST,
        ),
    ),
    "outreach:campaign_activities_add": Row(
        OWNED_WRITE,
        args=lambda w: [w.campaign.pk],
        post=Post(lambda w: {"activities": [w.district.activities["姜山科普展览"].pk]}, OWNED_POST),
    ),
    "outreach:campaign_activity_remove": Row(
        POST_ONLY, args=lambda w: [w.campaign.pk, w.training.pk], post=Post(lambda w: {}, OWNED_POST)
    ),
    "outreach:themed_day_list": Row(SIGNED_IN),
    "outreach:themed_day_detail": Row(
        SIGNED_IN,
        args=lambda w: [w.aids_day.pk, 2022],
        shared="the themed days are reference data; the activity to tag comes in the form",
        post=Post(
            lambda w: {"activity": w.training.pk},
            roles(district=WRITE, owner=WRITE, other=REFUSED, leader=WRITE, supervisor=REFUSED),
        ),
    ),
    "outreach:themed_day_untag": Row(
        POST_ONLY,
        args=lambda w: [w.volunteer_day.pk, 2022, w.training.pk],
        post=Post(lambda w: {}, LED_POST),
    ),
    "outreach:post_list": Row(SIGNED_IN),
    "outreach:post_add": Row(
        LED_WRITE,
        query=lambda w: {"activity": w.training.pk},
        post=Post(
            lambda w: {
                "channel": "wechat",
                "outlet": "姜山发布",
                "title": "姜山农技培训报道",
                "url": "https://example.com/jiangshan/1",
                "published_on": "2022-11-21",
                "reach": 800,
            },
            LED_POST,
        ),
    ),
    "outreach:post_edit": Row(
        LED_WRITE,
        args=lambda w: [w.post.pk],
        post=Post(
            lambda w: {
                "channel": w.post.channel,
                "outlet": "姜山发布",
                "title": w.post.title,
                "url": w.post.url,
                "published_on": day(w.post.published_on),
                "reach": 900,
            },
            LED_POST,
        ),
    ),
    "outreach:post_delete": Row(POST_ONLY, args=lambda w: [w.post.pk], post=Post(lambda w: {}, LED_POST)),
    "outreach:public_events": Row(PUBLIC),
    "outreach:public_events_ics": Row(PUBLIC),
    # ------------------------------------------------------------------ the rollout plan
    "rollout:overview": Row(READERS),
    "rollout:phase_edit": Row(
        PLAN_EDIT,
        args=lambda w: [_phase(w).pk],
        shared="the plan's phases are the district's",
        post=Post(lambda w: _phase_form(_phase(w)), PLAN_POST),
    ),
    "rollout:stage_edit": Row(
        PLAN_EDIT,
        args=lambda w: [_stage(w).pk],
        shared="the plan's stages are the district's",
        post=Post(lambda w: _phase_form(_stage(w)), PLAN_POST),
    ),
    "rollout:milestone_add": Row(
        DISTRICT_ONLY,
        post=Post(
            lambda w: {"phase": _phase(w).pk, "stage": "", "title": "全面覆盖验收", "due_date": "2023-06-30"},
            DISTRICT_POST,
        ),
    ),
    "rollout:milestone_edit": Row(
        PLAN_EDIT,
        args=lambda w: [w.milestone.pk],
        shared="the plan's milestones are the district's",
        post=Post(
            lambda w: {
                "phase": w.milestone.phase_id,
                "stage": "",
                "title": w.milestone.title,
                "due_date": day(w.milestone.due_date),
                "achieved_on": "2023-01-05",
                "description": "",
            },
            PLAN_POST,
        ),
    ),
    "rollout:task_list": Row(ADMINS_AND_READERS),
    "rollout:task_add": Row(
        DISTRICT_ONLY,
        post=Post(
            lambda w: {**_task_form(w), "title": "姜山建立三长联系制度"},
            DISTRICT_POST,
        ),
    ),
    "rollout:task_detail": Row(OWNED, args=lambda w: [w.task.pk]),
    "rollout:task_history": Row(OWNED, args=lambda w: [w.task.pk]),
    "rollout:task_progress": Row(
        POST_ONLY,
        args=lambda w: [w.task.pk],
        post=Post(lambda w: {"status": "in_progress", "note": "已召开筹备会"}, OWNED_POST),
    ),
    "rollout:task_edit": Row(
        # The organisation reports progress; the task itself is district staff's.
        roles(owner=FORBIDDEN, other=HIDDEN, leader=HIDDEN, supervisor=FORBIDDEN),
        args=lambda w: [w.task.pk],
        post=Post(
            _task_form,
            roles(district=WRITE, owner=FORBIDDEN, other=HIDDEN, leader=HIDDEN, supervisor=FORBIDDEN),
        ),
    ),
    "rollout:pilot_add": Row(
        DISTRICT_ONLY,
        post=Post(
            lambda w: {
                "organization": w.org("姜山农技协会").pk,
                "stage": _stage(w).pk,
                "started_on": "2023-01-05",
                "focus": "农技服务进村",
                "findings": "",
                "measures": "",
            },
            DISTRICT_POST,
        ),
    ),
    # Pilots are the plan's: an organisation does not see its own pilot record.
    "rollout:pilot_detail": Row(SUPERVISED, args=lambda w: [w.pilot.pk]),
    "rollout:pilot_edit": Row(
        PLAN_EDIT,
        args=lambda w: [w.pilot.pk],
        post=Post(
            lambda w: {
                "organization": w.town.pk,
                "stage": w.pilot.stage_id,
                "started_on": day(w.pilot.started_on),
                "focus": "三长进班子",
                "findings": "活动台账不统一。",
                "measures": "统一在平台登记。",
            },
            PLAN_POST,
        ),
    ),
    "rollout:steering_group": Row(READERS),
    "rollout:steering_member_add": Row(
        DISTRICT_ONLY, post=Post(lambda w: {**_steering_form(w), "name": "王志明"}, DISTRICT_POST)
    ),
    "rollout:steering_member_edit": Row(
        PLAN_EDIT,
        args=lambda w: [w.member.pk],
        shared="the steering group is the district's",
        post=Post(
            lambda w: {**_steering_form(w), "ended_on": "", "notes": "联络员"},
            PLAN_POST,
        ),
    ),
    # ------------------------------------------------------------------ supervision
    "rollout:supervision": Row(READERS),
    "rollout:inspection_list": Row(READERS),
    "rollout:inspection_add": Row(
        READERS,
        post=Post(
            lambda w: {
                "organization": w.town.pk,
                "inspected_on": "2023-01-09",
                "reference": "",
                "inspectors": "李建国",
                "score": "90",
                "findings": "台账基本齐全。",
            },
            roles(district=WRITE, owner=FORBIDDEN, other=FORBIDDEN, leader=FORBIDDEN, supervisor=WRITE),
        ),
    ),
    "rollout:inspection_detail": Row(SUPERVISED, args=lambda w: [w.inspection.pk]),
    "rollout:inspection_edit": Row(
        SUPERVISED,
        args=lambda w: [w.inspection.pk],
        post=Post(
            lambda w: {
                "inspected_on": "2022-12-15",
                "reference": "",
                "inspectors": "李建国",
                "score": "80",
                "findings": "姜山镇活动佐证材料不全，会员名册未更新。",
            },
            SUPERVISION_POST,
        ),
    ),
    "rollout:rectification_add": Row(
        SUPERVISED,
        args=lambda w: [w.inspection.pk],
        post=Post(lambda w: {**_rectification_form(w), "title": "姜山补建三长联系台账"}, SUPERVISION_POST),
    ),
    "rollout:rectification_list": Row(ADMINS_AND_READERS),
    "rollout:rectification_detail": Row(OWNED, args=lambda w: [w.rectification.pk]),
    "rollout:rectification_progress": Row(
        POST_ONLY,
        args=lambda w: [w.rectification.pk],
        # The organisation reports on its items (and district staff); supervisors judge them.
        post=Post(lambda w: {"status": "in_progress", "note": "已补传部分照片"}, OWNED_POST),
    ),
    "rollout:rectification_edit": Row(
        roles(owner=FORBIDDEN, other=HIDDEN, leader=HIDDEN),
        args=lambda w: [w.rectification.pk],
        post=Post(
            _rectification_form,
            roles(district=WRITE, owner=FORBIDDEN, other=HIDDEN, leader=HIDDEN, supervisor=WRITE),
        ),
    ),
    "rollout:rectification_reopen": Row(
        POST_ONLY,
        args=lambda w: [w.closed_rectification.pk],
        post=Post(
            lambda w: {"note": "名册仍缺三长信息"},
            roles(district=WRITE, owner=FORBIDDEN, other=HIDDEN, leader=HIDDEN, supervisor=WRITE),
        ),
    ),
    "rollout:evidence_file": Row(OWNED, args=lambda w: [w.rectification_evidence.pk]),
    # ------------------------------------------------------------------ showcase and incentives
    "rollout:showcase_public": Row(PUBLIC),
    # A nominated item is not public yet: only the district's readers see it.
    "rollout:showcase_item": Row(SUPERVISED | {ANONYMOUS: HIDDEN}, args=lambda w: [w.showcase.pk]),
    "rollout:showcase_manage": Row(READERS),
    "rollout:showcase_add": Row(
        DISTRICT_ONLY,
        post=Post(
            lambda w: {**_showcase_form(w), "title": "姜山三会联动", "nominated_on": "2023-01-05"},
            DISTRICT_POST,
        ),
    ),
    "rollout:showcase_edit": Row(
        PLAN_EDIT, args=lambda w: [w.showcase.pk], post=Post(_showcase_form, PLAN_POST)
    ),
    "rollout:showcase_advance": Row(
        POST_ONLY, args=lambda w: [w.showcase.pk, "approve"], post=Post(lambda w: {}, PLAN_POST)
    ),
    "rollout:incentive_list": Row(READERS),
    "rollout:incentive_add": Row(
        DISTRICT_ONLY,
        post=Post(lambda w: {**_incentive_form(w), "title": "科普先进个人"}, DISTRICT_POST),
    ),
    "rollout:incentive_edit": Row(
        PLAN_EDIT, args=lambda w: [w.incentive.pk], post=Post(_incentive_form, PLAN_POST)
    ),
    "rollout:term_list": Row(READERS),
    "rollout:term_send": Row(POST_ONLY, post=Post(lambda w: {}, DISTRICT_POST, queues=True)),
    # ------------------------------------------------------------------ dashboards
    "dashboards:district": Row(READERS),
    "dashboards:district_data": Row(READERS),
    "dashboards:town": Row(
        roles(other=HIDDEN, leader=FORBIDDEN), query=lambda w: {"region": w.town.home_region_id}
    ),
    "dashboards:town_data": Row(
        roles(other=HIDDEN, leader=FORBIDDEN), query=lambda w: {"region": w.town.home_region_id}
    ),
    "dashboards:mine": Row(roles(district=FORBIDDEN, owner=FORBIDDEN, other=FORBIDDEN, supervisor=FORBIDDEN)),
    "dashboards:mine_data": Row(
        roles(district=FORBIDDEN, owner=FORBIDDEN, other=FORBIDDEN, supervisor=FORBIDDEN)
    ),
    # ------------------------------------------------------------------ reports
    "reports:list": Row(ADMINS_AND_READERS),
    "reports:request": Row(
        ADMINS_AND_READERS,
        post=Post(
            lambda w: {
                "kind": "supervision",
                "period_type": "quarter",
                "quarter": "2022Q4",
                "organization": w.town.pk,
                "format": "xlsx",
            },
            roles(district=WRITE, owner=WRITE, other=REFUSED, leader=FORBIDDEN, supervisor=WRITE),
        ),
    ),
    "reports:detail": Row(roles(other=HIDDEN, leader=FORBIDDEN), args=lambda w: [w.run.pk]),
    "reports:status": Row(roles(other=HIDDEN, leader=FORBIDDEN), args=lambda w: [w.run.pk]),
    "reports:download": Row(roles(other=HIDDEN, leader=FORBIDDEN), args=lambda w: [w.run.pk]),
    "reports:rerun": Row(
        POST_ONLY,
        args=lambda w: [w.run.pk],
        post=Post(
            lambda w: {},
            roles(district=WRITE, owner=WRITE, other=HIDDEN, leader=FORBIDDEN, supervisor=WRITE),
        ),
    ),
    "reports:quarter_list": Row(ADMINS_AND_READERS),
    "reports:quarter_detail": Row(
        ADMINS_AND_READERS, args=lambda w: ["2022Q3"], shared="a quarter is the whole district's"
    ),
    "reports:quarter_close": Row(
        DISTRICT_ONLY,
        args=lambda w: ["2022Q4"],
        shared="a quarter is the whole district's",
        post=Post(lambda w: {"confirm": "on", "note": ""}, DISTRICT_POST),
    ),
    "reports:quarter_reopen": Row(
        DISTRICT_ONLY,
        args=lambda w: ["2022Q3"],
        shared="a quarter is the whole district's",
        post=Post(lambda w: {"reason": "姜山镇补报漏登的活动"}, DISTRICT_POST),
    ),
    "reports:quarter_issue": Row(
        POST_ONLY,
        args=lambda w: ["2022Q3"],
        shared="a quarter is the whole district's",
        post=Post(lambda w: {}, DISTRICT_POST, queues=True),
    ),
    # The issued report covers every organisation of the district: not for organisation admins.
    "reports:issued_download": Row(
        roles(owner=HIDDEN, other=HIDDEN, leader=FORBIDDEN), args=lambda w: [w.issued_file.pk]
    ),
}


# --------------------------------------------------------------------------- every URL


def url_views() -> dict[str, Callable]:
    return dict(project_urls())


def _hands_over_to(function) -> list[Callable]:
    """The module's own private helpers that ``function`` calls (``_organization_form_view``)."""
    module = inspect.getmodule(function)
    source = inspect.getsource(function)
    found = (getattr(module, name, None) for name in re.findall(r"\b(_\w+)\(", source))
    return [helper for helper in found if inspect.isfunction(helper)]


def accepts_post(view) -> bool:
    """Whether the view does something with a POST: a class-based view with ``post``, or a
    function (or a helper it hands over to) that reads the POST data or requires the method."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return "post" in view_class.http_method_names and hasattr(view_class, "post")
    seen: set = set()
    pending = [inspect.unwrap(view)]
    while pending:
        function = pending.pop()
        if function in seen:
            continue
        seen.add(function)
        if "POST" in inspect.getsource(function):
            return True
        pending.extend(_hands_over_to(function))
    return False


def test_every_url_is_in_the_matrix():
    unknown = sorted(set(url_views()) - set(MATRIX))
    assert not unknown, f"URL names the permission matrix does not know: {unknown}"


def test_every_line_of_the_matrix_is_a_url():
    assert sorted(set(MATRIX) - set(url_views())) == []


def test_every_view_that_accepts_post_has_its_form_data_here():
    posting = {name for name, view in url_views().items() if accepts_post(view)}
    assert sorted(posting - {name for name, row in MATRIX.items() if row.post}) == []
    assert sorted({name for name, row in MATRIX.items() if row.post} - posting) == []


def test_another_organisation_gets_none_of_jiangshans_records():
    """The matrix itself: for every URL naming a record of 姜山镇, 五乡镇's admin is refused."""
    for name, row in MATRIX.items():
        assert set(row.get) == set(ROLES), name
        if row.post:
            assert set(row.post.answers) == set(ROLES), name
            # The role checked writing may write; where nobody may, the endpoint writes nothing
            # (signing out, choosing the language).
            writer = row.post.writer
            if writer:
                assert row.post.answers[writer] == WRITE, name
            else:
                assert set(row.post.answers.values()) <= DENIALS | {HARMLESS}, name
        if (row.args or row.query) and not row.shared:
            assert row.get[OTHER] in DENIALS - {LOGIN}, name
            if row.post:
                assert row.post.answers[OTHER] in {FORBIDDEN, HIDDEN}, name


# --------------------------------------------------------------------------- requests


def _url(world: World, name: str) -> str:
    row = MATRIX[name]
    url = reverse(name, args=row.args(world) if row.args else None)
    if row.query:
        url += "?" + urlencode(row.query(world))
    return url


def _sign_in(client, world: World, role: str) -> None:
    user = world.users[role]
    if user is not None:
        client.force_login(user)


def _answer(response, login_url: str) -> Any:
    if response.status_code == 302 and response.url.split("?")[0] == login_url:
        return LOGIN
    return response.status_code


GET_CASES = [pytest.param(name, role, id=f"{name}-{role}") for name in MATRIX for role in ROLES]


@pytest.mark.parametrize(("name", "role"), GET_CASES)
def test_get(client, world_db, name, role):
    _sign_in(client, world_db, role)
    response = client.get(_url(world_db, name))
    assert _answer(response, reverse("login")) == MATRIX[name].get[role]


POST_CASES = [
    pytest.param(name, role, id=f"{name}-{role}")
    for name, row in MATRIX.items()
    if row.post
    for role in ROLES
    if row.post.answers[role] != WRITE or role == row.post.writer
]
AUDIT = AuditEntry._meta.db_table


@pytest.mark.parametrize(("name", "role"), POST_CASES)
def test_post(client, world_db, django_capture_on_commit_callbacks, name, role):
    post = MATRIX[name].post
    expected = post.answers[role]
    _sign_in(client, world_db, role)
    url, data = _url(world_db, name), post.data(world_db)
    before = snapshot(include_audit=True)
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(url, data)
    changed = changed_tables(before, snapshot(include_audit=True))
    if expected == WRITE:
        assert 200 <= response.status_code < 400, response.status_code
        form = response.context.get("form") if response.context else None
        assert not (form is not None and form.errors), form.errors
        if post.queues:
            assert queued
        else:
            assert changed
        return
    if expected == HARMLESS:
        assert 200 <= response.status_code < 400, response.status_code
    elif expected == REFUSED:
        assert response.status_code == 200
        assert response.context["form"].errors
    else:
        assert _answer(response, reverse("login")) == expected
    # A refusal may leave a line in the audit log; it changes no data and queues nothing.
    assert [table for table in changed if table != AUDIT] == []
    assert not queued


def test_a_town_admin_saves_their_own_association(client, world_db):
    client.force_login(world_db.users[OWNER])
    before = snapshot()
    response = client.post(_url(world_db, "organizations:organization_edit"), _organization_form(world_db))
    assert response.status_code == 302
    assert changed_tables(before, snapshot()) == ["organizations_organization"]


# --------------------------------------------------------------------------- the admin site


def _admin_answer(response) -> Any:
    # Anonymous callers meet the portal's sign-in page first, signed-in ones the admin's.
    if response.status_code == 302 and response.url.split("?")[0] == reverse("admin:login"):
        return LOGIN
    return _answer(response, reverse("login"))


@pytest.mark.parametrize("role", ROLES)
def test_the_admin_is_for_district_staff_only(client, world_db, role):
    _sign_in(client, world_db, role)
    response = client.get(reverse("admin:index"))
    assert _admin_answer(response) == (OK if role == DISTRICT else LOGIN)
    if role != DISTRICT:
        page = reverse("admin:organizations_organization_change", args=[world_db.town.pk])
        assert _admin_answer(client.get(page)) == LOGIN


@pytest.mark.parametrize("role", [role for role in ROLES if role != DISTRICT])
def test_the_admin_changes_nothing_for_anyone_else(client, world_db, role):
    _sign_in(client, world_db, role)
    before = snapshot()
    response = client.post(
        reverse("admin:organizations_organization_change", args=[world_db.town.pk]),
        {**_organization_form(world_db), "name": "改名的科协"},
    )
    assert _admin_answer(response) == LOGIN
    assert changed_tables(before, snapshot()) == []
