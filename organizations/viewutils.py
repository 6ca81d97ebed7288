"""Small helpers that the pages of every app share."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext as _

from . import pagination

PAGE_SIZE = pagination.PAGE_SIZE


def paginate(request: HttpRequest, queryset, *, total: int | None = None) -> pagination.KeysetPage:
    """The page of the (ordered) ``queryset`` the request's cursor points at, read by keyset so
    that the last page costs what the first costs (``organizations.pagination``); ``total`` as
    ``keyset_page`` takes it."""
    return pagination.keyset_page(request, queryset, size=PAGE_SIZE, total=total)


def query_without_page(request: HttpRequest) -> str:
    """The request's filters and sort without its position in the list: what header, filter
    and export links carry."""
    params = request.GET.copy()
    params.pop(pagination.PARAMETER, None)
    params.pop("page", None)
    return params.urlencode()


def apply_action_errors(form, error: ValidationError) -> None:
    """Put an action's ValidationError on the form: field errors by field, others on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def saved_message(request: HttpRequest, text: str, record) -> None:
    """The success message after a save: ``text`` (translated, naming the record as plain text),
    then a link to the record's page, so that it can be found wherever the user lands.
    ``format_html`` escapes the text, so a name holding markup shows as typed."""
    messages.success(
        request,
        format_html('{} <a class="alert-link" href="{}">{}</a>', text, record.get_absolute_url(), _("查看")),
    )
