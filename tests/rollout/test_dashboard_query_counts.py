"""The dashboards' query counts do not grow with the data: measured at two sizes."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from organizations.models import LeaderRole, Organization, Seat
from tests import factories as f
from tests.rollout import factories as rf
from tests.services.factories import ActivityFactory, AttendanceFactory, VolunteerServiceFactory

pytestmark = pytest.mark.django_db

TOWNS = ("姜山镇", "五乡镇", "云龙镇", "下应街道", "邱隘镇")


def grow(jiangshan, n: int) -> None:
    """Add n rounds of activities (with check-ins and hours), organisations, seats, tasks and
    rectification items across several towns and months."""
    for i in range(n):
        town = f.region(TOWNS[i % len(TOWNS)])
        org = f.OrganizationFactory(
            kind=Organization.Kind.GRASSROOTS_ASSOCIATION,
            category=Organization.Category.values[i % 3],
            home_region=town,
            parent=jiangshan.association if town.name == "姜山镇" else None,
        )
        person = f.PersonFactory()
        f.LeaderRoleFactory(person=person, kind=LeaderRole.Kind.SCHOOL_PRINCIPAL)
        f.SeatFactory(organization=jiangshan.association, person=person, position=Seat.Position.MEMBER)
        f.TeamMembershipFactory(team=jiangshan.team, person=person)
        starts = timezone.make_aware(datetime.datetime(2022, 10 + i % 3, 1 + i % 27, 9))
        for organizer in (org, jiangshan.association):
            activity = ActivityFactory(
                organizer=organizer,
                region=town,
                starts_at=starts,
                kind=("popular_lecture", "tech_training", "free_clinic")[i % 3],
                stream=("popularization", "tech_service")[i % 2],
                reported_participants=10 + i,
                leaders=[jiangshan.leader],
            )
            AttendanceFactory(activity=activity)
            VolunteerServiceFactory(activity=activity, person=jiangshan.leader, hours=1.5)
        rf.TaskFactory(organization=jiangshan.association, due_date=datetime.date(2022, 12, 1))
        rf.RectificationFactory(inspection=rf.InspectionFactory(organization=org))


def count_queries(client, url: str, params: dict) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200, url
    return len(captured)


PAGES = {
    "district_user": [
        "dashboards:district",
        "dashboards:district_data",
        "dashboards:town",
        "dashboards:town_data",
    ],
    "supervisor_user": ["dashboards:district", "dashboards:district_data"],
    "jiangshan_admin": ["dashboards:town", "dashboards:town_data"],
    "leader_user": ["dashboards:mine", "dashboards:mine_data"],
}


@pytest.mark.parametrize("persona", list(PAGES))
@pytest.mark.parametrize("period", ["2022Q4", "2022", "2022-11-01..2022-11-30"])
def test_dashboard_query_counts_do_not_grow_with_the_data(
    client, request, plan, jiangshan, persona, period, coverage_source
):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    params = {"period": period}
    urls = [reverse(name) for name in PAGES[persona]]
    # Coverage from the raw rows, or from the towns' spans rebuilt after each growth.
    grow(jiangshan, 3)
    coverage_source()
    small = {url: count_queries(client, url, params) for url in urls}
    grow(jiangshan, 15)
    coverage_source()
    large = {url: count_queries(client, url, params) for url in urls}
    assert large == small
