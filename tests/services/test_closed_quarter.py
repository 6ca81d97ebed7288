"""The ledger lock of a closed quarter: every write to an activity, its check-ins, volunteer
hours and evidence goes through ``services.ledger_lock.ledger_guard``. Organisation admins and
the public check-in pages are refused with a Chinese message; district staff may correct, and
each correction leaves an audit entry. Which quarter an activity belongs to is decided by its
start in Asia/Shanghai (a day starts at 16:00 UTC).

The clock is pinned to 5 January 2023, 10:00 in Asia/Shanghai: 2022Q4 is over and can be
closed; 2023Q1 is the current quarter."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from organizations.models import AuditEntry
from rollout.reports.closing import actions as closing
from services import actions
from services.ledger_lock import ledger_guard
from services.models import Activity, Attendance, Evidence, VolunteerService
from tests.files import PNG
from tests.services.factories import ActivityFactory, VolunteerServiceFactory

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2023, 1, 5, 10, 0, tzinfo=SHANGHAI)
LOCKED = "2022Q4 已关闭"


def shanghai(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def q4_activity(jiangshan):
    """A held lecture of 姜山镇 on 10 November 2022, with its team."""
    return ActivityFactory(
        title="姜山十一月讲座",
        organizer=jiangshan.association,
        starts_at=shanghai(2022, 11, 10, 9),
        teams=[jiangshan.team],
        leaders=[jiangshan.leader],
    )


@pytest.fixture
def closed_q4(district_user):
    return closing.quarter_close(actor=district_user, quarter="2022Q4")


def upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("photo.png", PNG)


# Every guarded write, as (name, call(actor, activity, town)).
def _update(actor, activity, town):
    return actions.activity_update(actor=actor, activity=activity, data={"title": "姜山十一月讲座（更正）"})


def _transition(actor, activity, town):
    return actions.activity_transition(actor=actor, activity=activity, to_status=Activity.Status.VERIFIED)


def _evidence_add(actor, activity, town):
    return actions.evidence_add(actor=actor, activity=activity, upload=upload())


def _evidence_delete(actor, activity, town):
    evidence = Evidence.objects.create(activity=activity, kind="photo", original_name="a.png", file="x/a.png")
    return actions.evidence_delete(actor=actor, evidence=evidence)


def _hours_enter(actor, activity, town):
    return actions.volunteer_hours_enter(
        actor=actor, activity=activity, person=town.member, hours="2.5", reason="补录服务时长"
    )


def _hours_correct(actor, activity, town):
    service = VolunteerServiceFactory(activity=activity, person=town.member, team=town.team, hours=2)
    return actions.volunteer_hours_correct(actor=actor, service=service, hours="3", reason="更正签退时间")


def _create(actor, activity, town):
    data = {
        "title": "姜山补登讲座",
        "kind": "free_clinic",
        "organizer": town.association,
        "region": town.association.home_region,
        "venue_kind": "village",
        "starts_at": shanghai(2022, 12, 20, 9),
        "ends_at": shanghai(2022, 12, 20, 11),
    }
    return actions.activity_create(actor=actor, data=data, held=True)


GUARDED = {
    "activity_create": _create,
    "activity_update": _update,
    "activity_transition": _transition,
    "evidence_add": _evidence_add,
    "evidence_delete": _evidence_delete,
    "volunteer_hours_enter": _hours_enter,
    "volunteer_hours_correct": _hours_correct,
}


@pytest.fixture
def reported(q4_activity):
    # Verification needs a participant count.
    Activity.objects.filter(pk=q4_activity.pk).update(reported_participants=30)
    q4_activity.refresh_from_db()
    return q4_activity


@pytest.mark.parametrize("write", GUARDED, ids=list(GUARDED))
def test_an_org_admin_is_refused_in_a_closed_quarter(write, jiangshan_admin, jiangshan, reported, closed_q4):
    before = (Activity.objects.count(), Evidence.objects.count(), VolunteerService.objects.count())
    with pytest.raises(ValidationError) as error:
        GUARDED[write](jiangshan_admin, reported, jiangshan)
    assert error.value.code == "period_closed"
    assert LOCKED in " ".join(error.value.messages)
    assert "如需更正，请联系区科协" in " ".join(error.value.messages)
    reported.refresh_from_db()
    assert reported.title == "姜山十一月讲座" and reported.status == Activity.Status.HELD
    # Nothing half-written (the evidence row made by the arrangement is rolled back with it).
    after = (Activity.objects.count(), Evidence.objects.count(), VolunteerService.objects.count())
    assert after[0] == before[0] and after[2] <= before[2] + (1 if write == "volunteer_hours_correct" else 0)


@pytest.mark.parametrize("write", GUARDED, ids=list(GUARDED))
def test_district_staff_correct_a_closed_quarter_and_the_correction_is_audited(
    write, district_user, jiangshan, reported, closed_q4
):
    GUARDED[write](district_user, reported, jiangshan)
    corrections = AuditEntry.objects.filter(action="closed_period_correction", actor=district_user)
    assert corrections.count() == 1
    entry = corrections.get()
    assert entry.changes == {"periods": ["2022Q4"], "write": write}
    assert entry.object_type == "services.activity"


@pytest.mark.parametrize("write", GUARDED, ids=list(GUARDED))
def test_an_org_admin_writes_as_before_in_an_open_quarter(write, jiangshan_admin, jiangshan, reported):
    GUARDED[write](jiangshan_admin, reported, jiangshan)
    assert not AuditEntry.objects.filter(action="closed_period_correction").exists()


def test_a_reopened_quarter_is_open_to_org_admins_again(
    jiangshan_admin, district_user, jiangshan, reported, closed_q4
):
    with pytest.raises(ValidationError):
        _update(jiangshan_admin, reported, jiangshan)
    closing.quarter_reopen(actor=district_user, quarter="2022Q4", reason="姜山镇补登漏报活动")
    _update(jiangshan_admin, reported, jiangshan)
    reported.refresh_from_db()
    assert reported.title == "姜山十一月讲座（更正）"


def test_an_activity_cannot_be_moved_into_or_out_of_a_closed_quarter(jiangshan_admin, jiangshan, closed_q4):
    january = ActivityFactory(organizer=jiangshan.association, starts_at=shanghai(2023, 1, 2, 9))
    into = {"starts_at": shanghai(2022, 12, 30, 9), "ends_at": shanghai(2022, 12, 30, 11)}
    with pytest.raises(ValidationError) as error:
        actions.activity_update(actor=jiangshan_admin, activity=january, data=into)
    assert error.value.code == "period_closed"
    november = ActivityFactory(organizer=jiangshan.association, starts_at=shanghai(2022, 11, 3, 9))
    out = {"starts_at": shanghai(2023, 1, 3, 9), "ends_at": shanghai(2023, 1, 3, 11)}
    with pytest.raises(ValidationError):
        actions.activity_update(actor=jiangshan_admin, activity=november, data=out)


@pytest.mark.parametrize(
    ("starts_at", "locked"),
    [
        # 31 December 23:30 in Shanghai is 15:30 UTC: the last evening of 2022Q4.
        (datetime.datetime(2022, 12, 31, 15, 30, tzinfo=datetime.UTC), True),
        # 16:00 UTC on 31 December is midnight in Shanghai: 1 January, 2023Q1.
        (datetime.datetime(2022, 12, 31, 16, 0, tzinfo=datetime.UTC), False),
        (datetime.datetime(2022, 12, 31, 16, 30, tzinfo=datetime.UTC), False),
        # 1 October 00:00 in Shanghai is 16:00 UTC on 30 September: the first moment of 2022Q4.
        (datetime.datetime(2022, 9, 30, 16, 0, tzinfo=datetime.UTC), True),
        (datetime.datetime(2022, 9, 30, 15, 59, tzinfo=datetime.UTC), False),
        (shanghai(2022, 10, 1, 0, 0), True),
        (shanghai(2023, 1, 1, 0, 0), False),
    ],
)
def test_the_quarter_is_the_day_in_shanghai(starts_at, locked, jiangshan_admin, jiangshan, closed_q4):
    activity = ActivityFactory(organizer=jiangshan.association, starts_at=starts_at)
    if locked:
        with pytest.raises(ValidationError):
            ledger_guard(actor=jiangshan_admin, activity=activity, write="activity_update")
    else:
        ledger_guard(actor=jiangshan_admin, activity=activity, write="activity_update")


def test_the_public_check_in_pages_are_closed_too(jiangshan, q4_activity, closed_q4):
    during = q4_activity.starts_at + datetime.timedelta(minutes=30)
    member = jiangshan.member
    with pytest.raises(ValidationError) as error:
        actions.attendance_record(activity=q4_activity, name="张三", phone="13800001234", now=during)
    assert "已关闭，不能再签到或签退" in " ".join(error.value.messages)
    with pytest.raises(ValidationError):
        actions.volunteer_check_in(activity=q4_activity, name=member.name, phone=member.phone, now=during)
    VolunteerServiceFactory(
        activity=q4_activity, person=member, team=jiangshan.team, checked_out_at=None, hours=None
    )
    with pytest.raises(ValidationError):
        actions.volunteer_check_out(activity=q4_activity, name=member.name, phone=member.phone, now=during)
    assert not Attendance.objects.exists()


def test_the_public_check_in_is_open_before_the_closing(jiangshan, q4_activity):
    during = q4_activity.starts_at + datetime.timedelta(minutes=30)
    actions.attendance_record(activity=q4_activity, name="张三", phone="13800001234", now=during)
    assert Attendance.objects.count() == 1


def test_the_edit_form_shows_the_message_not_an_error_page(
    client, jiangshan_admin, jiangshan, reported, closed_q4
):
    client.force_login(jiangshan_admin)
    url = reverse("services:activity_edit", args=[reported.pk])
    data = {
        "title": "姜山十一月讲座（更正）",
        "kind": reported.kind,
        "organizer": jiangshan.association.pk,
        "region": reported.region_id,
        "venue_kind": reported.venue_kind,
        "venue": reported.venue,
        "starts_at": "2022-11-10T09:00",
        "ends_at": "2022-11-10T11:00",
        "planned_participants": "50",
        "leaders": [jiangshan.leader.pk],
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert LOCKED in response.content.decode()
    response = client.post(reverse("services:activity_transition", args=[reported.pk, "verified"]), {})
    assert response.status_code in (200, 302)
    reported.refresh_from_db()
    assert reported.status == Activity.Status.HELD
    response = client.post(
        reverse("services:evidence_add", args=[reported.pk]),
        {"kind": "photo", "caption": "", "file": upload()},
    )
    assert response.status_code == 200 and LOCKED in response.content.decode()


@pytest.mark.parametrize("write", GUARDED, ids=list(GUARDED))
@pytest.mark.parametrize("closed", [False, True], ids=["open", "closed"])
def test_another_organisations_admin_is_refused_by_scope_either_way(
    write, closed, request, wuxiang_admin, jiangshan, reported
):
    """The lock changes nothing for outsiders: their scope refuses them (403, or "not your
    organisation" on the form), whether or not the quarter is closed."""
    if closed:
        request.getfixturevalue("closed_q4")
    with pytest.raises((PermissionDenied, ValidationError)) as error:
        GUARDED[write](wuxiang_admin, reported, jiangshan)
    if isinstance(error.value, ValidationError):
        assert "organizer" in error.value.error_dict  # activity_create: someone else's organiser
    reported.refresh_from_db()
    assert reported.title == "姜山十一月讲座" and reported.status == Activity.Status.HELD


def test_another_organisations_admin_still_gets_no_page(client, wuxiang_admin, reported, closed_q4):
    client.force_login(wuxiang_admin)
    assert client.get(reverse("services:activity_edit", args=[reported.pk])).status_code in (403, 404)
