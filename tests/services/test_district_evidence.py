"""Evidence uploads on the district of tests/district.py: 孙立强, the 三长 who led 姜山农技培训,
adds photos while it is held and no longer once the organiser's admin has verified it (the
activity stays readable to him: 403, and the action refuses with PermissionDenied); the admin
of another town gets 404, as for an activity that does not exist."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from services import actions
from services.models import Activity, Evidence
from tests.district import build_district
from tests.rollout.factories import png

pytestmark = pytest.mark.django_db


@pytest.fixture
def district(db):
    return build_district()


@pytest.fixture
def training(district) -> Activity:
    """Held on 2022-11-20 by 姜山农技协会, led by 孙立强, with 3 check-ins."""
    return district.activities["姜山农技培训"]


def post_photo(client, activity, name="现场照片.png"):
    return client.post(
        reverse("services:evidence_add", args=[activity.pk]),
        {"kind": Evidence.Kind.PHOTO, "caption": "培训现场", "file": png(name)},
    )


def verify(district, activity) -> None:
    actions.activity_transition(
        actor=district.grassroots_admin, activity=activity, to_status=Activity.Status.VERIFIED
    )
    activity.refresh_from_db()
    assert activity.status == Activity.Status.VERIFIED


def test_the_leader_adds_evidence_while_the_activity_is_held(client, district, training):
    client.force_login(district.leader)
    assert client.get(reverse("services:evidence_add", args=[training.pk])).status_code == 200
    response = post_photo(client, training)
    assert response.status_code == 302
    assert response["Location"] == training.get_absolute_url()
    evidence = Evidence.objects.get(activity=training)
    assert (evidence.original_name, evidence.caption, evidence.uploaded_by) == (
        "现场照片.png",
        "培训现场",
        district.leader,
    )


def test_the_leader_may_not_add_evidence_once_verified(client, district, training):
    client.force_login(district.leader)
    assert post_photo(client, training, "第一张.png").status_code == 302
    verify(district, training)
    assert client.get(reverse("services:evidence_add", args=[training.pk])).status_code == 403
    assert post_photo(client, training, "第二张.png").status_code == 403
    assert list(Evidence.objects.values_list("original_name", flat=True)) == ["第一张.png"]
    # Still his to read.
    assert client.get(training.get_absolute_url()).status_code == 200


def test_the_action_refuses_the_leader_once_verified(district, training):
    actions.evidence_add(actor=district.leader, activity=training, upload=png("签到前.png"))
    verify(district, training)
    with pytest.raises(PermissionDenied):
        actions.evidence_add(actor=district.leader, activity=training, upload=png("签到后.png"))
    assert list(Evidence.objects.values_list("original_name", flat=True)) == ["签到前.png"]


def test_a_leader_may_not_add_evidence_to_an_activity_he_did_not_lead(client, district):
    client.force_login(district.leader)
    # 姜山健康讲座 was led by 陈建华 of the parent association.
    assert post_photo(client, district.activities["姜山健康讲座"]).status_code == 404
    assert not Evidence.objects.exists()


def test_an_admin_of_another_town_gets_404(client, district, training):
    client.force_login(district.wuxiang_admin)
    url = reverse("services:evidence_add", args=[training.pk])
    assert client.get(url).status_code == 404
    assert post_photo(client, training).status_code == 404
    assert client.get(reverse("services:evidence_add", args=[999999])).status_code == 404
    with pytest.raises(PermissionDenied):
        actions.evidence_add(actor=district.wuxiang_admin, activity=training, upload=png())
    assert not Evidence.objects.exists()


def test_an_admin_of_another_town_cannot_fetch_the_evidence(client, district, training):
    evidence = actions.evidence_add(actor=district.leader, activity=training, upload=png())
    client.force_login(district.wuxiang_admin)
    assert client.get(reverse("services:evidence_file", args=[evidence.pk])).status_code == 404
    client.force_login(district.jiangshan_admin)
    assert client.get(reverse("services:evidence_file", args=[evidence.pk])).status_code == 200
