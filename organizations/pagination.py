"""Keyset (cursor) pagination of the list pages: 首页, 上一页, 下一页, 末页.

A page is read by its position in the list's order, never by an OFFSET: "the 50 rows after
this row" (``WHERE (sort keys) > (the row's keys) … LIMIT 51``), so the last page of a ledger of
millions costs what its first page costs, and an index on the sort columns serves both. The
last page is the first page of the reversed order, shown in the list's own order.

The order is the queryset's own (``organizations.sorting`` ends every ordering in the primary
key; a list without one gets the primary key appended). Each sort column may be an expression
(``pinyin("name")``, an annotation such as a count), and records without a value come last in
both directions, as ``Sorting`` orders them.

The position travels in the URL beside the filters and the sort, as one signed parameter
(``?cursor=…``) bound to the page's path and sort: a tampered, foreign or stale cursor gives the
first page, never an error. The total is counted over a subquery LIMITed to ``COUNT_LIMIT + 1``
rows, so that it costs the same at any size: exact up to ``COUNT_LIMIT``, "10,000+" above.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core import signing
from django.db.models import F, OrderBy, Q, QuerySet
from django.db.models.expressions import Col
from django.db.models.functions import Collate
from django.db.models.lookups import Exact, GreaterThan, GreaterThanOrEqual, IsNull, LessThan, LessThanOrEqual
from django.http import HttpRequest

PARAMETER = "cursor"
PAGE_SIZE = 50
# Totals above this are shown as "10,000+": counting further would cost time growing with the list.
COUNT_LIMIT = 10_000

AFTER, BEFORE, LAST = "a", "b", "l"
_KEY_PREFIX = "_keyset_"


@dataclass(frozen=True)
class _Key:
    """One column of the order: its expression, direction, where its empty values go, and
    whether it can be empty at all (a column of the list's own table declared NOT NULL cannot,
    which lets the database bound an index scan by it)."""

    expression: Any
    descending: bool
    nulls_first: bool
    nullable: bool

    def reversed(self) -> _Key:
        return _Key(self.expression, not self.descending, not self.nulls_first, self.nullable)

    def order_by(self) -> OrderBy:
        if not self.nullable:
            # No NULLS FIRST/LAST on a column that holds none: PostgreSQL would not match the
            # clause to the column's index, and sort the whole list instead of reading it in order.
            return OrderBy(self.expression, descending=self.descending)
        if self.nulls_first:
            return OrderBy(self.expression, descending=self.descending, nulls_first=True)
        return OrderBy(self.expression, descending=self.descending, nulls_last=True)

    def equal(self, value) -> Q:
        return Q(IsNull(self.expression, True)) if value is None else Q(Exact(self.expression, value))

    def beyond(self, value) -> Q | None:
        """Rows strictly after ``value`` in this column's order (None: no row can be)."""
        if value is None:
            # Empty values are all equal: after them come only the filled ones, if they go last.
            return Q(IsNull(self.expression, False)) if self.nulls_first and self.nullable else None
        lookup = LessThan if self.descending else GreaterThan
        condition = Q(lookup(self.expression, value))
        if self.nullable and not self.nulls_first:
            condition |= Q(IsNull(self.expression, True))
        return condition

    def bound(self, value) -> Q | None:
        """The same condition loosened to "at or after", on the column alone: redundant with
        ``beyond`` but a range that an index on the column can serve."""
        if value is None or self.nullable:
            return None
        lookup = LessThanOrEqual if self.descending else GreaterThanOrEqual
        return Q(lookup(self.expression, value))


def _source_ordering(queryset: QuerySet) -> list:
    ordering = list(queryset.query.order_by)
    if not ordering and queryset.query.default_ordering:
        ordering = list(queryset.model._meta.ordering)
    return ordering


def _as_order_by(part) -> OrderBy | None:
    if isinstance(part, str):
        if part == "?":
            return None
        descending = part.startswith("-")
        return OrderBy(F(part.removeprefix("-")), descending=descending)
    if isinstance(part, OrderBy):
        return part
    if hasattr(part, "resolve_expression"):
        return OrderBy(part)
    return None


