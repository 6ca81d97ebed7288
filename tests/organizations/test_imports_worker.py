"""A large import through a real Celery worker on Redis: the dry run and the commit are queued
after the upload and the confirmation, a worker runs them, and the batch records the outcome."""

import time

import pytest
from django.urls import reverse

from organizations.imports import actions
from organizations.imports.models import ImportBatch
from organizations.models import Membership, Region
from organizations.reference import load_regions
from tests.organizations.test_imports_members import MEMBER_HEADER, xlsx_file
from tests.rollout.celery_helpers import forget_celery_connections


@pytest.fixture
def reference(transactional_db):
    # Transactional tests end with a flush that also empties the reference regions.
    load_regions(Region)


@pytest.fixture
def worker(request, reference):
    forget_celery_connections()
    yield request.getfixturevalue("celery_worker")
    forget_celery_connections()


def wait_for(batch_id: int, status: str, timeout: float = 60) -> ImportBatch:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        batch = ImportBatch.objects.get(pk=batch_id)
        if batch.status == status:
            return batch
        time.sleep(0.2)
    batch = ImportBatch.objects.get(pk=batch_id)
    raise AssertionError(f"batch {batch_id} still {batch.status}: {batch.message}")


def test_a_real_worker_checks_and_commits_a_large_file(worker, jiangshan, jiangshan_admin, settings, client):
    settings.SANHUI_IMPORT_SYNC_ROWS = 3
    rows = [[f"队列{n}", f"1360000{n:04d}", "", "", "", ""] for n in range(1, 6)] + [
        ["", "1", "", "", "", ""]
    ]

    batch = actions.import_upload(
        actor=jiangshan_admin,
        organization=jiangshan.association,
        kind="people",
        upload=xlsx_file(MEMBER_HEADER, rows),
    )

    assert batch.status == ImportBatch.Status.QUEUED  # not checked in the request
    batch = wait_for(batch.pk, ImportBatch.Status.CHECKED)
    assert (batch.new_count, batch.error_count, batch.progress_done, batch.progress_total) == (5, 1, 6, 6)
    client.force_login(jiangshan_admin)
    assert "确认导入 5 行" in client.get(batch.get_absolute_url()).content.decode()

    client.post(reverse("organizations:import_commit", args=[batch.pk]))

    batch = wait_for(batch.pk, ImportBatch.Status.COMMITTED)
    assert (
        Membership.objects.filter(organization=jiangshan.association, person__name__startswith="队列").count()
        == 5
    )
    assert batch.committed_by == jiangshan_admin
