"""Accounts pages: district staff's lockouts and login log, the login page's answer to a locked
account or address, the password-change page and the password reset by mail (忘记密码)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ..links import absolute_url
from ..scoping import scope_for
from ..sorting import RowSorting, Sorting
from ..viewutils import paginate, query_without_page
from . import actions, selectors
from .filters import LoginEventFilter
from .forms import LockoutReleaseForm, PasswordResetRequestForm, PasswordResetSetForm
from .ratelimit import password_reset_over_limit
from .receivers import MUST_CHANGE_PASSWORD
from .tasks import send_password_reset_mail


def _require_district_staff(request: HttpRequest) -> None:
    if not scope_for(request.user).write_all:
        raise PermissionDenied


# The current locks are worked out in Python (selectors.lockouts), the latest lock first.
LOCKOUT_SORTING = RowSorting(
    {
        "kind": lambda lock: lock.kind,
        "username": lambda lock: lock.usernames[0].casefold() if lock.usernames else None,
        "address": lambda lock: lock.addresses[0] if lock.addresses else None,
        "failures": lambda lock: lock.failures,
        "last": lambda lock: lock.last_attempt,
        "until": lambda lock: lock.until,
    },
    default="-until",
)


@require_GET
def lockout_list(request: HttpRequest) -> HttpResponse:
    _require_district_staff(request)
    lockouts, sort = LOCKOUT_SORTING.apply(request, selectors.lockouts())
    context = {
        "lockouts": lockouts,
        "sort": sort,
        "failure_limit": selectors.failure_limit(),
        "lockout_minutes": int(selectors.lockout_period().total_seconds() // 60),
    }
    return render(request, "organizations/accounts/lockout_list.html", context)


@require_POST
def lockout_release(request: HttpRequest) -> HttpResponse:
    _require_district_staff(request)
    form = LockoutReleaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择要解锁的账号或地址。"))
        return redirect("account_lockouts")
    try:
        actions.lockout_release(actor=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已解除锁定：%(value)s") % {"value": form.cleaned_data["value"]})
    return redirect("account_lockouts")


LOGIN_SORTING = Sorting(
    {
        "time": ("created_at",),
        "username": ("username", "-created_at"),
        "address": ("ip_address", "-created_at"),
        "result": ("result", "-created_at"),
    },
    default="-time",
)


@require_GET
def login_log(request: HttpRequest) -> HttpResponse:
    _require_district_staff(request)
    log_filter = LoginEventFilter(request.GET, queryset=selectors.login_events())
    events, sort = LOGIN_SORTING.apply(request, log_filter.qs)
    context = {
        "filter": log_filter,
        "page": paginate(request, events),
        "sort": sort,
        "query": query_without_page(request),
    }
    return render(request, "organizations/accounts/login_log.html", context)


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """The login page again, saying until when sign-in is refused (django-axes'
    ``AXES_LOCKOUT_CALLABLE``): answered in place of the login view's own response."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    until = selectors.lockout_until(username=username, ip_address=selectors.client_address(request))
    if until is None:
        message = _("登录失败次数过多，账号已被暂时锁定，请稍后再试或联系区科协工作人员解锁。")
    else:
        message = _("登录失败次数过多，账号已锁定至 %(time)s，请届时再试或联系区科协工作人员解锁。") % {
            "time": timezone.localtime(until).strftime("%H:%M")
        }
    context = {
        "form": AuthenticationForm(request, initial={"username": username}),
        "lockout_message": message,
        "next": request.POST.get("next", ""),
    }
    return render(request, "registration/login.html", context, status=429)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's page, writing through the action (audited; lifts a forced change)."""

    def form_valid(self, form):
        user = actions.account_password_change(
            actor=self.request.user, new_password=form.cleaned_data["new_password1"]
        )
        update_session_auth_hash(self.request, user)
        self.request.session.pop(MUST_CHANGE_PASSWORD, None)
        return HttpResponseRedirect(self.get_success_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["must_change"] = bool(self.request.session.get(MUST_CHANGE_PASSWORD))
        return context


class PasswordResetView(auth_views.PasswordResetView):
    """忘记密码: queues the mail with a link to set a new password, for each active account with
    a usable password at the address. The page does the same work and gives the same answer
    whether or not the address belongs to one: the mail is made and sent by the worker
    (``send_password_reset_mail``). Too many requests for one address or from one client are
    refused on the form."""

    form_class = PasswordResetRequestForm

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        if password_reset_over_limit(self.request, email):
            form.add_error(None, _("重置密码的申请过于频繁，请稍后再试。"))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        # The link's address is the one this page was opened at (or SANHUI_SITE_URL), and the
        # mail is written in the language of this request (the user's choice on the page).
        site_url = absolute_url("/", self.request).rstrip("/")
        language = translation.get_language()
        # Queued at once: the request writes nothing the task would have to wait for.
        for user in form.get_users(email):
            send_password_reset_mail.delay(user.pk, site_url, language)
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The page the mailed link opens: Django checks the link (valid once, for
    PASSWORD_RESET_TIMEOUT); the new password is set through the action (rules, history, audit,
    no forced change afterwards)."""

    form_class = PasswordResetSetForm

    def form_valid(self, form):
        actions.account_password_reset(actor=form.user, new_password=form.cleaned_data["new_password1"])
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        self.request.session.pop(MUST_CHANGE_PASSWORD, None)
        return HttpResponseRedirect(self.get_success_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["valid_minutes"] = settings.PASSWORD_RESET_TIMEOUT // 60
        return context
