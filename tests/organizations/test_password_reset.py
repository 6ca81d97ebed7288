"""忘记密码: a link to set a new password, mailed to the account's address. The page answers the
same whether or not the address has an account; the link works once, for an hour; the new
password follows the password rules and joins the history; the form is rate-limited per mail
address and per client address (and not throttled when the shared cache is down). The page only
queues the mail; a Celery task makes and sends it, trying a failing mail server again."""

import datetime
import logging
import re
import smtplib
import time
import zoneinfo

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail.backends import locmem
from django.urls import reverse
from django.utils import translation

from organizations.accounts import tasks as reset_tasks
from organizations.accounts.tasks import send_password_reset_mail
from organizations.models import AuditEntry, PasswordHistory, PasswordState, RoleAssignment
from tests import factories as f
from tests.rollout.celery_helpers import forget_celery_connections

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1"
NEW_PASSWORD = "Lake-view-2026"
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
ASKED_AT = datetime.datetime(2026, 3, 10, 9, 0, tzinfo=SHANGHAI)
LINK = re.compile(r"http://testserver(/accounts/reset/[^/\s]+/[^/\s]+/)")


@pytest.fixture(autouse=True)
def _fast_hashes(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def zhang(db):
    user = f.UserFactory(username="zhangwei", email="zhangwei@example.cn")
    f.assign(user, RoleAssignment.Role.SUPERVISOR)
    return user


def ask(client, email: str, **extra):
    return client.post(reverse("password_reset"), {"email": email}, **extra)


def link_in(message) -> str:
    found = LINK.search(message.body)
    assert found, message.body
    return found.group(1)


def set_password(client, link: str, new: str):
    """Open the mailed link (Django moves the token into the session and redirects), then
    send the new password to the page it redirected to."""
    opened = client.get(link)
    assert opened.status_code == 302, "a valid link leads to the form"
    return client.post(opened["Location"], {"new_password1": new, "new_password2": new})


def sign_in(client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_the_sign_in_page_links_to_forgotten_password(client):
    page = client.get(reverse("login")).content.decode()
    assert 'href="/accounts/password_reset/"' in page
    assert "忘记密码？" in page


def test_the_form_page_opens(client):
    response = client.get("/accounts/password_reset/")
    assert response.status_code == 200
    assert "发送重置链接" in response.content.decode()


def test_a_known_address_gets_one_mail_whose_link_sets_the_password(client, zhang, mailoutbox):
    response = ask(client, "zhangwei@example.cn")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_reset/done/"
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["zhangwei@example.cn"]
    assert message.subject == "【三长带三会工作平台】重置密码"
    assert "三长带三会工作平台账号“zhangwei”" in message.body
    assert "该链接 60 分钟内有效，且只能使用一次。" in message.body
    assert "如果您没有申请重置密码，请忽略本邮件" in message.body

    done = set_password(client, link_in(message), NEW_PASSWORD)
    assert done.status_code == 302
    assert done["Location"] == "/accounts/reset/done/"
    assert "密码已重置" in client.get(done["Location"]).content.decode()
    zhang.refresh_from_db()
    assert zhang.check_password(NEW_PASSWORD)


def test_the_done_page_says_the_same_for_any_address(client):
    page = client.get(reverse("password_reset_done")).content.decode()
    assert "如果该邮箱登记在某个账号下" in page


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, zhang, mailoutbox):
    known = ask(client, "zhangwei@example.cn")
    unknown = ask(client, "nobody@example.cn")
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert [message.to for message in mailoutbox] == [["zhangwei@example.cn"]]


def test_an_inactive_account_gets_no_mail(client, zhang, mailoutbox):
    zhang.is_active = False
    zhang.save(update_fields=["is_active"])
    response = ask(client, "zhangwei@example.cn")
    assert response["Location"] == "/accounts/password_reset/done/"
    assert mailoutbox == []


def test_a_malformed_address_is_refused_on_the_form(client, mailoutbox):
    response = ask(client, "not an address")
    assert response.status_code == 200
    assert "输入一个有效的 Email 地址。" in response.content.decode()
    assert mailoutbox == []


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("abcdefgh12", "密码须至少包含大写字母、小写字母、数字和符号中的 3 类。"),
        ("Ab1-xyz", "密码太短，至少需要 8 个字符。"),
        ("Zhangwei-2026", "密码跟 用户名 太相似了。"),
    ],
)
def test_a_weak_password_is_refused_in_chinese(client, zhang, mailoutbox, new, message):
    ask(client, "zhangwei@example.cn")
    response = set_password(client, link_in(mailoutbox[0]), new)
    assert response.status_code == 200
    assert message in response.content.decode()
    zhang.refresh_from_db()
    assert zhang.check_password(PASSWORD)
    assert not AuditEntry.objects.filter(action="account_password_reset").exists()


