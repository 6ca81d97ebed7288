"""Large list exports, built in the background: past ``SANHUI_EXPORT_SYNC_ROWS`` rows the export
is recorded (ExportFile), built by its Celery task (in process here) as the user who asked, shown
on its page with its progress and a download, listed under 我的导出, kept for
``SANHUI_EXPORT_KEEP_DAYS`` days, and never shown to anyone else."""

from __future__ import annotations

import datetime
import io
import zoneinfo

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from openpyxl import load_workbook

from organizations.exports import actions as export_actions
from organizations.exports.tasks import build_export, prune_export_files
from organizations.models import AuditEntry, ExportFile, RoleAssignment
from tests import factories as f

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def many_people(jiangshan):
    """Five more members of 姜山镇科协 (seven people with 姜山会员 and 姜山院长)."""
    for name in ("甲一", "乙二", "丙三", "丁四", "戊五"):
        f.MembershipFactory(person=f.PersonFactory(name=name), organization=jiangshan.association)


def _request_export(client, django_capture_on_commit_callbacks, query: str = "format=xlsx"):
    url = reverse("organizations:list_export", args=["people"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(f"{url}?{query}")
    return response


def test_a_large_export_is_built_in_the_background(
    client, settings, jiangshan_admin, many_people, django_capture_on_commit_callbacks
):
    settings.SANHUI_EXPORT_SYNC_ROWS = 3
    client.force_login(jiangshan_admin)
    response = _request_export(client, django_capture_on_commit_callbacks, "sort=-name&format=xlsx")
    export = ExportFile.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "organizations:export_detail", args=[export.pk]
    )
    assert (export.list_key, export.format, export.query, export.created_by) == (
        "people",
        "xlsx",
        "sort=-name",
        jiangshan_admin,
    )
    assert export.status == ExportFile.Status.DONE
    assert (export.progress_done, export.progress_total) == (7, 7)
    page = client.get(response.url).content.decode()
    assert reverse("organizations:export_download", args=[export.pk]) in page and "下载" in page
    assert "hx-get" not in page  # finished: no more polling
    download = client.get(reverse("organizations:export_download", args=[export.pk]))
    rows = list(load_workbook(io.BytesIO(b"".join(download.streaming_content))).active.values)
    shown = client.get(reverse("organizations:person_list") + "?sort=-name").context["page"]
    assert [row[0] for row in rows[1:]] == [person.name for person in shown]
    assert len(rows) == 8
    assert client.get(reverse("organizations:export_list")).content.decode().count(export.get_absolute_url())


def test_a_running_export_page_polls_and_shows_its_progress(client, jiangshan_admin, jiangshan):
    export = ExportFile.objects.create(
        list_key="people",
        format="csv",
        created_by=jiangshan_admin,
        status=ExportFile.Status.RUNNING,
        progress_done=1000,
        progress_total=2500,
    )
    client.force_login(jiangshan_admin)
    page = client.get(export.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 2s"' in page and "已写 1000 / 2500 行" in page
    block = client.get(export.get_absolute_url(), headers={"HX-Request": "true"}).content.decode()
    assert block.lstrip().startswith('<div id="export-status"') and "<html" not in block
    assert client.get(reverse("organizations:export_download", args=[export.pk])).status_code == 404


def test_a_full_background_export_is_audited_once_and_keeps_the_numbers(
    client, settings, jiangshan_admin, many_people, jiangshan, django_capture_on_commit_callbacks
):
    settings.SANHUI_EXPORT_SYNC_ROWS = 3
    client.force_login(jiangshan_admin)
    url = reverse("organizations:list_export", args=["people"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"query": "", "format": "csv", "full": "on", "reason": "向区科协报送名单"})
    export = ExportFile.objects.get()
    assert export.full and export.reason == "向区科协报送名单"
    body = export.file.open("rb").read().decode("utf-8-sig")
    assert jiangshan.member.phone in body
    entry = AuditEntry.objects.get(action="people_export_full")
    assert entry.changes["count"] == 7


def test_the_task_reads_the_scope_when_it_runs(client, settings, jiangshan_admin, many_people):
    """An admin who has lost their role by the time the export is built gets no rows."""
    export = ExportFile.objects.create(list_key="people", format="csv", full=True, created_by=jiangshan_admin)
    RoleAssignment.objects.filter(user=jiangshan_admin).delete()
    from organizations.scoping import forget_scope

    forget_scope(jiangshan_admin)
    assert build_export.delay(export.pk).get() == ExportFile.Status.FAILED
    export.refresh_from_db()
    assert export.status == ExportFile.Status.FAILED and not export.file
    assert export.error == "你已无权导出完整号码。"


def test_a_second_delivery_builds_nothing_twice(jiangshan_admin, many_people):
    export = ExportFile.objects.create(list_key="people", format="csv", created_by=jiangshan_admin)
    assert export_actions.export_build(export_id=export.pk) == ExportFile.Status.DONE
    export.refresh_from_db()
    name = export.file.name
    assert export_actions.export_build(export_id=export.pk) == ExportFile.Status.DONE
    export.refresh_from_db()
    assert export.file.name == name


def test_another_users_export_is_not_found(client, jiangshan_admin, wuxiang_admin, district_user, jiangshan):
    export = ExportFile.objects.create(
        list_key="people", format="csv", created_by=jiangshan_admin, status=ExportFile.Status.DONE
    )
    export.file.save("people.csv", ContentFile(b"\xef\xbb\xbf"), save=True)
    for user in (wuxiang_admin, district_user):
        client.force_login(user)
        assert client.get(export.get_absolute_url()).status_code == 404
        assert client.get(reverse("organizations:export_download", args=[export.pk])).status_code == 404
        assert (
            export.get_absolute_url() not in client.get(reverse("organizations:export_list")).content.decode()
        )
    client.force_login(jiangshan_admin)
    assert client.get(reverse("organizations:export_download", args=[export.pk])).status_code == 200


def test_anonymous_users_are_sent_to_login(client, jiangshan_admin):
    export = ExportFile.objects.create(list_key="people", format="csv", created_by=jiangshan_admin)
    for url in (
        reverse("organizations:export_list"),
        export.get_absolute_url(),
        reverse("organizations:export_download", args=[export.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_exports_past_the_keeping_period_are_deleted(settings, jiangshan_admin):
    settings.SANHUI_EXPORT_KEEP_DAYS = 7
    now = datetime.datetime(2026, 11, 29, 4, 10, tzinfo=SHANGHAI)
    old = ExportFile.objects.create(
        list_key="people",
        format="csv",
        created_by=jiangshan_admin,
        created_at=now - datetime.timedelta(days=8),
    )
    old.file.save("old.csv", ContentFile(b"old"), save=True)
    kept = ExportFile.objects.create(
        list_key="people",
        format="csv",
        created_by=jiangshan_admin,
        created_at=now - datetime.timedelta(days=6),
    )
    kept.file.save("kept.csv", ContentFile(b"kept"), save=True)
    with time_machine.travel(now, tick=False):
        assert prune_export_files.delay().get() == 1
    assert list(ExportFile.objects.all()) == [kept]
    assert not default_storage.exists(old.file.name) and default_storage.exists(kept.file.name)


def test_the_prune_runs_daily_from_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["organizations-prune-export-files"]
    assert entry["task"] == "organizations.exports.tasks.prune_export_files"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({4}, {10})
