"""The dashboards' town picker: a search box over the towns the user may open a dashboard of,
never the list of every town in the page (a province has 1,400)."""

import re

import pytest
from django.urls import reverse

from organizations.models import RoleAssignment
from tests import factories as f

pytestmark = pytest.mark.django_db

REGIONS = "organizations:region_options"


def found(client, q: str = "") -> list[str]:
    response = client.get(reverse(REGIONS), {"for": "dashboard_towns", "q": q})
    assert response.status_code == 200
    return re.findall(r'<option value="\d+">([^<]*)</option>', response.content.decode())


def options_in(page: str) -> list[str]:
    return re.findall(r"<option value=\"(\d+)\"", page)


def test_district_staff_search_every_town_and_the_page_lists_none(client, district_user):
    client.force_login(district_user)
    assert found(client, "姜山") == ["姜山镇"]
    # Twenty-five towns and subdistricts in the reference data, all of them found by "镇" or "街道".
    assert len(found(client, "镇")) + len(found(client, "街道")) == 25
    page = client.get(reverse("dashboards:district")).content.decode()
    assert "for=dashboard_towns" in page
    assert options_in(page) == []


def test_an_admin_finds_only_the_towns_of_their_organisations(client, jiangshan_admin, jiangshan, wuxiang):
    client.force_login(jiangshan_admin)
    assert found(client) == ["姜山镇"]
    assert found(client, "五乡") == []


def test_an_admin_of_two_towns_picks_between_them(client, jiangshan_admin, jiangshan, wuxiang):
    yunlong = f.region("云龙镇")
    association = f.OrganizationFactory(name="云龙农技协会", home_region=yunlong)
    f.assign(jiangshan_admin, RoleAssignment.Role.ORG_ADMIN, organization=association)
    client.force_login(jiangshan_admin)
    # Pinyin order: jiāng before yún.
    assert found(client) == ["姜山镇", "云龙镇"]
    page = client.get(reverse("dashboards:town"), {"region": yunlong.pk}).content.decode()
    # The page holds the current town only; the other is found by searching.
    assert options_in(page) == [str(yunlong.pk)]
    assert "for=dashboard_towns" in page


def test_a_leader_finds_no_town(client, leader_user, jiangshan):
    client.force_login(leader_user)
    assert found(client) == []


def test_the_town_asked_for_must_be_one_of_the_users(client, jiangshan_admin, jiangshan, wuxiang):
    client.force_login(jiangshan_admin)
    other = f.region("五乡镇")
    assert client.get(reverse("dashboards:town"), {"region": other.pk}).status_code == 404
    assert client.get(reverse("dashboards:town"), {"region": "x1"}).status_code == 404
    assert client.get(reverse("dashboards:town"), {"region": "9" * 30}).status_code == 404
    assert client.get(reverse("dashboards:town")).status_code == 200
