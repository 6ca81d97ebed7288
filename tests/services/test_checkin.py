"""The public QR check-in page: one check-in per phone per activity, a notice of what is
collected and why, closed outside its window, rate-limited, and reachable only by the token."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from sanhui.crypto import lookup_hash
from services import actions
from services.models import Activity, Attendance
from tests.services.factories import ActivityFactory, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_activity(jiangshan):
    """An activity happening now: started an hour ago, ends in two."""
    now = timezone.now()
    return ActivityFactory(
        title="姜山科普讲座",
        organizer=jiangshan.association,
        status=Activity.Status.PLANNED,
        starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(hours=2),
    )


def post(client, activity, meta=None, **data):
    payload = {"name": "王小明", "phone": "138 0574 1234", "consent": "on"} | data
    return client.post(activity.checkin_path(), payload, **(meta or {}))


def test_an_attendee_checks_in_after_the_notice(client, open_activity):
    page = client.get(open_activity.checkin_path())
    body = page.content.decode()
    assert page.status_code == 200
    assert "个人信息收集说明" in body and "个人信息保护法" in body and "姜山镇科协" in body
    response = post(client, open_activity)
    assert response.status_code == 200
    assert "王小明，签到成功" in response.content.decode()
    attendance = Attendance.objects.get(activity=open_activity)
    assert (attendance.name, attendance.phone) == ("王小明", "13805741234")


def test_one_check_in_per_phone_per_activity(client, open_activity, js_activity):
    post(client, open_activity)
    again = post(client, open_activity, name="王小明的家人", phone="13805741234")
    assert "该手机号码已签到过本次活动" in again.content.decode()
    assert Attendance.objects.filter(activity=open_activity).count() == 1
    post(client, open_activity, name="李四", phone="13905741234")
    assert Attendance.objects.filter(activity=open_activity).count() == 2


def test_the_same_phone_may_check_in_at_another_activity(open_activity, jiangshan):
    now = timezone.now()
    other = ActivityFactory(
        organizer=jiangshan.association, starts_at=now, ends_at=now + datetime.timedelta(hours=1)
    )
    actions.attendance_record(activity=open_activity, name="王小明", phone="13805741234")
    actions.attendance_record(activity=other, name="王小明", phone="13805741234")
    assert Attendance.objects.filter(phone_hash=lookup_hash("13805741234")).count() == 2


def test_consent_and_a_valid_phone_are_required(client, open_activity):
    response = post(client, open_activity, consent="")
    assert "请先阅读说明并勾选同意" in response.content.decode()
    response = post(client, open_activity, phone="12345")
    assert "请输入有效的11位中国大陆手机号码" in response.content.decode()
    assert not Attendance.objects.exists()


def test_the_page_closes_a_configured_number_of_hours_after_the_end(client, settings, jiangshan):
    settings.SANHUI_CHECKIN_CLOSE_HOURS = 3
    ended = timezone.now() - datetime.timedelta(hours=2)
    activity = ActivityFactory(
        organizer=jiangshan.association, starts_at=ended - datetime.timedelta(hours=2), ends_at=ended
    )
    assert activity.checkin_state() == "open"
    assert post(client, activity).status_code == 200
    assert Attendance.objects.count() == 1
    settings.SANHUI_CHECKIN_CLOSE_HOURS = 1
    assert activity.checkin_state() == "closed"
    response = post(client, activity, phone="13905741234")
    assert "本次活动签到已结束" in response.content.decode()
    assert Attendance.objects.count() == 1
    with pytest.raises(ValidationError, match="签到已结束"):
        actions.attendance_record(activity=activity, name="张三", phone="13605741234")


def test_the_window_edges(jiangshan, settings):
    settings.SANHUI_CHECKIN_OPEN_HOURS_BEFORE = 2
    settings.SANHUI_CHECKIN_CLOSE_HOURS = 3
    activity = ActivityFactory(organizer=jiangshan.association, starts_at=at(1, 9), ends_at=at(1, 11))
    assert activity.checkin_state(at(1, 6)) == "not_yet"
    assert activity.checkin_state(at(1, 7)) == "open"
    assert activity.checkin_state(at(1, 14)) == "open"
    assert activity.checkin_state(at(1, 14) + datetime.timedelta(seconds=1)) == "closed"


def test_a_future_or_cancelled_activity_takes_no_check_ins(client, jiangshan):
    future = ActivityFactory(
        organizer=jiangshan.association, status="planned", starts_at=at(5), ends_at=at(5, 11)
    )
    assert "签到尚未开始" in client.get(future.checkin_path()).content.decode()
    assert "签到尚未开始" in post(client, future).content.decode()
    now = timezone.now()
    cancelled = ActivityFactory(
        organizer=jiangshan.association,
        status="cancelled",
        starts_at=now,
        ends_at=now + datetime.timedelta(hours=1),
    )
    assert "本次活动已取消" in post(client, cancelled).content.decode()
    assert not Attendance.objects.exists()


def test_submissions_are_rate_limited(client, settings, open_activity):
    settings.SANHUI_CHECKIN_RATE_LIMIT = 3
    settings.SANHUI_CHECKIN_RATE_WINDOW = 60
    for n in range(3):
        assert post(client, open_activity, phone=f"1380574{n:04d}").status_code == 200
    response = post(client, open_activity, phone="13805749999")
    assert response.status_code == 429
    assert "提交过于频繁" in response.content.decode()
    assert Attendance.objects.count() == 3
    # Another address (another phone on mobile data) is not held back.
    other = client.post(
        open_activity.checkin_path(),
        {"name": "赵六", "phone": "13805748888", "consent": "on"},
        REMOTE_ADDR="10.0.0.9",
    )
    assert other.status_code == 200
    assert Attendance.objects.count() == 4


def test_the_rate_limit_reads_the_proxy_header_when_configured(client, settings, open_activity):
    settings.SANHUI_CHECKIN_RATE_LIMIT = 1
    settings.SANHUI_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    first = post(
        client, open_activity, phone="13805740001", meta={"HTTP_X_FORWARDED_FOR": "1.1.1.1, 203.0.113.5"}
    )
    second = post(
        client, open_activity, phone="13805740002", meta={"HTTP_X_FORWARDED_FOR": "9.9.9.9, 203.0.113.6"}
    )
    third = post(
        client, open_activity, phone="13805740003", meta={"HTTP_X_FORWARDED_FOR": "8.8.8.8, 203.0.113.6"}
    )
    assert (first.status_code, second.status_code, third.status_code) == (200, 200, 429)


def test_the_link_needs_the_token_not_the_pk(client, open_activity):
    assert client.get(f"/services/c/{open_activity.pk}/").status_code == 404
    assert client.get("/services/c/not-a-real-token/").status_code == 404
    assert len(open_activity.checkin_token) >= 20
    other = ActivityFactory(organizer=open_activity.organizer)
    assert other.checkin_token != open_activity.checkin_token


def test_the_check_in_page_is_public_and_not_cached(client, open_activity):
    response = client.get(open_activity.checkin_path())
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
