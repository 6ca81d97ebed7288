import pytest
from django.urls import reverse

from organizations.models import TeamMembership, VolunteerTeam
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_it_creates_a_team_with_its_leader_as_volunteer(client, jiangshan_admin, jiangshan):
    client.force_login(jiangshan_admin)
    response = client.post(
        reverse("organizations:team_add"),
        {
            "organization": jiangshan.association.pk,
            "name": "姜山镇农技志愿服务队",
            "leader": jiangshan.member.pk,
            "founded_on": "2023-04-01",
            "service_area": "农业技术",
            "status": "active",
        },
    )
    assert response.status_code == 302
    team = VolunteerTeam.objects.get(name="姜山镇农技志愿服务队")
    assert list(team.volunteers.all()) == [jiangshan.member]


def test_it_refuses_a_duplicate_team_name(client, jiangshan_admin, jiangshan):
    client.force_login(jiangshan_admin)
    response = client.post(
        reverse("organizations:team_add"),
        {"organization": jiangshan.association.pk, "name": jiangshan.team.name, "status": "active"},
    )
    assert response.status_code == 200
    assert "本组织已有同名的服务队" in response.content.decode()


def test_it_adds_and_removes_volunteers(client, jiangshan_admin, jiangshan):
    client.force_login(jiangshan_admin)
    newcomer = f.PersonFactory(name="新志愿者")
    f.MembershipFactory(person=newcomer, organization=jiangshan.association)
    url = reverse("organizations:team_volunteer_add", args=[jiangshan.team.pk])
    assert client.post(url, {"person": newcomer.pk, "joined_on": "2024-01-01"}).status_code == 302
    membership = TeamMembership.objects.get(team=jiangshan.team, person=newcomer)
    remove = reverse("organizations:team_volunteer_remove", args=[membership.pk])
    assert client.get(remove).status_code == 405
    assert client.post(remove).status_code == 302
    membership.refresh_from_db()
    assert membership.left_on is not None
    detail = client.get(reverse("organizations:team_detail", args=[jiangshan.team.pk]))
    assert detail.context["active_count"] == 1  # the fixture's member remains


def test_it_cannot_add_a_foreign_person_to_a_team(client, jiangshan_admin, jiangshan, wuxiang):
    client.force_login(jiangshan_admin)
    url = reverse("organizations:team_volunteer_add", args=[jiangshan.team.pk])
    response = client.post(url, {"person": wuxiang.member.pk})
    assert response.status_code == 200
    assert not TeamMembership.objects.filter(team=jiangshan.team, person=wuxiang.member).exists()


def test_team_list_counts_active_volunteers(client, district_user, jiangshan):
    gone = f.TeamMembershipFactory(team=jiangshan.team)
    gone.left_on = gone.joined_on
    gone.save()
    client.force_login(district_user)
    response = client.get(reverse("organizations:team_list"))
    team = next(t for t in response.context["page"] if t.pk == jiangshan.team.pk)
    assert team.volunteer_count == 1
