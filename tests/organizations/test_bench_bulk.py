"""``manage.py bench_bulk`` runs end to end on a small size and leaves the database as it was."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from organizations.imports.models import ImportBatch
from organizations.models import AuditEntry, Organization, Person

pytestmark = pytest.mark.django_db(transaction=True)


def _counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (Person, Organization, ImportBatch, AuditEntry))


def test_the_bench_prints_every_step_and_changes_nothing(settings):
    from organizations.models import Region
    from organizations.reference import load_regions

    if not Region.objects.exists():
        load_regions(Region)
    before = (
        Person.objects.count(),
        Organization.objects.count(),
        ImportBatch.objects.count(),
        AuditEntry.objects.count(),
    )
    out = io.StringIO()

    call_command("bench_bulk", import_rows=12, export_rows=30, stdout=out)

    lines = out.getvalue().splitlines()
    assert "import of 12 rows" in "\n".join(lines)
    assert "new 12, duplicate 0, error 0" in "\n".join(lines)
    steps = [line.split("  ")[0].strip() for line in lines if line.startswith(("import:", "export:"))]
    assert steps == [
        "import: read, clean and check",
        "import: commit",
        "export: add members (bulk_create)",
        "export: people list as CSV",
        "export: people list as XLSX",
    ]
    export_lines = [line for line in lines if line.startswith("export: people list")]
    assert all(" 30 rows" in line for line in export_lines)
    assert lines[-1] == "(rolled back: the database is as it was)"
    after = (
        Person.objects.count(),
        Organization.objects.count(),
        ImportBatch.objects.count(),
        AuditEntry.objects.count(),
    )
    assert after == before
