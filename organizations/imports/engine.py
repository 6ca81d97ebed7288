"""The import engine: what every kind of import has in common.

An ``Importer`` describes one kind of file (its columns, what makes two rows the same record,
how a row is checked against the database and how an accepted row is written through the
portal's actions). ``evaluate`` turns one data row of a file into a ``RowResult``: each cell is
parsed by its column's parser (a cell that does not parse makes the row an error, with the
reason under that column), a row whose identity an earlier row of the file already had (or
that the importer's ``earlier_row`` links to an earlier row) is a duplicate of that row, and
the importer's ``check`` decides the rest.

Importers are registered by the app that owns the records they write, from its
``AppConfig.ready`` (``register``); the import pages, the actions, the tasks and the commands
find them by kind (``importer_for``).
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from organizations.models import Organization
from organizations.scoping import Scope, descendant_org_ids, scoped

from .cleaning import Column
from .models import ImportBatch, ImportRow


@dataclass
class ImportContext:
    actor: Any
    organization: Any
    today: datetime.date
    # Identity key within the file → number of the row it first appeared in.
    seen: dict[str, int] = field(default_factory=dict)
    # Free room for an importer's own bookkeeping over one pass through a file.
    memo: dict[str, Any] = field(default_factory=dict)
    # The number of the row being checked (0 when a commit checks a row again).
    number: int = 0


@dataclass
class RowResult:
    outcome: str
    values: dict
    errors: dict[str, list[str]] = field(default_factory=dict)
    note: str = ""
    target: str = ""

    @property
    def accepted(self) -> bool:
        return self.outcome in ACCEPTED


ACCEPTED = (ImportRow.Outcome.NEW, ImportRow.Outcome.UPDATE)


class Importer:
    """One kind of import. Subclasses set ``kind`` (an ``ImportBatch.Kind``), ``columns`` and
    ``sheet_title``, and implement ``identity``, ``check`` and ``write``."""

    kind: str = ""
    columns: tuple[Column, ...] = ()
    sheet_title: str = ""

    def identity(self, values: dict) -> str | None:
        """The key of "the same record" within one file, or None when the row names none."""
        raise NotImplementedError

    def earlier_row(self, values: dict, context: ImportContext) -> int | None:
        """The number of an earlier row of the file that names the same record by other means
        than ``identity`` (a member given once with a phone, once by name alone), if any."""
        return None

    def remember(self, values: dict, context: ImportContext) -> None:
        """Note a row that was not refused, for ``earlier_row`` of the rows after it."""

    def records_url(self, organization) -> str:
        """Where the records this kind of import writes are listed, for ``organization``."""
        return reverse("organizations:person_list") + "?" + urlencode({"organization": organization.pk})

    def records_label(self, organization) -> str:
        return _("查看%(name)s的会员") % {"name": organization.name}

    def check(self, values: dict, context: ImportContext) -> RowResult:
        """The outcome of a row whose cells all parsed: NEW, UPDATE, DUPLICATE or ERROR."""
        raise NotImplementedError

    def write(self, row: ImportRow, context: ImportContext) -> str:
        """Write one accepted row through the portal's actions; return what it wrote or matched
        (``"app_label.model:pk"``)."""
        raise NotImplementedError

    def kind_label(self) -> str:
        return str(ImportBatch.Kind(self.kind).label)

    def column(self, key: str) -> Column:
        return next(column for column in self.columns if column.key == key)

    def label(self, key: str) -> str:
        return str(self.column(key).label)


_REGISTRY: dict[str, Importer] = {}


def register(importer: Importer) -> None:
    _REGISTRY[importer.kind] = importer


def importer_for(kind: str) -> Importer:
    """The importer of ``kind``; ``LookupError`` when no app registered one."""
    try:
        return _REGISTRY[kind]
    except KeyError:
        raise LookupError(kind) from None


def importers() -> list[Importer]:
    """The registered importers, in the order of ``ImportBatch.Kind``."""
    order = list(ImportBatch.Kind.values)
    return sorted(_REGISTRY.values(), key=lambda importer: order.index(importer.kind))


# --------------------------------------------------------------------------- settings and reads


def limits() -> dict[str, int]:
    """The most data rows and bytes a file may hold (``SANHUI_IMPORT_MAX_ROWS`` and ``_MB``)."""
    return {
        "max_rows": int(getattr(settings, "SANHUI_IMPORT_MAX_ROWS", 20_000)),
        "max_bytes": int(getattr(settings, "SANHUI_IMPORT_MAX_MB", 10)) * 1024 * 1024,
    }


def keep_days() -> int:
    """A finished batch keeps its file and the content of its rows this many days
    (``SANHUI_IMPORT_KEEP_DAYS``); a batch checked and never committed is given up after as
    many."""
    return int(getattr(settings, "SANHUI_IMPORT_KEEP_DAYS", 30))


def sync_rows() -> int:
    """Files with more data rows than this are checked and committed by a Celery task."""
    return int(getattr(settings, "SANHUI_IMPORT_SYNC_ROWS", 300))


def earlier_commit(batch: ImportBatch) -> ImportBatch | None:
    """The last batch of the same file (by its SHA-256) already committed into the same
    organisation, if any: the user is told when, and by whom, before importing it again."""
    return (
        ImportBatch.objects.filter(
            organization_id=batch.organization_id,
            checksum=batch.checksum,
            status=ImportBatch.Status.COMMITTED,
        )
        .exclude(pk=batch.pk)
        .select_related("committed_by")
        .order_by("-committed_at", "-pk")
        .first()
    )


# --------------------------------------------------------------------------- one row


def json_safe(value: Any) -> Any:
    """A cleaned value as the batch's rows keep it (JSON): dates as ISO text, decimals as text."""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def as_date(value: Any) -> datetime.date | None:
    """A date kept by ``json_safe`` (ISO text), back as a date."""
    if not value:
        return None
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


