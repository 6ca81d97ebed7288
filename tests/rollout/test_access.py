"""Who may open which rollout page: the URL access matrix.

An organisation admin sees and updates only the tasks and rectification items of their own
organisations; every URL of another town's item answers 404, exactly as for a missing one.
Supervisors read everything, record inspections and rectification items, and change neither
organisations nor the plan. Leaders see nothing of the rollout but the published showcase.
"""

import re

import pytest
from django.urls import reverse

from rollout.models import Milestone, Phase, RectificationEvidence, ShowcaseItem, Stage
from tests.rollout import factories as rf

pytestmark = pytest.mark.django_db


@pytest.fixture
def evidence(jiangshan_rectification, wuxiang_rectification):
    found = {}
    for item in (jiangshan_rectification, wuxiang_rectification):
        found[item.organization_id] = RectificationEvidence.objects.create(
            rectification=item, file=rf.png(), original_name="照片.png", size=72
        )
    return found


def item_urls(task, rectification, evidence) -> list[tuple[str, str]]:
    """(method, url) of every page that shows or changes one task or rectification item."""
    return [
        ("get", reverse("rollout:task_detail", args=[task.pk])),
        ("post", reverse("rollout:task_progress", args=[task.pk])),
        ("get", reverse("rollout:task_edit", args=[task.pk])),
        ("get", reverse("rollout:rectification_detail", args=[rectification.pk])),
        ("post", reverse("rollout:rectification_progress", args=[rectification.pk])),
        ("get", reverse("rollout:rectification_edit", args=[rectification.pk])),
        ("post", reverse("rollout:rectification_reopen", args=[rectification.pk])),
        ("get", reverse("rollout:evidence_file", args=[evidence.pk])),
    ]


@pytest.fixture
def plan_objects(plan, jiangshan, leader_user):
    """One of each record of the plan, the steering group, inspections, showcase, incentives."""
    inspection = rf.InspectionFactory(organization=jiangshan.association)
    return {
        "phase": Phase.objects.get(number=1),
        "stage": Stage.objects.get(code="3a"),
        "milestone": rf.MilestoneFactory(),
        "pilot": rf.PilotFactory(organization=jiangshan.association),
        "member": rf.SteeringMemberFactory(),
        "inspection": inspection,
        "nominated": rf.ShowcaseItemFactory(title="推荐中的做法"),
        "published": rf.ShowcaseItemFactory(
            title="已发布的做法", status=ShowcaseItem.Status.PUBLISHED, published_on="2022-12-20"
        ),
        "incentive": rf.IncentiveFactory(person=jiangshan.leader),
    }


def plan_urls(o) -> list[tuple[str, str, str]]:
    """(method, url, kind): kind "read" for pages, "plan" for the plan's edits, "supervise"
    for what supervisors may change."""
    return [
        ("get", reverse("rollout:phase_edit", args=[o["phase"].pk]), "plan"),
        ("get", reverse("rollout:stage_edit", args=[o["stage"].pk]), "plan"),
        ("get", reverse("rollout:milestone_edit", args=[o["milestone"].pk]), "plan"),
        ("get", reverse("rollout:pilot_detail", args=[o["pilot"].pk]), "read"),
        ("get", reverse("rollout:pilot_edit", args=[o["pilot"].pk]), "plan"),
        ("get", reverse("rollout:steering_member_edit", args=[o["member"].pk]), "plan"),
        ("get", reverse("rollout:inspection_detail", args=[o["inspection"].pk]), "read"),
        ("get", reverse("rollout:inspection_edit", args=[o["inspection"].pk]), "supervise"),
        ("get", reverse("rollout:rectification_add", args=[o["inspection"].pk]), "supervise"),
        ("get", reverse("rollout:showcase_edit", args=[o["nominated"].pk]), "plan"),
        ("post", reverse("rollout:showcase_advance", args=[o["nominated"].pk, "approve"]), "plan"),
        ("get", reverse("rollout:incentive_edit", args=[o["incentive"].pk]), "plan"),
    ]


LIST_URLS = [
    # (url name, who besides district staff and supervisors may open it)
    ("rollout:overview", ()),
    ("rollout:task_list", ("org_admin",)),
    ("rollout:rectification_list", ("org_admin",)),
    ("rollout:supervision", ()),
    ("rollout:inspection_list", ()),
    ("rollout:steering_group", ()),
    ("rollout:showcase_manage", ()),
    ("rollout:incentive_list", ()),
    ("rollout:term_list", ()),
]
ADD_URLS = [
    # (url name, who may open it: "plan" district staff, "supervise" also supervisors)
    ("rollout:task_add", "plan"),
    ("rollout:milestone_add", "plan"),
    ("rollout:pilot_add", "plan"),
    ("rollout:steering_member_add", "plan"),
    ("rollout:showcase_add", "plan"),
    ("rollout:incentive_add", "plan"),
    ("rollout:inspection_add", "supervise"),
]


