"""Pages of the imports: the list of batches, the upload form, a batch's dry run and commit, its
rejected rows and the templates.

Only those who manage people import (district staff, organisation admins); a batch is looked up
through the scoping helper, so another organisation's admin gets 404 for it, its rows and its
buttons alike.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from organizations.scoping import get_for_user, scope_for, scoped
from organizations.sorting import Sorting
from organizations.validators import MASKS
from organizations.viewutils import apply_action_errors, paginate, query_without_page
from sanhui.collation import pinyin
from sanhui.spreadsheets import XLSX_CONTENT_TYPE

from . import actions
from .cleaning import match_headers
from .engine import earlier_commit, importer_for, importers, limits
from .forms import ImportUploadForm
from .models import ImportBatch, ImportRow
from .rejected import reason_text, rejected_rows_xlsx
from .template import template_csv, template_xlsx

PERSON = "organizations.person"
RUNNING = (ImportBatch.Status.QUEUED, ImportBatch.Status.CHECKING, ImportBatch.Status.COMMITTING)


def _require_manager(request: HttpRequest) -> None:
    if not scope_for(request.user).can_manage_people:
        raise PermissionDenied


def _batch(request: HttpRequest, pk: int, *, write: bool = False) -> ImportBatch:
    _require_manager(request)
    base = ImportBatch.objects.select_related("organization", "created_by", "committed_by")
    return get_for_user(request.user, ImportBatch, pk, write=write, base=base)


BATCH_SORTING = Sorting(
    {
        "uploaded": ("created_at",),
        "kind": ("kind", "-created_at"),
        "organization": (pinyin("organization__name"), "organization", "-created_at"),
        "file": (pinyin("file_name"), "-created_at"),
        "status": ("status", "-created_at"),
        "new": ("new_count", "-created_at"),
        "updated": ("update_count", "-created_at"),
        "duplicates": ("duplicate_count", "-created_at"),
        "errors": ("error_count", "-created_at"),
    },
    default="-uploaded",
)


def import_list(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    batches = scoped(
        request.user, ImportBatch, base=ImportBatch.objects.select_related("organization", "created_by")
    )
    batches, sort = BATCH_SORTING.apply(request, batches)
    return render(
        request,
        "organizations/imports/list.html",
        {
            "page": paginate(request, batches),
            "sort": sort,
            "query": query_without_page(request),
            "importers": importers(),
        },
    )


def import_new(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    kinds = {importer.kind for importer in importers()}
    kind = request.GET.get("kind") if request.GET.get("kind") in kinds else ImportBatch.Kind.PEOPLE
    form = ImportUploadForm(
        request.POST or None, request.FILES or None, user=request.user, initial={"kind": kind}
    )
    if request.method == "POST" and form.is_valid():
        try:
            batch = actions.import_upload(
                actor=request.user,
                organization=form.cleaned_data["organization"],
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
            )
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            return redirect(batch)
    kind = form.data.get("kind", kind) if form.is_bound else kind
    return render(
        request,
        "organizations/imports/new.html",
        {
            "form": form,
            "importer": importer_for(kind) if kind in kinds else importer_for(ImportBatch.Kind.PEOPLE),
            "importers": importers(),
            "max_rows": limits()["max_rows"],
            "max_mb": limits()["max_bytes"] // 1024 // 1024,
        },
    )


def _rows(request: HttpRequest, batch: ImportBatch):
    outcome = request.GET.get("outcome", "")
    if outcome not in ImportRow.Outcome.values and outcome != "all":
        outcome = (
            ImportRow.Outcome.ERROR
            if batch.error_count and batch.status == ImportBatch.Status.CHECKED
            else "all"
        )
    rows = batch.rows.order_by("number")
    if outcome != "all":
        rows = rows.filter(outcome=outcome)
    return outcome, rows


def _masks(batch: ImportBatch, importer, user) -> dict[str, Callable[[str], str]]:
    """Column label → how its cells are shown to ``user``: the phone and ID number columns
    masked unless the user may see the numbers in full."""
    if scope_for(user).can_see_full_personal_data():
        return {}
    header = batch.details.get("header", [])
    matched = match_headers(header, importer.columns)
    return {
        header[index]: MASKS[key]
        for key, index in matched.index_by_key.items()
        if key in MASKS and header[index]
    }


def _context(request: HttpRequest, batch: ImportBatch) -> dict:
    outcome, rows = _rows(request, batch)
    page = paginate(request, rows)
    importer = importer_for(batch.kind)
    # Once pruned, the rows keep their number, outcome and note only.
    header = [] if batch.pruned_at else [label for label in batch.details.get("header", []) if label]
    masks = _masks(batch, importer, request.user)
    for row in page:
        row.cells = [
            (label, masks.get(label, str)(row.raw.get(label, "")), row.errors.get(label)) for label in header
        ]
        row.row_errors = row.errors.get("")
        row.unplaced = reason_text({k: v for k, v in row.errors.items() if k and k not in header})
        # The person a row matched or wrote, when the viewer may see them (the target is kept
        # only then, or once the commit made them a member of the viewer's organisation).
        label, _sep, target_pk = row.target.partition(":")
        row.link = reverse("organizations:person_detail", args=[target_pk]) if label == PERSON else ""
    accepted = batch.new_count + batch.update_count
    if batch.status == ImportBatch.Status.COMMITTING:
        # Written in one transaction: the rows written so far are counted in the cache.
        batch.progress_done, batch.progress_total = actions.commit_progress(batch), accepted
    return {
        "batch": batch,
        "importer": importer,
        "header": header,
        "page": page,
        "outcome": outcome,
        "outcomes": ImportRow.Outcome.choices,
        "query": query_without_page(request),
        "running": batch.status in RUNNING,
        "accepted": accepted,
        "can_commit": batch.status == ImportBatch.Status.CHECKED and accepted > 0,
        "can_discard": batch.status in (ImportBatch.Status.CHECKED, ImportBatch.Status.REFUSED),
        "earlier": earlier_commit(batch),
        "records_url": importer.records_url(batch.organization),
        "records_label": importer.records_label(batch.organization),
        "can_download_rejected": bool(batch.error_count)
        and batch.status != ImportBatch.Status.DISCARDED
        and not batch.pruned_at,
    }


def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    return render(request, "organizations/imports/detail.html", _context(request, batch))


def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The status block of a batch's page, polled by htmx every two seconds while it runs; once
    the run is over it asks the browser to load the whole page, with the rows."""
    batch = _batch(request, pk)
    if batch.status not in RUNNING and request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "organizations/imports/detail.html#progress", _context(request, batch))


