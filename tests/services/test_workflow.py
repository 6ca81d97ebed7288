"""The activity workflow planned → held → verified (or cancelled): which moves exist, who may
make them, and that every move is recorded with who and when."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from services import actions
from services.models import Activity, ActivityTransition
from tests.services.factories import ActivityFactory, AttendanceFactory, at

pytestmark = pytest.mark.django_db

Status = Activity.Status


def move(actor, activity, to, note=""):
    return actions.activity_transition(actor=actor, activity=activity, to_status=to, note=note)


def test_it_walks_an_activity_from_planned_to_verified(jiangshan_admin, jiangshan):
    activity = ActivityFactory(organizer=jiangshan.association, status=Status.PLANNED, starts_at=at(-1))
    move(jiangshan_admin, activity, Status.HELD)
    AttendanceFactory(activity=activity)
    move(jiangshan_admin, activity, Status.VERIFIED)
    activity.refresh_from_db()
    assert activity.status == Status.VERIFIED
    assert activity.status_changed_by == jiangshan_admin
    steps = list(
        ActivityTransition.objects.filter(activity=activity).values_list("from_status", "to_status", "actor")
    )
    assert steps == [
        (Status.PLANNED, Status.HELD, jiangshan_admin.pk),
        (Status.HELD, Status.VERIFIED, jiangshan_admin.pk),
    ]


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (Status.PLANNED, Status.VERIFIED),
        (Status.VERIFIED, Status.CANCELLED),
        (Status.CANCELLED, Status.HELD),
        (Status.HELD, Status.PLANNED),
        (Status.HELD, Status.HELD),
    ],
)
def test_it_refuses_moves_that_skip_or_reverse_the_workflow(jiangshan_admin, jiangshan, start, target):
    activity = ActivityFactory(organizer=jiangshan.association, status=start)
    with pytest.raises(ValidationError, match="不能改为"):
        move(jiangshan_admin, activity, target, note="理由")
    activity.refresh_from_db()
    assert activity.status == start
    assert not ActivityTransition.objects.filter(activity=activity).exists()


def test_a_future_activity_cannot_be_marked_held(jiangshan_admin, jiangshan):
    activity = ActivityFactory(organizer=jiangshan.association, status=Status.PLANNED, starts_at=at(3))
    with pytest.raises(ValidationError, match="尚未开始"):
        move(jiangshan_admin, activity, Status.HELD)


def test_verification_needs_participants(jiangshan_admin, jiangshan):
    activity = ActivityFactory(organizer=jiangshan.association)
    with pytest.raises(ValidationError, match="上报参与人数"):
        move(jiangshan_admin, activity, Status.VERIFIED)
    activity.reported_participants = 40
    activity.save()
    move(jiangshan_admin, activity, Status.VERIFIED)


def test_cancelling_and_reopening_need_a_reason(jiangshan_admin, jiangshan):
    planned = ActivityFactory(organizer=jiangshan.association, status=Status.PLANNED)
    with pytest.raises(ValidationError) as error:
        move(jiangshan_admin, planned, Status.CANCELLED)
    assert "note" in error.value.error_dict
    move(jiangshan_admin, planned, Status.CANCELLED, note="台风预警")
    assert ActivityTransition.objects.get(activity=planned).note == "台风预警"
    verified = ActivityFactory(organizer=jiangshan.association, status=Status.VERIFIED)
    with pytest.raises(ValidationError):
        move(jiangshan_admin, verified, Status.HELD)
    move(jiangshan_admin, verified, Status.HELD, note="人数录入有误")
    verified.refresh_from_db()
    assert verified.status == Status.HELD


def test_cancelling_takes_an_event_off_the_public_calendar(jiangshan_admin, jiangshan):
    activity = ActivityFactory(organizer=jiangshan.association, status=Status.PLANNED, starts_at=at(5))
    actions.activity_publish(actor=jiangshan_admin, activity=activity, publish=True)
    move(jiangshan_admin, activity, Status.CANCELLED, note="场地冲突")
    activity.refresh_from_db()
    assert not activity.is_published


def test_a_leader_marks_their_activity_held_but_cannot_verify_it(leader_user, jiangshan):
    activity = ActivityFactory(
        organizer=jiangshan.association, status=Status.PLANNED, starts_at=at(-1), leaders=[jiangshan.leader]
    )
    move(leader_user, activity, Status.HELD)
    AttendanceFactory(activity=activity)
    with pytest.raises(PermissionDenied):
        move(leader_user, activity, Status.VERIFIED)
    with pytest.raises(PermissionDenied):
        actions.activity_publish(actor=leader_user, activity=activity, publish=True)


def test_a_leader_cannot_move_an_activity_they_did_not_lead(leader_user, jiangshan):
    activity = ActivityFactory(organizer=jiangshan.association, status=Status.PLANNED, starts_at=at(-1))
    with pytest.raises(PermissionDenied):
        move(leader_user, activity, Status.HELD)


def test_other_towns_admins_and_supervisors_move_nothing(wuxiang_admin, supervisor_user, jiangshan, wuxiang):
    activity = ActivityFactory(organizer=jiangshan.association, status=Status.PLANNED, starts_at=at(-1))
    for actor in (wuxiang_admin, supervisor_user):
        with pytest.raises(PermissionDenied):
            move(actor, activity, Status.HELD)
    held = ActivityFactory(organizer=jiangshan.association, reported_participants=10)
    with pytest.raises(PermissionDenied):
        move(supervisor_user, held, Status.VERIFIED)


def test_a_co_organisers_admin_reads_but_does_not_verify(wuxiang_admin, jiangshan, wuxiang):
    activity = ActivityFactory(
        organizer=jiangshan.association, co_organizers=[wuxiang.association], reported_participants=10
    )
    with pytest.raises(PermissionDenied):
        move(wuxiang_admin, activity, Status.VERIFIED)


def test_district_staff_verify_any_activity(district_user, wuxiang):
    activity = ActivityFactory(organizer=wuxiang.association, reported_participants=10)
    move(district_user, activity, Status.VERIFIED)
    activity.refresh_from_db()
    assert activity.status == Status.VERIFIED


def test_a_verified_activity_cannot_be_edited(jiangshan_admin, jiangshan):
    activity = ActivityFactory(organizer=jiangshan.association, status=Status.VERIFIED)
    with pytest.raises(ValidationError, match="先撤销核实"):
        actions.activity_update(actor=jiangshan_admin, activity=activity, data={"title": "改名"})


def test_the_transition_page_records_the_note(client, jiangshan_admin, jiangshan):
    activity = ActivityFactory(organizer=jiangshan.association, status=Status.PLANNED)
    client.force_login(jiangshan_admin)
    url = reverse("services:activity_transition", args=[activity.pk, "cancelled"])
    response = client.post(url, {"note": ""})
    assert response.status_code == 200
    assert "这个字段是必填项" in response.content.decode() or "请说明原因" in response.content.decode()
    response = client.post(url, {"note": "暴雨取消"})
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.status == Status.CANCELLED


def test_the_transition_page_is_refused_to_readers(client, supervisor_user, leader_user, jiangshan):
    activity = ActivityFactory(
        organizer=jiangshan.association, reported_participants=5, leaders=[jiangshan.leader]
    )
    url = reverse("services:activity_transition", args=[activity.pk, "verified"])
    client.force_login(supervisor_user)
    assert client.get(url).status_code == 403
    client.force_login(leader_user)
    assert client.post(url, {"note": ""}).status_code == 403
    activity.refresh_from_db()
    assert activity.status == Status.HELD
