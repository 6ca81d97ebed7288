"""Check-ins that race, on PostgreSQL (CI's database; skipped on SQLite, which serialises every
write and so cannot race): the same phone submitted twice at the same moment, once as typed and
once full width, is stored once, because the one-per-phone rule is the database's constraint
on the phone's keyed hash, not only the check made before the insert.

Each racer runs in a thread of its own, with its own database connection, and they are lined
up with a barrier after the check and just before the insert."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from organizations.models import Region
from organizations.reference import load_regions
from services import actions
from services.models import Activity, Attendance
from tests.needs import need_postgresql, race
from tests.services.factories import ActivityFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgresql():
    need_postgresql("the race tests need PostgreSQL (CI's database): set DATABASE_URL=postgres://…")
    # Transactional tests end with a flush that also empties the reference regions.
    load_regions(Region)


def test_the_same_phone_checked_in_twice_at_once_is_stored_once(jiangshan, monkeypatch):
    now = timezone.now()
    activity = ActivityFactory(
        organizer=jiangshan.association,
        status=Activity.Status.PLANNED,
        starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(hours=2),
    )
    barrier = threading.Barrier(2, timeout=30)
    manager = Attendance.objects
    create = manager.create

    def checked_then_wait(**kwargs):
        barrier.wait()  # both have found no check-in of this phone: now both insert
        return create(**kwargs)

    monkeypatch.setattr(manager, "create", checked_then_wait)
    typed = (
        "138 0574 1234",
        "\uff11\uff13\uff18\u3000\uff10\uff15\uff17\uff14\u3000\uff11\uff12\uff13\uff14",
    )
    results, errors = race(
        2, lambda index: actions.attendance_record(activity=activity, name="王小明", phone=typed[index])
    )
    assert len([result for result in results if result is not None]) == 1
    assert len(errors) == 1 and isinstance(errors[0], ValidationError)
    assert "该手机号码已签到过本次活动" in errors[0].messages[0]
    monkeypatch.undo()
    assert list(Attendance.objects.filter(activity=activity).values_list("phone", flat=True)) == [
        "13805741234"
    ]
