"""Signing in (GB/T 22239-2019 level 2, 身份鉴别): lockout after repeated failures, per account
and per address; disabled accounts; the idle timeout; the login log the sign-ins leave."""

import datetime
import zoneinfo

import pytest
import time_machine
from axes.models import AccessAttempt
from django.urls import reverse

from organizations.models import LoginEvent, RoleAssignment
from tests import factories as f

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
START = datetime.datetime(2026, 3, 10, 9, 0, tzinfo=SHANGHAI)
PASSWORD = "pw-for-tests-1"
ALICE_ADDRESS = "10.1.1.1"
MALLORY_ADDRESS = "10.6.6.6"


@pytest.fixture(autouse=True)
def _fast_hashes(settings):
    # Each sign-in checks a password; the production hasher would take most of the test's time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def alice(db):
    user = f.UserFactory(username="alice")
    f.assign(user, RoleAssignment.Role.SUPERVISOR)
    return user


def sign_in(client, username: str, password: str, address: str = ALICE_ADDRESS):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == reverse("home")


def fail(client, username: str, times: int, address: str = ALICE_ADDRESS) -> None:
    for _ in range(times):
        response = sign_in(client, username, "wrong-password-1", address)
        assert response.status_code in {200, 429}


# --------------------------------------------------------------------------- lockout


def test_it_locks_an_account_after_five_failures_for_thirty_minutes(client, alice):
    with time_machine.travel(START, tick=False) as clock:
        fail(client, "alice", 4)
        assert signed_in(sign_in(client, "alice", PASSWORD))
        client.logout()

        fail(client, "alice", 5)
        refused = sign_in(client, "alice", PASSWORD)
        assert refused.status_code == 429
        assert "_auth_user_id" not in client.session

        clock.shift(datetime.timedelta(minutes=29))
        assert sign_in(client, "alice", PASSWORD).status_code == 429

        clock.shift(datetime.timedelta(minutes=1, seconds=1))
        assert signed_in(sign_in(client, "alice", PASSWORD))


