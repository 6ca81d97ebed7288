"""The pages of closed quarters: the list of quarters with their state, a quarter's page (its
state, its closings and reopenings, the reports issued with their files, and what differs now
from the report issued last), the close and reopen forms, and the download of issued files.

District staff close, reopen and see everything; supervisors see everything; an organisation
admin sees which quarters are closed (their ledger is locked) and the 文号 issued, but neither
the figures nor the files, which cover the whole district. Everyone else gets 403; a file
outside the viewer's scope answers 404, as a missing one does.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from organizations.scoping import get_for_user, scope_for, scoped
from organizations.sorting import RowSorting
from organizations.viewutils import apply_action_errors
from rollout.models import IssuedReportFile, QuarterClosing
from sanhui.db import reading_replica

from ..actions import SYSTEM_SCOPE
from ..builder import CONTENT_TYPES
from . import actions, selectors
from .forms import QuarterCloseForm, QuarterReopenForm


def _require_viewer(request: HttpRequest):
    scope = scope_for(request.user)
    if not (scope.read_all or scope.is_org_admin):
        raise PermissionDenied
    return scope


def _require_staff(request: HttpRequest):
    scope = scope_for(request.user)
    if not scope.write_all:
        raise PermissionDenied
    return scope


def _period(code: str):
    period = selectors.parse_quarter(code)
    if period is None:
        raise Http404
    return period


# The quarters are worked out in Python (selectors.quarter_states), the newest first.
QUARTER_SORTING = RowSorting(
    {
        "quarter": lambda state: state.period.start,
        "closed": lambda state: state.closing.closed_at if state.closing else None,
        "issued": lambda state: state.latest.issued_at if state.latest else None,
    },
    default="-quarter",
)


def quarter_list(request: HttpRequest) -> HttpResponse:
    scope = _require_viewer(request)
    states, sort = QUARTER_SORTING.apply(request, selectors.quarter_states())
    return render(
        request,
        "rollout/reports/quarter_list.html",
        {"states": states, "sort": sort, "can_manage": scope.write_all},
    )


def _quarter_page(request: HttpRequest, period, **forms) -> HttpResponse:
    scope = _require_viewer(request)
    state = selectors.quarter_state(period)
    history = selectors.quarter_history(period)
    comparison = None
    if scope.read_all and state.latest is not None:
        # Today's figures may come from the read replica (sanhui/db.py); the quarter's state
        # above, which a close or reopen has just changed, comes from the primary.
        with reading_replica():
            comparison = selectors.compare_with_now(state.latest, scope=SYSTEM_SCOPE)
    context = {
        "state": state,
        "history": history,
        "comparison": comparison,
        "can_manage": scope.write_all,
        "sees_figures": scope.read_all,
        "pending": state.is_closed and not hasattr(state.closing, "issued_report"),
        **forms,
    }
    return render(request, "rollout/reports/quarter_detail.html", context)


def quarter_detail(request: HttpRequest, code: str) -> HttpResponse:
    return _quarter_page(request, _period(code))


def quarter_close(request: HttpRequest, code: str) -> HttpResponse:
    _require_staff(request)
    period = _period(code)
    form = QuarterCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.quarter_close(actor=request.user, quarter=period.code, note=form.cleaned_data["note"])
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            messages.success(
                request, _("已关闭 %(quarter)s，督查通报正在后台印发。") % {"quarter": period.code}
            )
            return redirect("reports:quarter_detail", code=period.code)
    state = selectors.quarter_state(period)
    return render(
        request, "rollout/reports/quarter_confirm.html", {"form": form, "state": state, "step": "close"}
    )


def quarter_reopen(request: HttpRequest, code: str) -> HttpResponse:
    _require_staff(request)
    period = _period(code)
    form = QuarterReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.quarter_reopen(
                actor=request.user, quarter=period.code, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            messages.success(request, _("已重新开放 %(quarter)s。") % {"quarter": period.code})
            return redirect("reports:quarter_detail", code=period.code)
    state = selectors.quarter_state(period)
    return render(
        request, "rollout/reports/quarter_confirm.html", {"form": form, "state": state, "step": "reopen"}
    )


@require_POST
def quarter_issue(request: HttpRequest, code: str) -> HttpResponse:
    """Queue the issue again, for a closing whose report has not been issued (a failed build)."""
    _require_staff(request)
    period = _period(code)
    closing = scoped(request.user, QuarterClosing, write=True).filter(
        quarter=period.code, reopened_at__isnull=True
    )
    closing = closing.first()
    if closing is None:
        raise Http404
    try:
        actions.quarter_report_requeue(actor=request.user, closing=closing)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已重新提交印发。"))
    return redirect("reports:quarter_detail", code=period.code)


def issued_file_download(request: HttpRequest, pk: int) -> FileResponse:
    _require_viewer(request)
    issued_file = get_for_user(
        request.user, IssuedReportFile, pk, base=IssuedReportFile.objects.select_related("report")
    )
    response = FileResponse(
        issued_file.file.open("rb"),
        as_attachment=True,
        filename=selectors.issued_file_name(issued_file),
        content_type=CONTENT_TYPES.get(issued_file.format, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=0"
    return response
