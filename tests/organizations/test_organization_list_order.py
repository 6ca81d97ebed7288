"""The organisation list's default order (kind, then the home region's place in the district's
order, category and name) is held on each organisation (``kind_rank``, ``region_order``) and
served by one index; it follows the organisation's kind and home region and the region's order
whichever way they change."""

import pytest
from django.urls import reverse

from organizations import actions
from organizations.models import Organization
from tests import factories as f

pytestmark = pytest.mark.django_db


def listed(client) -> list[str]:
    return [org.code for org in client.get(reverse("organizations:organization_list")).context["page"]]


def test_the_default_order_follows_kinds_regions_and_their_order(client, district_user, jiangshan, wuxiang):
    js, wx = f.region("姜山镇"), f.region("五乡镇")
    js.sort_order, wx.sort_order = 5, 3
    js.save()
    wx.save()
    js_health = f.OrganizationFactory(
        code="JS-JK", kind=Organization.Kind.GRASSROOTS_ASSOCIATION, category="life_health", home_region=js
    )
    society = f.OrganizationFactory(code="D-SOC", kind=Organization.Kind.DISTRICT_SOCIETY, home_region=wx)
    f.OrganizationFactory(code="ENT", kind=Organization.Kind.ENTERPRISE_ASSOCIATION, home_region=js)
    client.force_login(district_user)
    # Town associations (rank 1) by their towns' order: 五乡镇 (3) before 姜山镇 (5); then the
    # grassroots association (rank 2), the society (rank 3) and the enterprises' association (4).
    assert listed(client) == ["TA-WX", "TA-JS", "JS-JK", "D-SOC", "ENT"]
    assert [org.kind_rank for org in Organization.objects.order_by("code")] == [3, 4, 2, 1, 1]
    # A region moved up the district's order takes its organisations with it.
    js.sort_order = 1
    js.save()
    assert Organization.objects.get(code="TA-JS").region_order == 1
    assert listed(client) == ["TA-JS", "TA-WX", "JS-JK", "D-SOC", "ENT"]
    # An organisation moved to another region takes that region's place; a change of kind
    # its rank.
    actions.organization_update(
        actor=district_user,
        organization=js_health,
        data={"home_region": wx, "kind": Organization.Kind.GRASSROOTS_ASSOCIATION, "category": "life_health"},
    )
    js_health.refresh_from_db()
    assert (js_health.region_order, js_health.kind_rank) == (3, 2)
    actions.organization_update(
        actor=district_user, organization=society, data={"kind": Organization.Kind.LECTURER_GROUP}
    )
    assert listed(client) == ["TA-JS", "TA-WX", "JS-JK", "ENT", "D-SOC"]


def test_an_organisation_created_by_its_region_id_takes_the_regions_place(jiangshan):
    region = f.region("五乡镇")
    region.sort_order = 7
    region.save()
    made = Organization.objects.create(
        code="WX-NEW", name="五乡镇新协会", kind=Organization.Kind.DISTRICT_SOCIETY, home_region_id=region.pk
    )
    assert made.region_order == 7
    made.refresh_from_db()
    assert made.region_order == 7
