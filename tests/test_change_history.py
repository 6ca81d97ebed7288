"""The 变更记录 pages of people, organisations, service activities and rollout tasks: the record's
audit entries and those of its own child records, newest first, before → after; the same scope as
the record's page (another town's admin gets 404); personal fields "***" for everyone; the number
of queries the same for few and many entries."""

from __future__ import annotations

import datetime
import re
import zoneinfo
from urllib.parse import parse_qs

import pytest
import time_machine
from django.urls import reverse

from organizations import actions as org_actions
from organizations.models import AuditEntry, Seat
from rollout.plan.actions import tasks as task_actions
from services import actions as service_actions
from tests import factories as f
from tests.rollout import conftest as rollout_fixtures
from tests.rollout import factories as rf
from tests.services.factories import ActivityFactory

pytestmark = pytest.mark.django_db

plan = rollout_fixtures.plan
jiangshan_task = rollout_fixtures.jiangshan_task
wuxiang_task = rollout_fixtures.wuxiang_task

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 3, 10, 9, 0, tzinfo=SHANGHAI)
MINUTE = datetime.timedelta(minutes=1)


def at(minutes: int):
    """The clock pinned ``minutes`` after 09:00 on 2026-03-10 (Shanghai)."""
    return time_machine.travel(NOW + minutes * MINUTE, tick=False)


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def history(client, url: str, **query) -> list[list[str]]:
    response = client.get(url, query)
    assert response.status_code == 200
    body = response.content.decode().split('id="history-table"')[1].split("</tbody>")[0].split("<tbody>")[1]
    rows = [
        [text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]
    return [row for row in rows if len(row) > 1]  # not the "nothing yet" line


def js_activity(jiangshan, title: str = "姜山健康讲座"):
    return ActivityFactory(
        title=title,
        organizer=jiangshan.association,
        teams=[jiangshan.team],
        starts_at=datetime.datetime(2026, 3, 1, 9, 0, tzinfo=SHANGHAI),
        ends_at=datetime.datetime(2026, 3, 1, 11, 0, tzinfo=SHANGHAI),
    )


# --------------------------------------------------------------------------- each kind of record


def test_a_person_s_history_holds_their_own_rows(client, jiangshan, wuxiang, jiangshan_admin, district_user):
    member = jiangshan.member
    with at(0):
        org_actions.person_update(
            actor=jiangshan_admin, person=member, data={"employer": "姜山镇卫生院", "phone": "13800001234"}
        )
    with at(10):
        org_actions.seat_update(actor=jiangshan_admin, seat=jiangshan.seat, data={"notes": "换届后连任"})
    with at(20):
        org_actions.membership_end(
            actor=jiangshan_admin, membership=jiangshan.membership, left_on=datetime.date(2022, 12, 31)
        )
    with at(30):  # someone else's record and someone else's seat
        org_actions.person_update(actor=jiangshan_admin, person=jiangshan.leader, data={"title": "院长"})
        org_actions.seat_update(actor=jiangshan_admin, seat=jiangshan.leader_seat, data={"notes": "连任"})
    client.force_login(district_user)
    with at(40):
        rows = history(client, reverse("organizations:person_history", args=[member.pk]))
    assert rows == [
        [
            "2026-03-10 09:20:00",
            "jiangshan",
            "退出组织",
            f"会员关系 姜山会员 @ 姜山镇科协 #{jiangshan.membership.pk}",
            "退出日期： — → 2022-12-31",
        ],
        [
            "2026-03-10 09:10:00",
            "jiangshan",
            "修改职务",
            f"领导机构职务 姜山镇科协 · 委员 · 姜山会员 #{jiangshan.seat.pk}",
            "备注： — → 换届后连任",
        ],
        [
            "2026-03-10 09:00:00",
            "jiangshan",
            "修改人员信息",
            f"人员 姜山会员 #{member.pk}",
            "手机号码： *** 工作单位： 测试单位 → 姜山镇卫生院",
        ],
    ]


def test_an_organisation_s_history_holds_its_seats_members_and_teams(
    client, jiangshan, wuxiang, jiangshan_admin, wuxiang_admin
):
    association = jiangshan.association
    with at(0):
        org_actions.organization_update(
            actor=jiangshan_admin, organization=association, data={"contact_name": "张秘书"}
        )
    with at(10):
        seat = org_actions.seat_create(
            actor=jiangshan_admin,
            organization=association,
            person=jiangshan.leader,
            position=Seat.Position.STANDING_MEMBER,
            term_start=datetime.date(2022, 1, 1),
        )
    with at(20):
        org_actions.team_update(actor=jiangshan_admin, team=jiangshan.team, data={"service_area": "健康科普"})
    with at(30):  # another town's
        org_actions.organization_update(
            actor=wuxiang_admin, organization=wuxiang.association, data={"contact_name": "李秘书"}
        )
    client.force_login(jiangshan_admin)
    rows = history(client, reverse("organizations:organization_history", args=[association.pk]))
    assert [row[:4] for row in rows] == [
        [
            "2026-03-10 09:20:00",
            "jiangshan",
            "修改服务队",
            f"科技志愿服务队 姜山镇科技志愿服务队 #{jiangshan.team.pk}",
        ],
        [
            "2026-03-10 09:10:00",
            "jiangshan",
            "添加职务",
            f"领导机构职务 姜山镇科协 · 常委 · 姜山院长 #{seat.pk}",
        ],
        ["2026-03-10 09:00:00", "jiangshan", "修改组织信息", f"组织 姜山镇科协 #{association.pk}"],
    ]
    assert rows[0][4] == "服务领域： — → 健康科普"
    # A new seat records what it starts with, the people and organisations by name.
    assert rows[1][4] == "组织： — → 姜山镇科协 人员： — → 姜山院长 职务： — → 常委 任期开始： — → 2022-01-01"
    assert rows[2][4] == "联系人： — → 张秘书"


def test_an_activity_s_history_holds_its_evidence_even_deleted_and_its_hours(
    client, jiangshan, jiangshan_admin
):
    activity = js_activity(jiangshan)
    other = js_activity(jiangshan, "姜山另一场讲座")
    with at(0):
        service_actions.activity_update(
            actor=jiangshan_admin, activity=activity, data={"title": "姜山健康讲座（第二场）"}
        )
    with at(10):
        evidence = service_actions.evidence_add(
            actor=jiangshan_admin, activity=activity, upload=rf.png(), caption="现场照片"
        )
        evidence_pk = evidence.pk
        service_actions.evidence_add(actor=jiangshan_admin, activity=other, upload=rf.png("另一张.png"))
    with at(20):
        service_actions.evidence_delete(actor=jiangshan_admin, evidence=evidence)
    with at(30):
        service = service_actions.volunteer_hours_enter(
            actor=jiangshan_admin,
            activity=activity,
            person=jiangshan.member,
            hours="2.5",
            reason="按签到表补录",
        )
    client.force_login(jiangshan_admin)
    rows = history(client, reverse("services:activity_history", args=[activity.pk]))
    assert [row[:4] for row in rows] == [
        [
            "2026-03-10 09:30:00",
            "jiangshan",
            "录入或更正服务时长",
            f"志愿服务记录 按签到表补录 #{service.pk}",
        ],
        ["2026-03-10 09:20:00", "jiangshan", "删除佐证材料", f"活动佐证材料 照片.png #{evidence_pk}"],
        ["2026-03-10 09:10:00", "jiangshan", "上传佐证材料", f"活动佐证材料 照片.png #{evidence_pk}"],
        ["2026-03-10 09:00:00", "jiangshan", "修改活动", f"服务活动 姜山健康讲座（第二场） #{activity.pk}"],
    ]
    assert rows[0][4] == "服务时长（小时）： — → 2.50"
    assert rows[1][4].startswith("活动： 2026-03-01 姜山健康讲座（第二场） → — 材料类型： 活动照片 → — ")
    assert rows[2][4].startswith(
        "活动： — → 2026-03-01 姜山健康讲座（第二场） 材料类型： — → 活动照片 原文件名： — → 照片.png"
    )
    assert rows[2][4].endswith("说明： — → 现场照片")
    assert rows[3][4] == "活动名称： 姜山健康讲座 → 姜山健康讲座（第二场）"


def test_a_task_s_history_holds_its_changes(
    client, jiangshan_task, wuxiang_task, district_user, jiangshan_admin
):
    with at(0):
        task_actions.task_update(
            actor=district_user,
            task=jiangshan_task,
            data={
                "title": "姜山推进任务（调整）",
                "due_date": datetime.date(2030, 6, 30),
                "status": "in_progress",
            },
        )
    with at(10):
        task_actions.task_update(
            actor=district_user, task=wuxiang_task, data={"title": "五乡推进任务（调整）"}
        )
    client.force_login(jiangshan_admin)
    assert history(client, reverse("rollout:task_history", args=[jiangshan_task.pk])) == [
        [
            "2026-03-10 09:00:00",
            "district",
            "修改推进任务",
            f"推进任务 姜山推进任务（调整） #{jiangshan_task.pk}",
            "任务： 姜山推进任务 → 姜山推进任务（调整） "
            "完成时限： 2030-01-01 → 2030-06-30 状态： 未开始 → 进行中",
        ]
    ]


# --------------------------------------------------------------------------- scope and pages


@pytest.fixture
def records(jiangshan, jiangshan_task):
    """One record of 姜山镇 of each kind with a history page: (URL name, primary key)."""
    return {
        "person": ("organizations:person_history", jiangshan.member.pk),
        "organization": ("organizations:organization_history", jiangshan.association.pk),
        "activity": ("services:activity_history", js_activity(jiangshan).pk),
        "task": ("rollout:task_history", jiangshan_task.pk),
    }


KINDS = ["person", "organization", "activity", "task"]


@pytest.mark.parametrize("kind", KINDS)
def test_another_town_s_admin_gets_404(client, kind, records, wuxiang_admin):
    name, pk = records[kind]
    client.force_login(wuxiang_admin)
    assert client.get(reverse(name, args=[pk])).status_code == 404
    assert client.get(reverse(name, args=[987654])).status_code == 404  # missing: the same answer


@pytest.mark.parametrize("kind", KINDS)
def test_those_who_see_the_record_see_its_history(client, kind, records, jiangshan_admin, district_user):
    name, pk = records[kind]
    for user in (jiangshan_admin, district_user):
        client.force_login(user)
        assert client.get(reverse(name, args=[pk])).status_code == 200


@pytest.mark.parametrize("kind", KINDS)
def test_anonymous_visitors_are_sent_to_sign_in(client, kind, records):
    name, pk = records[kind]
    response = client.get(reverse(name, args=[pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("kind", KINDS)
def test_the_history_cannot_be_changed(client, kind, records, district_user):
    name, pk = records[kind]
    client.force_login(district_user)
    assert client.post(reverse(name, args=[pk])).status_code == 405


@pytest.mark.parametrize("kind", KINDS)
def test_the_record_page_and_its_history_link_to_each_other(client, kind, records, district_user):
    name, pk = records[kind]
    history_url = reverse(name, args=[pk])
    client.force_login(district_user)
    history_page = client.get(history_url).content.decode()
    tabs = history_page.split('id="record-tabs"')[1].split("</ul>")[0]
    detail_url = re.search(r'href="([^"]+)"', tabs).group(1)
    assert detail_url != history_url
    assert 'active" aria-current="page" href="' + history_url in tabs
    detail_page = client.get(detail_url)
    assert detail_page.status_code == 200
    assert (
        f'href="{history_url}"' in detail_page.content.decode().split('id="record-tabs"')[1].split("</ul>")[0]
    )


def test_a_leader_sees_the_history_of_their_own_person_record_only(client, jiangshan, leader_user):
    client.force_login(leader_user)
    assert client.get(reverse("organizations:person_history", args=[jiangshan.leader.pk])).status_code == 200
    assert client.get(reverse("organizations:person_history", args=[jiangshan.member.pk])).status_code == 404


def test_child_rows_outside_the_viewer_s_scope_stay_out(
    client, jiangshan, wuxiang, jiangshan_admin, wuxiang_admin
):
    """A person in both towns: 五乡's admin sees the person, not 姜山's seat of theirs."""
    shared = jiangshan.member
    f.MembershipFactory(person=shared, organization=wuxiang.association)
    with at(0):
        org_actions.seat_update(actor=jiangshan_admin, seat=jiangshan.seat, data={"notes": "姜山的备注"})
    url = reverse("organizations:person_history", args=[shared.pk])
    client.force_login(wuxiang_admin)
    assert history(client, url) == []
    client.force_login(jiangshan_admin)
    assert [row[2] for row in history(client, url)] == ["修改职务"]


def test_personal_fields_stay_hidden_for_everyone(client, jiangshan, jiangshan_admin, district_user):
    with at(0):
        person = org_actions.person_register(
            actor=jiangshan_admin,
            organization=jiangshan.association,
            name="新会员",
            phone="13800005678",
            id_number=f.valid_resident_id(7),
            email="xin@example.com",
        )
        org_actions.person_update(
            actor=jiangshan_admin, person=person, data={"phone": "13900008765", "email": "xin2@example.com"}
        )
    url = reverse("organizations:person_history", args=[person.pk])
    for user in (district_user, jiangshan_admin):
        client.force_login(user)
        content = client.get(url).content.decode()
        for secret in ("5678", "8765", "xin@", "xin2@", f.valid_resident_id(7)[6:14]):
            assert secret not in content
        rows = history(client, url)
        assert "电子邮箱： ***" in rows[0][4] and "手机号码： ***" in rows[0][4]
        assert "手机号码： *** 身份证号码： *** 出生日期： ***" in rows[1][4]


def test_the_history_is_paginated(client, jiangshan, district_user):
    AuditEntry.objects.bulk_create(
        AuditEntry(
            action="person_update",
            object_type="organizations.person",
            object_id=str(jiangshan.member.pk),
            created_at=NOW - i * MINUTE,
        )
        for i in range(60)
    )
    url = reverse("organizations:person_history", args=[jiangshan.member.pk])
    client.force_login(district_user)
    first = client.get(url)
    assert "下一页" in first.content.decode() and len(first.context["page"]) == 50
    cursor = parse_qs(first.context["page"].next_query)["cursor"][0]
    assert len(history(client, url, cursor=cursor)) == 10


# --------------------------------------------------------------------------- queries


def _fill(kind: str, size: int, jiangshan, records) -> None:
    """``size`` entries about the record and its children, each with a change naming rows."""
    _name, pk = records[kind]
    rows = {
        "person": [("organizations.person", pk), ("organizations.seat", jiangshan.seat.pk)],
        "organization": [("organizations.organization", pk), ("organizations.seat", jiangshan.seat.pk)],
        "activity": [("services.activity", pk)],
        "task": [("rollout.task", pk)],
    }[kind]
    for i in range(size):
        object_type, object_id = rows[i % len(rows)]
        AuditEntry.objects.create(
            action="x_update",
            object_type=object_type,
            object_id=str(object_id),
            created_at=NOW - i * MINUTE,
            changes={"organization": [None, jiangshan.association.pk], "person": [None, jiangshan.member.pk]},
        )


# Signing in and saving the session (6), the record, the count and the page of entries, the
# names of the organisation and the person the changes point to (one query each, however many
# entries), and one query per kind of record for the links (people and organisations have seats
# among their entries too).
QUERIES = {"person": 13, "organization": 13, "activity": 11, "task": 11}


@pytest.mark.parametrize("size", [3, 30])
@pytest.mark.parametrize("kind", KINDS)
def test_the_query_count_does_not_grow_with_the_entries(
    client, kind, size, records, jiangshan, district_user, django_assert_max_num_queries
):
    _fill(kind, size, jiangshan, records)
    name, pk = records[kind]
    url = reverse(name, args=[pk])
    client.force_login(district_user)
    client.get(url)
    with django_assert_max_num_queries(QUERIES[kind]):
        assert len(history(client, url)) == size
