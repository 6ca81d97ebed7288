"""Rate limits for the public pages, counted in the shared cache so that every web host sees
the same counters (``CACHES`` uses Redis whenever one is configured)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from redis.exceptions import RedisError

from organizations.accounts import selectors as accounts_selectors

logger = logging.getLogger(__name__)


def client_address(request) -> str:
    """The caller's address, as the sign-in lockout reads it
    (``organizations.accounts.selectors.client_address``), or "" when there is none."""
    return accounts_selectors.client_address(request) or ""


def over_limit(key: str, *, limit: int, window: int) -> bool:
    """Count one more attempt under ``key``; true once more than ``limit`` were made within
    ``window`` seconds of the first (a fixed window that starts at the first attempt)."""
    cache_key = f"ratelimit:{key}"
    try:
        cache.add(cache_key, 0, timeout=window)
        try:
            count = cache.incr(cache_key)
        except ValueError:
            # The window ran out between add() and incr(): this attempt opens a new one.
            cache.set(cache_key, 1, timeout=window)
            count = 1
    except (RedisError, OSError):
        # The shared cache is unreachable: the public pages keep working unthrottled (their
        # writes stay idempotent by the database's constraints) rather than answering 500.
        logger.warning("Rate limit %s not counted: the cache is unreachable.", key, exc_info=True)
        return False
    return count > limit


def checkin_over_limit(request, token: str) -> bool:
    return over_limit(
        f"checkin:{token}:{client_address(request)}",
        limit=settings.SANHUI_CHECKIN_RATE_LIMIT,
        window=settings.SANHUI_CHECKIN_RATE_WINDOW,
    )
