"""The person picker: scoped search results and a bounded option list."""

import re

import pytest
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db


def option_values(html: str) -> list[str]:
    return re.findall(r'<option value="(\d+)"', html)


def test_search_is_scoped(client, jiangshan_admin, jiangshan, wuxiang):
    client.force_login(jiangshan_admin)
    url = reverse("organizations:person_options")
    assert option_values(client.get(url, {"q": "会员"}).content.decode()) == [str(jiangshan.member.pk)]
    assert option_values(client.get(url, {"q": wuxiang.member.phone}).content.decode()) == []
    assert option_values(client.get(url, {"q": jiangshan.member.phone}).content.decode()) == [
        str(jiangshan.member.pk)
    ]


def test_search_results_are_capped(client, district_user):
    for _ in range(55):
        f.PersonFactory(name="同名人员")
    client.force_login(district_user)
    html = client.get(reverse("organizations:person_options"), {"q": "同名"}).content.decode()
    assert len(option_values(html)) == 50 and "仅显示前 50 条" in html


def test_the_form_lists_a_bounded_number_of_people_and_keeps_the_choice(client, district_user, jiangshan):
    people = [f.PersonFactory(name=f"人员{i:03d}") for i in range(150)]
    client.force_login(district_user)
    last = people[-1]
    html = client.get(reverse("organizations:seat_add"), {"person": last.pk}).content.decode()
    select = html[html.index('name="person"') :]
    select = select[: select.index("</select>")]
    values = option_values(select)
    assert len(values) <= 101
    assert f'<option value="{last.pk}" selected>' in select


def test_anonymous_users_are_sent_to_login(client):
    response = client.get(reverse("organizations:person_options"), {"q": "a"})
    assert response.status_code == 302
