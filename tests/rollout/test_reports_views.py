"""Report pages: access for each persona, the request form, status polling, download, re-run,
the nav link, and a list whose query count does not grow with the runs."""

import datetime
import io
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from rollout.models import ReportRun
from rollout.reports import actions
from tests.rollout import reports_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(jiangshan, wuxiang):
    return reports_world.build(jiangshan, wuxiang)


def make_run(user, **kwargs) -> ReportRun:
    params = {"kind": "supervision", "period": "2022Q4", "fmt": "xlsx", **kwargs}
    return actions.report_request(actor=user, **params)


def built(user, **kwargs) -> ReportRun:
    run = make_run(user, **kwargs)
    actions.report_build(run_id=run.pk)
    run.refresh_from_db()
    return run


def run_urls(run) -> list[str]:
    return [reverse(f"reports:{name}", args=[run.pk]) for name in ("detail", "status", "download")]


def test_anonymous_users_are_sent_to_login(client, supervisor_user):
    run = make_run(supervisor_user)
    for url in [reverse("reports:list"), reverse("reports:request"), *run_urls(run)]:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"], url
    response = client.post(reverse("reports:rerun", args=[run.pk]))
    assert response.status_code == 302 and "/login" in response["Location"]
    assert ReportRun.objects.count() == 1


def test_leaders_and_users_without_a_role_may_not_report(client, leader_user, supervisor_user):
    run = make_run(supervisor_user)
    client.force_login(leader_user)
    for url in [reverse("reports:list"), reverse("reports:request"), *run_urls(run)]:
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("reports:rerun", args=[run.pk])).status_code == 403


def test_another_organisations_admin_gets_404(client, world, jiangshan_admin, wuxiang_admin):
    run = built(jiangshan_admin)
    client.force_login(wuxiang_admin)
    for url in run_urls(run):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("reports:rerun", args=[run.pk])).status_code == 404
    assert run.pk not in [r.pk for r in client.get(reverse("reports:list")).context["page"]]
    assert ReportRun.objects.count() == 1


def test_an_org_admin_sees_only_their_own_runs(client, world, jiangshan_admin, supervisor_user):
    mine = make_run(jiangshan_admin)
    theirs = make_run(supervisor_user)
    system = actions.report_request(actor=None, kind="supervision", period="2022Q4", fmt="pdf")
    client.force_login(jiangshan_admin)
    assert [run.pk for run in client.get(reverse("reports:list")).context["page"]] == [mine.pk]
    for run in (theirs, system):
        assert client.get(reverse("reports:detail", args=[run.pk])).status_code == 404


@pytest.mark.parametrize("persona", ["district_user", "supervisor_user"])
def test_district_staff_and_supervisors_see_every_run(client, request, world, jiangshan_admin, persona):
    user = request.getfixturevalue(persona)
    mine = make_run(jiangshan_admin)
    system = actions.report_request(actor=None, kind="supervision", period="2022Q4", fmt="pdf")
    client.force_login(user)
    page = client.get(reverse("reports:list"))
    assert {run.pk for run in page.context["page"]} == {mine.pk, system.pk}
    content = page.content.decode()
    assert "系统（定时）" in content
    assert "本人管理的全部组织" in content and "全区" in content  # the scope of each run
    assert client.get(reverse("reports:detail", args=[mine.pk])).status_code == 200


