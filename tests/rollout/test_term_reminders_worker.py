"""The term reminders through a real Celery worker on Redis: the beat task fans out one task
per organisation, and running it twice mails nobody twice."""

import datetime

import pytest
from django.core import mail

from organizations.models import Region, RoleAssignment
from organizations.reference import load_regions
from rollout import tasks
from rollout.models import TermReminder
from tests import factories as f
from tests.rollout.celery_helpers import forget_celery_connections


@pytest.fixture
def regions(transactional_db):
    # Transactional tests end with a flush that also empties the reference regions.
    load_regions(Region)


@pytest.fixture
def worker(request, regions):
    # Tasks run eagerly earlier in this process left connections the worker must not use.
    forget_celery_connections()
    yield request.getfixturevalue("celery_worker")
    forget_celery_connections()


def test_a_real_worker_sends_each_reminder_once(worker, today):
    association = f.OrganizationFactory(
        name="测试镇科协", kind="town_association", home_region=f.region("横溪镇")
    )
    admin = f.UserFactory(username="hengxi", email="hengxi@example.com")
    f.assign(admin, RoleAssignment.Role.ORG_ADMIN, organization=association)
    seat = f.SeatFactory(
        organization=association,
        term_start=datetime.date(2022, 1, 1),
        term_end=today + datetime.timedelta(days=20),
    )
    assert tasks.send_term_reminder.delay(association.pk).get(timeout=30) == 1
    assert tasks.send_term_reminder.delay(association.pk).get(timeout=30) == 0
    assert [message.to for message in mail.outbox] == [["hengxi@example.com"]]
    assert TermReminder.objects.get().seat_id == seat.pk
