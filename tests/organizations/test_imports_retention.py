"""What an import keeps of the file's personal data, and for how long: the stored file and the
content of the rows go SANHUI_IMPORT_KEEP_DAYS (30) after the batch finished, a batch checked
and never committed is given up as long after its check, and the batch record stays. Also the
phone and ID numbers on a batch's rows, in full or masked by who looks.

The clock is pinned (time-machine) to 1 March 2026, 10:00 in Asia/Shanghai, when the files are
uploaded; the prune runs a minute either side of thirty days later.
"""

from __future__ import annotations

import datetime
import zoneinfo
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from organizations.imports import actions
from organizations.imports.models import ImportBatch, ImportRow
from organizations.imports.tasks import prune_import_files
from organizations.models import Person, RoleAssignment
from organizations.scoping import Scope
from tests import factories as f
from tests.organizations.test_imports_members import MEMBER_HEADER, csv_file, upload

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
UPLOADED = datetime.datetime(2026, 3, 1, 10, 0, tzinfo=SHANGHAI)
# 30 days after the upload (the batches below finish at the upload's minute).
EDGE = UPLOADED + datetime.timedelta(days=30)
MINUTE = datetime.timedelta(minutes=1)

# Row 2 is good, row 3 has a bad phone number: one new, one error.
ROWS = [
    ["王新", "13600000011", "330212198001011238", "", "", ""],
    ["李新", "1360000", "", "", "", ""],
]


def _batch(jiangshan, jiangshan_admin, *, commit: bool) -> ImportBatch:
    with time_machine.travel(UPLOADED, tick=False):
        batch = upload(jiangshan_admin, jiangshan.association, csv_file(MEMBER_HEADER, ROWS))
        if commit:
            batch = actions.import_commit(actor=jiangshan_admin, batch=batch, background=False)
    return batch


def _stored(batch: ImportBatch) -> Path:
    return Path(batch.file.path)


def _prune_at(moment: datetime.datetime) -> int:
    with time_machine.travel(moment, tick=False):
        return actions.import_files_prune()


def test_a_committed_import_keeps_its_file_and_rows_until_thirty_days_after(jiangshan, jiangshan_admin):
    batch = _batch(jiangshan, jiangshan_admin, commit=True)
    assert batch.status == ImportBatch.Status.COMMITTED
    stored = _stored(batch)
    assert stored.exists()

    assert _prune_at(EDGE - MINUTE) == 0

    batch.refresh_from_db()
    assert stored.exists() and batch.file and batch.pruned_at is None
    assert batch.rows.get(number=2).raw["手机号码"] == "13600000011"

    assert _prune_at(EDGE + MINUTE) == 1

    batch.refresh_from_db()
    assert not stored.exists()
    assert not batch.file
    assert batch.pruned_at == EDGE + MINUTE
    rows = list(batch.rows.order_by("number").values("number", "outcome", "raw", "values", "errors"))
    assert rows == [
        {"number": 2, "outcome": ImportRow.Outcome.NEW, "raw": {}, "values": {}, "errors": {}},
        {"number": 3, "outcome": ImportRow.Outcome.ERROR, "raw": {}, "values": {}, "errors": {}},
    ]
    # The record of the import stays.
    assert batch.status == ImportBatch.Status.COMMITTED
    assert (batch.file_name, batch.total_rows, batch.new_count, batch.error_count) == ("会员.csv", 2, 1, 1)
    assert len(batch.checksum) == 64 and batch.created_by == jiangshan_admin
    # A second run finds nothing more to remove.
    assert _prune_at(EDGE + 2 * MINUTE) == 0


def test_a_batch_left_checked_is_given_up_after_thirty_days(jiangshan, jiangshan_admin):
    batch = _batch(jiangshan, jiangshan_admin, commit=False)
    stored = _stored(batch)

    assert _prune_at(EDGE - MINUTE) == 0
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CHECKED and stored.exists()

    assert _prune_at(EDGE + MINUTE) == 1

    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DISCARDED
    assert batch.message == "检查后超过 30 天未确认导入，已自动放弃，未写入任何数据。"
    assert batch.finished_at == batch.pruned_at == EDGE + MINUTE
    assert not stored.exists()
    assert [row.raw for row in batch.rows.order_by("number")] == [{}, {}]
    with pytest.raises(ValidationError, match="只有检查完成"):
        actions.import_commit(actor=jiangshan_admin, batch=batch, background=False)


def test_a_discarded_and_a_failed_batch_count_from_when_they_finished(jiangshan, jiangshan_admin):
    discarded = _batch(jiangshan, jiangshan_admin, commit=False)
    failed = _batch(jiangshan, jiangshan_admin, commit=False)
    ten_days_later = UPLOADED + datetime.timedelta(days=10)
    with time_machine.travel(ten_days_later, tick=False):
        actions.import_discard(actor=jiangshan_admin, batch=discarded)
    # A commit that failed ten days after the upload (how it failed is the commit's tests).
    ImportBatch.objects.filter(pk=failed.pk).update(
        status=ImportBatch.Status.FAILED, finished_at=ten_days_later, message="第 2 行：……"
    )
    failed_file = _stored(failed)

    assert _prune_at(EDGE + MINUTE) == 0
    assert failed_file.exists()

    assert _prune_at(EDGE + datetime.timedelta(days=10) + MINUTE) == 2

    discarded.refresh_from_db()
    failed.refresh_from_db()
    assert discarded.pruned_at is not None and failed.pruned_at is not None
    assert not failed_file.exists()
    assert failed.status == ImportBatch.Status.FAILED
    assert failed.message == "导入失败，未写入任何数据。失败原因引用了文件内容，已随文件一并删除。"
    assert [row.raw for row in failed.rows.all()] == [{}, {}]


