"""Pages of the audit trail: district staff's audit log, and the 变更记录 page of a record.

Both are read-only (GET only); entries are written by the actions and nowhere changed. A
record's page looks the record up as its detail page does, so an out-of-scope record answers
404 here too; the other apps' history views do the lookup and call ``history_page``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ..models import Organization, Person
from ..scoping import get_for_user, scope_for
from ..sorting import Sorting
from ..viewutils import paginate, query_without_page
from . import selectors
from .changes import present, type_label
from .filters import AuditEntryFilter

ENTRY_SORTING = Sorting(
    {
        "time": ("created_at",),
        "actor": ("actor__username", "-created_at"),
        "action": ("action", "-created_at"),
        "type": ("object_type", "-created_at"),
    },
    default="-time",
)


@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    if not scope_for(request.user).is_district_staff:
        raise PermissionDenied
    log_filter = AuditEntryFilter(request.GET, queryset=selectors.audit_entries())
    entries, sort = ENTRY_SORTING.apply(request, log_filter.qs)
    page = paginate(request, entries)
    context = {
        "filter": log_filter,
        "page": page,
        "sort": sort,
        "rows": present(page.object_list, user=request.user),
        "query": query_without_page(request),
    }
    return render(request, "organizations/audit/audit_log.html", context)


def history_page(
    request: HttpRequest, *, record, entries: QuerySet, heading: str, covers: str = ""
) -> HttpResponse:
    """The 变更记录 page of ``record`` (already looked up for the viewer): ``entries``
    newest first, paginated, with tabs back to the record's page; ``covers`` says which of the
    record's own child records the page includes."""
    entries, sort = ENTRY_SORTING.apply(request, entries)
    page = paginate(request, entries)
    context = {
        "record": record,
        "sort": sort,
        "record_type": type_label(record._meta.label_lower),
        "heading": heading,
        "detail_url": record.get_absolute_url(),
        "history_url": request.path,
        "covers": covers,
        "page": page,
        "rows": present(page.object_list, user=request.user),
        "query": query_without_page(request),
    }
    return render(request, "organizations/audit/history.html", context)


@require_GET
def person_history(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_for_user(request.user, Person, pk)
    return history_page(
        request,
        record=person,
        entries=selectors.person_history(user=request.user, person=person),
        heading=person.name,
        covers=_("包括此人的三长/泛三长身份、会员关系、领导机构职务和服务队成员身份的变更。"),
    )


@require_GET
def organization_history(request: HttpRequest, pk: int) -> HttpResponse:
    organization = get_for_user(request.user, Organization, pk)
    return history_page(
        request,
        record=organization,
        entries=selectors.organization_history(user=request.user, organization=organization),
        heading=organization.name,
        covers=_("包括本组织的领导机构职务、会员关系和志愿服务队的变更。"),
    )
