"""The audit log page (district staff only, read-only, filtered, paginated, the changes shown as
before → after) and the pruning of the audit trail: three years unless set, never under 184
days."""

from __future__ import annotations

import ast
import datetime
import re
import runpy
import zoneinfo
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from organizations.audit.actions import audit_entries_prune
from organizations.audit.labels import ACTION_LABELS
from organizations.models import AuditEntry
from organizations.tasks import prune_audit_entries
from outreach.models import ThemedDay
from rollout.plan.actions.showcase import SHOWCASE_STEPS
from tests import factories as f
from tests.services.factories import ActivityFactory
from tests.test_audit_every_write import CASES

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 3, 10, 9, 0, tzinfo=SHANGHAI)
MINUTE = datetime.timedelta(minutes=1)


def entry(actor, action: str, obj_type: str, obj_id, at: datetime.datetime, summary: str = "", **changes):
    return AuditEntry.objects.create(
        actor=actor,
        action=action,
        object_type=obj_type,
        object_id=str(obj_id),
        summary=summary,
        changes=changes,
        created_at=at,
    )


@pytest.fixture
def trail(jiangshan, wuxiang, district_user, jiangshan_admin, wuxiang_admin):
    """Four entries over two days (Shanghai time), one of a record deleted since."""
    return [
        entry(
            jiangshan_admin, "person_update", "organizations.person", jiangshan.member.pk,
            datetime.datetime(2026, 3, 8, 23, 50, tzinfo=SHANGHAI), "姜山会员",
            employer=["测试单位", "姜山镇卫生院"], phone="***",
        ),
        entry(
            district_user, "organization_update", "organizations.organization", jiangshan.association.pk,
            datetime.datetime(2026, 3, 9, 0, 10, tzinfo=SHANGHAI), "姜山镇科协",
            contact_name=["", "张秘书"], home_region=[f.region("五乡镇").pk, f.region("姜山镇").pk],
        ),
        entry(
            wuxiang_admin, "seat_create", "organizations.seat", wuxiang.seat.pk,
            datetime.datetime(2026, 3, 9, 8, 0, tzinfo=SHANGHAI), "五乡镇科协 · 委员 · 五乡会员",
            position=[None, "member"], term_start=[None, "2022-01-01"],
        ),
        entry(
            None, "evidence_delete", "services.evidence", 999999,
            datetime.datetime(2026, 3, 9, 17, 0, tzinfo=SHANGHAI), "照片.png",
            original_name=["照片.png", None],
        ),
    ]  # fmt: skip


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def table(content: str, table_id: str) -> list[list[str]]:
    body = content.split(f'id="{table_id}"')[1].split("</tbody>")[0].split("<tbody>")[1]
    return [
        [text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def listed(client, **query) -> list[list[str]]:
    response = client.get(reverse("organizations:audit_log"), query)
    assert response.status_code == 200
    return table(response.content.decode(), "audit-log-table")


def test_district_staff_read_the_trail_newest_first(client, district_user, trail):
    client.force_login(district_user)
    seat, organization, person = (e.object_id for e in trail[2::-1])
    assert listed(client) == [
        [
            "2026-03-09 17:00:00",
            "—",
            "删除佐证材料",
            "活动佐证材料 照片.png #999999",
            "原文件名： 照片.png → —",
        ],
        [
            "2026-03-09 08:00:00",
            "wuxiang",
            "添加职务",
            f"领导机构职务 五乡镇科协 · 委员 · 五乡会员 #{seat}",
            "职务： — → 委员 任期开始： — → 2022-01-01",
        ],
        [
            "2026-03-09 00:10:00",
            "district",
            "修改组织信息",
            f"组织 姜山镇科协 #{organization}",
            "所在区域： 五乡镇 → 姜山镇 联系人： — → 张秘书",
        ],
        [
            "2026-03-08 23:50:00",
            "jiangshan",
            "修改人员信息",
            f"人员 姜山会员 #{person}",
            "手机号码： *** 工作单位： 测试单位 → 姜山镇卫生院",
        ],
    ]


def test_each_record_links_to_its_page_when_it_still_exists(client, district_user, trail, jiangshan, wuxiang):
    client.force_login(district_user)
    content = client.get(reverse("organizations:audit_log")).content.decode()
    rows = content.split('id="audit-log-table"')[1].split("<tr>")[2:]
    assert f'href="/people/{jiangshan.member.pk}/"' in rows[3]
    assert f'href="/organizations/{jiangshan.association.pk}/"' in rows[2]
    assert f'href="/seats/{wuxiang.seat.pk}/"' in rows[1]
    assert "href" not in rows[0]  # the evidence is gone


def test_the_trail_filters_by_days_actor_action_kind_and_text(client, district_user, trail):
    client.force_login(district_user)
    # Days are the portal's (Asia/Shanghai): 00:10 on the 9th is the 9th, not the 8th in UTC.
    assert [row[0] for row in listed(client, date_from="2026-03-09", date_to="2026-03-09")] == [
        "2026-03-09 17:00:00",
        "2026-03-09 08:00:00",
        "2026-03-09 00:10:00",
    ]
    assert [row[0] for row in listed(client, date_to="2026-03-08")] == ["2026-03-08 23:50:00"]
    assert [row[1] for row in listed(client, actor="wuxi")] == ["wuxiang"]
    assert [row[2] for row in listed(client, action="organization_update")] == ["修改组织信息"]
    assert [row[2] for row in listed(client, object_type="organizations.seat")] == ["添加职务"]
    assert [row[0] for row in listed(client, q="照片")] == ["2026-03-09 17:00:00"]
    assert [row[2] for row in listed(client, q="999999")] == ["删除佐证材料"]


def test_the_kinds_of_record_are_offered_by_name(client, district_user, trail):
    """Sorted by the names as text (code points): 人员, 活动…, 组织, 领导…."""
    client.force_login(district_user)
    content = client.get(reverse("organizations:audit_log")).content.decode()
    select = content.split('name="object_type"')[1].split("</select>")[0]
    assert re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)</option>', select) == [
        ("organizations.person", "人员"),
        ("services.evidence", "活动佐证材料"),
        ("organizations.organization", "组织"),
        ("organizations.seat", "领导机构职务"),
    ]