def _is_primary_key(expression, queryset: QuerySet) -> bool:
    return isinstance(expression, F) and expression.name in ("pk", queryset.model._meta.pk.name)


def _nullable(expression, queryset: QuerySet) -> bool:
    """Whether ``expression`` may be NULL in the list's rows: only a NOT NULL column of the
    list's own table (possibly collated) is known not to be."""
    if _is_primary_key(expression, queryset):
        return False
    probe = queryset.query.clone()
    try:
        resolved = expression.resolve_expression(probe, allow_joins=True, reuse=None)
    except Exception:  # anything that does not resolve to a plain column counts as nullable
        return True
    while isinstance(resolved, Collate):
        resolved = resolved.get_source_expressions()[0]
    if isinstance(resolved, Col):
        return resolved.alias != probe.get_initial_alias() or resolved.target.null
    return True


def keys_of(queryset: QuerySet) -> list[_Key]:
    """The columns of the queryset's order, ended by the primary key when they are not already."""
    keys = []
    for part in _source_ordering(queryset):
        ordered = _as_order_by(part)
        if ordered is None:
            continue
        expression = ordered.expression
        nulls_first = bool(ordered.nulls_first)
        keys.append(_Key(expression, ordered.descending, nulls_first, _nullable(expression, queryset)))
    if not keys or not _is_primary_key(keys[-1].expression, queryset):
        keys.append(_Key(F("pk"), keys[-1].descending if keys else False, False, False))
    return keys


def _after(keys: list[_Key], values: list) -> Q:
    """Rows after ``values`` in the order of ``keys``: for some column, equal on every column
    before it and beyond it on that one; with the first column's bound in front for the index."""
    alternatives: Q | None = None
    equal_so_far = Q()
    for key, value in zip(keys, values, strict=True):
        beyond = key.beyond(value)
        if beyond is not None:
            alternative = equal_so_far & beyond
            alternatives = alternative if alternatives is None else alternatives | alternative
        equal_so_far &= key.equal(value)
    # The last key is the primary key, never empty: some alternative always exists.
    assert alternatives is not None
    bound = keys[0].bound(values[0])
    return bound & alternatives if bound is not None else alternatives


# --------------------------------------------------------------------------- the cursor


def _encode(value):
    if isinstance(value, datetime.datetime):
        return ["dt", value.isoformat()]
    if isinstance(value, datetime.date):
        return ["d", value.isoformat()]
    if isinstance(value, datetime.time):
        return ["t", value.isoformat()]
    if isinstance(value, Decimal):
        return ["n", str(value)]
    return value


def _decode(value):
    if isinstance(value, list):
        tag, text = value
        parse = {
            "dt": datetime.datetime.fromisoformat,
            "d": datetime.date.fromisoformat,
            "t": datetime.time.fromisoformat,
            "n": Decimal,
        }[tag]
        return parse(text)
    if isinstance(value, dict):
        raise ValueError("not a key value")
    return value


def _salt(request: HttpRequest, keys: list[_Key]) -> str:
    """A cursor is good for one list in one order: the path, the requested sort and the shape
    of the order sign it."""
    shape = "".join(f"{int(key.descending)}{int(key.nulls_first)}" for key in keys)
    sort = request.GET.get("sort", "")
    digest = hashlib.sha256(f"{request.path}\x00{sort}\x00{shape}".encode()).hexdigest()[:16]
    return f"organizations.pagination.{digest}"


def _read_cursor(request: HttpRequest, keys: list[_Key]) -> tuple[str, list] | None:
    token = request.GET.get(PARAMETER, "")
    if not token or len(token) > 2000:
        return None
    try:
        payload = signing.loads(token, salt=_salt(request, keys))
        direction, raw = payload["d"], payload.get("k", [])
        if direction not in (AFTER, BEFORE, LAST):
            return None
        values = [_decode(value) for value in raw]
    except (signing.BadSignature, KeyError, TypeError, ValueError, InvalidOperation):
        return None
    if direction != LAST and len(values) != len(keys):
        return None
    return direction, values


def _write_cursor(request: HttpRequest, keys: list[_Key], direction: str, values: list | None = None) -> str:
    payload = {"d": direction}
    if values is not None:
        payload["k"] = [_encode(value) for value in values]
    return signing.dumps(payload, salt=_salt(request, keys), compress=True)


