"""忘记密码 in the browser: from the sign-in page to a new password, under the
Content-Security-Policy (the browser fails the test on any violation)."""

import re

import pytest

from tests import factories as f
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_user_resets_a_forgotten_password(page, mailoutbox):
    f.UserFactory(username="zhangwei", email="zhangwei@example.cn")
    page.goto("/accounts/login/")
    page.get_by_role("link", name="忘记密码？").click()
    page.wait_for_url("**/accounts/password_reset/")
    page.fill("input[name=email]", "zhangwei@example.cn")
    page.get_by_role("button", name="发送重置链接").click()
    page.wait_for_url("**/accounts/password_reset/done/")
    assert "请查收邮件" in page.locator("main").inner_text()

    link = re.search(r"https?://\S+/accounts/reset/\S+/", mailoutbox[0].body).group(0)
    page.goto(link)
    page.wait_for_url("**/set-password/")
    page.fill("input[name=new_password1]", "weakpassword")
    page.fill("input[name=new_password2]", "weakpassword")
    page.get_by_role("button", name="保存新密码").click()
    assert "密码须至少包含大写字母、小写字母、数字和符号中的 3 类。" in page.locator("main").inner_text()
    screenshot(page, "password-reset-refused")
    page.fill("input[name=new_password1]", "Lake-view-2026")
    page.fill("input[name=new_password2]", "Lake-view-2026")
    page.get_by_role("button", name="保存新密码").click()
    page.wait_for_url("**/accounts/reset/done/")

    login(page, "zhangwei", "Lake-view-2026")
    assert page.url.endswith("/")
