"""A page's query count does not grow with the data: measured at two sizes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organizations.models import LeaderRole, Seat
from tests import factories as f

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
