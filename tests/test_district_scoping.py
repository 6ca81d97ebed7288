"""Who sees what in the district of tests/district.py, through the real pages.

The admin of 姜山农技协会 (a grassroots association with two sibling associations under 姜山镇科协)
sees their own association's people, seats, teams and activities and nothing of the siblings or
of the parent; the admin of 姜山镇科协 sees the town association and all three of its
associations, and nothing of 五乡镇 or 云龙镇. Records outside the scope answer 404, as a record
that does not exist would."""

import pytest
from django.urls import reverse

from organizations.scoping import scoped
from services.models import Activity
from tests.district import build_district

pytestmark = pytest.mark.django_db


@pytest.fixture
def district(db):
    return build_district()


def listed(client, name: str, **params) -> list:
    response = client.get(reverse(name), params)
    assert response.status_code == 200, name
    return list(response.context["page"].object_list)


def names(client, name: str) -> set[str]:
    return {str(row.name if hasattr(row, "name") else row) for row in listed(client, name)}


def seat_holders(client) -> set[tuple[str, str]]:
    return {(seat.organization.name, seat.person.name) for seat in listed(client, "organizations:seat_list")}


def activity_titles(client) -> set[str]:
    return {activity.title for activity in listed(client, "services:activity_list")}


def status(client, name: str, pk: int) -> int:
    return client.get(reverse(name, args=[pk])).status_code


# --------------------------------------------------------------------------- a grassroots admin


def test_a_grassroots_admin_lists_only_their_own_association(client, district):
    client.force_login(district.grassroots_admin)
    assert names(client, "organizations:organization_list") == {"姜山农技协会"}
    assert names(client, "organizations:person_list") == {"孙立强", "周晓东"}
    assert names(client, "organizations:leader_list") == {"孙立强"}
    assert seat_holders(client) == {("姜山农技协会", "孙立强"), ("姜山农技协会", "周晓东")}
    assert names(client, "organizations:team_list") == {"姜山农技志愿服务队"}
    assert activity_titles(client) == {"姜山农技培训"}


def test_a_grassroots_admin_opens_their_own_records(client, district):
    client.force_login(district.grassroots_admin)
    assert status(client, "organizations:organization_detail", district.orgs["姜山农技协会"].pk) == 200
    assert status(client, "organizations:person_detail", district.people["孙立强"].pk) == 200
    assert status(client, "organizations:person_detail", district.people["周晓东"].pk) == 200
    assert status(client, "organizations:seat_detail", district.seats[("姜山农技协会", "周晓东")].pk) == 200
    assert status(client, "organizations:team_detail", district.teams["姜山农技志愿服务队"].pk) == 200
    assert status(client, "services:activity_detail", district.activities["姜山农技培训"].pk) == 200


@pytest.mark.parametrize(
    ("url_name", "record"),
    [
        # the siblings 姜山科普教育协会 and 姜山健康科普协会
        ("organizations:organization_detail", ("orgs", "姜山科普教育协会")),
        ("organizations:organization_edit", ("orgs", "姜山科普教育协会")),
        ("organizations:organization_detail", ("orgs", "姜山健康科普协会")),
        ("organizations:person_detail", ("people", "郑文斌")),
        ("organizations:person_detail", ("people", "赵敏")),
        ("organizations:seat_detail", ("seats", ("姜山科普教育协会", "郑文斌"))),
        ("organizations:seat_detail", ("seats", ("姜山健康科普协会", "陈建华"))),
        ("services:activity_detail", ("activities", "姜山科普展览")),
        ("services:evidence_add", ("activities", "姜山科普展览")),
        # the parent 姜山镇科协
        ("organizations:organization_detail", ("orgs", "姜山镇科协")),
        ("organizations:person_detail", ("people", "陈建华")),
        ("organizations:person_detail", ("people", "王丽萍")),
        ("organizations:seat_detail", ("seats", ("姜山镇科协", "王丽萍"))),
        ("organizations:team_detail", ("teams", "姜山镇科技志愿服务队")),
        ("services:activity_detail", ("activities", "姜山健康讲座")),
        ("services:activity_detail", ("activities", "姜山冬季义诊")),
        # another town
        ("organizations:organization_detail", ("orgs", "五乡农技协会")),
        ("organizations:person_detail", ("people", "冯志刚")),
        ("services:activity_detail", ("activities", "五乡农技指导")),
    ],
)
def test_a_grassroots_admin_gets_404_for_siblings_and_the_parent(client, district, url_name, record):
    collection, key = record
    obj = getattr(district, collection)[key]
    client.force_login(district.grassroots_admin)
    assert status(client, url_name, obj.pk) == 404