def test_the_current_password_cannot_come_back(client, zhang, mailoutbox):
    ask(client, "zhangwei@example.cn")
    # The factory's password has too few character classes; one that passes the rules first.
    set_password(client, link_in(mailoutbox[0]), "River-side-01")
    ask(client, "zhangwei@example.cn")
    response = set_password(client, link_in(mailoutbox[1]), "River-side-01")
    assert "新密码不能与最近 5 次使用过的密码相同。" in response.content.decode()


def test_the_old_password_stops_working_and_the_new_one_signs_in(client, zhang, mailoutbox):
    ask(client, "zhangwei@example.cn")
    set_password(client, link_in(mailoutbox[0]), NEW_PASSWORD)
    refused = sign_in(client, "zhangwei", PASSWORD)
    assert refused.status_code == 200, "the login page again"
    assert not refused.wsgi_request.user.is_authenticated
    accepted = sign_in(client, "zhangwei", NEW_PASSWORD)
    assert accepted.status_code == 302
    assert accepted["Location"] == "/"


def test_the_reset_is_recorded_like_a_change(client, zhang, mailoutbox):
    PasswordState.objects.create(user=zhang, must_change=True)
    old_hash = zhang.password  # the factory's password, already in the history
    assert list(PasswordHistory.objects.filter(user=zhang).values_list("password", flat=True)) == [old_hash]
    ask(client, "zhangwei@example.cn")
    set_password(client, link_in(mailoutbox[0]), NEW_PASSWORD)
    state = PasswordState.objects.get(user=zhang)
    assert state.must_change is False
    assert state.changed_at is not None
    zhang.refresh_from_db()
    history = list(PasswordHistory.objects.filter(user=zhang).values_list("password", flat=True))
    assert history == [zhang.password, old_hash]
    entry = AuditEntry.objects.get(action="account_password_reset")
    assert (entry.actor, entry.object_type, entry.object_id, entry.summary) == (
        zhang,
        "auth.user",
        str(zhang.pk),
        "zhangwei",
    )
    # No longer sent to the password-change page after signing in.
    sign_in(client, "zhangwei", NEW_PASSWORD)
    assert client.get(reverse("home")).status_code == 200


def test_the_link_works_once(client, zhang, mailoutbox):
    ask(client, "zhangwei@example.cn")
    link = link_in(mailoutbox[0])
    set_password(client, link, NEW_PASSWORD)
    again = client.get(link, follow=True)
    assert again.status_code == 200
    page = again.content.decode()
    assert "该链接无效" in page
    assert 'name="new_password1"' not in page


def test_a_link_past_its_hour_is_refused(client, zhang, mailoutbox):
    with time_machine.travel(ASKED_AT, tick=False):
        ask(client, "zhangwei@example.cn")
    link = link_in(mailoutbox[0])
    with time_machine.travel(ASKED_AT + datetime.timedelta(minutes=61), tick=False):
        page = client.get(link, follow=True).content.decode()
    assert "该链接无效：它可能已经使用过，或已超过 60 分钟的有效期。" in page
    zhang.refresh_from_db()
    assert zhang.check_password(PASSWORD)


