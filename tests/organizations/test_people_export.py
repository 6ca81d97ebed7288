"""Exporting the people list (organizations:list_export, the generic export of the list pages):
masked by default, full numbers only with a reason, on the record."""

import csv
import io

import pytest
from django.urls import reverse

from organizations.models import AuditEntry

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