def test_a_grassroots_admins_scope_has_no_sibling_rows(district):
    admin = district.grassroots_admin
    assert set(scoped(admin, Activity).values_list("title", flat=True)) == {"姜山农技培训"}
    # The sibling's activity cannot be reached by writing either.
    assert not scoped(admin, Activity, write=True).filter(title="姜山科普展览").exists()


# --------------------------------------------------------------------------- a town admin


def test_a_town_admin_lists_the_town_association_and_all_its_associations(client, district):
    client.force_login(district.jiangshan_admin)
    assert names(client, "organizations:organization_list") == {
        "姜山镇科协",
        "姜山农技协会",
        "姜山科普教育协会",
        "姜山健康科普协会",
    }
    # 赵敏 is a member of 五乡镇科协 and of 姜山健康科普协会: both towns' admins see her.
    assert names(client, "organizations:person_list") == {
        "陈建华",
        "王丽萍",
        "刘芳",
        "孙立强",
        "周晓东",
        "郑文斌",
        "赵敏",
    }
    assert names(client, "organizations:leader_list") == {"陈建华", "孙立强", "郑文斌"}
    assert seat_holders(client) == {
        ("姜山镇科协", "陈建华"),
        ("姜山镇科协", "王丽萍"),
        ("姜山农技协会", "孙立强"),
        ("姜山农技协会", "周晓东"),
        ("姜山科普教育协会", "郑文斌"),
        ("姜山健康科普协会", "陈建华"),
    }
    assert names(client, "organizations:team_list") == {"姜山镇科技志愿服务队", "姜山农技志愿服务队"}
    assert activity_titles(client) == {
        "姜山健康讲座",
        "姜山农技培训",
        "姜山科普展览",
        "姜山冬季义诊",
        "姜山秋季科普讲座",
    }


def test_another_town_admin_lists_only_their_town(client, district):
    client.force_login(district.wuxiang_admin)
    assert names(client, "organizations:organization_list") == {
        "五乡镇科协",
        "五乡农技协会",
        "五乡生态科普协会",
        "五乡卫生健康协会",
    }
    assert names(client, "organizations:person_list") == {"吴国庆", "钱海波", "赵敏", "冯志刚", "何春燕"}
    assert seat_holders(client) == {
        ("五乡镇科协", "吴国庆"),
        ("五乡镇科协", "钱海波"),
        ("五乡农技协会", "冯志刚"),
        ("五乡卫生健康协会", "何春燕"),
    }
    assert activity_titles(client) == {"五乡农技指导"}


def test_a_town_admin_opens_every_record_of_their_associations(client, district):
    client.force_login(district.jiangshan_admin)
    for name in ("姜山镇科协", "姜山农技协会", "姜山科普教育协会", "姜山健康科普协会"):
        assert status(client, "organizations:organization_detail", district.orgs[name].pk) == 200, name
        assert status(client, "organizations:organization_edit", district.orgs[name].pk) == 200, name
    for name in ("陈建华", "郑文斌", "赵敏", "周晓东"):
        assert status(client, "organizations:person_detail", district.people[name].pk) == 200, name
    assert (
        status(client, "organizations:seat_detail", district.seats[("姜山科普教育协会", "郑文斌")].pk) == 200
    )
    for title in ("姜山健康讲座", "姜山农技培训", "姜山科普展览"):
        assert status(client, "services:activity_detail", district.activities[title].pk) == 200, title


