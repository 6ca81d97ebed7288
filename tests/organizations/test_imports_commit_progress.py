"""A commit writes its rows in one transaction; how far it has got is counted in the cache,
where the batch's page reads it while the commit runs."""

from __future__ import annotations

import pytest
from django.urls import reverse

from organizations.imports import actions
from organizations.imports.engine import importer_for
from organizations.imports.models import ImportBatch
from tests.organizations.test_imports_members import MEMBER_HEADER, upload, xlsx_file

pytestmark = pytest.mark.django_db


def test_the_page_shows_how_many_rows_the_commit_has_written(jiangshan, jiangshan_admin, client, monkeypatch):
    rows = [[f"进度会员{n:02d}", f"1360000{n:04d}", "", "", "", ""] for n in range(45)]
    batch = upload(jiangshan_admin, jiangshan.association, xlsx_file(MEMBER_HEADER, rows))
    assert batch.new_count == 45
    importer = importer_for(batch.kind)
    written = type(importer).write
    seen, pages = [], []
    client.force_login(jiangshan_admin)

    def counting_write(self, row, context):
        seen.append(actions.commit_progress(batch))
        if len(seen) == 41:
            url = reverse("organizations:import_progress", args=[batch.pk])
            pages.append(client.get(url, headers={"HX-Request": "true"}).content.decode())
        return written(self, row, context)

    monkeypatch.setattr(type(importer), "write", counting_write)
    batch = actions.import_commit(actor=jiangshan_admin, batch=batch, background=False)

    assert batch.status == ImportBatch.Status.COMMITTED
    assert seen == [0] * 20 + [20] * 20 + [40] * 5
    assert "40 / 45" in pages[0]
    assert 'value="40" max="45"' in pages[0]
