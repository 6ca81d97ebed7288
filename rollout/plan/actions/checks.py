"""Checks shared by the plan's actions: who may manage the plan or supervise it, and the
helpers that turn problems into ``ValidationError`` keyed by field."""

from __future__ import annotations

import contextlib
import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from organizations.actions import require
from organizations.models import LeaderRole, Person
from organizations.scoping import Scope, scope_for


def _require_plan_manager(actor) -> Scope:
    """District staff manage the plan, tasks, pilots, steering group, showcase and incentives."""
    scope = scope_for(actor)
    require(scope.write_all)
    return scope


def _require_supervision(actor) -> Scope:
    """Inspections and rectification items are recorded by the steering group (supervisors)
    and by district staff, who staff its office."""
    scope = scope_for(actor)
    require(scope.write_all or scope.is_supervisor)
    return scope


def _check_dates(start: datetime.date | None, end: datetime.date | None, *, field: str = "end_date") -> None:
    if start and end and end < start:
        raise ValidationError({field: _("结束日期不能早于开始日期。")})


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


@contextlib.contextmanager
def _unique(field: str, message: str):
    """Turn a unique-constraint violation that slipped past the checks (two people saving the
    same thing at once) into the message the checks would have given."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError:
        raise ValidationError({field: message}) from None


def _is_leader(person: Person, on: datetime.date | None = None) -> bool:
    roles = LeaderRole.objects.filter(person=person)
    return (roles.open_on(on) if on else roles).exists()