@require_POST
def import_commit(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk, write=True)
    try:
        batch = actions.import_commit(actor=request.user, batch=batch)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(batch)
    if batch.status == ImportBatch.Status.COMMITTED:
        messages.success(
            request,
            _(
                "导入完成：新增 %(new)d 行，更新 %(update)d 行；"
                "重复 %(duplicate)d 行、有错误 %(error)d 行未导入。"
            )
            % {
                "new": batch.new_count,
                "update": batch.update_count,
                "duplicate": batch.duplicate_count,
                "error": batch.error_count,
            },
        )
    elif batch.status == ImportBatch.Status.FAILED:
        messages.error(request, batch.message)
    return redirect(batch)


@require_POST
def import_discard(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk, write=True)
    try:
        actions.import_discard(actor=request.user, batch=batch)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(batch)
    messages.success(request, _("已放弃这次导入，未写入任何数据。"))
    return redirect("organizations:import_list")


def _attachment(content: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=0"
    return response


def import_rejected(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    if not batch.error_count or batch.status == ImportBatch.Status.DISCARDED or batch.pruned_at:
        raise Http404
    stem = batch.file_name.rsplit(".", 1)[0]
    return _attachment(
        rejected_rows_xlsx(batch), _("%(name)s_未通过的行.xlsx") % {"name": stem}, XLSX_CONTENT_TYPE
    )


def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    _require_manager(request)
    try:
        importer = importer_for(kind)
    except LookupError:
        raise Http404 from None
    name = _("%(kind)s导入模板") % {"kind": importer.kind_label().replace("/", "、")}
    if request.GET.get("format") == "csv":
        return _attachment(template_csv(importer), f"{name}.csv", "text/csv; charset=utf-8")
    return _attachment(template_xlsx(importer), f"{name}.xlsx", XLSX_CONTENT_TYPE)
