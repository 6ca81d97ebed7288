"""The commit of an import: all accepted rows or none, once; who may import into which
organisation and open which batch; the Celery path for large files."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.urls import reverse

from organizations import actions as org_actions
from organizations.imports import actions
from organizations.imports.models import ImportBatch
from organizations.imports.tasks import import_commit_task
from organizations.models import AuditEntry, Membership, Person
from tests.organizations.test_imports_members import MEMBER_HEADER, upload, xlsx_file


def three_rows():
    return xlsx_file(
        MEMBER_HEADER,
        [
            ["孙一", "13600000101", "", "", "", ""],
            ["孙二", "13600000102", "", "", "", ""],
            ["孙三", "13600000103", "", "", "", ""],
        ],
    )


def test_a_row_that_fails_at_commit_leaves_nothing_written(
    jiangshan, wuxiang, jiangshan_admin, wuxiang_admin
):
    batch = upload(jiangshan_admin, jiangshan.association, three_rows())
    assert batch.new_count == 3
    people, memberships, entries = (
        Person.objects.count(),
        Membership.objects.count(),
        AuditEntry.objects.count(),
    )
    # Meanwhile 五乡镇 registers the third row's phone for someone else.
    org_actions.person_register(
        actor=wuxiang_admin, organization=wuxiang.association, name="别人", phone="13600000103"
    )

    batch = actions.import_commit(actor=jiangshan_admin, batch=batch, background=False)

    assert batch.status == ImportBatch.Status.FAILED
    assert batch.message.startswith("第 4 行：")
    assert "别人" not in batch.message and "五乡" not in batch.message
    assert Person.objects.count() == people + 1  # only 五乡镇's own registration
    assert Membership.objects.count() == memberships + 1
    assert not Person.objects.filter(name__in=["孙一", "孙二", "孙三"]).exists()
    assert (
        not AuditEntry.objects.filter(action__in=["import_commit", "person_register"], pk__gt=entries)
        .exclude(actor=wuxiang_admin)
        .exists()
    )
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED
    assert sorted(batch.rows.values_list("outcome", flat=True)) == ["new", "new", "new"]


def test_a_batch_is_committed_once(jiangshan, jiangshan_admin):
    batch = upload(jiangshan_admin, jiangshan.association, three_rows())
    actions.import_commit(actor=jiangshan_admin, batch=batch, background=False)
    stale = ImportBatch.objects.get(pk=batch.pk)
    stale.status = ImportBatch.Status.CHECKED  # a second click, from a page loaded before
    again = actions.import_commit(actor=jiangshan_admin, batch=stale, background=False)
    assert again.status == ImportBatch.Status.COMMITTED
    assert Person.objects.filter(name__in=["孙一", "孙二", "孙三"]).count() == 3
    assert AuditEntry.objects.filter(action="import_commit").count() == 1


def test_another_organisation_is_refused_as_target(jiangshan, wuxiang, jiangshan_admin, client):
    with pytest.raises(PermissionDenied):
        upload(jiangshan_admin, wuxiang.association, three_rows())
    client.force_login(jiangshan_admin)
    response = client.post(
        reverse("organizations:import_new"),
        {"kind": "people", "organization": wuxiang.association.pk, "file": three_rows()},
    )
    assert response.status_code == 200
    assert "organization" in response.context["form"].errors
    assert not ImportBatch.objects.exists()
    assert not Person.objects.filter(name="孙一").exists()


@pytest.mark.parametrize("name", ["import_detail", "import_progress", "import_rejected"])
def test_another_admin_cannot_open_the_batch(jiangshan, jiangshan_admin, wuxiang_admin, client, name):
    batch = upload(
        jiangshan_admin, jiangshan.association, xlsx_file(MEMBER_HEADER, [["", "1", "", "", "", ""]])
    )
    client.force_login(wuxiang_admin)
    assert client.get(reverse(f"organizations:{name}", args=[batch.pk])).status_code == 404


@pytest.mark.parametrize("name", ["import_commit", "import_discard"])
def test_another_admin_cannot_commit_or_discard(jiangshan, jiangshan_admin, wuxiang_admin, client, name):
    batch = upload(jiangshan_admin, jiangshan.association, three_rows())
    client.force_login(wuxiang_admin)
    assert client.post(reverse(f"organizations:{name}", args=[batch.pk])).status_code == 404
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CHECKED
    assert not Person.objects.filter(name="孙一").exists()


def test_a_leader_and_a_supervisor_do_not_import(leader_user, supervisor_user, client):
    for user in (leader_user, supervisor_user):
        client.force_login(user)
        assert client.get(reverse("organizations:import_list")).status_code == 403
        assert client.get(reverse("organizations:import_new")).status_code == 403


def test_the_upload_and_commit_through_the_pages(jiangshan, jiangshan_admin, client):
    # One file, uploaded twice: an XLSX built again a second later differs in its timestamps.
    content = three_rows().read()
    client.force_login(jiangshan_admin)
    response = client.post(
        reverse("organizations:import_new"),
        {
            "kind": "people",
            "organization": jiangshan.association.pk,
            "file": SimpleUploadedFile("会员.xlsx", content),
        },
    )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response.url == batch.get_absolute_url()
    page = client.get(batch.get_absolute_url())
    assert "确认导入 3 行" in page.content.decode()

    response = client.post(reverse("organizations:import_commit", args=[batch.pk]), follow=True)

    body = response.content.decode()
    assert "导入完成：新增 3 行" in body
    assert f"?organization={jiangshan.association.pk}" in body
    assert Person.objects.filter(name__in=["孙一", "孙二", "孙三"]).count() == 3
    # The same file again: the page says when it was imported before.
    client.post(
        reverse("organizations:import_new"),
        {
            "kind": "people",
            "organization": jiangshan.association.pk,
            "file": SimpleUploadedFile("会员.xlsx", content),
        },
    )
    second = ImportBatch.objects.exclude(pk=batch.pk).get()
    assert second.duplicate_count == 3
    assert "同一文件（校验值相同）已于" in client.get(second.get_absolute_url()).content.decode()


def test_discard(jiangshan, jiangshan_admin, client):
    batch = upload(jiangshan_admin, jiangshan.association, three_rows())
    client.force_login(jiangshan_admin)
    response = client.post(reverse("organizations:import_discard", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DISCARDED
    assert not batch.rows.exists() and not batch.file
    assert AuditEntry.objects.filter(action="import_discard", object_id=str(batch.pk)).count() == 1
    assert client.post(reverse("organizations:import_commit", args=[batch.pk])).status_code == 302
    assert not Person.objects.filter(name="孙一").exists()


def test_a_large_file_is_checked_and_committed_by_the_task(
    jiangshan, jiangshan_admin, client, settings, django_capture_on_commit_callbacks
):
    settings.SANHUI_IMPORT_SYNC_ROWS = 2
    client.force_login(jiangshan_admin)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = client.post(
            reverse("organizations:import_new"),
            {"kind": "people", "organization": jiangshan.association.pk, "file": three_rows()},
        )
    assert len(queued) == 1  # the dry run went to the task (run eagerly here)
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.CHECKED and batch.new_count == 3
    assert (batch.progress_done, batch.progress_total) == (3, 3)
    page = client.get(response.url).content.decode()
    assert "确认导入 3 行" in page

    with django_capture_on_commit_callbacks(execute=True) as queued:
        client.post(reverse("organizations:import_commit", args=[batch.pk]))
    assert len(queued) == 1
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED
    assert Person.objects.filter(name__in=["孙一", "孙二", "孙三"]).count() == 3


def test_while_the_task_runs_the_page_polls(
    jiangshan, jiangshan_admin, client, settings, django_capture_on_commit_callbacks
):
    settings.SANHUI_IMPORT_SYNC_ROWS = 2
    client.force_login(jiangshan_admin)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(
            reverse("organizations:import_new"),
            {"kind": "people", "organization": jiangshan.association.pk, "file": three_rows()},
        )
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.QUEUED
    page = client.get(batch.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 2s"' in page and "<progress" in page
    partial = client.get(reverse("organizations:import_progress", args=[batch.pk]), HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and "every 2s" in partial.content.decode()
    from organizations.imports.tasks import import_check_task

    import_check_task(batch.pk)
    done = client.get(reverse("organizations:import_progress", args=[batch.pk]), HTTP_HX_REQUEST="true")
    assert done.status_code == 204 and done["HX-Refresh"] == "true"


def _flaky_commit(monkeypatch, failures: int) -> list[int]:
    """``_commit_rows`` raising OperationalError its first ``failures`` times; returns the list
    the attempts are counted in."""
    attempts = []
    real = actions._commit_rows

    def commit_rows(*args, **kwargs):
        attempts.append(1)
        if len(attempts) <= failures:
            raise OperationalError("the server closed the connection unexpectedly")
        return real(*args, **kwargs)

    monkeypatch.setattr(actions, "_commit_rows", commit_rows)
    return attempts


def _commit_in_the_task(user, batch, capture) -> None:
    """Confirm a batch for the background, then run its task as a worker would (in-process:
    a retry runs again at once; the task's failure is recorded, not raised)."""
    with capture(execute=False) as queued:
        actions.import_commit(actor=user, batch=batch, background=True)
    assert len(queued) == 1
    import_commit_task.apply(args=(batch.pk, user.pk), throw=False)


def test_a_brief_database_error_in_the_task_is_retried_and_the_import_completes(
    jiangshan, jiangshan_admin, monkeypatch, django_capture_on_commit_callbacks
):
    batch = upload(jiangshan_admin, jiangshan.association, three_rows())
    attempts = _flaky_commit(monkeypatch, failures=1)

    _commit_in_the_task(jiangshan_admin, batch, django_capture_on_commit_callbacks)

    batch.refresh_from_db()
    assert len(attempts) == 2
    assert batch.status == ImportBatch.Status.COMMITTED and batch.new_count == 3
    assert Person.objects.filter(name__in=["孙一", "孙二", "孙三"]).count() == 3


def test_a_database_error_that_outlasts_the_retries_marks_the_batch_failed(
    jiangshan, jiangshan_admin, monkeypatch, django_capture_on_commit_callbacks
):
    batch = upload(jiangshan_admin, jiangshan.association, three_rows())
    _flaky_commit(monkeypatch, failures=99)
    with django_capture_on_commit_callbacks(execute=False):
        actions.import_commit(actor=jiangshan_admin, batch=batch, background=True)

    # Each try of the task leaves the batch committing, for the next try to take up…
    for _try in range(2):
        with pytest.raises(OperationalError):
            actions.import_commit(actor=jiangshan_admin, batch=batch, claimed=True)
        batch.refresh_from_db()
        assert batch.status == ImportBatch.Status.COMMITTING
    # …until the last has failed: then the task's failure marks it failed.
    import_commit_task.on_failure(OperationalError(), "task-id", (batch.pk, jiangshan_admin.pk), {}, None)

    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED
    assert batch.message == "导入时后台任务多次中断，未写入任何数据。"
    assert not Person.objects.filter(name__in=["孙一", "孙二", "孙三"]).exists()


def test_a_database_error_in_a_commit_in_the_request_fails_the_batch_at_once(
    jiangshan, jiangshan_admin, monkeypatch
):
    batch = upload(jiangshan_admin, jiangshan.association, three_rows())
    _flaky_commit(monkeypatch, failures=1)

    with pytest.raises(OperationalError):
        actions.import_commit(actor=jiangshan_admin, batch=batch, background=False)

    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED
