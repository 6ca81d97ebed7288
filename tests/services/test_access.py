"""Who may open which page of the service ledger: the URL access matrix.

Another organisation's admin gets 404 on every URL of an activity (exactly as for one that
does not exist), read-only users get 403 on every write, anonymous users are sent to log in.
"""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from services import actions
from tests.files import PNG
from tests.services.factories import AttendanceFactory, VolunteerServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(js_activity, jiangshan, district_user):
    """One of everything hanging off the 姜山 activity."""
    AttendanceFactory(activity=js_activity, name="王小明", phone="13700000001")
    service = VolunteerServiceFactory(activity=js_activity, person=jiangshan.member, team=jiangshan.team)
    evidence = actions.evidence_add(
        actor=district_user, activity=js_activity, upload=SimpleUploadedFile("photo.png", PNG), kind="photo"
    )
    return {"activity": js_activity, "service": service, "evidence": evidence, "team": jiangshan.team}


def read_urls(r) -> list[str]:
    a = r["activity"].pk
    return [
        reverse("services:activity_detail", args=[a]),
        reverse("services:activity_qr", args=[a]),
        reverse("services:activity_poster", args=[a]),
        reverse("services:attendee_list", args=[a]),
        reverse("services:attendance_count", args=[a]),
        reverse("services:evidence_file", args=[r["evidence"].pk]),
        reverse("services:team_record", args=[r["team"].pk]),
        reverse("services:volunteer_record", args=[r["service"].person_id]),
    ]


def write_urls(r) -> list[tuple[str, str]]:
    a = r["activity"].pk
    return [
        ("get", reverse("services:activity_edit", args=[a])),
        ("get", reverse("services:activity_transition", args=[a, "verified"])),
        ("post", reverse("services:activity_publish", args=[a])),
        ("get", reverse("services:evidence_add", args=[a])),
        ("post", reverse("services:evidence_delete", args=[r["evidence"].pk])),
        ("get", reverse("services:hours_enter", args=[a])),
        ("get", reverse("services:hours_correct", args=[r["service"].pk])),
        ("get", reverse("services:team_export", args=[r["team"].pk])),
    ]


def all_urls(r) -> list[tuple[str, str]]:
    return [("get", url) for url in read_urls(r)] + write_urls(r)


def test_another_towns_admin_gets_404_on_every_url(client, wuxiang_admin, records):
    client.force_login(wuxiang_admin)
    for method, url in all_urls(records):
        assert getattr(client, method)(url).status_code == 404, url


def test_missing_and_foreign_activities_look_the_same(client, wuxiang_admin, records):
    client.force_login(wuxiang_admin)
    pk = records["activity"].pk
    foreign = client.get(reverse("services:activity_detail", args=[pk]))
    missing = client.get(reverse("services:activity_detail", args=[999999]))
    assert foreign.status_code == missing.status_code == 404

    def page(response) -> str:
        body = re.sub(r"[A-Za-z0-9]{64}", "", response.content.decode())
        return re.sub(r"/activities/\d+/", "/activities/N/", body)

    assert page(foreign) == page(missing)


def test_the_own_admin_opens_every_url(client, jiangshan_admin, records):
    client.force_login(jiangshan_admin)
    for method, url in all_urls(records):
        response = getattr(client, method)(url)
        assert response.status_code == (302 if method == "post" else 200), url


def test_a_supervisor_reads_everything_and_changes_nothing(client, supervisor_user, records):
    client.force_login(supervisor_user)
    for url in read_urls(records):
        assert client.get(url).status_code == 200, url
    for method, url in write_urls(records):
        assert getattr(client, method)(url).status_code == 403, url


def test_a_leader_reads_the_activities_they_led_only(client, leader_user, records, wx_activity):
    client.force_login(leader_user)
    assert client.get(reverse("services:activity_detail", args=[records["activity"].pk])).status_code == 200
    assert client.get(reverse("services:activity_edit", args=[records["activity"].pk])).status_code == 200
    assert client.get(reverse("services:hours_correct", args=[records["service"].pk])).status_code == 403
    assert client.get(reverse("services:team_export", args=[records["team"].pk])).status_code == 403
    assert client.get(reverse("services:activity_detail", args=[wx_activity.pk])).status_code == 404


def test_anonymous_users_are_sent_to_login(client, records):
    urls = [url for _method, url in all_urls(records)]
    urls += [
        reverse("services:activity_list"),
        reverse("services:activity_calendar"),
        reverse("services:activity_add"),
        reverse("services:my_activities"),
        reverse("services:team_list"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url


def test_lists_never_show_another_towns_activities(client, jiangshan_admin, records, wx_activity):
    client.force_login(jiangshan_admin)
    for name in ("services:activity_list", "services:activity_calendar", "services:team_list"):
        body = client.get(reverse(name), {"month": wx_activity.starts_at.strftime("%Y-%m")}).content.decode()
        assert "五乡农技培训" not in body and "五乡镇科技志愿服务队" not in body, name
    body = client.get(
        reverse("services:activity_list"), {"organization": wx_activity.organizer_id}
    ).content.decode()
    assert "五乡农技培训" not in body


def test_a_co_organisers_admin_reads_but_cannot_change(client, wuxiang_admin, js_activity, wuxiang):
    js_activity.co_organizers.add(wuxiang.association)
    client.force_login(wuxiang_admin)
    assert client.get(reverse("services:activity_detail", args=[js_activity.pk])).status_code == 200
    assert client.get(reverse("services:activity_edit", args=[js_activity.pk])).status_code == 403


def test_attendee_phones_are_masked_for_the_organiser(client, jiangshan_admin, records):
    client.force_login(jiangshan_admin)
    for url in (
        reverse("services:attendee_list", args=[records["activity"].pk]),
        reverse("services:activity_detail", args=[records["activity"].pk]),
    ):
        body = client.get(url).content.decode()
        assert "137****0001" in body and "13700000001" not in body, url
