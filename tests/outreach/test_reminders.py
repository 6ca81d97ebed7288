"""Themed-day reminders: who is reminded, when, once a year, and through a real Celery worker."""

import datetime
import time

import pytest
from django.core import mail
from django.utils import timezone

from organizations.models import Region
from organizations.reference import load_regions
from outreach import actions, selectors
from outreach.models import ThemedDay, ThemedDayReminder
from outreach.reference import load_themed_days
from tests import factories as f
from tests.services.factories import ActivityFactory

D = datetime.date
EYE_DAY_2025 = D(2025, 6, 6)
ON = D(2025, 5, 27)  # ten days before 全国爱眼日


@pytest.fixture
def eye_day(db):
    return ThemedDay.objects.get(name="全国爱眼日")


@pytest.fixture
def admins(jiangshan_admin, wuxiang_admin):
    for user, email in ((jiangshan_admin, "js@example.org"), (wuxiang_admin, "wx@example.org")):
        user.email = email
        user.save()
    return jiangshan_admin, wuxiang_admin


def due_orgs(themed_day, on=ON, days=14):
    return {org for day, org, _year in selectors.reminders_due(on=on, days=days) if day == themed_day.pk}


def test_organisations_with_nothing_registered_are_due(eye_day, admins, jiangshan, wuxiang):
    assert due_orgs(eye_day) == {jiangshan.association.pk, wuxiang.association.pk}
    assert due_orgs(eye_day, on=D(2025, 5, 20)) == set(), "more than 14 days ahead"
    assert due_orgs(eye_day, on=D(2025, 6, 7)) == set(), "the day has passed"


def test_an_activity_tagged_with_the_day_counts_as_registered(eye_day, admins, jiangshan, wuxiang):
    activity = ActivityFactory(
        organizer=jiangshan.association,
        status="planned",
        starts_at=timezone.make_aware(datetime.datetime(2025, 6, 6, 9)),
    )
    eye_day.activities.add(activity)
    assert due_orgs(eye_day) == {wuxiang.association.pk}
    # Last year's activity does not register this year's day.
    activity.starts_at = timezone.make_aware(datetime.datetime(2024, 6, 6, 9))
    activity.ends_at = activity.starts_at + datetime.timedelta(hours=2)
    activity.save()
    assert jiangshan.association.pk in due_orgs(eye_day)


def test_a_grassroots_association_below_the_town_registers_for_it(eye_day, admins, jiangshan, wuxiang):
    health = f.OrganizationFactory(
        kind="grassroots_association",
        category="life_health",
        parent=jiangshan.association,
        home_region=jiangshan.association.home_region,
    )
    activity = ActivityFactory(
        organizer=health, starts_at=timezone.make_aware(datetime.datetime(2025, 6, 6, 9))
    )
    eye_day.activities.add(activity)
    assert due_orgs(eye_day) == {wuxiang.association.pk}


def test_a_cancelled_activity_does_not_count(eye_day, admins, jiangshan, wuxiang):
    activity = ActivityFactory(
        organizer=jiangshan.association,
        status="cancelled",
        starts_at=timezone.make_aware(datetime.datetime(2025, 6, 6, 9)),
    )
    eye_day.activities.add(activity)
    assert jiangshan.association.pk in due_orgs(eye_day)


def test_organisations_out_of_programme_scope_are_skipped(eye_day, admins, jiangshan, wuxiang):
    Region.objects.filter(pk=wuxiang.association.home_region_id).update(in_scope=False)
    assert due_orgs(eye_day) == {jiangshan.association.pk}


def test_a_category_day_skips_grassroots_associations_of_other_categories(eye_day, admins, jiangshan):
    farm = f.OrganizationFactory(
        kind="grassroots_association", category="production", home_region=jiangshan.association.home_region
    )
    clinic = f.OrganizationFactory(
        kind="grassroots_association", category="life_health", home_region=jiangshan.association.home_region
    )
    for org in (farm, clinic):
        f.assign(f.UserFactory(email=f"{org.code}@example.org"), "org_admin", organization=org)
    assert eye_day.suggested_category == "life_health"
    found = due_orgs(eye_day)
    assert clinic.pk in found and farm.pk not in found