def test_a_link_within_its_hour_works(client, zhang, mailoutbox):
    with time_machine.travel(ASKED_AT, tick=False):
        ask(client, "zhangwei@example.cn")
    with time_machine.travel(ASKED_AT + datetime.timedelta(minutes=59), tick=False):
        assert set_password(client, link_in(mailoutbox[0]), NEW_PASSWORD).status_code == 302


def test_a_made_up_link_is_refused(client, zhang):
    page = client.get("/accounts/reset/MQ/abc-123/").content.decode()
    assert "该链接无效" in page


def test_a_locked_account_stays_locked_after_a_reset(client, zhang, mailoutbox, settings):
    for _attempt in range(settings.SANHUI_LOGIN_FAILURE_LIMIT):
        sign_in(client, "zhangwei", "wrong-password")
    assert AccessAttempt.objects.filter(username="zhangwei").exists()
    ask(client, "zhangwei@example.cn")
    set_password(client, link_in(mailoutbox[0]), NEW_PASSWORD)
    response = sign_in(client, "zhangwei", NEW_PASSWORD)
    assert response.status_code == 429
    assert "账号已锁定至" in response.content.decode()


def test_requests_for_one_address_are_limited(client, zhang, mailoutbox, settings):
    settings.SANHUI_PASSWORD_RESET_RATE_LIMIT = 2
    answers = [ask(client, "zhangwei@example.cn", REMOTE_ADDR=f"10.0.0.{n}").status_code for n in range(3)]
    assert answers == [302, 302, 429]
    assert len(mailoutbox) == 2


def test_the_limit_of_an_address_ignores_its_case_and_spaces(client, zhang, mailoutbox, settings):
    settings.SANHUI_PASSWORD_RESET_RATE_LIMIT = 1
    assert ask(client, "zhangwei@example.cn").status_code == 302
    response = ask(client, " ZhangWei@Example.cn ")
    assert response.status_code == 429
    assert "重置密码的申请过于频繁，请稍后再试。" in response.content.decode()
    assert len(mailoutbox) == 1


def test_requests_from_one_client_are_limited(client, zhang, mailoutbox, settings):
    settings.SANHUI_PASSWORD_RESET_IP_RATE_LIMIT = 3
    answers = [ask(client, f"someone{n}@example.cn", REMOTE_ADDR="10.1.1.1").status_code for n in range(3)]
    assert answers == [302, 302, 302]
    # The client is over its limit: a known address now gets no mail either.
    assert ask(client, "zhangwei@example.cn", REMOTE_ADDR="10.1.1.1").status_code == 429
    assert mailoutbox == []
    # Another client is not held back.
    assert ask(client, "zhangwei@example.cn", REMOTE_ADDR="10.1.1.2").status_code == 302
    assert len(mailoutbox) == 1


def test_the_limit_lapses_after_its_window(client, zhang, mailoutbox, settings):
    settings.SANHUI_PASSWORD_RESET_RATE_LIMIT = 1
    settings.SANHUI_PASSWORD_RESET_RATE_WINDOW = 600
    with time_machine.travel(ASKED_AT, tick=False):
        assert ask(client, "zhangwei@example.cn").status_code == 302
        assert ask(client, "zhangwei@example.cn").status_code == 429
    with time_machine.travel(ASKED_AT + datetime.timedelta(minutes=11), tick=False):
        assert ask(client, "zhangwei@example.cn").status_code == 302
    assert len(mailoutbox) == 2


