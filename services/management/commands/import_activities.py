"""Import a ledger of activities (with reported participants and volunteer hours) from a
spreadsheet into one organisation, as the import pages do: the file is checked row by row, the
outcome of every row printed (the counts, then every row: new, update or duplicate with its
note, or error with each column and reason), and the accepted rows written in one transaction
unless ``--dry-run``. Exits non-zero when nothing could be imported (the file refused, every row
an error, or the commit failed).

The organisation is the organiser of every activity of the file. The actor is ``--user`` (who
must be allowed to write the organisation) or, without it, the system: the ledger and the audit
trail then record no user, and the audit entries name the command. Safe to run again:
activities already imported come back as duplicates and nothing is written twice.
"""

from __future__ import annotations

from organizations.imports.models import ImportBatch
from organizations.management.commands import import_people


class Command(import_people.Command):
    help = "Import activities, with reported participants and volunteer hours, from an XLSX or CSV file."
    kind = ImportBatch.Kind.ACTIVITIES

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="the XLSX or CSV file")
        parser.add_argument("--organization", required=True, help="the organiser's code")
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        parser.add_argument("--user", help="act as this user (who must be allowed to write the organisation)")

    def handle(self, *args, **options) -> None:
        # The member command's run, with its kind fixed to activities.
        super().handle(*args, **{**options, "leaders": False})