def test_the_trail_is_paginated(client, district_user):
    AuditEntry.objects.bulk_create(
        AuditEntry(
            action="person_update", object_type="organizations.person", object_id=str(i), created_at=NOW
        )
        for i in range(60)
    )
    client.force_login(district_user)
    response = client.get(reverse("organizations:audit_log"))
    first = response.content.decode()
    assert "下一页" in first and "共 60 条" in first
    cursor = parse_qs(response.context["page"].next_query)["cursor"][0]
    assert len(listed(client, cursor=cursor)) == 10


def test_a_bad_filter_value_is_not_an_error(client, district_user, trail):
    client.force_login(district_user)
    response = client.get(
        reverse("organizations:audit_log"),
        {"date_from": "not-a-day", "action": "x", "object_type": "y", "page": "z"},
    )
    assert response.status_code == 200


def test_entries_of_unknown_shape_still_read(client, district_user):
    """Entries of other shapes (an export's count, a closed quarter's correction, a kind of record
    no longer in the portal) show their values as they are."""
    entry(
        district_user,
        "people_export_full",
        "organizations.person",
        "*",
        NOW,
        "上报市科协核对名单",
        count=3,
        filters="organization=TA-JS",
    )
    entry(
        district_user,
        "closed_period_correction",
        "services.activity",
        1,
        NOW - MINUTE,
        "更正",
        periods=["2022Q3", "2022Q4"],
        write="activity_update",
    )
    entry(district_user, "retired_action", "gone.model", 5, NOW - 2 * MINUTE, "", x=[1, 2])
    client.force_login(district_user)
    assert [row[2:] for row in listed(client)] == [
        ["导出完整个人信息", "人员 上报市科协核对名单 #*", "条数： 3 筛选条件： organization=TA-JS"],
        ["更正已关闭季度的台账", "服务活动 更正 #1", "季度： 2022Q3、2022Q4 更正的操作： 修改活动"],
        ["retired_action", "gone.model 5 #5", "x： 1、2"],
    ]


