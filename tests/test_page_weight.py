"""Pages whose filters or forms choose organisations, regions or people weigh the same however
many there are: the searching widgets (``organizations.widgets``) put only the current choice
in the page. Each page is measured with 20 and with 2,000 more organisations and regions than
the fixture holds; it stays under 200 KB, within a few bytes of its size at 20 (totals printed
on the page grow by a digit or two), with the same number of queries."""

from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organizations.models import Organization, Region
from tests import factories as f
from tests.rollout import factories as rf

pytestmark = pytest.mark.django_db

LIMIT = 200 * 1024
# Totals such as "共 2,039 条" and the like differ by a few characters between the two sizes.
SLACK = 64


@dataclass
class World:
    town: Any
    inspection: Any


def add_bulk(start: int, stop: int) -> None:
    """Towns and enterprise associations ``start``..``stop``, created in bulk."""
    district = f.region("鄞州区")
    regions = Region.objects.bulk_create(
        Region(name=f"批量镇{i:05d}", kind="town", parent=district, code=f"B{i:05d}", code_set="批量")
        for i in range(start, stop)
    )
    Organization.objects.bulk_create(
        Organization(
            code=f"BULK-{i:05d}",
            name=f"批量企业科协{i:05d}",
            kind=Organization.Kind.ENTERPRISE_ASSOCIATION,
            home_region=region,
        )
        for i, region in zip(range(start, stop), regions, strict=True)
    )


PAGES = [
    # list filters (the organisation list is filtered to the fixture's towns, so that its rows
    # are the same at both sizes; its unfiltered first page is measured below)
    ("organizations:person_list", None, {}),
    ("organizations:leader_list", None, {}),
    ("organizations:seat_list", None, {}),
    ("organizations:team_list", None, {}),
    ("organizations:organization_list", None, {"kind": "town_association"}),
    ("services:activity_list", None, {}),
    ("services:activity_list", None, {"organization": "town", "region": "town_region"}),
    ("rollout:task_list", None, {}),
    ("rollout:rectification_list", None, {}),
    ("rollout:inspection_list", None, {}),
    # forms
    ("organizations:person_add", None, {}),
    ("organizations:seat_add", None, {}),
    ("organizations:team_add", None, {}),
    ("organizations:membership_add", "member", {}),
    ("organizations:team_volunteer_add", "team", {}),
    ("organizations:organization_add", None, {}),
    ("organizations:organization_edit", "town", {}),
    ("organizations:import_new", None, {}),
    ("services:activity_add", None, {}),
    ("rollout:task_add", None, {}),
    ("rollout:pilot_add", None, {}),
    ("rollout:inspection_add", None, {}),
    ("rollout:rectification_add", "inspection", {}),
    ("rollout:showcase_add", None, {}),
    ("rollout:incentive_add", None, {}),
    ("outreach:campaign_add", None, {}),
]


def resolve(world: World, value: str) -> Any:
    return {
        "town": world.town.association.pk,
        "town_region": world.town.association.home_region_id,
        "member": world.town.member.pk,
        "team": world.town.team.pk,
        "inspection": world.inspection.pk,
    }.get(value, value)


def measure(client, url: str, params: dict) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200, url
    assert b"data-search-select" in response.content
    return len(response.content), len(queries)


@pytest.fixture
def world(jiangshan, wuxiang) -> World:
    return World(jiangshan, rf.InspectionFactory(organization=jiangshan.association))


@pytest.mark.parametrize(("name", "arg", "params"), PAGES, ids=[f"{n}{sorted(p)}" for n, _a, p in PAGES])
def test_the_page_weighs_the_same_with_2000_organisations_and_regions(
    client, district_user, world, name, arg, params
):
    url = reverse(name, args=[resolve(world, arg)] if arg else [])
    params = {key: resolve(world, value) for key, value in params.items()}
    client.force_login(district_user)
    add_bulk(0, 20)
    small, small_queries = measure(client, url, params)
    add_bulk(20, 2000)
    large, large_queries = measure(client, url, params)
    assert small <= LIMIT and large <= LIMIT
    assert abs(large - small) <= SLACK, (small, large)
    assert large_queries == small_queries


def test_the_organisation_list_stays_under_the_limit(client, district_user, world):
    add_bulk(0, 2000)
    client.force_login(district_user)
    size, _queries = measure(client, reverse("organizations:organization_list"), {})
    assert size <= LIMIT
