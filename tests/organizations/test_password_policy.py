"""Passwords: the rules (length, character classes, not like the user name, not one of the last
five), told in Chinese on the form; a password district staff set must be changed at the next
sign-in, except the demo logins' documented one."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from organizations.demo import build_demo
from organizations.models import AuditEntry, LoginEvent, PasswordHistory, PasswordState, RoleAssignment
from tests import factories as f

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1"


@pytest.fixture(autouse=True)
def _fast_hashes(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def zhang(db):
    user = f.UserFactory(username="zhangwei", first_name="伟", last_name="张")
    f.assign(user, RoleAssignment.Role.SUPERVISOR)
    return user


def change(client, old: str, new: str):
    return client.post(
        reverse("password_change"), {"old_password": old, "new_password1": new, "new_password2": new}
    )


def errors_of(response) -> str:
    assert response.status_code == 200, "the form again, with its errors"
    return response.content.decode()


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("Ab1-xyz", "密码太短，至少需要 8 个字符。"),
        ("abcdefgh12", "密码须至少包含大写字母、小写字母、数字和符号中的 3 类。"),
        ("ABCDEFGH!!", "密码须至少包含大写字母、小写字母、数字和符号中的 3 类。"),
        ("Zhangwei-2026", "密码跟 用户名 太相似了。"),
        ("Password1", "这个密码太常见了。"),
    ],
)
def test_a_weak_password_is_refused_in_chinese(client, zhang, new, message):
    client.force_login(zhang)
    page = errors_of(change(client, PASSWORD, new))
    assert message in page


@pytest.mark.parametrize(
    "new", ["Qx7-mountain", "qx7-mountain", "QX7MOUNTAINa", "Qx-Mountain!", "山水Qx7jiang"]
)
def test_three_of_the_four_classes_suffice(client, zhang, new):
    client.force_login(zhang)
    response = change(client, PASSWORD, new)
    assert response.status_code == 302, response.content.decode()


def test_the_help_text_names_the_rules(client, zhang):
    client.force_login(zhang)
    page = client.get(reverse("password_change")).content.decode()
    assert "大写字母、小写字母、数字和符号中的 3 类" in page
    assert "最近 5 次使用过的密码" in page


def test_none_of_the_last_five_passwords_comes_back(client, zhang):
    client.force_login(zhang)
    passwords = ["Lake-view-01", "Lake-view-02", "Lake-view-03", "Lake-view-04", "Lake-view-05"]
    current = PASSWORD
    for new in passwords:
        assert change(client, current, new).status_code == 302
        current = new
    assert PasswordHistory.objects.filter(user=zhang).count() == 5
    for old in passwords:
        assert "新密码不能与最近 5 次使用过的密码相同。" in errors_of(change(client, current, old))
    # The first of the five drops out of the window once a sixth is chosen.
    assert change(client, current, "Lake-view-06").status_code == 302
    assert change(client, "Lake-view-06", "Lake-view-01").status_code == 302
    assert PasswordHistory.objects.filter(user=zhang).count() == 5


def test_the_current_password_counts_though_set_before_the_history(client, zhang):
    PasswordHistory.objects.filter(user=zhang).delete()
    client.force_login(zhang)
    page = errors_of(change(client, PASSWORD, PASSWORD))
    assert "新密码不能与最近 5 次使用过的密码相同。" in page


def test_changing_ones_password_is_audited(client, zhang):
    client.force_login(zhang)
    assert change(client, PASSWORD, "Qx7-mountain").status_code == 302
    entry = AuditEntry.objects.get(action="account_password_change")
    assert (entry.actor, entry.object_type, entry.object_id) == (zhang, "auth.user", str(zhang.pk))
    assert "pw" not in str(entry.changes) and "Qx7" not in str(entry.changes)
    # Still signed in after the change.
    assert client.get(reverse("home")).status_code == 200


# --------------------------------------------------------------------------- forced change


def sign_in(client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="10.0.0.1")


def test_a_user_district_staff_created_must_change_the_password_first(client, district_user):
    district_user.is_staff = True
    district_user.is_superuser = True
    district_user.save()
    client.force_login(district_user)
    response = client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "newclerk",
            "password1": "Start-2026-a",
            "password2": "Start-2026-a",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    clerk = get_user_model().objects.get(username="newclerk")
    assert PasswordState.objects.get(user=clerk).must_change
    entry = AuditEntry.objects.get(action="account_require_password_change")
    assert (entry.actor, entry.object_id) == (district_user, str(clerk.pk))
    client.logout()

    assert sign_in(client, "newclerk", "Start-2026-a")["Location"] == reverse("home")
    for url in (reverse("home"), reverse("organizations:person_list"), reverse("account_login_log")):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, reverse("password_change")), url
    page = client.get(reverse("password_change")).content.decode()
    assert "请先修改密码" in page
    # The password it was given cannot be kept.
    assert "新密码不能与最近 5 次使用过的密码相同。" in errors_of(
        change(client, "Start-2026-a", "Start-2026-a")
    )

    assert change(client, "Start-2026-a", "Own-choice-77").status_code == 302
    assert client.get(reverse("home")).status_code == 200
    assert not PasswordState.objects.get(user=clerk).must_change
    client.logout()
    assert sign_in(client, "newclerk", "Own-choice-77")["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_a_password_reset_by_district_staff_must_be_changed(client, district_user, zhang):
    district_user.is_staff = district_user.is_superuser = True
    district_user.save()
    client.force_login(district_user)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[zhang.pk]),
        {"password1": "Reset-2026-b", "password2": "Reset-2026-b", "usable_password": "true"},
    )
    assert response.status_code == 302
    assert PasswordState.objects.get(user=zhang).must_change
    client.logout()
    sign_in(client, "zhangwei", "Reset-2026-b")
    assert client.get(reverse("home"))["Location"] == reverse("password_change")


def test_a_user_who_must_change_may_still_sign_out(client, zhang):
    PasswordState.objects.create(user=zhang, must_change=True)
    sign_in(client, "zhangwei", PASSWORD)
    assert client.post(reverse("logout")).status_code == 302
    assert LoginEvent.objects.filter(result=LoginEvent.Result.LOGOUT, username="zhangwei").exists()


def test_only_district_staff_require_a_change(jiangshan_admin, zhang):
    from django.core.exceptions import PermissionDenied

    from organizations.accounts.actions import account_require_password_change

    with pytest.raises(PermissionDenied):
        account_require_password_change(actor=jiangshan_admin, user=zhang)
    assert not PasswordState.objects.filter(user=zhang).exists()


def test_the_demo_logins_are_not_asked_to_change_their_password(client, settings):
    build_demo(password="x-demo-pass-1")
    jiangshan = get_user_model().objects.get(username="jiangshan")
    PasswordState.objects.create(user=jiangshan, must_change=True)
    build_demo(password="x-demo-pass-1")  # a rerun of seed_demo puts the demo back as documented
    for username in ("district", "jiangshan", "wuxiang", "leader", "supervisor"):
        client.logout()
        assert sign_in(client, username, "x-demo-pass-1")["Location"] == reverse("home"), username
        assert client.get(reverse("home")).status_code == 200, username
