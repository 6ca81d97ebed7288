"""Fixed-window rate limits counted in the shared cache, so that every web host sees the same
counters (``CACHES`` uses Redis whenever one is configured). The public check-in and the
password-reset form count their attempts here."""

from __future__ import annotations

import logging

from django.core.cache import cache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


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
        # The shared cache is unreachable: the pages keep working unthrottled rather than
        # answering 500 (check-in writes stay idempotent by the database's constraints).
        logger.warning("Rate limit %s not counted: the cache is unreachable.", key, exc_info=True)
        return False
    return count > limit