def reasons(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


def parse_cells(importer: Importer, cells: dict[str, Any]) -> tuple[dict, dict[str, list[str]]]:
    """Each column's cell through its parser: (values by key, reasons by column label)."""
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for column in importer.columns:
        raw = cells.get(column.key)
        try:
            value = column.parse(raw)
        except ValidationError as error:
            errors[str(column.label)] = reasons(error)
            continue
        if column.required and value in (None, ""):
            errors[str(column.label)] = [_("此列为必填项。")]
            continue
        values[column.key] = value
    return values, errors


def evaluate(importer: Importer, cells: dict[str, Any], number: int, context: ImportContext) -> RowResult:
    """The outcome of one data row (its cells by column key) read from row ``number``."""
    context.number = number
    values, errors = parse_cells(importer, cells)
    if errors:
        return RowResult(ImportRow.Outcome.ERROR, json_values(values), errors)
    key = importer.identity(values)
    first = context.seen.get(key) if key is not None else None
    if first is None:
        first = importer.earlier_row(values, context)
    if first is not None:
        return RowResult(
            ImportRow.Outcome.DUPLICATE,
            json_values(values),
            note=_("与第 %(row)d 行重复") % {"row": first},
        )
    result = importer.check(values, context)
    result.values = json_values(result.values)
    if result.outcome != ImportRow.Outcome.ERROR:
        if key is not None:
            context.seen[key] = number
        importer.remember(values, context)
    return result


def json_values(values: dict) -> dict:
    """The cleaned values of a row as its ``ImportRow`` keeps them."""
    return {key: json_safe(value) for key, value in values.items()}


def error(values: dict, label: str, *messages: str) -> RowResult:
    """An ERROR result with ``messages`` under the column ``label`` ("" for the whole row)."""
    return RowResult(ImportRow.Outcome.ERROR, values, {label: [str(message) for message in messages]})


# --------------------------------------------------------------------------- the system as actor


class SystemActor:
    """The actor of an import run from the shell without ``--user``: allowed to write every
    organisation, recorded in the audit trail as no user (``audit_record`` keeps no actor for
    one that is not signed in), with the command named in the entries' summaries."""

    is_authenticated = False
    is_active = True
    pk = None

    def __init__(self, command: str) -> None:
        self.command = command
        # organizations.scoping.scope_for reads a scope cached on the actor.
        self._sanhui_scope = Scope(read_all=True, write_all=True, roles=frozenset({"district_staff"}))

    def __str__(self) -> str:
        return self.command


# --------------------------------------------------------------------------- the row's organisation

ORGANIZATION_ID = "organization_id"


def row_context(importer: Importer, values: dict, context: ImportContext):
    """The context of one row: the organisation its 所属组织 names (by name or code), which must
    be the batch's organisation or one below it that the user may write; without one, the
    batch's. Returns (context, None) or (None, the row's error). The error names only what the
    user typed and the batch's organisation, never whether another organisation exists."""
    given = values.get("organization") or ""
    if not given:
        values[ORGANIZATION_ID] = context.organization.pk
        return context, None
    found = context.memo.setdefault("organizations", {})
    if given not in found:
        allowed = (
            scoped(context.actor, Organization, write=True)
            .filter(pk__in=descendant_org_ids({context.organization.pk}))
            .exclude(status=Organization.Status.DISSOLVED)
        )
        matches = list(allowed.filter(Q(code__iexact=given) | Q(name=given))[:2])
        found[given] = matches[0] if len(matches) == 1 else None
    organization = found[given]
    if organization is None:
        return None, error(
            values,
            importer.label("organization"),
            _("“%(given)s”不是“%(organization)s”或其下属组织的名称或编号。")
            % {"given": given, "organization": context.organization.name},
        )
    values[ORGANIZATION_ID] = organization.pk
    return dataclasses.replace(context, organization=organization), None


def written_context(values: dict, context: ImportContext) -> ImportContext:
    """The context a checked row is written in: the organisation its check chose."""
    chosen = values.get(ORGANIZATION_ID)
    if not chosen or chosen == context.organization.pk:
        return context
    return dataclasses.replace(context, organization=Organization.objects.get(pk=chosen))


def identity_in(values: dict, key: str | None) -> str | None:
    """A row's identity within the file, for the organisation it names (a code in any case is
    the same code; a name and a code of one organisation are told apart here, and the commit's
    check of each row again finds the second a duplicate)."""
    return f"{(values.get('organization') or '').casefold()}|{key}" if key is not None else None
