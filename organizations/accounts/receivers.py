"""Django's auth signals, each handed to an action: the login log and the forced password change.

Connected in ``OrganizationsConfig.ready()``. Django sends these for every sign-in path (the
portal's login page, the admin's, ``Client.force_login`` in tests), so the log misses none.
"""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from . import actions
from .models import LoginEvent

# The session key that marks a user who must change their password before anything else.
MUST_CHANGE_PASSWORD = "sanhui_must_change_password"  # noqa: S105 (a session key)


def on_logged_in(sender, request, user, **kwargs) -> None:
    must_change = actions.login_success_record(request=request, user=user)
    session = getattr(request, "session", None)
    if session is not None:
        if must_change:
            session[MUST_CHANGE_PASSWORD] = True
        else:
            session.pop(MUST_CHANGE_PASSWORD, None)


def on_logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        actions.login_event_record(request=request, result=LoginEvent.Result.LOGOUT, user=user)


def refused_by_lock(request) -> bool:
    """Whether django-axes refused this sign-in because of an existing lock, rather than the
    password being wrong. The lock check marks the request before Django sends the failure
    signal; axes' own failure handler sets ``axes_failures_since_start`` only when it counts a
    wrong password, so the answer is the same whichever receiver runs first."""
    return bool(getattr(request, "axes_locked_out", False)) and (
        getattr(request, "axes_failures_since_start", None) is None
    )


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    result = LoginEvent.Result.LOCKED if refused_by_lock(request) else LoginEvent.Result.FAILURE
    actions.login_event_record(request=request, result=result, username=credentials.get("username") or "")


def connect() -> None:
    user_logged_in.connect(on_logged_in, dispatch_uid="sanhui-login-log-in")
    user_logged_out.connect(on_logged_out, dispatch_uid="sanhui-login-log-out")
    user_login_failed.connect(on_login_failed, dispatch_uid="sanhui-login-log-failed")
