"""Reads about signing in: the client's address, current lockouts, the login log."""

from __future__ import annotations

import datetime
import ipaddress
from collections import defaultdict
from dataclasses import dataclass, field

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import QuerySet

from sanhui.clock import now

from .models import LoginEvent


def client_address(request) -> str | None:
    """The caller's address: the socket address (REMOTE_ADDR) or, behind a reverse proxy, the
    header the proxy sets (``SANHUI_CLIENT_IP_HEADER``; for X-Forwarded-For its last entry, the
    one the portal's own proxy appended and the caller cannot forge). None when neither holds
    an IP address."""
    candidates = []
    header = settings.SANHUI_CLIENT_IP_HEADER
    if header:
        candidates.append(request.META.get(header, "").split(",")[-1])
    candidates.append(request.META.get("REMOTE_ADDR", ""))
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate.strip()))
        except ValueError:
            continue
    return None


def failure_limit() -> int:
    return settings.AXES_FAILURE_LIMIT


def lockout_period() -> datetime.timedelta:
    return settings.AXES_COOLOFF_TIME


@dataclass
class Lockout:
    """An account or an address that may not sign in until ``until``."""

    kind: str  # "username" or "ip_address"
    value: str
    failures: int
    until: datetime.datetime
    last_attempt: datetime.datetime
    usernames: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)


def _until(rows: list[AccessAttempt], limit: int, period: datetime.timedelta) -> datetime.datetime | None:
    """When the failures of ``rows`` (one account's or one address's) fall below the limit.

    django-axes counts the failures of every row whose last failure is within the period; a
    row stops counting ``period`` after its last failure, newest last. The lock lifts when the
    newest rows still counting hold fewer than ``limit`` failures."""
    total = 0
    for row in sorted(rows, key=lambda row: row.attempt_time, reverse=True):
        total += row.failures_since_start
        if total >= limit:
            return row.attempt_time + period
    return None


def lockouts(*, at: datetime.datetime | None = None) -> list[Lockout]:
    """The accounts and addresses locked at ``at`` (now), the latest lock first."""
    at = at or now()
    limit, period = failure_limit(), lockout_period()
    rows = list(AccessAttempt.objects.filter(attempt_time__gt=at - period).order_by("-attempt_time", "-pk"))
    groups: dict[tuple[str, str], list[AccessAttempt]] = defaultdict(list)
    for row in rows:
        if row.username:
            groups[("username", row.username)].append(row)
        if row.ip_address:
            groups[("ip_address", row.ip_address)].append(row)
    found = []
    for (kind, value), members in groups.items():
        until = _until(members, limit, period)
        if until is None or until <= at:
            continue
        found.append(
            Lockout(
                kind=kind,
                value=value,
                failures=sum(row.failures_since_start for row in members),
                until=until,
                last_attempt=max(row.attempt_time for row in members),
                usernames=sorted({row.username for row in members if row.username}),
                addresses=sorted({row.ip_address for row in members if row.ip_address}),
            )
        )
    return sorted(found, key=lambda lock: (lock.until, lock.kind, lock.value), reverse=True)


def lockout_until(*, username: str | None, ip_address: str | None) -> datetime.datetime | None:
    """Until when a sign-in as ``username`` from ``ip_address`` is refused; None if it is not."""
    times = [
        lock.until
        for lock in lockouts()
        if (lock.kind == "username" and username and lock.value == username)
        or (lock.kind == "ip_address" and ip_address and lock.value == ip_address)
    ]
    return max(times, default=None)


def login_events() -> QuerySet[LoginEvent]:
    return LoginEvent.objects.order_by("-created_at", "-pk")
