"""Rate limits for the public pages, counted in the shared cache so that every web host sees
the same counters (``CACHES`` uses Redis whenever one is configured)."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache


def client_address(request) -> str:
    """The caller's address: the socket address, or behind a reverse proxy the header the proxy
    sets (``SANHUI_CLIENT_IP_HEADER``; for X-Forwarded-For the last entry, the one the
    portal's own proxy appended and the caller cannot forge)."""
    header = settings.SANHUI_CLIENT_IP_HEADER
    if header:
        value = request.META.get(header, "")
        if value:
            return value.split(",")[-1].strip()[:64]
    return request.META.get("REMOTE_ADDR", "")[:64]


def over_limit(key: str, *, limit: int, window: int) -> bool:
    """Count one more attempt under ``key``; true once more than ``limit`` were made within
    ``window`` seconds of the first (a fixed window that starts at the first attempt)."""
    cache_key = f"ratelimit:{key}"
    cache.add(cache_key, 0, timeout=window)
    try:
        count = cache.incr(cache_key)
    except ValueError:
        # The window ran out between add() and incr(): this attempt opens a new one.
        cache.set(cache_key, 1, timeout=window)
        count = 1
    return count > limit


def checkin_over_limit(request, token: str) -> bool:
    return over_limit(
        f"checkin:{token}:{client_address(request)}",
        limit=settings.SANHUI_CHECKIN_RATE_LIMIT,
        window=settings.SANHUI_CHECKIN_RATE_WINDOW,
    )
