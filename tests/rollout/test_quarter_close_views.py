"""The pages of closed quarters: the list, a quarter's page, the close and reopen forms with
their confirmation, the re-issue button and the download of issued files, for every persona.

District staff close, reopen and download; supervisors read and download; an organisation
admin sees the states and numbers but gets 404 for a file (an issued report covers the whole
district) and 403 for the forms; leaders get 403 and the anonymous public the login page.
The clock is pinned to 5 January 2023 in Asia/Shanghai."""

from __future__ import annotations

import datetime
import zoneinfo
from urllib.parse import quote

import pytest
import time_machine
from django.urls import reverse

from organizations.models import AuditEntry
from rollout.models import IssuedReport, IssuedReportFile, QuarterClosing
from rollout.reports.closing import actions
from services import actions as ledger
from tests.services.factories import ActivityFactory, AttendanceFactory

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(datetime.datetime(2023, 1, 5, 10, tzinfo=SHANGHAI), tick=False):
        yield


@pytest.fixture
def lecture(jiangshan):
    activity = ActivityFactory(
        title="姜山十一月讲座",
        organizer=jiangshan.association,
        starts_at=datetime.datetime(2022, 11, 10, 9, tzinfo=SHANGHAI),
    )
    for _ in range(3):
        AttendanceFactory(activity=activity)
    return activity


@pytest.fixture
def issued(plan, district_user, lecture, wuxiang, django_capture_on_commit_callbacks) -> IssuedReport:
    with django_capture_on_commit_callbacks(execute=True):
        closing = actions.quarter_close(actor=district_user, quarter="2022Q4")
    return IssuedReport.objects.get(closing=closing)


def urls(code: str = "2022Q4") -> dict[str, str]:
    return {
        "list": reverse("reports:quarter_list"),
        "detail": reverse("reports:quarter_detail", args=[code]),
        "close": reverse("reports:quarter_close", args=[code]),
        "reopen": reverse("reports:quarter_reopen", args=[code]),
    }


def test_the_anonymous_public_is_sent_to_log_in(client, issued):
    file = issued.files.first()
    for url in [*urls().values(), reverse("reports:issued_download", args=[file.pk])]:
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url


def test_a_leader_gets_403_everywhere(client, leader_user, issued):
    client.force_login(leader_user)
    for url in urls().values():
        assert client.get(url).status_code == 403, url
    assert client.get(reverse("reports:issued_download", args=[issued.files.first().pk])).status_code == 403


def test_an_org_admin_sees_the_states_but_neither_files_nor_forms(client, jiangshan_admin, issued):
    client.force_login(jiangshan_admin)
    page = client.get(urls()["list"]).content.decode()
    assert 'data-quarter="2022Q4"' in page and 'data-state="closed"' in page
    assert urls()["close"] not in page and urls()["reopen"] not in page
    detail = client.get(urls()["detail"])
    body = detail.content.decode()
    assert detail.status_code == 200 and issued.reference in body
    assert "各单位管理员不能再修改本季度的活动" in body
    assert detail.context["comparison"] is None  # the district's figures are not theirs
    assert reverse("reports:issued_download", args=[issued.files.first().pk]) not in body
    for file in issued.files.all():
        assert client.get(reverse("reports:issued_download", args=[file.pk])).status_code == 404
    assert client.get(reverse("reports:issued_download", args=[999999])).status_code == 404
    assert client.get(urls()["reopen"]).status_code == 403
    assert client.post(urls()["reopen"], {"reason": "我要改"}).status_code == 403
    assert client.get(urls("2022Q3")["close"]).status_code == 403
    assert client.post(reverse("reports:quarter_issue", args=["2022Q4"])).status_code == 403
    assert QuarterClosing.objects.get().is_open


def test_a_supervisor_reads_and_downloads_but_does_not_close(client, supervisor_user, issued):
    client.force_login(supervisor_user)
    body = client.get(urls()["detail"]).content.decode()
    docx = issued.files.get(format="docx")
    assert reverse("reports:issued_download", args=[docx.pk]) in body
    assert "按现在的台账重新计算，与印发时一致。" in body
    response = client.get(reverse("reports:issued_download", args=[docx.pk]))
    assert response.status_code == 200
    assert quote(f"季度督查报告_2022Q4_{issued.reference}.docx") in response["Content-Disposition"]
    assert b"".join(response.streaming_content)[:2] == b"PK"
    assert client.get(urls("2022Q3")["close"]).status_code == 403
    assert client.post(urls()["reopen"], {"reason": "我要改一下"}).status_code == 403


