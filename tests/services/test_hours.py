"""Volunteer hours: the arithmetic, check-in and check-out by QR code, and admins' entries and
corrections with their history."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from organizations.models import AuditEntry
from services import actions
from services.models import Activity, VolunteerHoursChange, VolunteerService, hours_served
from tests import factories as f
from tests.services.factories import ActivityFactory, VolunteerServiceFactory

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2022, 5, 21, 8, 50, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("minutes", "hours"),
    [
        (0, "0.00"),
        (14, "0.00"),
        (15, "0.25"),
        (29, "0.25"),
        (60, "1.00"),
        (134, "2.00"),
        (135, "2.25"),
        (8 * 60 + 59, "8.75"),
    ],
)
def test_hours_are_whole_quarter_hours_rounded_down(minutes, hours):
    assert hours_served(T0, T0 + datetime.timedelta(minutes=minutes)) == Decimal(hours)


def test_hours_never_go_negative():
    assert hours_served(T0, T0 - datetime.timedelta(hours=1)) == Decimal("0.00")


def test_hours_across_midnight_and_time_zones():
    check_in = timezone.make_aware(datetime.datetime(2022, 9, 17, 22, 30))
    check_out = datetime.datetime(2022, 9, 17, 16, 0, tzinfo=datetime.UTC)  # 00:00 on the 18th in Shanghai
    assert hours_served(check_in, check_out) == Decimal("1.50")


@pytest.fixture
def now_activity(jiangshan):
    now = timezone.now()
    return ActivityFactory(
        organizer=jiangshan.association,
        status=Activity.Status.PLANNED,
        starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(hours=2),
    )


def test_a_volunteer_checks_in_and_out_and_gets_the_hours(now_activity, jiangshan):
    volunteer = jiangshan.member  # in the 姜山 team
    start = timezone.now() - datetime.timedelta(minutes=5)
    service = actions.volunteer_check_in(
        activity=now_activity, name=volunteer.name, phone=volunteer.phone, now=start
    )
    assert service.team == jiangshan.team and service.hours is None
    with pytest.raises(ValidationError, match="您已签到"):
        actions.volunteer_check_in(
            activity=now_activity, name=volunteer.name, phone=volunteer.phone, now=start
        )
    service = actions.volunteer_check_out(
        activity=now_activity,
        name=volunteer.name,
        phone=volunteer.phone,
        now=start + datetime.timedelta(minutes=100),
    )
    assert service.hours == Decimal("1.50")
    with pytest.raises(ValidationError, match="您已签退"):
        actions.volunteer_check_out(activity=now_activity, name=volunteer.name, phone=volunteer.phone)


def test_check_out_without_check_in_is_refused(now_activity, jiangshan):
    with pytest.raises(ValidationError, match="尚未签到"):
        actions.volunteer_check_out(
            activity=now_activity, name=jiangshan.member.name, phone=jiangshan.member.phone
        )


def test_only_volunteers_of_the_organisers_teams_are_recognised(now_activity, jiangshan, wuxiang):
    with pytest.raises(ValidationError, match="未找到"):
        actions.volunteer_check_in(
            activity=now_activity, name=wuxiang.member.name, phone=wuxiang.member.phone
        )
    with pytest.raises(ValidationError, match="未找到"):
        # The right phone with another name does not identify the volunteer.
        actions.volunteer_check_in(activity=now_activity, name="冒名者", phone=jiangshan.member.phone)
    now_activity.co_organizers.add(wuxiang.association)
    service = actions.volunteer_check_in(
        activity=now_activity, name=wuxiang.member.name, phone=wuxiang.member.phone
    )
    assert service.team == wuxiang.team


def test_the_volunteer_page_checks_in_and_out(client, now_activity, jiangshan):
    url = now_activity.volunteer_checkin_path()
    data = {"name": jiangshan.member.name, "phone": jiangshan.member.phone, "consent": "on"}
    body = client.post(url, data | {"direction": "in"}).content.decode()
    assert "签到成功" in body
    body = client.post(url, data | {"direction": "out"}).content.decode()
    assert "签退成功" in body and "本次记录志愿服务时长" in body
    service = VolunteerService.objects.get(activity=now_activity, person=jiangshan.member)
    assert service.checked_out_at is not None and service.hours is not None


def test_an_admin_enters_hours_for_a_volunteer_without_qr(jiangshan_admin, js_activity, jiangshan):
    service = actions.volunteer_hours_enter(
        actor=jiangshan_admin,
        activity=js_activity,
        person=jiangshan.member,
        hours="3.5",
        reason="纸质签到补录",
    )
    assert service.hours == Decimal("3.50") and service.source == VolunteerService.Source.ENTERED
    change = VolunteerHoursChange.objects.get(service=service)
    assert (change.old_hours, change.new_hours, change.actor, change.reason) == (
        None,
        Decimal("3.50"),
        jiangshan_admin,
        "纸质签到补录",
    )


def test_an_admin_corrects_hours_and_the_change_is_kept(jiangshan_admin, js_activity, jiangshan):
    service = VolunteerServiceFactory(
        activity=js_activity, person=jiangshan.member, team=jiangshan.team, hours=2
    )
    actions.volunteer_hours_correct(
        actor=jiangshan_admin, service=service, hours=Decimal("2.75"), reason="签退漏扫"
    )
    service.refresh_from_db()
    assert service.hours == Decimal("2.75") and service.source == VolunteerService.Source.CORRECTED
    change = service.changes.get()
    assert (change.old_hours, change.new_hours) == (Decimal("2.00"), Decimal("2.75"))
    audit = AuditEntry.objects.get(action="volunteer_hours_change")
    assert audit.changes == {"hours": ["2.00", "2.75"]}


@pytest.mark.parametrize(
    ("hours", "reason", "field"),
    [("-1", "x", "hours"), ("25", "x", "hours"), ("abc", "x", "hours"), ("2", " ", "reason")],
)
def test_bad_corrections_are_refused(jiangshan_admin, js_activity, jiangshan, hours, reason, field):
    service = VolunteerServiceFactory(activity=js_activity, person=jiangshan.member, team=jiangshan.team)
    with pytest.raises(ValidationError) as error:
        actions.volunteer_hours_correct(actor=jiangshan_admin, service=service, hours=hours, reason=reason)
    assert field in error.value.error_dict
    assert not VolunteerHoursChange.objects.exists()


def test_only_admins_correct_hours(leader_user, wuxiang_admin, supervisor_user, js_activity, jiangshan):
    service = VolunteerServiceFactory(activity=js_activity, person=jiangshan.member, team=jiangshan.team)
    for actor in (leader_user, wuxiang_admin, supervisor_user):
        with pytest.raises(PermissionDenied):
            actions.volunteer_hours_correct(actor=actor, service=service, hours=1, reason="改")


def test_the_correction_page_shows_the_history(client, jiangshan_admin, js_activity, jiangshan):
    service = VolunteerServiceFactory(
        activity=js_activity, person=jiangshan.member, team=jiangshan.team, hours=2
    )
    client.force_login(jiangshan_admin)
    url = reverse("services:hours_correct", args=[service.pk])
    response = client.post(url, {"hours": "1.5", "reason": "提前离场"})
    assert response.status_code == 302
    body = client.get(url).content.decode()
    assert "提前离场" in body and "2.00" in body and "1.50" in body


def test_the_entry_page_lists_eligible_volunteers_only(
    client, jiangshan_admin, js_activity, jiangshan, wuxiang
):
    client.force_login(jiangshan_admin)
    body = client.get(reverse("services:hours_enter", args=[js_activity.pk])).content.decode()
    assert jiangshan.member.name in body and wuxiang.member.name not in body
    outsider = f.PersonFactory(name="队外人员")
    f.MembershipFactory(person=outsider, organization=jiangshan.association)
    response = client.post(
        reverse("services:hours_enter", args=[js_activity.pk]),
        {"person": outsider.pk, "hours": "2", "reason": "补录"},
    )
    assert response.status_code == 200
    assert not VolunteerService.objects.filter(person=outsider).exists()
