"""What attendees type into the public QR check-in form is normalised before the one-per-phone
rule is applied (sanhui/normalize.py): a full-width or +86 copy of a phone that already checked
in stores no second row; digits of other scripts are refused with a message."""

import datetime

import pytest
from django.utils import timezone

from services.models import Activity, Attendance, VolunteerService
from tests.services.factories import ActivityFactory

pytestmark = pytest.mark.django_db


def wide(ascii_text: str) -> str:
    """The full-width form of ASCII text, as a Chinese input method types it (space: U+3000)."""
    return "".join("\u3000" if char == " " else chr(ord(char) + 0xFEE0) for char in ascii_text)


@pytest.fixture
def open_activity(jiangshan):
    """An activity happening now, with the 姜山镇 team: started an hour ago, ends in two."""
    now = timezone.now()
    return ActivityFactory(
        organizer=jiangshan.association,
        status=Activity.Status.PLANNED,
        starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(hours=2),
        teams=[jiangshan.team],
    )


def check_in(client, activity, name: str, phone: str):
    data = {"name": name, "phone": phone, "consent": "on"}
    return client.post(activity.checkin_path(), data).content.decode()


def test_a_full_width_copy_of_a_phone_already_checked_in_stores_no_second_row(client, open_activity):
    assert "王小明，签到成功" in check_in(client, open_activity, "王小明", "138 0574 1234")
    for typed in (wide("138 0574 1234"), wide("+86 13805741234"), "0086-138-0574-1234"):
        assert "该手机号码已签到过本次活动" in check_in(client, open_activity, "王小明", typed)
    attendance = Attendance.objects.get(activity=open_activity)
    assert (attendance.name, attendance.phone) == ("王小明", "13805741234")


def test_a_name_typed_with_wide_spaces_is_stored_normalised(client, open_activity):
    check_in(client, open_activity, "\u3000王\u3000小明\u3000", "13905741234")
    assert Attendance.objects.get(activity=open_activity).name == "王 小明"


def test_digits_of_another_script_are_refused_with_a_message(client, open_activity):
    arabic = "".join(chr(0x0660 + int(digit)) for digit in "13805741234")
    body = check_in(client, open_activity, "王小明", arabic)
    assert "号码中含有无法识别的数字字符" in body
    assert not Attendance.objects.filter(activity=open_activity).exists()


def test_a_volunteer_is_recognised_by_a_full_width_phone(client, open_activity, jiangshan):
    member = jiangshan.member
    data = {"name": member.name, "phone": wide(member.phone), "consent": "on", "direction": "in"}
    body = client.post(open_activity.volunteer_checkin_path(), data).content.decode()
    assert "签到成功" in body
    assert VolunteerService.objects.filter(activity=open_activity, person=member).count() == 1


def test_check_in_works_while_the_shared_cache_is_unreachable(client, open_activity, settings):
    """The rate limit counts in Redis; with Redis down (here: a port nothing listens on) the
    public page lets the attendee through instead of answering 500."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    assert "王小明，签到成功" in check_in(client, open_activity, "王小明", "13805741234")
    assert Attendance.objects.filter(activity=open_activity).count() == 1
