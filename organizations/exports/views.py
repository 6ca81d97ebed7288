"""Pages of the list exports: the export of a list page, and the user's own background exports.

``list_export`` answers ``GET ?<the list's query>&format=xlsx|csv`` with the file at once,
numbers masked. Without a format (or with ``full=1``) it shows the export form, where those who
may have them ask for full phone and ID numbers with a reason, on the record. A list longer than
``SANHUI_EXPORT_SYNC_ROWS`` is built in the background instead, and the user lands on the
export's page, which follows its progress. The rows are always the list page's own, for the
user who asks: their scope, the page's filters and its order.

Background exports belong to the user who asked for them: every lookup is narrowed to
``created_by=request.user`` on top of the scoping rule, so anyone else gets 404.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render

from organizations import actions
from organizations.models import ExportFile
from organizations.scoping import get_for_user, scope_for, scoped
from organizations.sorting import Sorting
from organizations.uploads import file_response
from organizations.viewutils import apply_action_errors, paginate, query_without_page

from . import actions as export_actions
from . import registry, writers
from .forms import ListExportForm

FORMATS = tuple(writers.WRITERS)


def _spec(key: str) -> registry.ListExport:
    spec = registry.get(key)
    if spec is None:
        raise Http404
    return spec


def _rows(request: HttpRequest, spec: registry.ListExport, query: str):
    """The list's rows for this user and query; the list's own refusal (403/404) if any."""
    return spec.queryset(registry.request_for(request.user, query))


def _form_page(request: HttpRequest, spec: registry.ListExport, form: ListExportForm, query: str):
    return render(
        request,
        "organizations/exports/export_form.html",
        {"form": form, "spec": spec, "list_url": spec.page(QueryDict(query))},
    )


def _export(request: HttpRequest, spec, *, query: str, fmt: str, full: bool, reason: str, form=None):
    queryset = _rows(request, spec, query)
    count = queryset.count()
    if full:
        try:
            actions.list_export_record(
                actor=request.user,
                list_key=spec.key,
                object_type=queryset.model._meta.label_lower,
                reason=reason,
                count=count,
                filters=query,
            )
        except ValidationError as error:
            apply_action_errors(form, error)
            return _form_page(request, spec, form, query)
    if count > settings.SANHUI_EXPORT_SYNC_ROWS:
        export = export_actions.export_request(
            actor=request.user, spec=spec, fmt=fmt, query=query, full=full, reason=reason, count=count
        )
        return redirect(export)
    filename = export_actions.export_file_name(spec, fmt)
    data = writers.rows(spec, queryset, full=full)
    if fmt == ExportFile.Format.CSV:
        return writers.csv_response(spec, data, filename)
    return writers.xlsx_response(spec, data, filename)


def list_export(request: HttpRequest, key: str) -> HttpResponse:
    spec = _spec(key)
    allow_full = spec.personal and scope_for(request.user).can_see_full_personal_data()
    if request.method == "POST":
        # Full numbers are refused outright to those who may not have them, not quietly masked.
        if request.POST.get("full") and not allow_full:
            raise PermissionDenied
        form = ListExportForm(request.POST, allow_full=allow_full)
        query = registry.list_query(QueryDict(request.POST.get("query", ""))).urlencode()
        _rows(request, spec, query)
        if form.is_valid():
            data = form.cleaned_data
            return _export(
                request,
                spec,
                query=query,
                fmt=data["format"],
                full=bool(data.get("full")),
                reason=data.get("reason") or "",
                form=form,
            )
        return _form_page(request, spec, form, query)
    query = registry.list_query(request.GET).urlencode()
    _rows(request, spec, query)
    wants_full = request.GET.get("full") == "1"
    if wants_full and not allow_full:
        raise PermissionDenied
    fmt = request.GET.get("format", "")
    if fmt in FORMATS and not wants_full:
        return _export(request, spec, query=query, fmt=fmt, full=False, reason="")
    initial = {"query": query, "format": fmt or ExportFile.Format.XLSX, "full": wants_full}
    return _form_page(request, spec, ListExportForm(initial=initial, allow_full=allow_full), query)


# --------------------------------------------------------------------------- background exports


def _own_exports(request: HttpRequest):
    return scoped(request.user, ExportFile).filter(created_by=request.user)


def _own_export(request: HttpRequest, pk: int) -> ExportFile:
    return get_for_user(request.user, ExportFile, pk, base=ExportFile.objects.filter(created_by=request.user))


EXPORT_SORTING = Sorting(
    {
        "requested": ("created_at",),
        "status": ("status", "-created_at"),
        "rows": ("progress_total", "-created_at"),
    },
    default="-requested",
)


def export_list(request: HttpRequest) -> HttpResponse:
    """我的导出: the user's own background exports, newest first."""
    exports, sort = EXPORT_SORTING.apply(request, _own_exports(request))
    return render(
        request,
        "organizations/exports/export_list.html",
        {
            "page": paginate(request, exports),
            "sort": sort,
            "query": query_without_page(request),
            "keep_days": export_actions.export_keep_days(),
        },
    )


def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One export's page; htmx polls its status block every two seconds until it is finished."""
    export = _own_export(request, pk)
    spec = registry.get(export.list_key)
    context = {
        "export": export,
        "spec": spec,
        "list_url": spec.page(QueryDict(export.query)) if spec else "",
        "finished": export.status not in export_actions.OPEN,
    }
    if request.headers.get("HX-Request"):
        return render(request, "organizations/exports/export_detail.html#status", context)
    return render(request, "organizations/exports/export_detail.html", context)


def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    export = _own_export(request, pk)
    if export.status != ExportFile.Status.DONE or not export.file:
        raise Http404
    response = file_response(export.file, download_name=export.file_name or None)
    response["Cache-Control"] = "private, no-store"
    return response
