"""Exporting the people list (organizations:list_export, the generic export of the list pages):
masked by default, full numbers only with a reason, on the record."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organizations.exports import writers
from organizations.models import AuditEntry, LeaderRole
from tests import factories as f

pytestmark = pytest.mark.django_db


def url() -> str:
    return reverse("organizations:list_export", args=["people"])


def export(client, data=None, query="", key="people"):
    response = client.post(
        reverse("organizations:list_export", args=[key]), {"query": query, "format": "csv", **(data or {})}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")  # Excel and WPS read UTF-8 only with a BOM
    return list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))


def test_the_default_export_is_masked_and_scoped(client, jiangshan_admin, jiangshan, wuxiang):
    client.force_login(jiangshan_admin)
    rows = export(client)
    assert rows[0][:3] == ["姓名", "性别", "手机号码"]
    names = {row[0] for row in rows[1:]}
    assert names == {"姜山会员", "姜山院长"}
    phone = jiangshan.member.phone
    member = next(row for row in rows if row[0] == "姜山会员")
    assert member[2] == f"{phone[:3]}****{phone[-4:]}"
    assert member[8] == "姜山镇科协"
    assert not AuditEntry.objects.filter(action="people_export_full").exists()


def test_the_export_follows_the_list_filters(client, jiangshan_admin, jiangshan):
    client.force_login(jiangshan_admin)
    rows = export(client, key="leaders")
    assert [row[0] for row in rows[1:]] == ["姜山院长"]
    assert rows[1][7] == "医院院长"


def test_full_numbers_need_a_reason_and_leave_an_audit_entry(client, jiangshan_admin, jiangshan):
    client.force_login(jiangshan_admin)
    response = client.post(url(), {"full": "on", "reason": "", "format": "csv"})
    assert "请写明导出完整个人信息的用途" in response.content.decode()
    rows = export(client, {"full": "on", "reason": "向区科协报送三长名单"})
    assert jiangshan.member.phone in {row[2] for row in rows}
    entry = AuditEntry.objects.get(action="people_export_full")
    assert entry.actor == jiangshan_admin and entry.summary == "向区科协报送三长名单"
    assert entry.changes["count"] == 2


def test_readers_cannot_export_full_numbers(client, supervisor_user, jiangshan):
    client.force_login(supervisor_user)
    page = client.get(url()).content.decode()
    assert 'name="full"' not in page
    response = client.post(url(), {"query": "", "format": "csv", "full": "on", "reason": "想要完整号码"})
    assert response.status_code == 403
    rows = export(client)
    assert jiangshan.member.phone not in {row[2] for row in rows}
    assert not AuditEntry.objects.filter(action="people_export_full").exists()


def test_anonymous_users_are_sent_to_login(client):
    response = client.get(url())
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


# --------------------------------------------------------------------------- the related names


def test_roles_and_organisations_are_written_in_the_pages_order(client, district_user, jiangshan, wuxiang):
    person = f.PersonFactory(name="许多")
    for name in ("张家科普协会", "安心健康协会"):
        f.MembershipFactory(person=person, organization=f.OrganizationFactory(name=name))
    f.MembershipFactory(person=person, organization=jiangshan.association)
    f.MembershipFactory(
        person=person, organization=wuxiang.association, left_on=datetime.date(2022, 6, 30)
    )  # left: not shown
    f.LeaderRoleFactory(person=person, kind=LeaderRole.Kind.SCHOOL_PRINCIPAL)
    f.LeaderRoleFactory(person=person, kind=LeaderRole.Kind.HOSPITAL_DIRECTOR)
    f.LeaderRoleFactory(
        person=person, kind=LeaderRole.Kind.MUSEUM_DIRECTOR, ended_on=datetime.date(2022, 1, 31)
    )  # ended: not shown
    client.force_login(district_user)
    row = next(row for row in export(client) if row[0] == "许多")
    assert row[7] == "医院院长、学校校长"
    assert row[8] == "安心健康协会、姜山镇科协、张家科普协会"


def test_an_admin_sees_only_the_organisations_in_their_scope(client, jiangshan_admin, jiangshan, wuxiang):
    f.MembershipFactory(person=jiangshan.member, organization=wuxiang.association)
    client.force_login(jiangshan_admin)
    row = next(row for row in export(client) if row[0] == "姜山会员")
    assert row[8] == "姜山镇科协"
    assert row[7] == ""


def test_the_query_count_does_not_grow_with_the_chunks(client, jiangshan_admin, jiangshan, monkeypatch):
    # Chunks of three rows: 2 people are one chunk, 14 people five.
    monkeypatch.setattr(writers, "CHUNK_SIZE", 3)
    client.force_login(jiangshan_admin)
    export(client)  # the session and the scope, cached from here on

    def counted(key: str) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            rows = export(client, key=key)
        return len(captured), len(rows)

    small = counted("people"), counted("leaders")
    for _index in range(12):
        person = f.PersonFactory()
        f.MembershipFactory(person=person, organization=jiangshan.association)
        f.LeaderRoleFactory(person=person)
    large = counted("people"), counted("leaders")
    assert [rows for _queries, rows in small] == [3, 2]  # the header and 2 people, 1 leader
    assert [rows for _queries, rows in large] == [15, 14]
    assert [queries for queries, _rows in small] == [queries for queries, _rows in large]
