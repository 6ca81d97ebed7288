"""Term reminders (换届): seats whose term ends within the window are listed for district staff,
and each organisation's admins are mailed once per seat and term end by a beat task."""

import datetime
import smtplib

import pytest
from django.core import mail
from django.urls import reverse

from organizations.models import Organization, RoleAssignment
from rollout import tasks
from rollout.models import TermReminder
from rollout.plan import selectors
from rollout.plan.actions import term_reminders
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_with_mail(jiangshan_admin):
    jiangshan_admin.email = "jiangshan@example.com"
    jiangshan_admin.save()
    return jiangshan_admin


@pytest.fixture
def ending(jiangshan, today):
    """Two seats of the 姜山镇 association whose term ends within 90 days, one that ends later."""
    soon = f.SeatFactory(
        organization=jiangshan.association,
        person=f.PersonFactory(name="将届满委员"),
        term_start=datetime.date(2022, 1, 1),
        term_end=today + datetime.timedelta(days=30),
    )
    last_day = f.SeatFactory(
        organization=jiangshan.association,
        person=f.PersonFactory(name="第九十天届满"),
        position="standing_member",
        term_start=datetime.date(2022, 1, 1),
        term_end=today + datetime.timedelta(days=90),
    )
    later = f.SeatFactory(
        organization=jiangshan.association,
        person=f.PersonFactory(name="明年届满"),
        term_start=datetime.date(2022, 1, 1),
        term_end=today + datetime.timedelta(days=120),
    )
    return {"soon": soon, "last_day": last_day, "later": later}


def send(organization: Organization, **kwargs) -> int:
    return term_reminders.term_reminder_send(organization_id=organization.pk, **kwargs)


def test_each_seat_is_reminded_once_per_window(admin_with_mail, jiangshan, ending):
    assert send(jiangshan.association) == 2
    assert len(mail.outbox) == 1
    assert set(TermReminder.objects.values_list("seat_id", flat=True)) == {
        ending["soon"].pk,
        ending["last_day"].pk,
    }
    # A second run, and a third, send nothing.
    assert send(jiangshan.association) == 0
    assert send(jiangshan.association) == 0
    assert len(mail.outbox) == 1


def test_the_mail_is_in_chinese_and_links_to_the_seats(admin_with_mail, jiangshan, ending, settings):
    settings.SANHUI_SITE_URL = "https://sanhui.example.gov.cn"
    send(jiangshan.association)
    message = mail.outbox[0]
    assert message.to == ["jiangshan@example.com"]
    assert message.subject == "【换届提醒】姜山镇科协有 2 个领导机构职务任期即将届满"
    body = message.body
    assert "姜山镇科协管理员" in body and "90 天内届满" in body
    assert "委员：将届满委员" in body and "常委：第九十天届满" in body
    assert f"任期至 {ending['soon'].term_end:%Y-%m-%d}" in body
    assert f"https://sanhui.example.gov.cn/seats/{ending['soon'].pk}/" in body
    assert "明年届满" not in body


def test_a_new_term_end_is_reminded_again(admin_with_mail, jiangshan, ending, today):
    send(jiangshan.association)
    seat = ending["soon"]
    seat.term_end = today + datetime.timedelta(days=60)
    seat.save()
    assert send(jiangshan.association) == 1
    assert TermReminder.objects.filter(seat=seat).count() == 2
    assert "将届满委员" in mail.outbox[-1].body and "第九十天届满" not in mail.outbox[-1].body


def test_the_window_is_a_setting(admin_with_mail, jiangshan, ending, settings):
    settings.SANHUI_TERM_REMINDER_DAYS = 10
    assert send(jiangshan.association) == 0
    settings.SANHUI_TERM_REMINDER_DAYS = 150
    assert send(jiangshan.association) == 3


def test_seats_already_ended_are_not_reminded(admin_with_mail, jiangshan, today):
    f.SeatFactory(
        organization=jiangshan.association,
        term_start=datetime.date(2020, 1, 1),
        term_end=today - datetime.timedelta(days=1),
    )
    assert send(jiangshan.association) == 0


def test_recipients_are_the_admins_over_the_organisation(jiangshan, wuxiang, admin_with_mail, today):
    below = f.OrganizationFactory(parent=jiangshan.association, name="姜山下属协会")
    own = f.UserFactory(username="below-admin", email="below@example.com")
    f.assign(own, RoleAssignment.Role.ORG_ADMIN, organization=below)
    for username, email, active in (("no-mail", "", True), ("gone", "gone@example.com", False)):
        user = f.UserFactory(username=username, email=email, is_active=active)
        f.assign(user, RoleAssignment.Role.ORG_ADMIN, organization=below)
    other = f.UserFactory(username="wuxiang-mail", email="wuxiang@example.com")
    f.assign(other, RoleAssignment.Role.ORG_ADMIN, organization=wuxiang.association)
    staff = f.UserFactory(username="staff-mail", email="staff@example.com")
    f.assign(staff, RoleAssignment.Role.DISTRICT_STAFF)
    assert selectors.term_reminder_recipients(below) == ["below@example.com", "jiangshan@example.com"]
    assert selectors.term_reminder_recipients(jiangshan.association) == ["jiangshan@example.com"]
    f.SeatFactory(
        organization=below, term_start=datetime.date(2022, 1, 1), term_end=today + datetime.timedelta(days=5)
    )
    assert send(below) == 1
    assert sorted(message.to[0] for message in mail.outbox) == ["below@example.com", "jiangshan@example.com"]


