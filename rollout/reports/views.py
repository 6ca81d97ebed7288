"""Report pages: the list of runs, the request form, a run's page whose status htmx polls until
the build is done or has failed, the download and the re-run.

District staff and supervisors may report on anything and see every run (the scheduled ones
too); an organisation admin reports on their own organisations and sees the runs they
requested. Everyone else gets 403; runs outside the viewer's scope answer 404.
"""

from __future__ import annotations

import zipfile
from pathlib import PurePosixPath

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from organizations.scoping import get_for_user, scope_for, scoped
from organizations.sorting import Sorting
from organizations.viewutils import apply_action_errors, paginate, query_without_page
from rollout.models import ReportRun

from . import actions as report_actions
from .builder import CONTENT_TYPES, CSV_CONTENT_TYPE
from .forms import ReportRequestForm


def _require_reporter(request: HttpRequest) -> None:
    scope = scope_for(request.user)
    if not (scope.read_all or scope.is_org_admin):
        raise PermissionDenied


def _runs(request: HttpRequest):
    """The runs the viewer may see: all for district staff and supervisors, their own otherwise."""
    base = ReportRun.objects.select_related("requested_by", "organization")
    if not scope_for(request.user).read_all:
        base = base.filter(requested_by=request.user)
    return scoped(request.user, ReportRun, base=base)


def _run(request: HttpRequest, pk: int) -> ReportRun:
    _require_reporter(request)
    return get_for_user(request.user, ReportRun, pk, base=_runs(request))


RUN_SORTING = Sorting(
    {
        "requested": ("requested_at",),
        "kind": ("kind", "-requested_at"),
        "requester": ("requested_by__username", "-requested_at"),
        "status": ("status", "-requested_at"),
    },
    default="-requested",
)


def report_list(request: HttpRequest) -> HttpResponse:
    _require_reporter(request)
    runs = _runs(request)
    kind = request.GET.get("kind", "")
    if kind in ReportRun.Kind.values:
        runs = runs.filter(kind=kind)
    runs, sort = RUN_SORTING.apply(request, runs)
    return render(
        request,
        "rollout/reports/list.html",
        {
            "page": paginate(request, runs),
            "sort": sort,
            "query": query_without_page(request),
            "kinds": ReportRun.Kind.choices,
            "kind": kind,
        },
    )


def report_request(request: HttpRequest) -> HttpResponse:
    _require_reporter(request)
    initial = {key: request.GET[key] for key in ("kind", "format") if key in request.GET}
    form = ReportRequestForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            run = report_actions.report_request(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                period=form.cleaned_data["period"],
                fmt=form.cleaned_data["format"],
                organization=form.cleaned_data["organization"],
            )
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            return redirect(run)
    return render(request, "rollout/reports/request.html", {"form": form})


def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run(request, pk)
    return render(request, "rollout/reports/detail.html", {"run": run})


def report_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The status block of a run's page, polled by htmx every two seconds until it is finished."""
    run = _run(request, pk)
    return render(request, "rollout/reports/detail.html#status", {"run": run})


def _csv_section(run: ReportRun, key: str) -> tuple[str, bytes]:
    """The title and the file of one section inside a stored CSV run's ZIP (found by the key
    each member carries as its comment); 404 when the run has no such section."""
    with run.file.open("rb") as stored, zipfile.ZipFile(stored) as archive:
        for member in archive.infolist():
            if member.comment.decode("ascii", "replace") == key:
                title = PurePosixPath(member.filename).stem.split("_", 1)[-1]
                return title, archive.read(member)
    raise Http404


def report_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The run's file; for a CSV run, ``?section=<key>`` gives that one section as a plain CSV
    file instead of the ZIP of them all."""
    run = _run(request, pk)
    if run.status != ReportRun.Status.DONE or not run.file:
        raise Http404
    name = report_actions.report_file_name(run)
    section = request.GET.get("section")
    if section and run.format == ReportRun.Format.CSV:
        title, data = _csv_section(run, section)
        response = HttpResponse(data, content_type=CSV_CONTENT_TYPE)
        filename = f"{PurePosixPath(name).stem}_{title}.csv"
        response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    else:
        response = FileResponse(
            run.file.open("rb"),
            as_attachment=True,
            filename=name,
            content_type=CONTENT_TYPES.get(run.format, "application/octet-stream"),
        )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=0"
    return response


@require_POST
def report_rerun(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run(request, pk)
    try:
        fresh = report_actions.report_rerun(actor=request.user, run=run)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(run)
    messages.success(request, _("已重新提交生成。"))
    return redirect(fresh)
