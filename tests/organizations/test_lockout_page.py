"""The lockouts page: district staff see who is locked out until when, and lift a lock (audited);
nobody else may open it."""

import datetime
import zoneinfo

import pytest
import time_machine
from axes.models import AccessAttempt
from django.urls import reverse

from organizations.models import AuditEntry
from tests import factories as f

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
START = datetime.datetime(2026, 3, 10, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _fast_hashes(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def fail(client, username: str, times: int, address: str) -> None:
    for _ in range(times):
        client.post(reverse("login"), {"username": username, "password": "wrong-1"}, REMOTE_ADDR=address)


@pytest.fixture
def locked(client, wuxiang_admin):
    """At 09:00 the account zhao is locked, and so is the address its five failures came from
    (10.0.0.1); at 09:05 the address 10.6.6.6 is locked (one failure against each of five
    accounts)."""
    f.UserFactory(username="zhao")
    with time_machine.travel(START, tick=False) as clock:
        fail(client, "zhao", 5, "10.0.0.1")
        clock.shift(datetime.timedelta(minutes=5))
        for name in ("a1", "a2", "a3", "a4", "wuxiang"):
            fail(client, name, 1, "10.6.6.6")


def rows(page: str) -> list[list[str]]:
    import re

    body = page.split('id="lockouts-table"')[1].split("</tbody>")[0].split("<tbody>")[1]
    found = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = [
            re.sub(r"<[^>]+>|\s+", " ", cell).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        found.append(cells[:6])
    return found


def test_district_staff_see_each_lock_with_its_end(client, locked, district_user):
    with time_machine.travel(START + datetime.timedelta(minutes=10), tick=False):
        # Signed in on the pinned clock: a sign-in clears attempts older than the lockout period.
        client.force_login(district_user)
        response = client.get(reverse("account_lockouts"))
    assert response.status_code == 200
    assert rows(response.content.decode()) == [
        ["地址", "a1、a2、a3、a4、wuxiang", "10.6.6.6", "5", "2026-03-10 09:05", "2026-03-10 09:35"],
        ["账号", "zhao", "10.0.0.1", "5", "2026-03-10 09:00", "2026-03-10 09:30"],
        ["地址", "zhao", "10.0.0.1", "5", "2026-03-10 09:00", "2026-03-10 09:30"],
    ]


def test_a_lock_leaves_the_page_when_it_ends(client, locked, district_user):
    with time_machine.travel(START + datetime.timedelta(minutes=31), tick=False):
        client.force_login(district_user)
        page = client.get(reverse("account_lockouts")).content.decode()
    assert [row[2] for row in rows(page)] == ["10.6.6.6"]


def test_four_failures_are_not_a_lock(client, district_user, jiangshan_admin):
    with time_machine.travel(START, tick=False):
        fail(client, "jiangshan", 4, "10.0.0.1")
        client.force_login(district_user)
        page = client.get(reverse("account_lockouts")).content.decode()
    assert rows(page) == [["当前没有被锁定的账号或地址。"]]


def test_district_staff_lift_a_lock_and_it_is_audited(client, locked, district_user):
    with time_machine.travel(START + datetime.timedelta(minutes=10), tick=False):
        # Signed in on the pinned clock: a sign-in clears attempts older than the lockout period.
        client.force_login(district_user)
        response = client.post(
            reverse("account_lockout_release"), {"kind": "username", "value": "zhao"}, follow=True
        )
        assert "已解除锁定：zhao" in response.content.decode()
        # The account's failures are forgotten, and with them the address 10.0.0.1's.
        assert [row[:3] for row in rows(response.content.decode())] == [
            ["地址", "a1、a2、a3、a4、wuxiang", "10.6.6.6"]
        ]
        client.logout()
        signed_in = client.post(
            reverse("login"), {"username": "zhao", "password": "pw-for-tests-1"}, REMOTE_ADDR="10.0.0.1"
        )
    assert signed_in.status_code == 302
    entry = AuditEntry.objects.get(action="lockout_release")
    assert entry.actor == district_user
    assert entry.object_type == "axes.accessattempt"
    assert entry.changes == {"username": "zhao", "failures": 5, "last_attempt": "2026-03-10T09:00+08:00"}


def test_lifting_an_address_lock(client, locked, district_user, wuxiang_admin):
    with time_machine.travel(START + datetime.timedelta(minutes=10), tick=False):
        # Signed in on the pinned clock: a sign-in clears attempts older than the lockout period.
        client.force_login(district_user)
        client.post(reverse("account_lockout_release"), {"kind": "ip_address", "value": "10.6.6.6"})
        client.logout()
        response = client.post(
            reverse("login"), {"username": "wuxiang", "password": "pw-for-tests-1"}, REMOTE_ADDR="10.6.6.6"
        )
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(ip_address="10.6.6.6").exists()


def test_lifting_a_lock_that_is_not_there_says_so(client, district_user):
    client.force_login(district_user)
    response = client.post(
        reverse("account_lockout_release"), {"kind": "username", "value": "nobody"}, follow=True
    )
    assert "该账号或地址当前没有被锁定。" in response.content.decode()
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("persona", ["jiangshan_admin", "wuxiang_admin", "supervisor_user", "leader_user"])
def test_nobody_else_sees_or_lifts_locks(client, locked, persona, request):
    with time_machine.travel(START + datetime.timedelta(minutes=10), tick=False):
        client.force_login(request.getfixturevalue(persona))
        assert client.get(reverse("account_lockouts")).status_code == 403
        response = client.post(reverse("account_lockout_release"), {"kind": "username", "value": "zhao"})
    assert response.status_code == 403
    assert AccessAttempt.objects.filter(username="zhao").exists()
    assert not AuditEntry.objects.exists()


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(reverse("account_lockouts"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_list_answers_only_get_and_the_release_only_post(client, district_user):
    client.force_login(district_user)
    assert client.post(reverse("account_lockouts")).status_code == 405
    assert client.get(reverse("account_lockout_release")).status_code == 405


def test_the_menu_links_the_pages_for_district_staff_only(client, district_user, jiangshan_admin):
    client.force_login(district_user)
    home = client.get(reverse("home")).content.decode()
    assert reverse("account_lockouts") in home and reverse("account_login_log") in home
    client.force_login(jiangshan_admin)
    home = client.get(reverse("home")).content.decode()
    assert reverse("account_lockouts") not in home and reverse("account_login_log") not in home