def test_the_keeping_period_is_a_setting(jiangshan, jiangshan_admin, settings):
    settings.SANHUI_IMPORT_KEEP_DAYS = 7
    batch = _batch(jiangshan, jiangshan_admin, commit=True)
    week = UPLOADED + datetime.timedelta(days=7)
    assert _prune_at(week - MINUTE) == 0
    assert _prune_at(week + MINUTE) == 1
    batch.refresh_from_db()
    assert batch.details["kept_days"] == 7


def test_the_page_of_a_pruned_batch_says_so_and_offers_no_rejected_rows(client, jiangshan, jiangshan_admin):
    batch = _batch(jiangshan, jiangshan_admin, commit=True)
    client.force_login(jiangshan_admin)
    rejected = reverse("organizations:import_rejected", args=[batch.pk])
    with time_machine.travel(EDGE - MINUTE, tick=False):
        page = client.get(batch.get_absolute_url(), {"outcome": "all"}).content.decode()
        assert 'id="import-rejected"' in page and 'id="import-pruned"' not in page
        assert client.get(rejected).status_code == 200

    _prune_at(EDGE + MINUTE)

    with time_machine.travel(EDGE + 2 * MINUTE, tick=False):
        response = client.get(batch.get_absolute_url(), {"outcome": "all"})
        page = response.content.decode()
        assert response.status_code == 200
        assert 'id="import-pruned"' in page
        assert "已于 2026-03-31 删除（导入结束 30 天后）" in page
        assert 'id="import-rejected"' not in page
        assert "13600000011" not in page and "王新" not in page
        assert 'data-row="2"' in page and 'data-row="3"' in page
        assert client.get(rejected).status_code == 404


def test_the_prune_runs_daily_from_celery_beat(settings, jiangshan, jiangshan_admin):
    entry = settings.CELERY_BEAT_SCHEDULE["organizations-prune-import-files"]
    assert entry["task"] == "organizations.imports.tasks.prune_import_files"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({4}, {20})
    _batch(jiangshan, jiangshan_admin, commit=True)
    with time_machine.travel(EDGE + MINUTE, tick=False):
        assert prune_import_files.delay().get() == 1


# --------------------------------------------------------------------------- numbers on the page


def test_an_admin_sees_the_rows_numbers_in_full(client, jiangshan, jiangshan_admin):
    batch = _batch(jiangshan, jiangshan_admin, commit=False)
    client.force_login(jiangshan_admin)
    page = client.get(batch.get_absolute_url(), {"outcome": "all"}).content.decode()
    assert "13600000011" in page and "330212198001011238" in page


def test_a_viewer_who_may_not_see_numbers_in_full_sees_them_masked(
    client, jiangshan, jiangshan_admin, monkeypatch
):
    """Only those who may see numbers in full open the page today (district staff and the
    organisation's admins); should the page ever open to another reader, the numbers are
    masked for them."""
    batch = _batch(jiangshan, jiangshan_admin, commit=False)
    monkeypatch.setattr(Scope, "can_see_full_personal_data", lambda scope: False)
    client.force_login(jiangshan_admin)
    page = client.get(batch.get_absolute_url(), {"outcome": "all"}).content.decode()
    assert "13600000011" not in page and "330212198001011238" not in page
    assert "136****0011" in page and "330212********1238" in page
    # The bad number of row 3, masked as any other.
    assert "136****0000" in page and ">1360000<" not in page


def test_another_organisations_admin_gets_404_for_the_batch(client, jiangshan, wuxiang, jiangshan_admin):
    batch = _batch(jiangshan, jiangshan_admin, commit=False)
    other = f.UserFactory(username="wuxiang-admin")
    f.assign(other, RoleAssignment.Role.ORG_ADMIN, organization=wuxiang.association)
    client.force_login(other)
    assert client.get(batch.get_absolute_url()).status_code == 404


@pytest.mark.parametrize(
    "status", [ImportBatch.Status.QUEUED, ImportBatch.Status.CHECKING, ImportBatch.Status.COMMITTING]
)
def test_a_batch_whose_task_was_lost_is_marked_failed_a_day_later(jiangshan, jiangshan_admin, status):
    batch = _batch(jiangshan, jiangshan_admin, commit=False)  # checked at UPLOADED
    ImportBatch.objects.filter(pk=batch.pk).update(status=status)
    day = datetime.timedelta(days=1)

    _prune_at(UPLOADED + day - MINUTE)
    batch.refresh_from_db()
    assert batch.status == status  # a slow task still has time

    _prune_at(UPLOADED + day + MINUTE)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED
    assert batch.message == "后台任务中断，导入未能完成，未写入任何数据。请重新上传。"
    assert batch.finished_at == UPLOADED + day + MINUTE
    assert batch.pruned_at is None and _stored(batch).exists()  # kept as long as any finished batch
    assert not Person.objects.filter(name="王新").exists()
    assert _prune_at(UPLOADED + day + datetime.timedelta(days=30) + 2 * MINUTE) == 1
