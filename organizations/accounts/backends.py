"""The lockout check in front of Django's model backend."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' check, for sign-ins that come with a request.

    Every sign-in from a browser (the portal's and the admin's login pages) passes its request
    and is checked. ``authenticate()`` without a request comes from code on the server itself
    (management commands, tests), which no one outside can reach; django-axes would raise an
    error there, so the check steps aside and the model backend decides alone."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
