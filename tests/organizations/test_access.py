"""Who may open which page: the URL access matrix of the organisations app.

The 姜山镇 admin must get 404 for every detail and edit URL of a 五乡镇 record, exactly as for
a record that does not exist, and never see 五乡镇 records in a list.
"""

import re

import pytest
from django.urls import reverse

from organizations.models import LeaderRole

pytestmark = pytest.mark.django_db


def object_urls(town) -> list[tuple[str, str]]:
    """(method, url) for every page that shows or changes one record of the town."""
    role = LeaderRole.objects.get(person=town.leader)
    return [
        ("get", reverse("organizations:person_detail", args=[town.member.pk])),
        ("get", reverse("organizations:person_edit", args=[town.member.pk])),
        ("get", reverse("organizations:leader_role_add", args=[town.member.pk])),
        ("get", reverse("organizations:membership_add", args=[town.member.pk])),
        ("get", reverse("organizations:leader_role_end", args=[role.pk])),
        ("get", reverse("organizations:membership_end", args=[town.membership.pk])),
        ("get", reverse("organizations:seat_detail", args=[town.seat.pk])),
        ("get", reverse("organizations:seat_edit", args=[town.seat.pk])),
        ("get", reverse("organizations:team_detail", args=[town.team.pk])),
        ("get", reverse("organizations:team_edit", args=[town.team.pk])),
        ("get", reverse("organizations:team_volunteer_add", args=[town.team.pk])),
        ("post", reverse("organizations:team_volunteer_remove", args=[town.volunteer_membership.pk])),
        ("get", reverse("organizations:organization_detail", args=[town.association.pk])),
        ("get", reverse("organizations:organization_edit", args=[town.association.pk])),
    ]


LIST_URLS = [
    "organizations:person_list",
    "organizations:leader_list",
    "organizations:seat_list",
    "organizations:team_list",
    "organizations:organization_list",
    "home",
]


def test_it_gives_404_for_every_record_of_another_town(client, jiangshan_admin, wuxiang):
    client.force_login(jiangshan_admin)
    for method, url in object_urls(wuxiang):
        response = getattr(client, method)(url)
        assert response.status_code == 404, url


def test_it_answers_missing_and_foreign_alike(client, jiangshan_admin, wuxiang):
    client.force_login(jiangshan_admin)
    foreign = client.get(reverse("organizations:person_detail", args=[wuxiang.member.pk]))
    missing = client.get(reverse("organizations:person_detail", args=[999999]))
    assert foreign.status_code == missing.status_code == 404

    def page(response) -> str:
        # CSRF tokens differ per response and the language switcher echoes the path.
        body = re.sub(r"[A-Za-z0-9]{64}", "", response.content.decode())
        return re.sub(r"/people/\d+/", "/people/N/", body)

    assert page(foreign) == page(missing)


def test_it_opens_every_record_of_the_own_town(client, jiangshan_admin, jiangshan):
    client.force_login(jiangshan_admin)
    for method, url in object_urls(jiangshan):
        response = getattr(client, method)(url)
        assert response.status_code == (302 if method == "post" else 200), url


def test_it_never_lists_another_towns_records(client, jiangshan_admin, jiangshan, wuxiang):
    client.force_login(jiangshan_admin)
    foreign_names = ["五乡镇科协", "五乡会员", "五乡院长", "五乡镇科技志愿服务队"]
    for name in LIST_URLS:
        body = client.get(reverse(name)).content.decode()
        for foreign in foreign_names:
            assert foreign not in body, (name, foreign)
    people = client.get(reverse("organizations:person_list")).content.decode()
    assert "姜山会员" in people and "姜山院长" in people


def test_it_ignores_a_foreign_organisation_in_the_filter(client, jiangshan_admin, jiangshan, wuxiang):
    client.force_login(jiangshan_admin)
    for name in ("organizations:person_list", "organizations:seat_list", "organizations:team_list"):
        body = client.get(reverse(name), {"organization": wuxiang.association.pk}).content.decode()
        assert "五乡会员" not in body and "五乡镇科技志愿服务队" not in body, name