def test_it_gives_404_for_every_item_of_another_town(
    client, jiangshan_admin, wuxiang_task, wuxiang_rectification, evidence
):
    client.force_login(jiangshan_admin)
    for method, url in item_urls(
        wuxiang_task, wuxiang_rectification, evidence[wuxiang_rectification.organization_id]
    ):
        response = getattr(client, method)(url)
        assert response.status_code == 404, url


def test_it_answers_missing_and_foreign_alike(client, jiangshan_admin, wuxiang_task, wuxiang_rectification):
    client.force_login(jiangshan_admin)

    def page(url: str) -> str:
        response = client.get(url)
        assert response.status_code == 404
        body = re.sub(r"[A-Za-z0-9]{64}", "", response.content.decode())
        return re.sub(r"/rollout/\w+/\d+/", "/rollout/N/", body)

    for name, pk in (
        ("rollout:task_detail", wuxiang_task.pk),
        ("rollout:rectification_detail", wuxiang_rectification.pk),
    ):
        assert page(reverse(name, args=[pk])) == page(reverse(name, args=[999999]))


def test_an_admin_opens_and_updates_their_own_items(
    client, jiangshan_admin, jiangshan_task, jiangshan_rectification, evidence
):
    client.force_login(jiangshan_admin)
    own = evidence[jiangshan_rectification.organization_id]
    expected = {
        reverse("rollout:task_detail", args=[jiangshan_task.pk]): 200,
        reverse("rollout:task_progress", args=[jiangshan_task.pk]): 302,
        # Editing the task itself (title, due date, organisation) is the district's.
        reverse("rollout:task_edit", args=[jiangshan_task.pk]): 403,
        reverse("rollout:rectification_detail", args=[jiangshan_rectification.pk]): 200,
        reverse("rollout:rectification_progress", args=[jiangshan_rectification.pk]): 302,
        # Editing an item and reopening it are the steering group's.
        reverse("rollout:rectification_edit", args=[jiangshan_rectification.pk]): 403,
        reverse("rollout:rectification_reopen", args=[jiangshan_rectification.pk]): 403,
        reverse("rollout:evidence_file", args=[own.pk]): 200,
    }
    for method, url in item_urls(jiangshan_task, jiangshan_rectification, own):
        data = {"status": "in_progress", "note": "已推进"} if method == "post" else None
        response = getattr(client, method)(url, data)
        assert response.status_code == expected[url], url


def test_an_admin_of_a_town_sees_the_items_of_associations_below_it(client, jiangshan_admin, jiangshan, plan):
    from tests import factories as f

    below = f.OrganizationFactory(
        parent=jiangshan.association,
        kind="grassroots_association",
        category="life_health",
        name="姜山下属协会",
    )
    task = rf.TaskFactory(organization=below, title="下属协会的任务")
    client.force_login(jiangshan_admin)
    assert client.get(reverse("rollout:task_detail", args=[task.pk])).status_code == 200
    assert "下属协会的任务" in client.get(reverse("rollout:task_list")).content.decode()


def test_lists_never_show_another_towns_items(
    client, jiangshan_admin, jiangshan_task, wuxiang_task, jiangshan_rectification, wuxiang_rectification
):
    client.force_login(jiangshan_admin)
    tasks = client.get(reverse("rollout:task_list")).content.decode()
    assert "姜山推进任务" in tasks and "五乡推进任务" not in tasks
    items = client.get(reverse("rollout:rectification_list")).content.decode()
    assert "姜山整改事项" in items and "五乡整改事项" not in items
    # Naming the other town in the filter changes nothing.
    query = {"organization": wuxiang_task.organization_id}
    assert "五乡推进任务" not in client.get(reverse("rollout:task_list"), query).content.decode()
    assert "五乡整改事项" not in client.get(reverse("rollout:rectification_list"), query).content.decode()


def test_a_supervisor_reads_everything_and_changes_only_inspections(
    client, supervisor_user, jiangshan_task, jiangshan_rectification, evidence, plan_objects
):
    client.force_login(supervisor_user)
    own = evidence[jiangshan_rectification.organization_id]
    expected = {
        "task_detail": 200,
        "task_progress": 403,
        "task_edit": 403,
        "rectification_detail": 200,
        # Progress and closure are reported by the organisation, not by the steering group.
        "rectification_progress": 403,
        "rectification_edit": 200,
        # Reopening an item that is not closed is refused with a message on the page.
        "rectification_reopen": 200,
        "evidence_file": 200,
    }
    for (method, url), name in zip(
        item_urls(jiangshan_task, jiangshan_rectification, own), expected, strict=True
    ):
        assert getattr(client, method)(url).status_code == expected[name], url
    for method, url, kind in plan_urls(plan_objects):
        response = getattr(client, method)(url)
        assert response.status_code == (403 if kind == "plan" else 200), url
    for name, _others in LIST_URLS:
        assert client.get(reverse(name)).status_code == 200, name
    for name, who in ADD_URLS:
        assert client.get(reverse(name)).status_code == (200 if who == "supervise" else 403), name


def test_a_supervisor_cannot_edit_organisations(client, supervisor_user, jiangshan):
    client.force_login(supervisor_user)
    url = reverse("organizations:organization_edit", args=[jiangshan.association.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"name": "改名", "code": "X"}).status_code == 403
    jiangshan.association.refresh_from_db()
    assert jiangshan.association.name == "姜山镇科协"


