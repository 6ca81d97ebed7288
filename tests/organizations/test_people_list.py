import pytest
from django.urls import reverse

from organizations.models import LeaderRole
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(jiangshan):
    child = f.OrganizationFactory(
        kind="grassroots_association", category="ecology", parent=jiangshan.association,
        home_region=jiangshan.association.home_region, name="姜山镇生态科普协会",
    )  # fmt: skip
    teacher = f.PersonFactory(name="教师甲", phone="13811112222", employer="姜山镇中心小学")
    f.MembershipFactory(person=teacher, organization=child)
    f.LeaderRoleFactory(person=teacher, kind=LeaderRole.Kind.SCHOOL_PRINCIPAL)
    curator = f.PersonFactory(name="馆长乙")
    f.MembershipFactory(person=curator, organization=jiangshan.association)
    f.LeaderRoleFactory(person=curator, kind=LeaderRole.Kind.MUSEUM_DIRECTOR)
    return child


def names(client, url, **params):
    return {person.name for person in client.get(url, params).context["page"]}


def test_an_admin_filters_members_of_their_associations(client, jiangshan_admin, people):
    client.force_login(jiangshan_admin)
    url = reverse("organizations:person_list")
    assert names(client, url, organization=people.pk) == {"教师甲"}
    assert names(client, url, leader_kind="school_principal") == {"教师甲"}
    assert names(client, url, tier="core") == {"教师甲", "姜山院长"}
    assert names(client, url, tier="extended") == {"馆长乙"}
    # Phones are stored encrypted: a whole number finds its person, in any form it is typed in;
    # a part of one finds nobody (and so reveals none of the digits a masked number hides).
    assert names(client, url, q="13811112222") == {"教师甲"}
    assert names(client, url, q="+86 １３８-１１１１-２２２２") == {"教师甲"}
    assert names(client, url, q="1111") == set()
    assert names(client, url, q="中心小学") == {"教师甲"}


def test_the_leaders_page_lists_only_leaders(client, jiangshan_admin, people):
    client.force_login(jiangshan_admin)
    assert names(client, reverse("organizations:leader_list")) == {"教师甲", "馆长乙", "姜山院长"}