def test_it_ignores_foreign_ids_posted_in_forms(client, jiangshan_admin, jiangshan, wuxiang):
    client.force_login(jiangshan_admin)
    response = client.post(
        reverse("organizations:seat_add"),
        {
            "organization": wuxiang.association.pk,
            "person": wuxiang.member.pk,
            "position": "member",
            "term_start": "2024-01-01",
        },
    )
    assert response.status_code == 200
    assert wuxiang.association.seats.count() == 2
    assert "选择一个有效的选项" in response.content.decode()


def test_it_sends_anonymous_users_to_login(client, jiangshan):
    urls = [reverse(name) for name in LIST_URLS] + [url for _, url in object_urls(jiangshan)]
    urls += [reverse("organizations:person_add"), reverse("organizations:organization_add")]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url


def test_a_leader_cannot_edit_organisations(client, leader_user, jiangshan, wuxiang):
    client.force_login(leader_user)
    own = jiangshan.association
    assert client.get(reverse("organizations:organization_detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("organizations:organization_edit", args=[own.pk])).status_code == 403
    response = client.post(reverse("organizations:organization_edit", args=[own.pk]), {"name": "改名"})
    assert response.status_code == 403
    own.refresh_from_db()
    assert own.name == "姜山镇科协"
    assert (
        client.get(reverse("organizations:organization_edit", args=[wuxiang.association.pk])).status_code
        == 404
    )
    assert client.get(reverse("organizations:organization_add")).status_code == 403
    assert client.get(reverse("organizations:person_add")).status_code == 403


def test_a_leader_sees_their_own_record_read_only(client, leader_user, jiangshan):
    client.force_login(leader_user)
    url = reverse("organizations:person_detail", args=[jiangshan.leader.pk])
    assert client.get(url).status_code == 200
    assert client.get(reverse("organizations:person_edit", args=[jiangshan.leader.pk])).status_code == 403
    # Another member of the same association is not the leader's to see.
    assert client.get(reverse("organizations:person_detail", args=[jiangshan.member.pk])).status_code == 404


def test_a_supervisor_reads_everything_and_changes_nothing(client, supervisor_user, jiangshan, wuxiang):
    client.force_login(supervisor_user)
    for town in (jiangshan, wuxiang):
        for method, url in object_urls(town):
            response = getattr(client, method)(url)
            if "/edit/" in url or "/add/" in url or "/end/" in url or method == "post":
                assert response.status_code == 403, url
            else:
                assert response.status_code == 200, url


def test_district_staff_open_everything(client, district_user, jiangshan, wuxiang):
    client.force_login(district_user)
    for town in (jiangshan, wuxiang):
        for method, url in object_urls(town):
            if method == "get":
                assert client.get(url).status_code == 200, url
    assert client.get(reverse("organizations:organization_add")).status_code == 200


def test_a_user_without_roles_sees_nothing(client, jiangshan):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="nobody"))
    assert "姜山" not in client.get(reverse("organizations:person_list")).content.decode()
    url = reverse("organizations:person_detail", args=[jiangshan.member.pk])
    assert client.get(url).status_code == 404


def test_phones_are_masked_for_readers_and_full_for_managers(
    client, jiangshan_admin, supervisor_user, jiangshan
):
    url = reverse("organizations:person_detail", args=[jiangshan.member.pk])
    phone = jiangshan.member.phone
    masked = f"{phone[:3]}****{phone[-4:]}"
    client.force_login(supervisor_user)
    body = client.get(url).content.decode()
    assert masked in body and phone not in body
    client.force_login(jiangshan_admin)
    assert phone in client.get(url).content.decode()
    # Lists show masked numbers to everyone.
    listing = client.get(reverse("organizations:person_list")).content.decode()
    assert masked in listing and phone not in listing


def test_only_district_staff_hand_out_roles(jiangshan_admin, district_user, jiangshan):
    from django.core.exceptions import PermissionDenied

    from organizations import actions
    from organizations.models import RoleAssignment
    from tests.factories import UserFactory

    newcomer = UserFactory(username="newcomer")
    for actor in (jiangshan_admin, None):
        with pytest.raises(PermissionDenied):
            actions.role_assign(
                actor=actor, user=newcomer, role="org_admin", organization=jiangshan.association
            )
    actions.role_assign(
        actor=district_user, user=newcomer, role="org_admin", organization=jiangshan.association
    )
    assert RoleAssignment.objects.filter(user=newcomer).count() == 1