@pytest.mark.parametrize(
    ("url_name", "record"),
    [
        ("organizations:organization_detail", ("orgs", "五乡镇科协")),
        ("organizations:organization_edit", ("orgs", "五乡镇科协")),
        ("organizations:organization_detail", ("orgs", "五乡农技协会")),
        ("organizations:organization_detail", ("orgs", "五乡卫生健康协会")),
        ("organizations:organization_detail", ("orgs", "云龙科普教育协会")),
        ("organizations:organization_detail", ("orgs", "鄞州区科协")),
        ("organizations:person_detail", ("people", "冯志刚")),
        ("organizations:person_detail", ("people", "吴国庆")),
        ("organizations:person_edit", ("people", "吴国庆")),
        ("organizations:person_detail", ("people", "韩雪")),
        ("organizations:seat_detail", ("seats", ("五乡农技协会", "冯志刚"))),
        ("organizations:seat_edit", ("seats", ("五乡农技协会", "冯志刚"))),
        ("organizations:seat_detail", ("seats", ("云龙镇科协", "黄立新"))),
        ("organizations:team_detail", ("teams", "五乡农技志愿服务队")),
        ("organizations:team_detail", ("teams", "云龙健康志愿服务队")),
        ("services:activity_detail", ("activities", "五乡农技指导")),
        ("services:activity_edit", ("activities", "五乡农技指导")),
        ("services:activity_detail", ("activities", "上李家村健康讲座")),
        ("services:attendee_list", ("activities", "上李家村健康讲座")),
    ],
)
def test_a_town_admin_gets_404_for_another_towns_records(client, district, url_name, record):
    collection, key = record
    obj = getattr(district, collection)[key]
    client.force_login(district.jiangshan_admin)
    assert status(client, url_name, obj.pk) == 404


def test_foreign_and_missing_records_answer_alike(client, district):
    client.force_login(district.jiangshan_admin)
    for url_name, pk in (
        ("organizations:organization_detail", district.orgs["五乡镇科协"].pk),
        ("organizations:person_detail", district.people["冯志刚"].pk),
        ("services:activity_detail", district.activities["五乡农技指导"].pk),
    ):
        assert status(client, url_name, pk) == status(client, url_name, 999999) == 404


def test_a_foreign_organisation_in_a_filter_shows_nothing_of_it(client, district):
    client.force_login(district.jiangshan_admin)
    wuxiang = district.orgs["五乡镇科协"].pk
    people = {person.name for person in listed(client, "organizations:person_list", organization=wuxiang)}
    assert not people & {"吴国庆", "钱海波", "冯志刚", "何春燕"}
    seats = listed(client, "organizations:seat_list", organization=wuxiang)
    assert not {seat.organization.name for seat in seats} & {"五乡镇科协", "五乡农技协会", "五乡卫生健康协会"}


# --------------------------------------------------------------------------- the district


def test_district_readers_list_every_organisation(client, district):
    everything = {
        "鄞州区科协",
        "姜山镇科协",
        "姜山农技协会",
        "姜山科普教育协会",
        "姜山健康科普协会",
        "五乡镇科协",
        "五乡农技协会",
        "五乡生态科普协会",
        "五乡卫生健康协会",
        "云龙镇科协",
        "云龙农技协会",
        "云龙科普教育协会",
        "云龙健康协会",
    }
    for user in (district.district_staff, district.supervisor):
        client.force_login(user)
        assert names(client, "organizations:organization_list") == everything
        assert len(listed(client, "organizations:seat_list")) == 14
        assert len(listed(client, "services:activity_list")) == 7