def test_district_staff_close_with_confirmation(
    client, plan, district_user, lecture, django_capture_on_commit_callbacks
):
    client.force_login(district_user)
    page = client.get(urls()["list"]).content.decode()
    assert urls()["close"] in page and urls("2023Q1")["close"] not in page  # not the current one
    assert client.get(urls()["close"]).status_code == 200
    # Without the box ticked nothing happens.
    response = client.post(urls()["close"], {"note": "台账已核对"})
    assert response.status_code == 200 and "请勾选确认后再关闭" in response.content.decode()
    assert not QuarterClosing.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(urls()["close"], {"confirm": "on", "note": "台账已核对"})
    assert response.status_code == 302 and response["Location"] == urls()["detail"]
    issued = IssuedReport.objects.get()
    body = client.get(urls()["detail"]).content.decode()
    assert issued.reference in body and "台账已核对" in body
    assert (
        len(
            [
                f
                for f in IssuedReportFile.objects.all()
                if reverse("reports:issued_download", args=[f.pk]) in body
            ]
        )
        == 3
    )
    # The current quarter is refused with the reason on the form, not an error page.
    response = client.post(urls("2023Q1")["close"], {"confirm": "on"})
    assert response.status_code == 200 and "只能关闭已经结束的季度" in response.content.decode()
    # So is a second closing.
    response = client.post(urls()["close"], {"confirm": "on"})
    assert response.status_code == 200 and "该季度已关闭" in response.content.decode()


def test_district_staff_reopen_with_a_reason_and_see_the_differences(
    client, district_user, jiangshan_admin, jiangshan, issued, django_capture_on_commit_callbacks
):
    client.force_login(district_user)
    response = client.post(urls()["reopen"], {"reason": ""})
    assert response.status_code == 200 and QuarterClosing.objects.get().is_open
    response = client.post(urls()["reopen"], {"reason": "姜山镇补登漏报活动"})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="quarter_reopen", summary="姜山镇补登漏报活动").exists()
    data = {
        "title": "姜山十二月义诊",
        "kind": "free_clinic",
        "organizer": jiangshan.association,
        "region": jiangshan.association.home_region,
        "venue_kind": "village",
        "starts_at": datetime.datetime(2022, 12, 20, 9, tzinfo=SHANGHAI),
        "ends_at": datetime.datetime(2022, 12, 20, 11, tzinfo=SHANGHAI),
        "reported_participants": 20,
    }
    ledger.activity_create(actor=jiangshan_admin, data=data, held=True)
    page = client.get(urls()["detail"])
    body = page.content.decode()
    assert 'data-state="reopened"' in body and "姜山镇补登漏报活动" in body
    # The quarter's page compares the report issued with the ledger now.
    rows = {
        (d["section"], d["row"], d["column"]): (d["issued"], d["now"])
        for d in page.context["comparison"].differences
    }
    assert rows[("总体情况", "开展活动（场次）", "数值")] == ("1", "2")
    assert rows[("分单位情况", "姜山镇科协", "活动场次")] == ("1", "2")
    assert "开展活动（场次）" in body
    with django_capture_on_commit_callbacks(execute=True):
        client.post(urls()["close"], {"confirm": "on"})
    second = IssuedReport.objects.exclude(pk=issued.pk).get()
    body = client.get(urls()["detail"]).content.decode()
    assert second.reference in body and issued.reference in body
    assert "与前次印发的" in body


def test_a_report_not_yet_issued_can_be_queued_again(
    client, plan, district_user, lecture, django_capture_on_commit_callbacks
):
    actions.quarter_close(actor=district_user, quarter="2022Q4")  # its issue never ran
    client.force_login(district_user)
    body = client.get(urls()["detail"]).content.decode()
    assert "督查通报正在后台印发" in body
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:quarter_issue", args=["2022Q4"]))
    assert response.status_code == 302
    assert IssuedReport.objects.count() == 1
    assert client.post(reverse("reports:quarter_issue", args=["2021Q4"])).status_code == 404


def test_unknown_quarters_and_files_answer_404(client, district_user):
    client.force_login(district_user)
    assert client.get("/reports/quarters/2022Q5/").status_code == 404
    assert client.get(reverse("reports:issued_download", args=[424242])).status_code == 404


def test_the_reports_page_and_the_menu_link_to_the_quarters(
    client, supervisor_user, jiangshan_admin, leader_user
):
    for user, shown in ((supervisor_user, True), (jiangshan_admin, True), (leader_user, False)):
        client.force_login(user)
        home = client.get(reverse("home")).content.decode()
        assert (f'href="{reverse("reports:quarter_list")}"' in home) is shown
    client.force_login(supervisor_user)
    assert reverse("reports:quarter_list") in client.get(reverse("reports:list")).content.decode()


def test_the_quarter_list_takes_a_fixed_number_of_queries(
    client, plan, district_user, issued, django_assert_max_num_queries
):
    client.force_login(district_user)
    with django_assert_max_num_queries(12):
        assert client.get(urls()["list"]).status_code == 200
