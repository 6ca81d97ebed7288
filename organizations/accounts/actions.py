"""Writes about signing in.

The login log is written for every login, logout and failed login (``login_event_record``,
called by the auth signals; the row is its own record). What district staff and users do to
accounts leaves an audit entry: lifting a lockout, requiring a password change, changing one's
password, resetting it through the link mailed to the account.
"""

from __future__ import annotations

import datetime
import logging

from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..actions import audit_record, plain, require
from ..audit.actions import MIN_LOG_DAYS, prune_before
from ..scoping import scope_for
from . import selectors
from .models import LoginEvent, PasswordState

log = logging.getLogger(__name__)


def login_event_record(*, request, result: str, username: str = "", user=None) -> LoginEvent:
    """One line of the login log. ``request`` may be None (a sign-in checked by server code)."""
    meta = getattr(request, "META", {}) if request is not None else {}
    if user is not None and not username:
        username = user.get_username()
    return LoginEvent.objects.create(
        username=(username or "")[:150],
        user=user if user is not None and user.pk else None,
        ip_address=selectors.client_address(request) if request is not None else None,
        result=result,
        user_agent=meta.get("HTTP_USER_AGENT", "")[:255],
    )


@transaction.atomic
def login_success_record(*, request, user) -> bool:
    """Log a sign-in, forget the account's earlier failures (a user who got their password
    right is not one mistake away from a lock), and say whether the user must change their
    password before going on."""
    login_event_record(request=request, result=LoginEvent.Result.SUCCESS, user=user)
    AccessAttempt.objects.filter(username=user.get_username()).delete()
    return PasswordState.objects.filter(user=user, must_change=True).exists()


@transaction.atomic
def lockout_release(*, actor, kind: str, value: str) -> AccessAttempt:
    """Lift the lock of an account (``kind="username"``) or an address (``"ip_address"``):
    its failed attempts are forgotten. Only district staff lift locks."""
    require(scope_for(actor).write_all)
    if kind not in {"username", "ip_address"} or not value:
        raise ValidationError(_("请选择要解锁的账号或地址。"))
    attempts = AccessAttempt.objects.filter(**{kind: value}).order_by("-attempt_time", "-pk")
    latest = attempts.first()
    if latest is None:
        raise ValidationError(_("该账号或地址当前没有被锁定。"))
    failures = sum(attempts.values_list("failures_since_start", flat=True))
    label = _("账号") if kind == "username" else _("地址")
    audit_record(
        actor=actor,
        action="lockout_release",
        obj=latest,
        summary=f"{label} {value}",
        changes={kind: value, "failures": failures, "last_attempt": plain(latest.attempt_time)},
    )
    attempts.delete()
    return latest


@transaction.atomic
def account_require_password_change(*, actor, user):
    """The password district staff just gave ``user`` (a new account, a reset) must be replaced
    at their next sign-in."""
    require(scope_for(actor).write_all)
    PasswordState.objects.update_or_create(user=user, defaults={"must_change": True})
    audit_record(
        actor=actor,
        action="account_require_password_change",
        obj=user,
        summary=user.get_username(),
        changes={"must_change": True},
    )
    return user


@transaction.atomic
def account_password_change(*, actor, new_password: str):
    """``actor`` sets their own new password (already checked against the password rules by the
    form, which also asked for the current one)."""
    require(getattr(actor, "is_authenticated", False))
    return _own_password_set(actor, new_password, action="account_password_change")


@transaction.atomic
def account_password_reset(*, actor, new_password: str):
    """``actor`` sets a new password through the link mailed to them (忘记密码); the form has
    checked the link and the password rules. As after a change of their own, the password joins
    the history and a change district staff required is no longer required. A lock of the
    account (too many failed sign-ins) stays until it lapses or district staff lift it: the
    failed attempts stay on the lockout page for staff to see, and locks are lifted in one
    audited place only."""
    require(actor is not None and actor.pk is not None and actor.is_active)
    return _own_password_set(actor, new_password, action="account_password_reset")


def _own_password_set(actor, new_password: str, *, action: str):
    """A user's password chosen by the user: saved (joining the history), no longer to be
    changed at the next sign-in, recorded."""
    actor.set_password(new_password)
    actor.save(update_fields=["password"])
    PasswordState.objects.update_or_create(
        user=actor, defaults={"must_change": False, "changed_at": timezone.now()}
    )
    audit_record(actor=actor, action=action, obj=actor, summary=actor.get_username())
    return actor


def login_log_days() -> int:
    return max(settings.SANHUI_LOGIN_LOG_DAYS, MIN_LOG_DAYS)


def login_events_prune(*, at: datetime.datetime | None = None) -> int:
    """Delete login log lines older than the retention period (never under 184 days)."""
    return prune_before(LoginEvent, settings.SANHUI_LOGIN_LOG_DAYS, at=at)