def test_district_staff_open_everything(
    client, district_user, jiangshan_task, jiangshan_rectification, evidence, plan_objects
):
    client.force_login(district_user)
    for method, url in item_urls(
        jiangshan_task, jiangshan_rectification, evidence[jiangshan_task.organization_id]
    ):
        if method == "get":
            assert client.get(url).status_code == 200, url
    for method, url, _kind in plan_urls(plan_objects):
        if method == "get":
            assert client.get(url).status_code == 200, url
    for name, _who in [*LIST_URLS, *ADD_URLS]:
        assert client.get(reverse(name)).status_code == 200, name


def test_an_admin_sees_nothing_else_of_the_rollout(client, jiangshan_admin, plan_objects):
    client.force_login(jiangshan_admin)
    for method, url, _kind in plan_urls(plan_objects):
        assert getattr(client, method)(url).status_code == 404, url
    for name, others in LIST_URLS:
        assert client.get(reverse(name)).status_code == (200 if "org_admin" in others else 403), name
    for name, _who in ADD_URLS:
        assert client.get(reverse(name)).status_code == 403, name


def test_a_leader_sees_only_the_published_showcase(
    client, leader_user, jiangshan_task, jiangshan_rectification, evidence, plan_objects
):
    client.force_login(leader_user)
    for method, url in item_urls(
        jiangshan_task, jiangshan_rectification, evidence[jiangshan_task.organization_id]
    ):
        assert getattr(client, method)(url).status_code == 404, url
    for method, url, _kind in plan_urls(plan_objects):
        assert getattr(client, method)(url).status_code == 404, url
    for name, _others in LIST_URLS:
        assert client.get(reverse(name)).status_code == 403, name
    assert (
        client.get(reverse("rollout:showcase_item", args=[plan_objects["published"].pk])).status_code == 200
    )
    assert (
        client.get(reverse("rollout:showcase_item", args=[plan_objects["nominated"].pk])).status_code == 404
    )
    # Readable but not theirs to change.
    assert (
        client.get(reverse("rollout:showcase_edit", args=[plan_objects["published"].pk])).status_code == 403
    )


def test_it_sends_anonymous_users_to_login(
    client, jiangshan_task, jiangshan_rectification, evidence, plan_objects
):
    urls = [
        url
        for _m, url in item_urls(
            jiangshan_task, jiangshan_rectification, evidence[jiangshan_task.organization_id]
        )
    ]
    urls += [url for _m, url, _k in plan_urls(plan_objects)]
    urls += [reverse(name) for name, _o in LIST_URLS] + [reverse(name) for name, _w in ADD_URLS]
    urls.append(reverse("rollout:term_send"))
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url


def test_the_public_showcase_needs_no_login(client, plan_objects):
    page = client.get(reverse("rollout:showcase_public"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "已发布的做法" in body and "推荐中的做法" not in body
    assert (
        client.get(reverse("rollout:showcase_item", args=[plan_objects["published"].pk])).status_code == 200
    )
    assert (
        client.get(reverse("rollout:showcase_item", args=[plan_objects["nominated"].pk])).status_code == 404
    )


def test_writes_need_post(client, district_user, jiangshan_task, jiangshan_rectification, plan_objects):
    client.force_login(district_user)
    for url in (
        reverse("rollout:task_progress", args=[jiangshan_task.pk]),
        reverse("rollout:rectification_progress", args=[jiangshan_rectification.pk]),
        reverse("rollout:rectification_reopen", args=[jiangshan_rectification.pk]),
        reverse("rollout:showcase_advance", args=[plan_objects["nominated"].pk, "approve"]),
        reverse("rollout:term_send"),
    ):
        assert client.get(url).status_code == 405, url


def test_the_navigation_matches_the_role(client, district_user, jiangshan_admin, leader_user):
    client.force_login(district_user)
    assert reverse("rollout:overview") in client.get(reverse("home")).content.decode()
    client.force_login(jiangshan_admin)
    body = client.get(reverse("home")).content.decode()
    assert reverse("rollout:task_list") in body and reverse("rollout:overview") + '"' not in body
    client.force_login(leader_user)
    body = client.get(reverse("home")).content.decode()
    assert reverse("rollout:showcase_public") in body and reverse("rollout:task_list") not in body


def test_the_plan_is_loaded_by_migration(plan):
    # The plan's reference rows exist after migrate, before any demo.
    assert Phase.objects.count() == 4
    assert list(Stage.objects.values_list("code", flat=True)) == ["3a", "3b", "3c"]
    assert not Milestone.objects.exists()


@pytest.mark.parametrize("persona", ["district_user", "supervisor_user", "jiangshan_admin", "leader_user"])
def test_every_rollout_model_has_a_scoping_rule(request, persona):
    from django.apps import apps

    from organizations.scoping import scoped

    user = request.getfixturevalue(persona)
    for model in apps.get_app_config("rollout").get_models():
        # Raises ImproperlyConfigured for a model without a rule.
        scoped(user, model).count()
        scoped(user, model, write=True).count()
