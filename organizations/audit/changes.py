"""How audit entries read on a page.

Each entry becomes a ``Row``: when, who, the action's label, the record it names (with a link
when the record has a page and the viewer may open it) and its changes, one ``Change`` per key
("field: before → after" for a field of the record, the value alone for other keys). Values
that name rows (an organisation, a person, a region) are shown by name; the names are looked up
once per kind of row for the whole page, and only among the rows the viewer may see (others
show as "#id"), so a page costs the same number of queries however many entries it holds.
Personal fields (phone, ID number, birth date, e-mail) read "***" whatever was stored.
"""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from ..actions import PERSONAL_FIELDS
from ..links import join_names
from ..models import AuditEntry, Region
from ..scoping import scope_for, scoped
from .labels import EXTRA_KEYS, Key, action_label

MASKED = "***"


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str
    # False: a value recorded with the entry (an export's row count), not a field's before/after.
    paired: bool = True


@dataclass(frozen=True)
class Row:
    entry: AuditEntry
    action: str
    record_type: str
    record_url: str
    changes: list[Change]


@functools.cache
def model_for(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def type_label(label: str) -> str:
    model = model_for(label)
    return str(model._meta.verbose_name) if model is not None else label


def _display_with(model: type[models.Model], name: str, value: list) -> list[str]:
    """The labels a model gives the codes of a list field (``get_<name>_display``)."""
    return list(getattr(model(**{name: value}), f"get_{name}_display")())


@functools.cache
def key_for(model: type[models.Model] | None, name: str) -> Key:
    try:
        field = model._meta.get_field(name) if model is not None else None
    except FieldDoesNotExist:
        field = None
    if field is None:
        return EXTRA_KEYS.get(name, Key(name))
    related = field.related_model if field.is_relation else None
    # A relation declared on the other model (an activity's campaigns) is named after it.
    label = field.verbose_name if isinstance(field, models.Field) else related._meta.verbose_name_plural
    is_list = isinstance(field, models.JSONField)
    return Key(
        label,
        is_field=True,
        related=related._meta.label_lower if related is not None else "",
        choices=dict(field.flatchoices) if getattr(field, "choices", None) else None,
        many=bool(field.many_to_many or field.one_to_many or is_list),
        is_datetime=isinstance(field, models.DateTimeField),
        display=functools.partial(_display_with, model, name)
        if is_list and hasattr(model, f"get_{name}_display")
        else None,
    )


@functools.cache
def _field_order(model: type[models.Model] | None) -> dict[str, int]:
    """The record's fields in the order the model declares them (many-to-many fields and those
    of other models pointing to it after), so that an entry reads the same whatever order its
    JSON came back in (PostgreSQL's jsonb keeps keys in an order of its own)."""
    if model is None:
        return {}
    meta = model._meta
    names = [field.name for field in (*meta.fields, *meta.many_to_many, *meta.related_objects)]
    return {name: position for position, name in enumerate(names)}


def _in_order(model: type[models.Model] | None, changes: dict[str, Any]) -> list[tuple[str, Any]]:
    order = _field_order(model)
    return sorted(changes.items(), key=lambda item: (order.get(item[0], len(order)), item[0]))


def _is_pair(key: Key, value: Any) -> bool:
    if not (key.is_field and isinstance(value, list) and len(value) == 2):
        return False
    if key.many:
        return all(side is None or isinstance(side, list) for side in value)
    return True


class Names:
    """The names of the rows that an entry's values point to, for one viewer."""

    def __init__(self, user) -> None:
        self.user = user
        self.wanted: dict[str, set[str]] = defaultdict(set)
        self.found: dict[tuple[str, str], str] = {}

    def want(self, key: Key, value: Any) -> None:
        if not key.related or value is None:
            return
        if isinstance(value, list):
            for item in value:
                self.want(key, item)
        else:
            self.wanted[key.related].add(str(value))

    def load(self) -> None:
        for label, ids in self.wanted.items():
            model = model_for(label)
            if model is None:
                continue
            pks = [pk for pk in ids if pk.isdigit()]
            for obj in visible(self.user, model).filter(pk__in=pks).select_related():
                self.found[(label, str(obj.pk))] = str(obj)

    def name(self, label: str, pk: Any) -> str:
        return self.found.get((label, str(pk)), f"#{pk}")


def visible(user, model: type[models.Model]) -> models.QuerySet:
    """The rows of ``model`` the viewer may see: its scoping rule, or for models without one,
    the district's regions for everyone and the rest for those who read everything."""
    try:
        return scoped(user, model)
    except ImproperlyConfigured:
        if model is Region or scope_for(user).read_all:
            return model._default_manager.all()
        return model._default_manager.none()


def _show(key: Key, value: Any, names: Names) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list):
        if key.display is not None:
            try:
                return join_names(key.display(value))
            except (TypeError, ValueError):
                pass
        single = replace(key, many=False, display=None)
        return join_names(_show(single, item, names) for item in value)
    if key.related:
        return names.name(key.related, value)
    if key.choices is not None:
        return str(key.choices.get(value, value))
    if key.is_datetime and isinstance(value, str):
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return moment.strftime("%Y-%m-%d %H:%M")
    return str(value)


def _changes(entry: AuditEntry, names: Names) -> list[Change]:
    model = model_for(entry.object_type)
    found = []
    changes = entry.changes if isinstance(entry.changes, dict) else {}
    for name, value in _in_order(model, changes):
        key = key_for(model, name)
        label = str(key.label)
        if name in PERSONAL_FIELDS:
            found.append(Change(label, MASKED, MASKED, paired=value != MASKED))
        elif value == MASKED:
            found.append(Change(label, "", MASKED, paired=False))
        elif _is_pair(key, value):
            found.append(Change(label, _show(key, value[0], names), _show(key, value[1], names)))
        else:
            found.append(Change(label, "", _show(key, value, names), paired=False))
    return found


def _wanted(entry: AuditEntry, names: Names) -> None:
    model = model_for(entry.object_type)
    changes = entry.changes if isinstance(entry.changes, dict) else {}
    for name, value in changes.items():
        if name not in PERSONAL_FIELDS:
            names.want(key_for(model, name), value)


def record_links(entries: Iterable[AuditEntry], *, user) -> dict[tuple[str, str], str]:
    """The page of each record the entries name, where it has one the viewer may open: one
    query per kind of record."""
    ids: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        if entry.object_id.isdigit():
            ids[entry.object_type].add(entry.object_id)
    links = {}
    for label, pks in ids.items():
        model = model_for(label)
        if model is None or not hasattr(model, "get_absolute_url"):
            continue
        try:
            queryset = scoped(user, model)
        except ImproperlyConfigured:
            continue
        for obj in queryset.filter(pk__in=pks):
            links[(label, str(obj.pk))] = obj.get_absolute_url()
    return links


def present(entries: Iterable[AuditEntry], *, user) -> list[Row]:
    """The entries as ``Row``s for ``user`` (who has been allowed to read them)."""
    entries = list(entries)
    names = Names(user)
    for entry in entries:
        _wanted(entry, names)
    names.load()
    links = record_links(entries, user=user)
    return [
        Row(
            entry=entry,
            action=action_label(entry.action),
            record_type=type_label(entry.object_type),
            record_url=links.get((entry.object_type, entry.object_id), ""),
            changes=_changes(entry, names),
        )
        for entry in entries
    ]