def test_nothing_is_recorded_when_nobody_can_be_told(jiangshan_admin, jiangshan, ending):
    # The admin has no e-mail address yet: the reminder waits until one is entered.
    assert send(jiangshan.association) == 0
    assert not TermReminder.objects.exists() and mail.outbox == []
    jiangshan_admin.email = "later@example.com"
    jiangshan_admin.save()
    assert send(jiangshan.association) == 2


def test_a_failing_mail_server_records_nothing(admin_with_mail, jiangshan, ending, monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend

    def refuse(self, messages):
        raise smtplib.SMTPServerDisconnected("connection lost")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        send(jiangshan.association)
    assert not TermReminder.objects.exists()
    monkeypatch.undo()
    assert send(jiangshan.association) == 2


def test_dissolved_organisations_are_left_out(admin_with_mail, jiangshan, ending, today):
    dissolved = f.OrganizationFactory(status="dissolved")
    f.SeatFactory(
        organization=dissolved,
        term_start=datetime.date(2022, 1, 1),
        term_end=today + datetime.timedelta(days=3),
    )
    due = selectors.organizations_due_term_reminder(on=today, days=90)
    assert due == [jiangshan.association.pk]


def test_the_beat_task_reminds_every_organisation_once(
    admin_with_mail, wuxiang_admin, jiangshan, wuxiang, ending, today, django_capture_on_commit_callbacks
):
    wuxiang_admin.email = "wuxiang@example.com"
    wuxiang_admin.save()
    f.SeatFactory(
        organization=wuxiang.association,
        term_start=datetime.date(2022, 1, 1),
        term_end=today + datetime.timedelta(days=7),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_term_reminders.delay().get() == 2
    assert sorted(message.to[0] for message in mail.outbox) == [
        "jiangshan@example.com",
        "wuxiang@example.com",
    ]
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_term_reminders.delay().get() == 0
    assert len(mail.outbox) == 2


def test_the_schedule_runs_the_task_daily(settings):
    from celery.schedules import crontab

    from sanhui.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["rollout-term-reminders"]
    assert entry["task"] == "rollout.tasks.send_term_reminders"
    assert entry["task"] in app.tasks
    assert isinstance(entry["schedule"], crontab)
    assert tasks.send_term_reminder.acks_late and tasks.send_term_reminder.time_limit


# --------------------------------------------------------------------------- the page


def test_district_staff_see_the_seats_and_who_was_reminded(
    client, district_user, admin_with_mail, jiangshan, ending
):
    send(jiangshan.association)
    ending["soon"].term_end = ending["soon"].term_end + datetime.timedelta(days=1)
    ending["soon"].save()
    client.force_login(district_user)
    response = client.get(reverse("rollout:term_list"))
    rows = {row.seat.person.name: row for row in response.context["rows"]}
    assert set(rows) == {"将届满委员", "第九十天届满"}
    assert rows["第九十天届满"].reminded_at is not None
    # Its term end changed since: a new reminder is due.
    assert rows["将届满委员"].reminded_at is None and rows["将届满委员"].has_recipients
    assert rows["将届满委员"].days_left == 31
    body = response.content.decode()
    assert "已提醒" in body and "待提醒" in body
    wider = client.get(reverse("rollout:term_list"), {"days": 150})
    assert "明年届满" in wider.content.decode()
    bad = client.get(reverse("rollout:term_list"), {"days": "-3"})
    assert bad.status_code == 200 and bad.context["days"] == 90


def test_the_page_says_when_nobody_can_be_reminded(client, district_user, jiangshan, ending):
    client.force_login(district_user)
    body = client.get(reverse("rollout:term_list")).content.decode()
    assert "没有登记邮箱的管理员" in body


def test_district_staff_send_the_pending_reminders_now(
    client, district_user, admin_with_mail, jiangshan, ending, django_capture_on_commit_callbacks
):
    client.force_login(district_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("rollout:term_send"))
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and TermReminder.objects.count() == 2


def test_supervisors_see_the_list_but_do_not_send(client, supervisor_user, jiangshan, ending):
    client.force_login(supervisor_user)
    response = client.get(reverse("rollout:term_list"))
    assert response.status_code == 200 and reverse("rollout:term_send") not in response.content.decode()
    assert client.post(reverse("rollout:term_send")).status_code == 403
