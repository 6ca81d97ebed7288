"""A page's query count does not grow with the data: measured at two sizes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organizations.models import LeaderRole, Seat
from tests import factories as f
from tests.urlwalk import list_pages

pytestmark = pytest.mark.django_db


def grow(town, n: int) -> None:
    """Add n people to the town with memberships, seats, leader roles and team places."""
    for i in range(n):
        person = f.PersonFactory()
        f.MembershipFactory(person=person, organization=town.association)
        f.SeatFactory(organization=town.association, person=person, position=Seat.Position.MEMBER)
        if i % 2:
            f.LeaderRoleFactory(person=person, kind=LeaderRole.Kind.SCHOOL_PRINCIPAL)
        f.TeamMembershipFactory(team=town.team, person=person)
        org = f.OrganizationFactory(parent=town.association, home_region=town.association.home_region)
        f.VolunteerTeamFactory(organization=org, leader=person)


def pages(town) -> list[str]:
    return [
        reverse("home"),
        reverse("organizations:person_list"),
        reverse("organizations:leader_list"),
        reverse("organizations:seat_list"),
        reverse("organizations:team_list"),
        reverse("organizations:organization_list"),
        reverse("organizations:organization_detail", args=[town.association.pk]),
        reverse("organizations:person_detail", args=[town.leader.pk]),
        reverse("organizations:team_detail", args=[town.team.pk]),
    ]


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.parametrize("persona", ["district_user", "jiangshan_admin", "supervisor_user"])
def test_query_counts_do_not_grow_with_the_data(client, request, jiangshan, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    grow(jiangshan, 3)
    small = {url: count_queries(client, url) for url in pages(jiangshan)}
    grow(jiangshan, 30)
    large = {url: count_queries(client, url) for url in pages(jiangshan)}
    assert large == small


@pytest.mark.parametrize("sort", ["kind", "name", "-members", "seats", "-teams"])
def test_the_organisation_lists_first_next_and_last_pages_cost_the_same_at_two_sizes(
    client, district_user, jiangshan, monkeypatch, sort
):
    """The member, seat and team counts come from grouped queries over the page's rows (or a
    subquery per row when the list is sorted by one): the same queries at any size."""
    monkeypatch.setattr("organizations.viewutils.PAGE_SIZE", 2)
    client.force_login(district_user)
    url = reverse("organizations:organization_list")
    grow(jiangshan, 3)
    small = {
        name: count_queries(client, page) for name, page in list_pages(client, url, {"sort": sort}).items()
    }
    grow(jiangshan, 30)
    large = {
        name: count_queries(client, page) for name, page in list_pages(client, url, {"sort": sort}).items()
    }
    assert large == small
    assert small["first"] == small["next"] == small["last"]


def test_the_organisation_lists_counts_are_each_rows_own(client, district_user, jiangshan, wuxiang):
    """Counted by hand: 姜山镇科协 has the conftest world's members, seats and team plus two
    current members (one who left does not count), one ended seat (does not count) and one
    more team; 五乡镇科协 is unchanged."""
    import datetime

    before = {
        org.pk: (org.member_count, org.seat_count, org.team_count)
        for org in _listed(client, district_user, {"sort": "name"})
    }
    association = jiangshan.association
    for _ in range(2):
        f.MembershipFactory(organization=association)
    f.MembershipFactory(
        organization=association, joined_on=datetime.date(2019, 1, 1), left_on=datetime.date(2020, 1, 1)
    )
    f.SeatFactory(
        organization=association, term_start=datetime.date(2010, 1, 1), term_end=datetime.date(2011, 1, 1)
    )
    f.VolunteerTeamFactory(organization=association)
    after = {
        org.pk: (org.member_count, org.seat_count, org.team_count)
        for org in _listed(client, district_user, {"sort": "name"})
    }
    members, seats, teams = before[association.pk]
    assert after[association.pk] == (members + 2, seats, teams + 1)
    assert after[wuxiang.association.pk] == before[wuxiang.association.pk]
    # Sorted by the member count, most first.
    sorted_by_members = _listed(client, district_user, {"sort": "-members"})
    assert [org.member_count for org in sorted_by_members] == sorted(
        (org.member_count for org in sorted_by_members), reverse=True
    )


def _listed(client, user, params):
    client.force_login(user)
    response = client.get(reverse("organizations:organization_list"), params)
    assert response.status_code == 200
    return list(response.context["page"])
