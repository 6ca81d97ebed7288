"""Incentives (激励机制): talent recommendation, awards and funding, recorded against leaders."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from organizations.models import LeaderRole
from rollout.models import Incentive
from rollout.plan.actions import incentives
from tests import factories as f
from tests.rollout import factories as rf

pytestmark = pytest.mark.django_db

GRANTED = datetime.date(2023, 1, 10)


def record(actor, person, **kwargs) -> Incentive:
    data = {"kind": "award", "title": "先进个人", "granted_on": GRANTED}
    data.update(kwargs)
    return incentives.incentive_create(actor=actor, person=person, **data)


def test_an_award_is_recorded_against_a_leader(district_user, jiangshan):
    incentive = record(district_user, jiangshan.leader, granted_by="鄞州区科协", amount=Decimal("500"))
    # Only funding carries an amount.
    assert incentive.amount is None and incentive.person == jiangshan.leader


def test_funding_needs_an_amount(district_user, jiangshan):
    with pytest.raises(ValidationError) as excinfo:
        record(district_user, jiangshan.leader, kind="funding", title="项目经费")
    assert "经费保障须填写大于0的金额" in str(excinfo.value.message_dict["amount"])
    incentive = record(
        district_user, jiangshan.leader, kind="funding", title="项目经费", amount=Decimal("30000")
    )
    assert incentive.amount == Decimal("30000")


def test_only_leaders_receive_incentives(district_user, jiangshan):
    with pytest.raises(ValidationError) as excinfo:
        record(district_user, jiangshan.member)
    assert "激励只能记在三长/泛三长名下" in str(excinfo.value.message_dict["person"])
    former = f.PersonFactory(name="前任校长")
    f.LeaderRoleFactory(
        person=former, kind=LeaderRole.Kind.SCHOOL_PRINCIPAL, started_on=datetime.date(2010, 1, 1),
        ended_on=datetime.date(2020, 12, 31),
    )  # fmt: skip
    with pytest.raises(ValidationError):
        record(district_user, former)
    assert record(district_user, former, granted_on=datetime.date(2019, 5, 1)).person == former


def test_the_same_incentive_is_not_recorded_twice(district_user, jiangshan):
    record(district_user, jiangshan.leader)
    with pytest.raises(ValidationError) as excinfo:
        record(district_user, jiangshan.leader, granted_on=datetime.date(2023, 2, 1))
    assert "已有同类别、同名称的激励记录" in str(excinfo.value)


@pytest.mark.parametrize("persona", ["supervisor_user", "jiangshan_admin", "leader_user"])
def test_only_district_staff_record_incentives(request, persona, jiangshan):
    with pytest.raises(PermissionDenied):
        record(request.getfixturevalue(persona), jiangshan.leader)


def test_changing_the_kind_clears_the_amount(district_user, jiangshan):
    incentive = record(district_user, jiangshan.leader, kind="funding", title="经费", amount=Decimal("1000"))
    incentives.incentive_update(actor=district_user, incentive=incentive, data={"kind": "award"})
    incentive.refresh_from_db()
    assert (incentive.kind, incentive.amount) == ("award", None)


def test_the_list_totals_in_the_database(client, district_user, jiangshan, wuxiang):
    rf.IncentiveFactory(person=jiangshan.leader, kind="funding", title="经费一", amount=Decimal("30000"))
    rf.IncentiveFactory(person=wuxiang.leader, kind="funding", title="经费二", amount=Decimal("20000.50"))
    rf.IncentiveFactory(person=wuxiang.leader, kind="talent", title="人才推荐")
    client.force_login(district_user)
    response = client.get(reverse("rollout:incentive_list"))
    totals = response.context["totals"]
    assert (totals["people"], totals["funding"], totals["talent"], totals["amount"]) == (
        2,
        2,
        1,
        Decimal("50000.50"),
    )
    assert "人才推荐" in response.content.decode()
    response = client.get(reverse("rollout:incentive_list"), {"kind": "talent"})
    body = response.content.decode()
    assert "人才推荐" in body and "经费一" not in body


def test_the_add_page_shows_errors(client, district_user, jiangshan):
    client.force_login(district_user)
    response = client.post(
        reverse("rollout:incentive_add"),
        {"person": jiangshan.leader.pk, "kind": "funding", "title": "经费", "granted_on": "2023-01-10"},
    )
    assert response.status_code == 200 and "经费保障须填写大于0的金额" in response.content.decode()
    # Only 三长/泛三长 are offered.
    assert "姜山院长" in response.content.decode() and "姜山会员" not in response.content.decode()
    response = client.post(
        reverse("rollout:incentive_add"),
        {
            "person": jiangshan.leader.pk,
            "kind": "funding",
            "title": "经费",
            "granted_on": "2023-01-10",
            "amount": "8000",
        },
    )
    assert response.status_code == 302
    assert Incentive.objects.get().amount == Decimal("8000")
