"""Rate limits of the public check-in pages, counted by ``sanhui.ratelimit`` in the shared cache."""

from __future__ import annotations

from django.conf import settings

from organizations.accounts import selectors as accounts_selectors
from sanhui.ratelimit import over_limit


def client_address(request) -> str:
    """The caller's address, as the sign-in lockout reads it
    (``organizations.accounts.selectors.client_address``), or "" when there is none."""
    return accounts_selectors.client_address(request) or ""


def checkin_over_limit(request, token: str) -> bool:
    return over_limit(
        f"checkin:{token}:{client_address(request)}",
        limit=settings.SANHUI_CHECKIN_RATE_LIMIT,
        window=settings.SANHUI_CHECKIN_RATE_WINDOW,
    )
