"""Sends a user who must change their password (a new account, a reset by district staff) to
the password-change page until they have changed it."""

from __future__ import annotations

from django.shortcuts import redirect

from .receivers import MUST_CHANGE_PASSWORD

# Pages such a user may still open: the change itself, a reset by mail, signing out, the
# language menu.
ALLOWED_VIEW_NAMES = frozenset(
    {
        "password_change",
        "password_change_done",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
        "logout",
        "set_language",
    }
)


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        session = getattr(request, "session", None)
        if session is None or not session.get(MUST_CHANGE_PASSWORD):
            return None
        if not request.user.is_authenticated:
            return None
        match = request.resolver_match
        if match is not None and match.view_name in ALLOWED_VIEW_NAMES:
            return None
        if not getattr(view_func, "login_required", True):
            return None
        return redirect("password_change")
