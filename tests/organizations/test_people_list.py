import datetime

import pytest
from django.urls import reverse

from organizations import selectors
from organizations.models import LeaderRole, Person
from sanhui.clock import today
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


def test_the_leaders_total_counts_each_open_leader_once(client, district_user, people, wuxiang):
    """A reader of every person with nothing filtered: the total is counted from the open leader
    roles (``selectors.leader_total``); with a filter, from the list itself. Either way it is the
    number of people listed."""
    day = today()
    teacher = Person.objects.get(name="教师甲")
    f.LeaderRoleFactory(person=teacher, kind=LeaderRole.Kind.HOSPITAL_DIRECTOR)  # two roles, one leader
    f.LeaderRoleFactory(
        person=f.PersonFactory(name="前任丙"), started_on=day - datetime.timedelta(days=400),
        ended_on=day - datetime.timedelta(days=1),
    )  # fmt: skip
    f.LeaderRoleFactory(person=f.PersonFactory(name="候任丁"), started_on=day + datetime.timedelta(days=1))
    client.force_login(district_user)
    url = reverse("organizations:leader_list")
    page = client.get(url).context["page"]
    # 教师甲, 馆长乙 and the two towns' 院长; not 前任丙 (ended yesterday) nor 候任丁 (from tomorrow).
    assert {person.name for person in page} == {"教师甲", "馆长乙", "姜山院长", "五乡院长"}
    assert page.total == 4
    extended = client.get(url, {"tier": "extended"}).context["page"]
    assert [person.name for person in extended] == ["馆长乙"] and extended.total == 1
    assert selectors.leader_total(user=district_user, filtered=False) == 4
    assert selectors.leader_total(user=district_user, filtered=True) is None


def test_a_town_admins_leaders_total_is_their_own(client, jiangshan_admin, people, wuxiang):
    client.force_login(jiangshan_admin)
    page = client.get(reverse("organizations:leader_list")).context["page"]
    assert page.total == 3  # 教师甲, 馆长乙, 姜山院长: not 五乡院长
    assert selectors.leader_total(user=jiangshan_admin, filtered=False) is None
