"""The login log page (district staff only, read-only, filtered, paginated) and its pruning: kept
at least 184 days, never a younger line removed."""

import datetime
import zoneinfo
from urllib.parse import parse_qs

import pytest
import time_machine
from django.conf import settings as django_settings
from django.urls import reverse

from organizations.accounts.actions import login_events_prune
from organizations.models import LoginEvent
from organizations.tasks import prune_login_events
from tests import factories as f

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 3, 10, 9, 0, tzinfo=SHANGHAI)


def event(username: str, result: str, at: datetime.datetime, ip: str = "10.0.0.1") -> LoginEvent:
    return LoginEvent.objects.create(username=username, result=result, created_at=at, ip_address=ip)


@pytest.fixture
def log():
    """Four lines of the log over two days."""
    return [
        event("alice", LoginEvent.Result.FAILURE, datetime.datetime(2026, 3, 8, 23, 50, tzinfo=SHANGHAI)),
        event("alice", LoginEvent.Result.SUCCESS, datetime.datetime(2026, 3, 9, 0, 10, tzinfo=SHANGHAI)),
        event(
            "bob", LoginEvent.Result.LOCKED, datetime.datetime(2026, 3, 9, 8, 0, tzinfo=SHANGHAI), "10.6.6.6"
        ),
        event("alice", LoginEvent.Result.LOGOUT, datetime.datetime(2026, 3, 9, 17, 0, tzinfo=SHANGHAI)),
    ]


def listed(client, **query) -> list[tuple[str, str, str, str]]:
    import re

    response = client.get(reverse("account_login_log"), query)
    assert response.status_code == 200
    body = response.content.decode().split('id="login-log-table"')[1].split("</tbody>")[0]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>")[1], re.S):
        cells = [
            re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        rows.append(tuple(cells))
    return rows


def test_district_staff_read_the_log_newest_first(client, district_user, log):
    client.force_login(district_user)
    LoginEvent.objects.filter(username="district").delete()  # the line force_login just wrote
    assert listed(client) == [
        ("2026-03-09 17:00:00", "alice", "10.0.0.1", "退出登录"),
        ("2026-03-09 08:00:00", "bob", "10.6.6.6", "锁定中，拒绝登录"),
        ("2026-03-09 00:10:00", "alice", "10.0.0.1", "登录成功"),
        ("2026-03-08 23:50:00", "alice", "10.0.0.1", "登录失败"),
    ]


def test_the_log_filters_by_user_result_and_days(client, district_user, log):
    client.force_login(district_user)
    assert [row[1:] for row in listed(client, username="bob")] == [("bob", "10.6.6.6", "锁定中，拒绝登录")]
    assert [row[3] for row in listed(client, username="alice", result="success")] == ["登录成功"]
    # Days are the portal's (Asia/Shanghai): 00:10 on the 9th is the 9th, not the 8th in UTC.
    assert [row[0] for row in listed(client, date_from="2026-03-09", date_to="2026-03-09")] == [
        "2026-03-09 17:00:00",
        "2026-03-09 08:00:00",
        "2026-03-09 00:10:00",
    ]
    assert [row[0] for row in listed(client, date_to="2026-03-08")] == ["2026-03-08 23:50:00"]
    assert listed(client, ip_address="10.6")[0][1] == "bob"


def test_the_log_is_paginated(client, district_user):
    LoginEvent.objects.bulk_create(
        LoginEvent(username=f"user{i}", result=LoginEvent.Result.FAILURE, created_at=NOW) for i in range(60)
    )
    client.force_login(district_user)
    response = client.get(reverse("account_login_log"), {"result": "failure"})
    first = response.content.decode()
    assert "下一页" in first and "共 60 条" in first
    cursor = parse_qs(response.context["page"].next_query)["cursor"][0]
    second = listed(client, result="failure", cursor=cursor)
    assert len(second) == 10


def test_a_bad_filter_value_is_not_an_error(client, district_user, log):
    client.force_login(district_user)
    response = client.get(reverse("account_login_log"), {"date_from": "not-a-day", "result": "x"})
    assert response.status_code == 200


@pytest.mark.parametrize("persona", ["jiangshan_admin", "wuxiang_admin", "supervisor_user", "leader_user"])
def test_nobody_else_reads_the_log(client, persona, request, log):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("account_login_log")).status_code == 403


def test_the_log_cannot_be_changed_through_the_portal(client, district_user, log):
    client.force_login(district_user)
    before = list(LoginEvent.objects.values_list("pk", "username", "result"))
    assert client.post(reverse("account_login_log"), {"username": "x"}).status_code == 405
    assert list(LoginEvent.objects.values_list("pk", "username", "result")) == before


def test_the_admin_shows_the_log_read_only(client, district_user, log):
    district_user.is_staff = district_user.is_superuser = True
    district_user.save()
    client.force_login(district_user)
    url = reverse("admin:organizations_loginevent_changelist")
    assert client.get(url).status_code == 200
    assert client.get(reverse("admin:organizations_loginevent_add")).status_code == 403
    assert client.post(reverse("admin:organizations_loginevent_delete", args=[log[0].pk])).status_code == 403


# --------------------------------------------------------------------------- pruning

RETENTION = datetime.timedelta(days=184)


def test_pruning_keeps_every_line_younger_than_184_days():
    kept = [
        event("a", LoginEvent.Result.SUCCESS, NOW - RETENTION + datetime.timedelta(minutes=1)),
        event("b", LoginEvent.Result.SUCCESS, NOW - RETENTION),
        event("c", LoginEvent.Result.SUCCESS, NOW),
    ]
    gone = [
        event("d", LoginEvent.Result.FAILURE, NOW - RETENTION - datetime.timedelta(minutes=1)),
        event("e", LoginEvent.Result.FAILURE, NOW - datetime.timedelta(days=400)),
    ]
    with time_machine.travel(NOW, tick=False):
        assert prune_login_events.delay().get() == len(gone)
    assert sorted(LoginEvent.objects.values_list("pk", flat=True)) == sorted(e.pk for e in kept)


def test_a_longer_retention_keeps_more(settings):
    event("a", LoginEvent.Result.SUCCESS, NOW - datetime.timedelta(days=200))
    settings.SANHUI_LOGIN_LOG_DAYS = 365
    with time_machine.travel(NOW, tick=False):
        assert login_events_prune() == 0
    settings.SANHUI_LOGIN_LOG_DAYS = 184
    with time_machine.travel(NOW, tick=False):
        assert login_events_prune() == 1


def test_a_retention_below_184_days_is_not_honoured(settings):
    settings.SANHUI_LOGIN_LOG_DAYS = 30
    event("a", LoginEvent.Result.SUCCESS, NOW - datetime.timedelta(days=100))
    with time_machine.travel(NOW, tick=False):
        assert login_events_prune() == 0


def test_beat_prunes_daily():
    entry = django_settings.CELERY_BEAT_SCHEDULE["organizations-prune-login-events"]
    assert entry["task"] == "organizations.tasks.prune_login_events"
    assert entry["schedule"].hour == {3}
    assert entry["schedule"].day_of_month == set(range(1, 32))


def test_users_deleted_later_keep_their_lines():
    user = f.UserFactory(username="gone")
    line = LoginEvent.objects.create(username="gone", user=user, result=LoginEvent.Result.SUCCESS)
    user.delete()
    line.refresh_from_db()
    assert (line.username, line.user_id) == ("gone", None)
