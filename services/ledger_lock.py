"""The lock on the ledger of a closed period: the one check every write to an activity, its
check-ins, volunteer hours and evidence goes through (``ledger_guard``).

Closing a period is the rollout's business (district staff close a finished quarter and its
supervision report is issued), and ``services`` may not import ``rollout``: the rollout tells
this module which periods are closed by registering a lookup at start-up
(``register_closed_period_lookup``, called from its AppConfig.ready). Without one, nothing is
locked.

Inside a closed period organisation admins, leaders and the public check-in pages are refused
with a message in Chinese; district staff may still correct the ledger (that is what the
reopening of a period is for, but a correction without reopening is allowed too), and each such
write leaves an audit entry naming the closed period.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.actions import audit_record
from organizations.scoping import scope_for

# day (Asia/Shanghai) → the code of the closed period holding it ("2022Q4"), or None.
ClosedPeriodLookup = Callable[[datetime.date], "str | None"]

_lookups: list[ClosedPeriodLookup] = []


def register_closed_period_lookup(lookup: ClosedPeriodLookup) -> None:
    """Declare where closed periods are kept; registering the same lookup again is harmless."""
    if lookup not in _lookups:
        _lookups.append(lookup)


def closed_period_on(day: datetime.date) -> str | None:
    """The code of the closed period holding ``day``, or None when that day's ledger is open."""
    for lookup in _lookups:
        if code := lookup(day):
            return code
    return None


def ledger_guard(*, actor, activity=None, starts_at: datetime.datetime | None = None, write: str) -> None:
    """Refuse a write to the ledger of a closed period, unless ``actor`` is district staff.

    The period is judged by the activity's start in Asia/Shanghai: its current start and, for
    an edit that moves it, the new one (``starts_at``), so that an activity can be moved
    neither out of nor into a closed period. ``actor`` is None for the public check-in pages.
    ``write`` names the write for the audit entry a district staff correction leaves."""
    moments = [moment for moment in (getattr(activity, "starts_at", None), starts_at) if moment is not None]
    closed = sorted(
        {code for moment in moments if (code := closed_period_on(timezone.localtime(moment).date()))}
    )
    if not closed:
        return
    if actor is not None and scope_for(actor).write_all:
        if activity is not None and activity.pk is not None:
            audit_record(
                actor=actor,
                action="closed_period_correction",
                obj=activity,
                summary=_("已关闭季度 %(quarters)s 的更正：%(write)s")
                % {"quarters": "、".join(closed), "write": write},
                changes={"periods": closed, "write": write},
            )
        return
    if actor is None:
        raise ValidationError(
            _("本次活动所在季度（%(quarter)s）已关闭，不能再签到或签退。") % {"quarter": closed[0]},
            code="period_closed",
        )
    raise ValidationError(
        _(
            "%(quarter)s 已关闭：该季度活动的信息、状态、签到、志愿服务时长和佐证材料不能再修改。"
            "如需更正，请联系区科协。"
        )
        % {"quarter": "、".join(closed)},
        code="period_closed",
    )
