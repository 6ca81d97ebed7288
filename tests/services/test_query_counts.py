"""Ledger pages cost the same number of queries whatever the amount of data: measured at two sizes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories as f
from tests.services.factories import ActivityFactory, AttendanceFactory, VolunteerServiceFactory, at
from tests.urlwalk import list_pages

pytestmark = pytest.mark.django_db


def grow(town, n: int) -> None:
    """Add n activities to the town with leaders, co-organisers, check-ins and volunteer hours."""
    for i in range(n):
        partner = f.OrganizationFactory()
        activity = ActivityFactory(
            organizer=town.association,
            leaders=[town.leader],
            teams=[town.team],
            co_organizers=[partner],
            starts_at=at(-i - 1),
        )
        for _ in range(2):
            AttendanceFactory(activity=activity)
        volunteer = f.PersonFactory()
        f.TeamMembershipFactory(team=town.team, person=volunteer)
        VolunteerServiceFactory(activity=activity, person=volunteer, team=town.team)
        VolunteerServiceFactory(activity=activity, person=town.leader, team=town.team)


def pages(town, activity) -> list[str]:
    year = {"year": activity.starts_at.year}
    return [
        reverse("services:activity_list"),
        reverse("services:activity_calendar"),
        reverse("services:activity_detail", args=[activity.pk]),
        reverse("services:attendee_list", args=[activity.pk]),
        reverse("services:team_list") + f"?year={year['year']}",
        reverse("services:team_record", args=[town.team.pk]) + f"?year={year['year']}",
        reverse("services:volunteer_record", args=[town.leader.pk]) + f"?year={year['year']}",
    ]


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.parametrize("persona", ["district_user", "jiangshan_admin", "supervisor_user", "leader_user"])
def test_query_counts_do_not_grow_with_the_data(client, request, jiangshan, persona):
    client.force_login(request.getfixturevalue(persona))
    grow(jiangshan, 3)
    activity = jiangshan.association.organized_activities.order_by("starts_at").last()
    urls = pages(jiangshan, activity)
    if persona == "leader_user":
        urls.append(reverse("services:my_activities"))
    small = {url: count_queries(client, url) for url in urls}
    grow(jiangshan, 25)
    large = {url: count_queries(client, url) for url in urls}
    assert large == small


@pytest.mark.parametrize("sort", ["-date", "-checkins", "title"])
def test_the_activity_lists_first_next_and_last_pages_cost_the_same_at_two_sizes(
    client, district_user, jiangshan, monkeypatch, sort
):
    """Each page reads its own rows' check-in counts in one grouped query: neither the rows
    skipped nor the size of the ledger change how many queries a page costs."""
    monkeypatch.setattr("organizations.viewutils.PAGE_SIZE", 2)
    client.force_login(district_user)
    url = reverse("services:activity_list")
    grow(jiangshan, 5)
    small = {
        name: count_queries(client, page) for name, page in list_pages(client, url, {"sort": sort}).items()
    }
    grow(jiangshan, 25)
    large = {
        name: count_queries(client, page) for name, page in list_pages(client, url, {"sort": sort}).items()
    }
    assert large == small
    assert small["first"] == small["next"] == small["last"]
