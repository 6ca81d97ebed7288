import datetime

import pytest
from django.urls import reverse

from organizations.models import AuditEntry, LeaderRole

pytestmark = pytest.mark.django_db


def test_ending_a_membership_records_the_day(client, jiangshan_admin, jiangshan):
    client.force_login(jiangshan_admin)
    url = reverse("organizations:membership_end", args=[jiangshan.membership.pk])
    assert client.post(url, {"ended_on": "2024-05-01"}).status_code == 302
    jiangshan.membership.refresh_from_db()
    assert jiangshan.membership.left_on == datetime.date(2024, 5, 1)
    assert AuditEntry.objects.filter(action="membership_end").exists()


def test_a_membership_cannot_end_before_it_began(client, jiangshan_admin, jiangshan):
    client.force_login(jiangshan_admin)
    url = reverse("organizations:membership_end", args=[jiangshan.membership.pk])
    response = client.post(url, {"ended_on": "2020-01-01"})
    assert response.status_code == 200
    assert response.context["form"].errors["ended_on"] == ["退出日期不能早于入会日期。"]
    jiangshan.membership.refresh_from_db()
    assert jiangshan.membership.left_on is None


def test_adding_and_ending_a_leader_role(client, jiangshan_admin, jiangshan):
    client.force_login(jiangshan_admin)
    add = reverse("organizations:leader_role_add", args=[jiangshan.member.pk])
    data = {"kind": "base_leader", "institution": "姜山镇科普教育基地", "started_on": "2023-01-01"}
    assert client.post(add, data).status_code == 302
    again = client.post(add, data)
    assert "此人已有该身份" in again.content.decode()
    role = LeaderRole.objects.get(person=jiangshan.member)
    end = reverse("organizations:leader_role_end", args=[role.pk])
    assert "卸任日期不能早于任职日期" in client.post(end, {"ended_on": "2022-12-31"}).content.decode()
    assert client.post(end, {"ended_on": "2025-12-31"}).status_code == 302
    role.refresh_from_db()
    assert role.ended_on == datetime.date(2025, 12, 31)


def test_adding_a_membership_in_an_own_association(client, jiangshan_admin, jiangshan, wuxiang):
    client.force_login(jiangshan_admin)
    url = reverse("organizations:membership_add", args=[jiangshan.member.pk])
    response = client.post(url, {"organization": jiangshan.association.pk})
    assert "此人已是该组织的会员" in response.content.decode()
    response = client.post(url, {"organization": wuxiang.association.pk})
    assert (
        response.status_code == 200
        and not wuxiang.association.memberships.filter(person=jiangshan.member).exists()
    )
