"""The 姜山镇 admin registers a member in a real browser."""

import pytest

from organizations.models import Membership, Person
from tests.e2e.conftest import login, screenshot

# Transactional so that the live server thread sees the data.
pytestmark = pytest.mark.django_db(transaction=True)


def fill_member_form(page, *, name: str, phone: str) -> None:
    page.goto("/people/add/")
    page.fill("input[name=name]", name)
    page.select_option("select[name=gender]", "female")
    page.fill("input[name=phone]", phone)
    page.fill("input[name=employer]", "姜山镇中心小学")
    page.select_option("select[name=profession]", "teacher")
    page.get_by_role("button", name="登记").click()


def test_admin_adds_a_member_and_sees_it_in_the_list(page, jiangshan_admin, jiangshan):
    login(page, "jiangshan")
    page.locator("#people-menu").click()  # 组织与人员
    page.locator(".dropdown-menu").get_by_role("link", name="会员", exact=True).click()
    page.get_by_role("link", name="登记会员").click()
    page.wait_for_url("**/people/add/")
    assert page.locator("select[name=organization] option:checked").inner_text() == "姜山镇科协"
    fill_member_form(page, name="陈晓燕", phone="139 0574 1234")
    person = Person.objects.get(name="陈晓燕")
    # The new member's own page, with a message linking to it.
    page.wait_for_url(f"**/people/{person.pk}/")
    message = page.locator(".alert-success")
    assert message.inner_text().strip().startswith("已登记会员 陈晓燕")
    assert message.get_by_role("link", name="查看").get_attribute("href") == f"/people/{person.pk}/"
    page.locator("nav[aria-label] .breadcrumb").get_by_role("link", name="会员", exact=True).click()
    page.wait_for_url("**/people/")
    row = page.locator("#people-table tr", has_text="陈晓燕")
    assert row.count() == 1
    assert "139****1234" in row.inner_text()
    screenshot(page, "member-list")
    assert person.phone == "13905741234"
    assert Membership.objects.filter(person=person, organization=jiangshan.association).exists()


def test_a_malformed_phone_shows_the_error_on_the_form_in_chinese(page, jiangshan_admin, jiangshan):
    login(page, "jiangshan")
    fill_member_form(page, name="错号码", phone="1390574")
    page.wait_for_selector(".invalid-feedback")
    feedback = page.locator("#id_phone ~ .invalid-feedback, .invalid-feedback").first.inner_text()
    assert "请输入有效的11位中国大陆手机号码" in feedback
    assert page.url.endswith("/people/add/")
    assert page.input_value("input[name=name]") == "错号码"
    screenshot(page, "member-form-error")
    assert not Person.objects.filter(name="错号码").exists()
