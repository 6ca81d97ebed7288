"""Import members (or, with ``--leaders``, leaders and their seats) from a spreadsheet into one
organisation, as the import pages do: the file is checked row by row, the outcome of every row
printed (the counts, then every row: new, update or duplicate with its note, or error with each
column and reason), and the accepted rows written
in one transaction unless ``--dry-run``. Exits non-zero when nothing could be imported (the file
refused, every row an error, or the commit failed).

The actor is ``--user`` (who must be allowed to write the organisation) or, without it, the
system: the audit entries then name no user and their summaries name this command. Safe to run
again: rows already imported come back as duplicates and nothing is written twice.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from organizations.imports import actions
from organizations.imports.engine import SystemActor
from organizations.imports.models import ImportBatch, ImportRow
from organizations.models import Organization


class Command(BaseCommand):
    help = "Import members (or leaders with --leaders) from an XLSX or CSV file into an organisation."
    kind = ImportBatch.Kind.PEOPLE

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="the XLSX or CSV file")
        parser.add_argument("--organization", required=True, help="the organisation's code")
        parser.add_argument("--leaders", action="store_true", help="a file of leaders and their seats")
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        parser.add_argument("--user", help="act as this user (default: the system)")

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        organization = Organization.objects.filter(code=options["organization"]).first()
        if organization is None:
            raise CommandError(f"no organisation with the code {options['organization']!r}")
        actor = self._actor(options["user"])
        kind = ImportBatch.Kind.LEADERS if options["leaders"] else self.kind
        with transaction.atomic():
            batch = self._check(actor, organization, kind, path)
            if options["dry_run"]:
                self._summary(batch)
                # Nothing of a dry run is kept: the batch, its rows and its file go.
                batch.file.delete(save=False)
                transaction.set_rollback(True)
                self._exit_status(batch)
                return
        if batch.new_count + batch.update_count:
            batch = actions.import_commit(actor=actor, batch=batch, background=False)
            if batch.status == ImportBatch.Status.FAILED:
                self._summary(batch)
                raise CommandError(batch.message)
        # Each row's outcome as written: the commit checks every row again just before writing it.
        self._summary(batch)
        if batch.status == ImportBatch.Status.COMMITTED:
            self.stdout.write(f"committed: {batch.new_count} new, {batch.update_count} updated")
        self._exit_status(batch)

    def _actor(self, username: str | None):
        if not username:
            return SystemActor("manage.py import_people")
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {username!r}")
        return user

    def _check(self, actor, organization: Organization, kind: str, path: Path) -> ImportBatch:
        with path.open("rb") as handle:
            try:
                return actions.import_upload(
                    actor=actor,
                    organization=organization,
                    kind=kind,
                    upload=File(handle, name=path.name),
                    background=False,
                )
            except PermissionDenied:
                raise CommandError(f"{actor} may not write {organization.code}") from None
            except ValidationError as error:
                raise CommandError("file refused: " + " ".join(error.messages)) from None

    def _summary(self, batch: ImportBatch) -> None:
        self.stdout.write(
            f"{batch.file_name}: {batch.total_rows} rows; new {batch.new_count}, "
            f"update {batch.update_count}, duplicate {batch.duplicate_count}, error {batch.error_count}"
        )
        for row in batch.rows.order_by("number").iterator(chunk_size=500):
            if row.outcome != ImportRow.Outcome.ERROR:
                self.stdout.write(f"  row {row.number}\t{row.outcome}\t{row.note}".rstrip())
                continue
            for label, reasons in row.errors.items():
                for reason in reasons:
                    self.stdout.write(f"  row {row.number}\terror\t{label or '-'}\t{reason}")

    def _exit_status(self, batch: ImportBatch) -> None:
        if batch.status == ImportBatch.Status.REFUSED:
            raise CommandError(batch.message)
        if batch.error_count == batch.total_rows:
            raise CommandError("nothing could be imported")
