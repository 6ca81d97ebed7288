"""A leader's menu and home page lead to what a leader can use: 我的档案 (their own record) and
我的组织, not the five people lists, which would hold only their own record; the home page's
任期 card leads to their record's seats, not to the seat list. An organisation admin keeps the
lists and the seat list.

The leader is 姜山院长 (tests/conftest.py), holding a seat in 姜山镇科协.
"""

import pytest
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db

LISTS = (
    "organizations:organization_list",
    "organizations:person_list",
    "organizations:leader_list",
    "organizations:seat_list",
    "organizations:team_list",
)


def menu_of(page: str) -> str:
    return page[page.index("<nav") : page.index("</nav>")]


def links(html: str) -> set[str]:
    """The addresses the fragment links to, without their query strings."""
    found = set()
    for part in html.split('href="')[1:]:
        found.add(part[: part.index('"')].split("?")[0])
    return found


def ending_seats_link(page: str) -> str:
    start = page.index('id="ending-seats-all"')
    tag = page[page.rindex("<a ", 0, start) : page.index(">", start)]
    return tag[tag.index('href="') + 6 :].split('"')[0]


def test_a_leaders_menu_holds_their_record_and_organisations_not_the_lists(client, leader_user, jiangshan):
    client.force_login(leader_user)
    menu = menu_of(client.get(reverse("home")).content.decode())
    mine = reverse("organizations:person_detail", args=[jiangshan.leader.pk])
    assert f'href="{mine}">我的档案<' in menu
    assert f'href="{reverse("organizations:organization_list")}">我的组织<' in menu
    assert 'id="people-menu"' not in menu
    for name in LISTS[1:]:
        assert reverse(name) not in links(menu), name


def test_an_organisation_admins_menu_holds_the_five_lists(client, jiangshan_admin):
    client.force_login(jiangshan_admin)
    menu = menu_of(client.get(reverse("home")).content.decode())
    people_menu = menu[menu.index('id="people-menu"') :]
    assert {reverse(name) for name in LISTS} <= links(people_menu)
    assert "我的档案" not in menu and "我的组织" not in menu


def test_a_leaders_seats_card_leads_to_their_own_record(client, leader_user, jiangshan, wuxiang):
    client.force_login(leader_user)
    page = client.get(reverse("home")).content.decode()
    mine = reverse("organizations:person_detail", args=[jiangshan.leader.pk])
    assert ending_seats_link(page) == mine
    record = client.get(mine)
    assert record.status_code == 200
    assert jiangshan.leader_seat.get_absolute_url() in record.content.decode()
    # Another town's leader's record is not theirs to open.
    other = reverse("organizations:person_detail", args=[wuxiang.leader.pk])
    assert client.get(other).status_code == 404


def test_an_organisation_admins_seats_card_still_leads_to_the_seat_list(client, jiangshan_admin):
    client.force_login(jiangshan_admin)
    page = client.get(reverse("home")).content.decode()
    assert ending_seats_link(page) == reverse("organizations:seat_list") + "?state=ending"


def test_a_leader_who_also_keeps_an_organisation_keeps_the_lists(client, jiangshan):
    """姜山院长 made admin of 姜山镇科协 as well: the lists are of use to them again."""

    user = f.UserFactory(username="yuanzhang")
    f.assign(user, "leader", person=jiangshan.leader)
    f.assign(user, "org_admin", organization=jiangshan.association)
    client.force_login(user)
    page = client.get(reverse("home")).content.decode()
    assert {reverse(name) for name in LISTS} <= links(menu_of(page))
    assert ending_seats_link(page) == reverse("organizations:seat_list") + "?state=ending"
