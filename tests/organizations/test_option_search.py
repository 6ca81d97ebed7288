"""The search endpoints of the searching choice widgets: each answers from the field's own
source, inside the user's scope, with at most 50 matches in pinyin order."""

import re

import pytest
from django.urls import reverse

from organizations.models import Organization, Region
from tests import factories as f
from tests.rollout import factories as rf

pytestmark = pytest.mark.django_db

ORGANIZATIONS = "organizations:organization_options"
REGIONS = "organizations:region_options"
PEOPLE = "organizations:person_options"
TEAMS = "organizations:team_options"


def options(client, name: str, **params) -> list[tuple[str, str]]:
    response = client.get(reverse(name), params)
    assert response.status_code == 200
    return re.findall(r'<option value="(\d+)">([^<]*)</option>', response.content.decode())


def labels(client, name: str, **params) -> list[str]:
    return [label for _value, label in options(client, name, **params)]


def test_an_admin_finds_only_their_own_organisations(client, jiangshan_admin, jiangshan, wuxiang):
    client.force_login(jiangshan_admin)
    assert labels(client, ORGANIZATIONS, q="科协") == ["姜山镇科协"]
    assert labels(client, ORGANIZATIONS, q="TA-") == ["姜山镇科协"]
    assert labels(client, ORGANIZATIONS, q="五乡") == []


def test_another_towns_admin_gets_none_of_ours(client, wuxiang_admin, jiangshan, wuxiang):
    client.force_login(wuxiang_admin)
    assert labels(client, ORGANIZATIONS, q="姜山") == []
    assert labels(client, ORGANIZATIONS, **{"for": "managed", "q": "姜山"}) == []
    assert labels(client, PEOPLE, q="姜山") == []
    assert labels(client, PEOPLE, **{"for": "leaders", "q": "院长"}) == ["五乡院长 · 测试单位"]
    assert labels(client, TEAMS, q="服务队") == ["五乡镇科技志愿服务队（五乡镇科协）"]
    assert labels(client, TEAMS, q="姜山") == []


def test_district_staff_find_every_town(client, district_user, jiangshan, wuxiang):
    client.force_login(district_user)
    # Pinyin order: jiāng before wǔ.
    assert labels(client, ORGANIZATIONS, q="镇科协") == ["姜山镇科协", "五乡镇科协"]


def test_each_source_answers_with_its_own_set(client, jiangshan_admin, jiangshan, wuxiang):
    f.OrganizationFactory(name="姜山已撤销协会", parent=jiangshan.association, status="dissolved")
    client.force_login(jiangshan_admin)
    assert labels(client, ORGANIZATIONS, **{"for": "visible", "q": "姜山"}) == [
        "姜山已撤销协会",
        "姜山镇科协",
    ]
    assert labels(client, ORGANIZATIONS, **{"for": "managed_open", "q": "姜山"}) == ["姜山镇科协"]
    # Co-organisers may come from anywhere in the district, as the activity form has allowed.
    assert labels(client, ORGANIZATIONS, **{"for": "active", "q": "五乡"}) == ["五乡镇科协"]


def test_a_leader_is_offered_the_associations_they_log_for(client, leader_user, jiangshan, wuxiang):
    client.force_login(leader_user)
    assert labels(client, ORGANIZATIONS, **{"for": "organizers"}) == ["姜山镇科协"]
    assert labels(client, ORGANIZATIONS, **{"for": "managed"}) == []


def test_results_are_capped_at_fifty_with_a_hint(client, district_user):
    Organization.objects.bulk_create(
        Organization(
            code=f"SAME-{i:02d}",
            name=f"同名协会{i:02d}",
            kind="district_society",
            home_region=f.region("鄞州区"),
        )
        for i in range(55)
    )
    client.force_login(district_user)
    html = client.get(reverse(ORGANIZATIONS), {"q": "同名"}).content.decode()
    found = re.findall(r'<option value="(\d+)">([^<]*)</option>', html)
    assert len(found) == 50 and "仅显示前 50 条" in html
    assert found[0][1] == "同名协会00" and found[-1][1] == "同名协会49"
    assert "仅显示前 50 条" not in client.get(reverse(ORGANIZATIONS), {"q": "同名协会5"}).content.decode()


def test_regions_are_searched_by_name_and_code(client, jiangshan_admin):
    district = f.region("鄞州区")
    Region.objects.bulk_create(
        Region(name=f"测试村{i:02d}", kind="village", parent=district, code=f"99{i:02d}") for i in range(55)
    )
    client.force_login(jiangshan_admin)
    assert labels(client, REGIONS, q="姜山") == ["姜山镇"]
    assert labels(client, REGIONS, q="9901") == ["测试村01"]
    html = client.get(reverse(REGIONS), {"q": "测试村"}).content.decode()
    assert html.count('<option value="') == 51 and "仅显示前 50 条" in html


def test_rectification_organisations_follow_the_inspection(
    client, supervisor_user, jiangshan_admin, jiangshan
):
    f.OrganizationFactory(name="姜山农技协会", parent=jiangshan.association)
    f.OrganizationFactory(name="姜山其他协会")
    inspection = rf.InspectionFactory(organization=jiangshan.association)
    params = {"for": "rectification", "inspection": inspection.pk}
    client.force_login(supervisor_user)
    assert labels(client, ORGANIZATIONS, **params) == ["姜山农技协会", "姜山镇科协"]
    # Organisation admins do not see inspections: the source answers 404, as for a missing one.
    client.force_login(jiangshan_admin)
    assert client.get(reverse(ORGANIZATIONS), params).status_code == 404
    assert client.get(reverse(ORGANIZATIONS), {**params, "inspection": "x"}).status_code == 404


@pytest.mark.parametrize("name", [ORGANIZATIONS, REGIONS, PEOPLE, TEAMS])
def test_an_unknown_source_is_not_found(client, district_user, name):
    client.force_login(district_user)
    assert client.get(reverse(name), {"for": "everything"}).status_code == 404


@pytest.mark.parametrize("name", [ORGANIZATIONS, REGIONS, TEAMS])
def test_anonymous_users_are_sent_to_login(client, name):
    assert client.get(reverse(name), {"q": "a"}).status_code == 302
