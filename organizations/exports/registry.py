"""The lists the portal exports: one ``ListExport`` per list page, registered by its app.

A spec names the list's columns (Chinese headers, in the page's order) and gives, for a request,
exactly the queryset the list page shows: the same scoping helper, the same filterset and the
same ``Sorting``, through a function the list view itself calls. Each app registers its own
specs when it is ready (``organizations.exports.lists``, ``services.list_exports``,
``rollout.list_exports``); this module imports none of them, so that the dependencies between
the apps point one way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import get_language

PHONE = "phone"
ID_NUMBER = "id_number"
PERSONAL_KINDS = (PHONE, ID_NUMBER)

# Parameters of an export's own, never passed on to the list's filters.
EXPORT_PARAMETERS = ("format", "full", "page", "cursor")


@dataclass(frozen=True)
class Column:
    """One column of an export: its header, how a row's value is read, and whether it holds a
    phone or an ID number (masked unless the export is of full numbers)."""

    header: str | Promise
    value: Callable[[Any], Any]
    personal: str | None = None
    width: int = 14

    def __post_init__(self) -> None:
        if self.personal not in (None, *PERSONAL_KINDS):
            raise ValueError(f"unknown personal column kind {self.personal!r}")


def choice_label(model, field_name: str) -> Callable[[Any], str]:
    """A column value: the label of a record's choice, as ``get_<field>_display()`` reads it,
    looked up in a table made once per language. ``get_<field>_display()`` builds its table
    again on every call, which costs more than the rest of an exported row."""
    choices = model._meta.get_field(field_name).flatchoices
    tables: dict[str, dict[Any, str]] = {}

    def label(record) -> str:
        language = get_language() or ""
        table = tables.get(language)
        if table is None:
            table = tables[language] = {value: str(text) for value, text in choices}
        value = getattr(record, field_name)
        return table.get(value, value)

    return label


@dataclass(frozen=True)
class ListExport:
    """The export of one list page.

    ``rows(request)`` returns the list page's queryset for ``request`` (its user and its query
    string), raising ``PermissionDenied`` or ``Http404`` where the page would; ``page(query)``
    is the address of the list page itself, for the links back to it. ``select_related`` and
    ``prefetch_related`` add what the columns read beyond what the page shows, so that the rows
    cost a fixed number of queries however many there are."""

    key: str
    title: str | Promise
    columns: tuple[Column, ...]
    rows: Callable[[HttpRequest], QuerySet]
    page: Callable[[QueryDict], str]
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[Any, ...] = field(default_factory=tuple)

    @property
    def personal(self) -> bool:
        """Whether the list holds phone or ID numbers (and so may be exported in full)."""
        return any(column.personal for column in self.columns)

    @property
    def headers(self) -> list[str]:
        return [str(column.header) for column in self.columns]

    def queryset(self, request: HttpRequest) -> QuerySet:
        """The rows to export, with what the columns need loaded alongside."""
        queryset = self.rows(request)
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        if self.prefetch_related:
            queryset = queryset.prefetch_related(*self.prefetch_related)
        return queryset


_REGISTRY: dict[str, ListExport] = {}


def register(spec: ListExport) -> ListExport:
    """Add ``spec`` to the exports; registering the same key twice with another spec is an error
    (two lists would fight over one URL)."""
    existing = _REGISTRY.get(spec.key)
    if existing is not None and existing != spec:
        raise ValueError(f"an export is already registered under {spec.key!r}")
    _REGISTRY[spec.key] = spec
    return spec


def get(key: str) -> ListExport | None:
    return _REGISTRY.get(key)


def registered() -> list[ListExport]:
    """Every export, in the order the apps registered them."""
    return list(_REGISTRY.values())


def page_of(url_name: str) -> Callable[[QueryDict], str]:
    """``ListExport.page`` for a list page at a URL without arguments: the page with the
    export's filters and sort."""

    def page(query: QueryDict) -> str:
        encoded = list_query(query).urlencode()
        return reverse(url_name) + (f"?{encoded}" if encoded else "")

    return page


def list_query(query: QueryDict) -> QueryDict:
    """The list page's own part of an export's query string: its filters and sort."""
    kept = query.copy()
    for name in EXPORT_PARAMETERS:
        kept.pop(name, None)
    return kept


def request_for(user, query: str) -> HttpRequest:
    """A GET request for a list page by ``user`` with ``query``: what a background export builds
    its rows from, as the user who asked for it, with their scope as it is when it runs."""
    request = HttpRequest()
    request.method = "GET"
    request.user = user
    request.GET = list_query(QueryDict(query))
    return request