def test_the_mail_goes_to_the_admins_once_a_year(eye_day, admins, jiangshan, wuxiang, settings):
    settings.SANHUI_SITE_URL = "https://sanhui.example.gov.cn"
    second = f.UserFactory(username="js2", email="js2@example.org")
    f.assign(second, "org_admin", organization=jiangshan.association)
    f.assign(f.UserFactory(username="js3", email=""), "org_admin", organization=jiangshan.association)
    reminder = actions.themed_day_reminder_send(
        themed_day_id=eye_day.pk, organization_id=jiangshan.association.pk, year=2025
    )
    assert reminder is not None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == ["js2@example.org", "js@example.org"]
    assert "全国爱眼日" in message.subject and "2025-06-06" in message.subject
    assert f"https://sanhui.example.gov.cn/outreach/themed-days/{eye_day.pk}/2025/" in message.body
    assert (
        actions.themed_day_reminder_send(
            themed_day_id=eye_day.pk, organization_id=jiangshan.association.pk, year=2025
        )
        is None
    )
    assert len(mail.outbox) == 1
    assert ThemedDayReminder.objects.filter(organization=jiangshan.association, year=2025).count() == 1
    assert jiangshan.association.pk not in due_orgs(eye_day)


def test_no_mail_and_no_record_without_an_address(eye_day, jiangshan_admin, jiangshan):
    assert (
        actions.themed_day_reminder_send(
            themed_day_id=eye_day.pk, organization_id=jiangshan.association.pk, year=2025
        )
        is None
    )
    assert mail.outbox == [] and not ThemedDayReminder.objects.exists()


def test_a_failed_mail_leaves_no_record_so_a_retry_sends_it(eye_day, admins, jiangshan, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr(actions, "send_mail", broken)
    with pytest.raises(OSError):
        actions.themed_day_reminder_send(
            themed_day_id=eye_day.pk, organization_id=jiangshan.association.pk, year=2025
        )
    assert not ThemedDayReminder.objects.exists()


def test_scheduling_queues_one_task_per_organisation_after_commit(
    eye_day, admins, jiangshan, wuxiang, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queued = actions.themed_day_reminders_schedule(on=ON)
    eye_day_due = {org for day, org, _ in selectors.reminders_due(on=ON, days=14) if day == eye_day.pk}
    assert eye_day_due == {jiangshan.association.pk, wuxiang.association.pk}
    assert queued == len(callbacks) >= 2


@pytest.fixture
def reference_data(transactional_db):
    """Worker tests run outside a test transaction and end with a flush that also empties the
    reference tables; put them back."""
    load_regions(Region)
    load_themed_days(ThemedDay)


def test_the_daily_task_reminds_through_a_real_worker(
    celery_worker, reference_data, admins, jiangshan, wuxiang, settings
):
    from outreach.tasks import send_themed_day_reminders

    # A themed day five days from now: due today, whatever the date the test runs on.
    soon = timezone.localdate() + datetime.timedelta(days=5)
    ThemedDay.objects.update(is_active=False)
    day = ThemedDay.objects.create(name="测试主题日", rule=f"fixed:{soon:%m-%d}", days=1)
    registered = ActivityFactory(
        organizer=wuxiang.association,
        status="planned",
        starts_at=timezone.make_aware(datetime.datetime.combine(soon, datetime.time(9))),
    )
    day.activities.add(registered)

    send_themed_day_reminders.delay()
    deadline = time.monotonic() + 30
    while not (ThemedDayReminder.objects.exists() and mail.outbox) and time.monotonic() < deadline:
        time.sleep(0.2)
    reminder = ThemedDayReminder.objects.get()
    assert (reminder.themed_day, reminder.organization, reminder.year) == (
        day,
        jiangshan.association,
        soon.year,
    )
    assert [m.to for m in mail.outbox] == [["js@example.org"]]
    # The next day's run finds nothing left to send.
    assert actions.themed_day_reminders_schedule() == 0