def test_sets_lists_and_yes_or_no_read_by_name(client, district_user, jiangshan):
    activity = ActivityFactory(organizer=jiangshan.association, title="姜山健康讲座")
    eye_day = ThemedDay.objects.get(name="全国爱眼日")
    entry(district_user, "activity_update", "services.activity", activity.pk, NOW, "姜山健康讲座",
          audiences=[["youth"], ["elderly", "youth"]], leaders=[[], [jiangshan.leader.pk]],
          is_published=[True, False])  # fmt: skip
    entry(district_user, "themed_day_tag", "services.activity", activity.pk, NOW - MINUTE, "全国爱眼日",
          themed_days=[[], [eye_day.pk]])  # fmt: skip
    client.force_login(district_user)
    assert [row[4] for row in listed(client)] == [
        "服务对象： 青少年 → 老年人、青少年 在公众日历公开： 是 → 否 带队的三长/泛三长： — → 姜山院长",
        "主题日： — → 全国爱眼日",
    ]


@pytest.mark.parametrize("persona", ["jiangshan_admin", "wuxiang_admin", "supervisor_user", "leader_user"])
def test_nobody_else_reads_the_trail(client, persona, request, trail):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("organizations:audit_log")).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, trail):
    response = client.get(reverse("organizations:audit_log"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_only_district_staff_find_it_in_the_menu(client, district_user, jiangshan_admin):
    url = reverse("organizations:audit_log")
    client.force_login(district_user)
    assert f'href="{url}"' in client.get(reverse("home")).content.decode()
    client.force_login(jiangshan_admin)
    assert f'href="{url}"' not in client.get(reverse("home")).content.decode()


def test_the_trail_cannot_be_changed_through_the_portal(client, district_user, trail):
    client.force_login(district_user)
    before = list(AuditEntry.objects.values_list("pk", "action", "changes"))
    assert client.post(reverse("organizations:audit_log"), {"action": "x"}).status_code == 405
    assert list(AuditEntry.objects.values_list("pk", "action", "changes")) == before


def test_the_admin_shows_the_trail_read_only(client, district_user, trail):
    district_user.is_staff = district_user.is_superuser = True
    district_user.save()
    client.force_login(district_user)
    assert client.get(reverse("admin:organizations_auditentry_changelist")).status_code == 200
    assert client.get(reverse("admin:organizations_auditentry_add")).status_code == 403
    assert (
        client.post(reverse("admin:organizations_auditentry_delete", args=[trail[0].pk])).status_code == 403
    )
    assert AuditEntry.objects.count() == 4


@pytest.mark.parametrize("size", [3, 30])
def test_the_query_count_does_not_grow_with_the_entries(
    client, district_user, jiangshan, wuxiang, size, django_assert_max_num_queries
):
    kinds = [
        ("organizations.person", jiangshan.member.pk, {"employer": ["甲", "乙"]}),
        ("organizations.organization", jiangshan.association.pk, {"parent": [None, wuxiang.association.pk]}),
        ("organizations.seat", wuxiang.seat.pk, {"person": [None, wuxiang.member.pk]}),
    ]
    for i in range(size):
        obj_type, obj_id, changes = kinds[i % 3]
        entry(district_user, "x_update", obj_type, obj_id, NOW - datetime.timedelta(minutes=i), **changes)
    client.force_login(district_user)
    client.get(reverse("organizations:audit_log"))  # sessions and the scope warm up
    # Signing in (3), saving the session (3), the kinds offered by the filter, the count, the
    # page, the names of the organisations and people the changes point to (one query per
    # kind), and the links of the records (one per kind: people, organisations, seats).
    with django_assert_max_num_queries(14):
        assert len(listed(client)) == size


# --------------------------------------------------------------------------- labels


def _written_action_codes() -> set[str]:
    """Every action code passed to ``audit_record`` (or ``AuditEntry.objects.create``) in the
    source of the four apps."""
    found = set()
    for app in ("organizations", "services", "outreach", "rollout"):
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
                if name not in {"audit_record", "create"}:
                    continue
                for keyword in node.keywords:
                    if keyword.arg == "action":
                        found.update(_strings(keyword.value))
    return found


def _strings(node: ast.AST):
    """The string constants of an expression (both branches of a conditional); an f-string's
    parts are not codes (``showcase_{step}`` is expanded from ``SHOWCASE_STEPS``)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif not isinstance(node, ast.JoinedStr):
        for child in ast.iter_child_nodes(node):
            yield from _strings(child)


def test_every_action_has_a_chinese_label():
    codes = _written_action_codes() | {case.entry[0] for case in CASES}
    codes |= {f"showcase_{step}" for step in SHOWCASE_STEPS}
    assert {"person_update", "activity_unpublish", "closed_period_correction", "people_export_full"} <= codes
    assert sorted(codes - ACTION_LABELS.keys()) == []


# --------------------------------------------------------------------------- pruning


def aged(days: int, extra: datetime.timedelta = datetime.timedelta(0)) -> AuditEntry:
    return entry(
        None, "person_update", "organizations.person", 1, NOW - datetime.timedelta(days=days) - extra
    )


def test_pruning_keeps_three_years_by_default():
    assert django_settings.SANHUI_AUDIT_LOG_DAYS == 1095
    kept = [aged(184, -MINUTE), aged(1000), aged(1095), aged(0)]
    gone = [aged(1095, MINUTE), aged(2000)]
    with time_machine.travel(NOW, tick=False):
        assert prune_audit_entries.delay().get() == len(gone)
    assert sorted(AuditEntry.objects.values_list("pk", flat=True)) == sorted(e.pk for e in kept)


def test_the_shortest_retention_keeps_every_entry_younger_than_184_days(settings):
    settings.SANHUI_AUDIT_LOG_DAYS = 184
    kept = [aged(184, -MINUTE), aged(184)]
    gone = [aged(184, MINUTE), aged(400)]
    with time_machine.travel(NOW, tick=False):
        assert audit_entries_prune() == len(gone)
    assert sorted(AuditEntry.objects.values_list("pk", flat=True)) == sorted(e.pk for e in kept)


def test_a_retention_below_184_days_is_not_honoured(settings):
    settings.SANHUI_AUDIT_LOG_DAYS = 30
    aged(100)
    with time_machine.travel(NOW, tick=False):
        assert audit_entries_prune() == 0


def test_the_settings_refuse_a_retention_below_184_days(monkeypatch):
    monkeypatch.setenv("DEBUG", "1")
    monkeypatch.setenv("SANHUI_AUDIT_LOG_DAYS", "183")
    with pytest.raises(ImproperlyConfigured, match="SANHUI_AUDIT_LOG_DAYS must be at least 184"):
        runpy.run_path(str(ROOT / "sanhui" / "settings.py"))
    monkeypatch.setenv("SANHUI_AUDIT_LOG_DAYS", "184")
    assert runpy.run_path(str(ROOT / "sanhui" / "settings.py"))["SANHUI_AUDIT_LOG_DAYS"] == 184


def test_beat_prunes_daily():
    entry_ = django_settings.CELERY_BEAT_SCHEDULE["organizations-prune-audit-entries"]
    assert entry_["task"] == "organizations.tasks.prune_audit_entries"
    assert entry_["schedule"].hour == {3}
    assert entry_["schedule"].day_of_month == set(range(1, 32))


def test_users_deleted_later_keep_their_entries(client, district_user):
    user = f.UserFactory(username="gone")
    kept = entry(user, "person_update", "organizations.person", 1, NOW, "某人", employer=["甲", "乙"])
    user.delete()
    kept.refresh_from_db()
    assert kept.actor_id is None
    client.force_login(district_user)
    assert listed(client)[0][1:3] == ["—", "修改人员信息"]