def test_a_supervisor_requests_a_report_and_downloads_it(
    client, world, supervisor_user, django_capture_on_commit_callbacks
):
    client.force_login(supervisor_user)
    form = client.get(reverse("reports:request") + "?kind=coverage")
    assert form.status_code == 200 and form.context["form"]["kind"].value() == "coverage"
    data = {"kind": "supervision", "period_type": "quarter", "quarter": "2022Q4", "format": "xlsx"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:request"), data)
    run = ReportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == run.get_absolute_url()
    run.refresh_from_db()
    assert run.status == "done" and run.requested_by == supervisor_user  # tasks run eagerly in tests
    # The same request again leads to the same run.
    assert client.post(reverse("reports:request"), data)["Location"] == run.get_absolute_url()
    assert ReportRun.objects.count() == 1

    detail = client.get(run.get_absolute_url()).content.decode()
    assert reverse("reports:download", args=[run.pk]) in detail
    assert 'hx-trigger="every 2s"' not in detail  # finished: no more polling
    download = client.get(reverse("reports:download", args=[run.pk]))
    assert download["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert quote("季度督查报告_2022Q4.xlsx") in download["Content-Disposition"]
    assert download["Content-Disposition"].startswith("attachment")
    workbook = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert "分单位情况" in workbook.sheetnames


def test_a_custom_period_and_an_organisation_can_be_chosen(client, world, district_user, wuxiang):
    client.force_login(district_user)
    data = {
        "kind": "coverage",
        "period_type": "custom",
        "start": "2022-07-01",
        "end": "2022-12-31",
        "organization": wuxiang.association.pk,
        "format": "csv",
    }
    client.post(reverse("reports:request"), data)
    run = ReportRun.objects.get()
    assert run.parameters == {
        "period": "2022-07-01..2022-12-31",
        "format": "csv",
        "organization": "TA-WX",
        "requester": district_user.pk,
        "scope": "organization",
    }
    # A CSV report is a ZIP of one CSV file per section.
    assert actions.report_file_name(run) == "覆盖情况报表_五乡镇科协_2022-07-01至2022-12-31.zip"


def test_bad_input_shows_chinese_errors_and_makes_no_run(client, world, jiangshan_admin, wuxiang):
    client.force_login(jiangshan_admin)
    form = client.get(reverse("reports:request")).context["form"]
    choices = set(form.fields["organization"].queryset.values_list("code", flat=True))
    assert "TA-JS" in choices and "TA-WX" not in choices
    response = client.post(
        reverse("reports:request"),
        {
            "kind": "supervision",
            "period_type": "custom",
            "start": "2022-12-31",
            "end": "2022-10-01",
            "organization": wuxiang.association.pk,
            "format": "xlsx",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "结束日期不能早于开始日期。" in errors["end"]
    assert "organization" in errors
    assert not ReportRun.objects.exists()


def test_the_status_block_polls_until_the_run_is_finished(client, world, supervisor_user):
    run = make_run(supervisor_user)
    client.force_login(supervisor_user)
    status = client.get(reverse("reports:status", args=[run.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in status and "排队中" in status and "<html" not in status
    assert client.get(reverse("reports:download", args=[run.pk])).status_code == 404  # not built yet
    actions.report_build(run_id=run.pk)
    status = client.get(reverse("reports:status", args=[run.pk])).content.decode()
    assert 'hx-trigger="every 2s"' not in status and "已完成" in status
    assert reverse("reports:download", args=[run.pk]) in status


def test_a_failed_run_shows_its_error(client, supervisor_user):
    run = make_run(supervisor_user)
    ReportRun.objects.filter(pk=run.pk).update(status="failed", error="生成失败：磁盘已满")
    client.force_login(supervisor_user)
    assert "生成失败：磁盘已满" in client.get(reverse("reports:status", args=[run.pk])).content.decode()


def test_rerun_queues_a_fresh_run_for_the_viewer(client, world, jiangshan_admin, supervisor_user):
    run = built(jiangshan_admin)
    client.force_login(supervisor_user)
    response = client.post(reverse("reports:rerun", args=[run.pk]))
    fresh = ReportRun.objects.exclude(pk=run.pk).get()
    assert response["Location"] == fresh.get_absolute_url()
    assert fresh.requested_by == supervisor_user and fresh.parameters["period"] == "2022Q4"
    assert client.get(reverse("reports:rerun", args=[run.pk])).status_code == 405


@pytest.mark.parametrize(
    ("persona", "shown"),
    [("district_user", True), ("supervisor_user", True), ("jiangshan_admin", True), ("leader_user", False)],
)
def test_the_nav_link_is_shown_to_those_who_report(client, request, persona, shown):
    client.force_login(request.getfixturevalue(persona))
    page = client.get(reverse("home")).content.decode()
    assert (f'href="{reverse("reports:list")}"' in page) is shown


def test_the_list_query_count_does_not_grow_with_the_runs(
    client, world, supervisor_user, jiangshan_admin, wuxiang
):
    def grow(n):
        for i in range(n):
            day = datetime.date(2022, 1, 1) + datetime.timedelta(days=i + ReportRun.objects.count())
            make_run(jiangshan_admin, period=f"{day.isoformat()}..{day.isoformat()}")
            make_run(
                supervisor_user,
                period=f"{day.isoformat()}..{day.isoformat()}",
                organization=wuxiang.association,
            )

    def count(user):
        client.force_login(user)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("reports:list")).status_code == 200
        return len(captured)

    grow(2)
    small = (count(supervisor_user), count(jiangshan_admin))
    grow(15)
    assert (count(supervisor_user), count(jiangshan_admin)) == small


def test_staff_can_read_report_runs_in_the_admin(client, db):
    from django.contrib.auth import get_user_model

    admin_user = get_user_model().objects.create_superuser("root", "root@example.org", "pw-for-tests-1")
    client.force_login(admin_user)
    response = client.get("/admin/rollout/reportrun/")
    assert response.status_code == 200
