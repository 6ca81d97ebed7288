"""How often the password-reset form may be sent: per mail address and per client address,
counted in the shared cache (``sanhui.ratelimit``; with the cache unreachable the form is not
throttled, like the public check-in)."""

from __future__ import annotations

import hashlib

from django.conf import settings

from sanhui.ratelimit import over_limit

from . import selectors


def password_reset_over_limit(request, email: str) -> bool:
    """Count one request of a reset link for ``email`` from the caller; true when either the
    address or the caller has asked too often within the window. Both counters advance, so a
    caller cycling through addresses is still held by the second."""
    window = settings.SANHUI_PASSWORD_RESET_RATE_WINDOW
    # The address is kept in the cache only as a digest.
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    by_address = over_limit(
        f"password-reset:email:{digest}", limit=settings.SANHUI_PASSWORD_RESET_RATE_LIMIT, window=window
    )
    by_client = over_limit(
        f"password-reset:ip:{selectors.client_address(request) or ''}",
        limit=settings.SANHUI_PASSWORD_RESET_IP_RATE_LIMIT,
        window=window,
    )
    return by_address or by_client