def test_the_login_page_says_until_when_in_chinese(client, alice):
    with time_machine.travel(START, tick=False):
        fail(client, "alice", 5)
        response = sign_in(client, "alice", PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert "登录失败次数过多，账号已锁定至 09:30" in page
    assert 'name="username"' in page  # the login form again, not an error page
    assert 'value="alice"' in page


def test_the_fifth_failure_already_answers_with_the_lock(client, alice):
    with time_machine.travel(START, tick=False):
        fail(client, "alice", 4)
        fifth = sign_in(client, "alice", "wrong-password-1")
    assert fifth.status_code == 429
    assert "09:30" in fifth.content.decode()


def test_attempts_during_the_lock_do_not_extend_it(client, alice):
    with time_machine.travel(START, tick=False) as clock:
        fail(client, "alice", 5)
        clock.shift(datetime.timedelta(minutes=20))
        fail(client, "alice", 3)
        assert "09:30" in sign_in(client, "alice", PASSWORD).content.decode()
        clock.shift(datetime.timedelta(minutes=10, seconds=1))
        assert signed_in(sign_in(client, "alice", PASSWORD))


def test_an_account_is_locked_from_every_address(client, alice):
    with time_machine.travel(START, tick=False):
        for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"):
            fail(client, "alice", 1, address)
        assert sign_in(client, "alice", PASSWORD, "10.0.0.9").status_code == 429


def test_an_address_is_locked_across_accounts(client, alice):
    for name in ("bob", "carol", "dave", "erin", "frank"):
        f.UserFactory(username=name)
    with time_machine.travel(START, tick=False):
        for name in ("bob", "carol", "dave", "erin", "frank"):
            fail(client, name, 1, MALLORY_ADDRESS)
        # Alice's own password, from the address that tried five accounts: refused.
        assert sign_in(client, "alice", PASSWORD, MALLORY_ADDRESS).status_code == 429
        # Alice from her own address: let in.
        assert signed_in(sign_in(client, "alice", PASSWORD, ALICE_ADDRESS))


def test_unknown_user_names_count_against_the_address(client, alice):
    with time_machine.travel(START, tick=False):
        fail(client, "nobody-here", 5, MALLORY_ADDRESS)
        assert sign_in(client, "alice", PASSWORD, MALLORY_ADDRESS).status_code == 429


def test_a_successful_sign_in_forgets_only_that_accounts_failures(client, alice):
    f.UserFactory(username="bob")
    with time_machine.travel(START, tick=False):
        fail(client, "bob", 3, MALLORY_ADDRESS)
        fail(client, "alice", 1, MALLORY_ADDRESS)
        assert signed_in(sign_in(client, "alice", PASSWORD, MALLORY_ADDRESS))
        assert list(AccessAttempt.objects.values_list("username", "failures_since_start")) == [("bob", 3)]
        client.logout()
        # Two more against bob lock the address: a valid login did not wipe the address's count.
        fail(client, "bob", 2, MALLORY_ADDRESS)
        assert sign_in(client, "alice", PASSWORD, MALLORY_ADDRESS).status_code == 429


def test_the_admin_login_is_locked_the_same_way(client, alice):
    with time_machine.travel(START, tick=False):
        fail(client, "alice", 5)
        response = client.post(
            reverse("admin:login"),
            {"username": "alice", "password": PASSWORD, "next": "/admin/"},
            REMOTE_ADDR=ALICE_ADDRESS,
        )
    assert response.status_code == 429
    assert "09:30" in response.content.decode()


def test_the_lockout_follows_the_settings(client, alice, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=10)
    with time_machine.travel(START, tick=False) as clock:
        fail(client, "alice", 3)
        assert "09:10" in sign_in(client, "alice", PASSWORD).content.decode()
        clock.shift(datetime.timedelta(minutes=10, seconds=1))
        assert signed_in(sign_in(client, "alice", PASSWORD))


# --------------------------------------------------------------------------- accounts and sessions


def test_a_disabled_account_cannot_sign_in(client, alice):
    alice.is_active = False
    alice.save()
    response = sign_in(client, "alice", PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "请输入一个正确的" in response.content.decode()
    assert LoginEvent.objects.get().result == LoginEvent.Result.FAILURE


def test_a_session_ends_after_thirty_idle_minutes(client, alice):
    with time_machine.travel(START, tick=False) as clock:
        assert signed_in(sign_in(client, "alice", PASSWORD))
        clock.shift(datetime.timedelta(minutes=29))
        assert client.get(reverse("home")).status_code == 200
        # Each request renewed the session: 29 more minutes are still within the limit.
        clock.shift(datetime.timedelta(minutes=29))
        assert client.get(reverse("home")).status_code == 200
        clock.shift(datetime.timedelta(minutes=31))
        response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_session_cookie_ends_with_the_browser(client, alice):
    response = sign_in(client, "alice", PASSWORD)
    cookie = response.cookies["sessionid"]
    assert cookie["expires"] == ""
    assert cookie["max-age"] == ""


# --------------------------------------------------------------------------- the login log


def test_logins_logouts_and_failures_are_logged_with_their_address(client, alice):
    with time_machine.travel(START, tick=False):
        fail(client, "alice", 1)
        sign_in(client, "alice", PASSWORD)
        client.post(reverse("logout"), REMOTE_ADDR=ALICE_ADDRESS)
        fail(client, "nobody", 1, MALLORY_ADDRESS)
    rows = list(
        LoginEvent.objects.order_by("pk").values_list(
            "username", "ip_address", "result", "user_id", "created_at"
        )
    )
    at = START.astimezone(datetime.UTC)
    assert rows == [
        ("alice", ALICE_ADDRESS, "failure", None, at),
        ("alice", ALICE_ADDRESS, "success", alice.pk, at),
        ("alice", ALICE_ADDRESS, "logout", alice.pk, at),
        ("nobody", MALLORY_ADDRESS, "failure", None, at),
    ]


def test_refusals_during_a_lock_are_logged_as_such(client, alice):
    with time_machine.travel(START, tick=False):
        fail(client, "alice", 5)
        sign_in(client, "alice", PASSWORD)
    results = list(LoginEvent.objects.order_by("pk").values_list("result", flat=True))
    assert results == ["failure"] * 5 + ["locked"]


def test_a_proxy_header_names_the_address_when_configured(client, alice, settings):
    settings.SANHUI_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    client.post(
        reverse("login"),
        {"username": "alice", "password": "wrong-password-1"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7",
    )
    client.post(
        reverse("login"),
        {"username": "alice", "password": "wrong-password-1"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="not-an-address",
    )
    assert list(LoginEvent.objects.order_by("pk").values_list("ip_address", flat=True)) == [
        "203.0.113.7",
        "127.0.0.1",
    ]


def test_without_the_setting_a_forwarded_header_is_ignored(client, alice):
    sign_in_response = client.post(
        reverse("login"),
        {"username": "alice", "password": "wrong-password-1"},
        REMOTE_ADDR=ALICE_ADDRESS,
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )
    assert sign_in_response.status_code == 200
    assert LoginEvent.objects.get().ip_address == ALICE_ADDRESS
