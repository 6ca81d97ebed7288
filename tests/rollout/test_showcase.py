"""Showcase (典型): exemplary practices, organisations and leaders go nominated → approved →
published; district staff move them; the public page lists what is published."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from organizations.models import AuditEntry
from rollout.models import ShowcaseItem
from rollout.plan.actions import showcase
from tests import factories as f
from tests.rollout import factories as rf

pytestmark = pytest.mark.django_db


def nominate(actor, **kwargs) -> ShowcaseItem:
    data = {
        "kind": "practice",
        "title": "三长轮值",
        "summary": "轮值牵头",
        "nominated_on": datetime.date(2022, 10, 1),
    }
    data.update(kwargs)
    return showcase.showcase_nominate(actor=actor, **data)


def test_an_item_goes_from_nomination_to_publication(district_user, today):
    item = nominate(district_user)
    assert item.status == "nominated"
    item = showcase.showcase_advance(actor=district_user, item=item, step="approve")
    assert (item.status, item.approved_on) == ("approved", today)
    item = showcase.showcase_advance(actor=district_user, item=item, step="publish")
    assert (item.status, item.published_on) == ("published", today)
    item = showcase.showcase_advance(actor=district_user, item=item, step="unpublish")
    assert (item.status, item.published_on) == ("approved", None)
    steps = list(AuditEntry.objects.filter(object_id=str(item.pk)).values_list("action", flat=True))
    assert sorted(steps) == [
        "showcase_approve",
        "showcase_nominate",
        "showcase_publish",
        "showcase_unpublish",
    ]


@pytest.mark.parametrize(
    ("status", "step"),
    [("nominated", "publish"), ("published", "approve"), ("rejected", "publish"), ("approved", "renominate")],
)
def test_steps_out_of_order_are_refused(district_user, status, step):
    item = rf.ShowcaseItemFactory(
        status=status, published_on=datetime.date(2023, 1, 1) if status == "published" else None
    )
    with pytest.raises(ValidationError) as excinfo:
        showcase.showcase_advance(actor=district_user, item=item, step=step)
    assert "不能执行此操作" in str(excinfo.value)
    item.refresh_from_db()
    assert item.status == status


@pytest.mark.parametrize("persona", ["supervisor_user", "jiangshan_admin", "leader_user"])
def test_only_district_staff_manage_the_showcase(request, persona):
    actor = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        nominate(actor)
    item = rf.ShowcaseItemFactory()
    with pytest.raises(PermissionDenied):
        showcase.showcase_advance(actor=actor, item=item, step="approve")


def test_a_leader_item_names_a_leader(district_user, jiangshan):
    with pytest.raises(ValidationError) as excinfo:
        nominate(district_user, kind="leader", title="无人")
    assert "典型带头人须选择人员" in str(excinfo.value)
    with pytest.raises(ValidationError) as excinfo:
        nominate(district_user, kind="leader", title="普通会员", person=jiangshan.member)
    assert "典型带头人须为三长或泛三长" in str(excinfo.value)
    item = nominate(district_user, kind="leader", title="好院长", person=jiangshan.leader)
    assert item.person == jiangshan.leader
    with pytest.raises(ValidationError) as excinfo:
        nominate(district_user, kind="organization", title="无组织")
    assert "典型组织须选择组织" in str(excinfo.value)


def test_the_public_page_lists_published_items_by_kind(client, jiangshan):
    rf.ShowcaseItemFactory(title="公开的做法", status="published", published_on=datetime.date(2022, 12, 20))
    rf.ShowcaseItemFactory(
        kind="organization",
        title="公开的组织",
        organization=jiangshan.association,
        status="published",
        published_on=datetime.date(2022, 12, 20),
    )
    rf.ShowcaseItemFactory(
        kind="leader",
        title="公开的带头人",
        person=jiangshan.leader,
        status="published",
        published_on=datetime.date(2022, 12, 21),
    )
    rf.ShowcaseItemFactory(title="审定未发布", status="approved")
    rf.ShowcaseItemFactory(title="未采纳的", status="rejected")
    response = client.get(reverse("rollout:showcase_public"))
    body = response.content.decode()
    for title in ("公开的做法", "公开的组织", "公开的带头人"):
        assert title in body
    assert "审定未发布" not in body and "未采纳的" not in body
    # The leader's name and institution are shown, never a phone number.
    assert "姜山院长" in body and jiangshan.leader.phone not in body
    kinds = [(kind, [item.title for item in items]) for kind, _label, items in response.context["sections"]]
    assert kinds == [
        ("practice", ["公开的做法"]),
        ("organization", ["公开的组织"]),
        ("leader", ["公开的带头人"]),
    ]


def test_staff_preview_an_unpublished_item(client, district_user):
    item = rf.ShowcaseItemFactory(title="待发布", status="approved")
    url = reverse("rollout:showcase_item", args=[item.pk])
    assert client.get(url).status_code == 404
    client.force_login(district_user)
    body = client.get(url).content.decode()
    assert "尚未公开发布" in body


def test_the_manage_page_moves_items_along(client, district_user):
    item = rf.ShowcaseItemFactory(title="待审定")
    client.force_login(district_user)
    response = client.post(reverse("rollout:showcase_advance", args=[item.pk, "approve"]))
    assert response.status_code == 302
    response = client.post(reverse("rollout:showcase_advance", args=[item.pk, "approve"]), follow=True)
    assert "不能执行此操作" in response.content.decode()
    response = client.post(reverse("rollout:showcase_advance", args=[item.pk, "publish"]), follow=True)
    assert "已发布：待审定" in response.content.decode()
    assert ShowcaseItem.objects.get(pk=item.pk).status == "published"


def test_the_add_page(client, district_user):
    organization = f.OrganizationFactory(name="典型协会")
    client.force_login(district_user)
    response = client.post(
        reverse("rollout:showcase_add"),
        {
            "kind": "organization",
            "title": "典型协会",
            "summary": "摘要",
            "organization": organization.pk,
            "nominated_on": "2023-03-01",
        },
    )
    assert response.status_code == 302
    assert ShowcaseItem.objects.get(title="典型协会").organization == organization
    response = client.post(
        reverse("rollout:showcase_add"),
        {"kind": "leader", "title": "没有人", "summary": "摘要", "nominated_on": "2023-03-01"},
    )
    assert response.status_code == 200 and "典型带头人须选择人员" in response.content.decode()


def test_a_duplicate_that_slips_past_the_checks_gets_the_same_message(district_user, monkeypatch):
    # Two staff saving the same nomination at the same moment: the database decides.
    nominate(district_user)
    monkeypatch.setattr(showcase, "_clean_showcase", lambda **kwargs: None)
    with pytest.raises(ValidationError) as excinfo:
        nominate(district_user)
    assert "已有同类型、同标题的典型" in str(excinfo.value.message_dict["title"])
    assert ShowcaseItem.objects.count() == 1
