"""District staff find a person with the search box and give them a leadership seat."""

import pytest

from organizations.models import Seat
from tests import factories as f
from tests.e2e.conftest import choose_by_search, login

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_search_a_person_and_add_a_seat(page, district_user, jiangshan):
    for i in range(120):
        f.PersonFactory(name=f"填充人员{i:03d}")
    target = f.PersonFactory(name="章欣怡", employer="姜山镇中心小学")
    login(page, "district")
    page.goto("/seats/add/")
    choose_by_search(page, "organization", "姜山", "姜山镇科协")
    assert page.locator(f"select[name=person] option[value='{target.pk}']").count() == 0
    choose_by_search(page, "person", "章欣", "章欣怡")
    assert page.locator("select[name=person]").input_value() == str(target.pk)
    page.select_option("select[name=position]", "standing_member")
    page.fill("input[name=term_start]", "2024-01-01")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/seats/*/")
    assert "章欣怡" in page.locator("main").inner_text()
    seat = Seat.objects.get(person=target)
    assert seat.organization == jiangshan.association and seat.position == "standing_member"