def test_the_form_works_while_the_shared_cache_is_unreachable(client, zhang, mailoutbox, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    settings.SANHUI_PASSWORD_RESET_RATE_LIMIT = 1
    assert [ask(client, "zhangwei@example.cn").status_code for _n in range(2)] == [302, 302]
    assert len(mailoutbox) == 2


def test_a_mail_server_that_is_down_gives_the_same_answer(client, zhang, mailoutbox, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1
    response = ask(client, "zhangwei@example.cn")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_reset/done/"


def test_the_link_uses_the_configured_site_address(client, zhang, mailoutbox, settings):
    settings.SANHUI_SITE_URL = "https://sanhui.example.gov.cn"
    ask(client, "zhangwei@example.cn")
    assert "https://sanhui.example.gov.cn/accounts/reset/" in mailoutbox[0].body


def _english_catalogue_has_the_mail() -> bool:
    with translation.override("en"):
        return translation.gettext("如果您没有申请重置密码，请忽略本邮件，您的密码不会改变。") != (
            "如果您没有申请重置密码，请忽略本邮件，您的密码不会改变。"
        )


@pytest.mark.skipif(not _english_catalogue_has_the_mail(), reason="the English catalogue lacks the mail yet")
def test_the_mail_is_in_english_for_a_user_who_chose_english(client, zhang, mailoutbox):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    ask(client, "zhangwei@example.cn")
    body = mailoutbox[0].body
    assert "如果您没有申请重置密码" not in body
    assert "zhangwei" in body
    assert LINK.search(body)


def test_a_user_without_an_address_is_never_mailed(client, mailoutbox):
    get_user_model().objects.create_user(username="noaddress", password=PASSWORD)
    assert ask(client, "").status_code == 200
    assert mailoutbox == []


# --------------------------------------------------------------------------- the mail's task


@pytest.fixture
def queued(monkeypatch):
    """The reset mails the page queues, recorded instead of sent."""
    calls = []
    monkeypatch.setattr(send_password_reset_mail, "delay", lambda *args: calls.append(args))
    return calls


def test_the_page_only_queues_the_mail_and_answers_alike(client, zhang, mailoutbox, queued):
    known = ask(client, "zhangwei@example.cn")
    assert mailoutbox == []
    assert queued == [(zhang.pk, "http://testserver", "zh-hans")]
    unknown = ask(client, "nobody@example.cn")
    assert mailoutbox == []
    assert len(queued) == 1
    assert known.status_code == 302
    assert known["Location"] == "/accounts/password_reset/done/"
    assert (unknown.status_code, dict(unknown.headers), unknown.content) == (
        known.status_code,
        dict(known.headers),
        known.content,
    )


def test_no_mail_is_queued_for_an_inactive_account(client, zhang, queued):
    zhang.is_active = False
    zhang.save(update_fields=["is_active"])
    assert ask(client, "zhangwei@example.cn")["Location"] == "/accounts/password_reset/done/"
    assert queued == []


def test_a_refused_request_queues_nothing(client, zhang, queued, settings):
    settings.SANHUI_PASSWORD_RESET_RATE_LIMIT = 1
    assert [ask(client, "zhangwei@example.cn").status_code for _n in range(2)] == [302, 429]
    assert len(queued) == 1


def test_the_mail_is_queued_with_the_site_address_and_the_language_of_the_page(
    client, zhang, queued, settings
):
    settings.SANHUI_SITE_URL = "https://sanhui.example.gov.cn"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    ask(client, "zhangwei@example.cn")
    assert queued == [(zhang.pk, "https://sanhui.example.gov.cn", "en")]


def test_the_task_sends_the_mail_whose_link_sets_the_password(client, zhang, mailoutbox):
    assert send_password_reset_mail.apply(args=(zhang.pk, "http://testserver", "zh-hans")).get() is True
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["zhangwei@example.cn"]
    assert message.from_email == "sanhui@localhost"
    assert message.subject == "【三长带三会工作平台】重置密码"
    assert "三长带三会工作平台账号“zhangwei”" in message.body
    assert "该链接 60 分钟内有效，且只能使用一次。" in message.body
    assert set_password(client, link_in(message), NEW_PASSWORD)["Location"] == "/accounts/reset/done/"
    zhang.refresh_from_db()
    assert zhang.check_password(NEW_PASSWORD)


def test_the_task_mails_no_account_made_inactive_since(zhang, mailoutbox):
    zhang.is_active = False
    zhang.save(update_fields=["is_active"])
    assert send_password_reset_mail.apply(args=(zhang.pk, "http://testserver", "zh-hans")).get() is False
    assert mailoutbox == []


def test_the_task_mails_no_account_whose_address_was_removed_since(zhang, mailoutbox):
    zhang.email = ""
    zhang.save(update_fields=["email"])
    assert send_password_reset_mail.apply(args=(zhang.pk, "http://testserver", "zh-hans")).get() is False
    assert mailoutbox == []


def _refusing_mail_server(monkeypatch, failures: int) -> list[int]:
    """The mail backend fails ``failures`` times (a dropped SMTP connection), then delivers;
    returns the list its attempts are counted in."""
    attempts = []
    deliver = locmem.EmailBackend.send_messages

    def send_messages(backend, messages):
        attempts.append(len(messages))
        if len(attempts) <= failures:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return deliver(backend, messages)

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", send_messages)
    return attempts


def test_a_mail_server_error_is_logged_and_the_page_answers_the_same(
    client, zhang, mailoutbox, monkeypatch, caplog
):
    attempts = _refusing_mail_server(monkeypatch, failures=99)
    with caplog.at_level(logging.WARNING, logger="organizations.accounts.tasks"):
        response = ask(client, "zhangwei@example.cn")
    assert (response.status_code, response["Location"]) == (302, "/accounts/password_reset/done/")
    assert mailoutbox == []
    # Run in the request (no broker), the task tries once and gives up.
    assert attempts == [1]
    assert [(record.levelname, record.getMessage()) for record in caplog.records] == [
        ("ERROR", f"The password-reset mail to user {zhang.pk} could not be sent; given up.")
    ]


@pytest.fixture
def worker(request):
    # Tasks run eagerly earlier in this process left connections the worker must not use.
    forget_celery_connections()
    yield request.getfixturevalue("celery_worker")
    forget_celery_connections()


def _wait_for(condition, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the worker did not finish in time"
        time.sleep(0.1)


# The worker reads the account through its own connection: it must be committed.
@pytest.mark.django_db(transaction=True)
def test_a_worker_tries_a_failing_mail_server_again(worker, monkeypatch):
    monkeypatch.setattr(reset_tasks, "MAIL_RETRY_SECONDS", 0)
    user = f.UserFactory(username="lina", email="lina@example.cn")
    attempts = _refusing_mail_server(monkeypatch, failures=2)
    send_password_reset_mail.delay(user.pk, "http://testserver", "zh-hans")
    _wait_for(lambda: len(mail.outbox) == 1)
    assert attempts == [1, 1, 1]
    assert mail.outbox[0].to == ["lina@example.cn"]
    assert "三长带三会工作平台账号“lina”" in mail.outbox[0].body


# The worker reads the account through its own connection: it must be committed.
@pytest.mark.django_db(transaction=True)
def test_a_worker_gives_up_after_three_retries(worker, monkeypatch, caplog):
    monkeypatch.setattr(reset_tasks, "MAIL_RETRY_SECONDS", 0)
    user = f.UserFactory(username="lina", email="lina@example.cn")
    attempts = _refusing_mail_server(monkeypatch, failures=99)
    with caplog.at_level(logging.WARNING, logger="organizations.accounts.tasks"):
        send_password_reset_mail.delay(user.pk, "http://testserver", "zh-hans")
        _wait_for(lambda: len(attempts) == 4)
        # No fifth attempt comes.
        time.sleep(1)
    assert attempts == [1, 1, 1, 1]
    assert mail.outbox == []
    retried = (
        f"The password-reset mail to user {user.pk} could not be sent "
        "(Connection unexpectedly closed); trying again."
    )
    assert [
        (record.levelname, record.getMessage())
        for record in caplog.records
        if record.name == "organizations.accounts.tasks"
    ] == [("WARNING", retried)] * 3 + [
        ("ERROR", f"The password-reset mail to user {user.pk} could not be sent; given up.")
    ]
