from django.contrib.auth import views as auth_views
from django.urls import path

from .accounts import views as account_views
from .accounts.forms import LoginForm

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/change/",
        account_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    # 忘记密码: a link to set a new password, mailed to the account's address.
    path("password_reset/", account_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    # District staff: current lockouts (and lifting them) and the login log.
    path("lockouts/", account_views.lockout_list, name="account_lockouts"),
    path("lockouts/release/", account_views.lockout_release, name="account_lockout_release"),
    path("login-log/", account_views.login_log, name="account_login_log"),
]