# --------------------------------------------------------------------------- the page


@dataclass
class KeysetPage:
    """What the list templates read: the rows (iterate the page), the total and the links.
    ``*_query`` are query strings (filters and sort kept) or "" when there is no such link."""

    object_list: list
    total: int
    has_previous: bool
    has_next: bool
    first_query: str = ""
    previous_query: str = ""
    next_query: str = ""
    last_query: str = ""
    count_limit: int = COUNT_LIMIT

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def __getitem__(self, index):
        return self.object_list[index]

    def __bool__(self) -> bool:
        return bool(self.object_list)

    @property
    def total_is_exact(self) -> bool:
        return self.total <= self.count_limit

    @property
    def count_limit_text(self) -> str:
        """The bound of the total as the page shows it, "10,000", with thousands separators."""
        return f"{self.count_limit:,}"

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def is_first(self) -> bool:
        return not self.has_previous

    @property
    def is_last(self) -> bool:
        return not self.has_next


def bounded_count(queryset: QuerySet, limit: int) -> int:
    """How many rows ``queryset`` has, counted up to ``limit + 1`` only (a LIMITed subquery):
    exact at or below ``limit``, ``limit + 1`` for "more"."""
    return queryset.order_by().values("pk")[: limit + 1].count()


def _values(row, count: int) -> list:
    return [getattr(row, f"{_KEY_PREFIX}{index}") for index in range(count)]


def _query(request: HttpRequest, cursor: str | None) -> str:
    params = request.GET.copy()
    params.pop(PARAMETER, None)
    params.pop("page", None)
    if cursor is not None:
        params[PARAMETER] = cursor
    return params.urlencode()


def keyset_page(
    request: HttpRequest, queryset: QuerySet, *, size: int = PAGE_SIZE, total: int | None = None
) -> KeysetPage:
    """The page of ``queryset`` (ordered, filtered and scoped by the caller) that the request's
    cursor points at: the same two queries (the bounded total and the rows, then the
    queryset's prefetches) whichever page it is; a third only when 上一页 finds less than a page
    before it and shows the first page instead. ``total``: the rows' bounded count when the
    caller has a cheaper way to it than counting ``queryset``."""
    keys = keys_of(queryset)
    annotated = queryset.annotate(
        **{f"{_KEY_PREFIX}{index}": key.expression for index, key in enumerate(keys)}
    )
    forward = [key.order_by() for key in keys]
    backward = [key.reversed().order_by() for key in keys]
    if total is None:
        total = bounded_count(queryset, COUNT_LIMIT)
    cursor = _read_cursor(request, keys)
    direction, values = cursor if cursor else (None, [])

    rows: list = []
    has_previous = has_next = False
    if direction == AFTER:
        rows = list(annotated.filter(_after(keys, values)).order_by(*forward)[: size + 1])
        has_previous, has_next = True, len(rows) > size
        rows = rows[:size]
    elif direction == BEFORE:
        reversed_keys = [key.reversed() for key in keys]
        found = list(annotated.filter(_after(reversed_keys, values)).order_by(*backward)[: size + 1])
        if len(found) > size:
            rows, has_previous, has_next = found[:size][::-1], True, True
    elif direction == LAST:
        found = list(annotated.order_by(*backward)[: size + 1])
        rows, has_previous, has_next = found[:size][::-1], len(found) > size, False
    if not rows:
        # No cursor, or one that leads nowhere now (rows deleted, or fewer than a page before
        # it): the first page.
        found = list(annotated.order_by(*forward)[: size + 1])
        rows, has_previous, has_next = found[:size], False, len(found) > size

    page = KeysetPage(
        object_list=rows, total=total, has_previous=has_previous, has_next=has_next, count_limit=COUNT_LIMIT
    )
    if has_previous:
        page.first_query = _query(request, None)
        page.previous_query = _query(
            request, _write_cursor(request, keys, BEFORE, _values(rows[0], len(keys)))
        )
    if has_next:
        page.next_query = _query(request, _write_cursor(request, keys, AFTER, _values(rows[-1], len(keys))))
        page.last_query = _query(request, _write_cursor(request, keys, LAST))
    return page
