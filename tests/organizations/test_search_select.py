"""The searching choice widgets on forms and filters: only the current choice is in the page,
and a submitted id outside the field's set is refused on the form, as before the widgets."""

import re

import pytest
from django.urls import reverse

from organizations.models import Seat
from services.models import Activity
from tests import factories as f
from tests.services.test_activities import form_data

pytestmark = pytest.mark.django_db


def field_html(html: str, name: str) -> str:
    start = html.index(f'name="{name}"')
    start = html.rindex("data-search-select", 0, start)
    return html[start : html.index('role="status"', start)]


def test_an_organiser_outside_the_scope_is_refused_on_the_form(client, jiangshan_admin, jiangshan, wuxiang):
    client.force_login(jiangshan_admin)
    response = client.post(
        reverse("services:activity_add"), form_data(jiangshan, organizer=wuxiang.association.pk)
    )
    assert response.status_code == 200
    assert "organizer" in response.context["form"].errors
    html = response.content.decode()
    assert "选择一个有效的选项" in html
    # The refused id is not looked up for a label: nothing of 五乡镇 reaches the page.
    assert "五乡镇科协" not in html
    assert not Activity.objects.exists()


def test_a_dissolved_co_organiser_and_a_missing_region_are_refused(client, jiangshan_admin, jiangshan):
    dissolved = f.OrganizationFactory(name="已撤销学会", status="dissolved")
    client.force_login(jiangshan_admin)
    data = form_data(jiangshan, region="999999")
    data["co_organizers"] = [dissolved.pk]
    response = client.post(reverse("services:activity_add"), data)
    errors = response.context["form"].errors
    assert "co_organizers" in errors and "region" in errors
    assert not Activity.objects.exists()


def test_a_seat_in_another_town_is_refused(client, jiangshan_admin, jiangshan, wuxiang):
    client.force_login(jiangshan_admin)
    data = {
        "organization": wuxiang.association.pk,
        "person": wuxiang.member.pk,
        "position": "member",
        "term_start": "2024-01-01",
    }
    response = client.post(reverse("organizations:seat_add"), data)
    errors = response.context["form"].errors
    assert "organization" in errors and "person" in errors
    assert Seat.objects.count() == 4  # the two towns' fixture seats


def test_the_edit_form_shows_the_current_choices_only(client, jiangshan_admin, jiangshan, wuxiang):
    from tests.services.factories import ActivityFactory

    activity = ActivityFactory(organizer=jiangshan.association, leaders=[jiangshan.leader])
    activity.co_organizers.add(wuxiang.association)
    client.force_login(jiangshan_admin)
    html = client.get(reverse("services:activity_edit", args=[activity.pk])).content.decode()
    organizer = field_html(html, "organizer")
    assert re.findall(r'<option value="(\d*)"', organizer) == ["", str(jiangshan.association.pk)]
    assert f'<option value="{jiangshan.association.pk}" selected>姜山镇科协</option>' in organizer
    co = field_html(html, "co_organizers")
    assert re.findall(r'value="(\d+)"', co) == [str(wuxiang.association.pk)] and "checked" in co
    leaders = field_html(html, "leaders")
    assert re.findall(r'value="(\d+)"', leaders) == [str(jiangshan.leader.pk)]
    assert 'data-search-url="/organizations/options/?for=organizers"' in html
    assert 'data-search-url="/people/options/?for=leaders"' in html


def test_the_filter_keeps_its_field_names_and_shows_the_chosen_organisation(client, district_user, jiangshan):
    client.force_login(district_user)
    params = {"organization": jiangshan.association.pk, "region": jiangshan.association.home_region_id}
    html = client.get(reverse("services:activity_list"), params).content.decode()
    organization = field_html(html, "organization")
    assert f'<option value="{jiangshan.association.pk}" selected>姜山镇科协</option>' in organization
    region = field_html(html, "region")
    assert f'<option value="{jiangshan.association.home_region_id}" selected>姜山镇</option>' in region
    assert 'aria-label="搜索组织"' in organization and 'aria-label="搜索区域"' in region


def test_a_filter_for_another_towns_organisation_names_nothing_of_it(
    client, jiangshan_admin, jiangshan, wuxiang
):
    client.force_login(jiangshan_admin)
    response = client.get(reverse("services:activity_list"), {"organization": wuxiang.association.pk})
    assert response.status_code == 200
    assert "五乡镇科协" not in response.content.decode()


def test_a_rectification_names_only_organisations_below_the_inspection(
    client, district_user, jiangshan, wuxiang
):
    from tests.rollout import factories as rf

    inspection = rf.InspectionFactory(organization=jiangshan.association)
    client.force_login(district_user)
    url = reverse("rollout:rectification_add", args=[inspection.pk])
    assert f"for=rectification&amp;inspection={inspection.pk}" in client.get(url).content.decode()
    data = {"organization": wuxiang.association.pk, "title": "补齐台账", "deadline": "2030-01-01"}
    response = client.post(url, data)
    assert "organization" in response.context["form"].errors
