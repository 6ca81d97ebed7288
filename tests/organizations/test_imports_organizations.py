"""A roster for a town association and the associations under it: the 所属组织 column names, by
name or code, the organisation each row goes into. Only the batch's organisation and those
below it are accepted, and a refusal says nothing of organisations elsewhere."""

from __future__ import annotations

import pytest

from organizations.imports.models import ImportBatch
from organizations.models import Membership, Organization, Seat
from tests import factories as f
from tests.organizations.test_imports_members import upload, xlsx_file

pytestmark = pytest.mark.django_db

HEADER = ["姓名", "手机号码", "所属组织"]


@pytest.fixture
def health(jiangshan):
    return f.OrganizationFactory(
        code="GA-JS-L",
        name="姜山镇健康科普协会",
        kind=Organization.Kind.GRASSROOTS_ASSOCIATION,
        category=Organization.Category.LIFE_HEALTH,
        parent=jiangshan.association,
        home_region=jiangshan.association.home_region,
    )


def test_each_row_goes_into_the_organisation_it_names(jiangshan, wuxiang, jiangshan_admin, health):
    rows = [
        ["甲会员", "13600001001", ""],  # the batch's organisation
        ["乙会员", "13600001002", "姜山镇健康科普协会"],  # by name
        ["丙会员", "13600001003", "ga-js-l"],  # by code, any case
        ["甲会员", "13600001001", "姜山镇健康科普协会"],  # the same person in a second organisation
        ["丁会员", "13600001004", "五乡镇科协"],  # another town's: refused
        ["戊会员", "13600001005", "没有这个协会"],  # unknown: refused the same way
    ]
    batch = upload(jiangshan_admin, jiangshan.association, xlsx_file(HEADER, rows))

    assert sorted(batch.rows.values_list("number", "outcome")) == [
        (2, "new"),
        (3, "new"),
        (4, "new"),
        (5, "new"),
        (6, "error"),
        (7, "error"),
    ]
    refused = [batch.rows.get(number=number).errors["所属组织"][0] for number in (6, 7)]
    assert refused[0] == "“五乡镇科协”不是“姜山镇科协”或其下属组织的名称或编号。"
    assert refused[1] == "“没有这个协会”不是“姜山镇科协”或其下属组织的名称或编号。"

    from organizations.imports import actions

    batch = actions.import_commit(actor=jiangshan_admin, batch=batch, background=False)

    assert batch.status == ImportBatch.Status.COMMITTED
    where = sorted(
        Membership.objects.filter(person__name__in=["甲会员", "乙会员", "丙会员"]).values_list(
            "person__name", "organization__name"
        )
    )
    assert where == [
        ("丙会员", "姜山镇健康科普协会"),
        ("乙会员", "姜山镇健康科普协会"),
        ("甲会员", "姜山镇健康科普协会"),
        ("甲会员", "姜山镇科协"),
    ]
    assert not Membership.objects.filter(organization=wuxiang.association, person__name="丁会员").exists()


def test_a_leaders_seat_goes_into_the_named_association(jiangshan, jiangshan_admin, health):
    header = ["姓名", "手机号码", "身份", "任职单位", "职务", "任期开始", "所属组织"]
    rows = [["新院长", "13600002001", "院长", "姜山镇卫生院", "主席", "2022-03-15", "GA-JS-L"]]
    batch = upload(
        jiangshan_admin, jiangshan.association, xlsx_file(header, rows), kind=ImportBatch.Kind.LEADERS
    )
    assert list(batch.rows.values_list("outcome", flat=True)) == ["new"]

    from organizations.imports import actions

    actions.import_commit(actor=jiangshan_admin, batch=batch, background=False)

    seat = Seat.objects.get(person__name="新院长")
    assert (seat.organization, seat.position) == (health, Seat.Position.CHAIR)
