"""What the portal keeps about signing in: the login log, password history, forced changes.

Imported by ``organizations.models`` so that they belong to the ``organizations`` app.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class LoginEvent(models.Model):
    """One login, logout or failed login: written by the auth signals, never edited."""

    class Result(models.TextChoices):
        SUCCESS = "success", _("登录成功")
        FAILURE = "failure", _("登录失败")
        LOCKED = "locked", _("锁定中，拒绝登录")
        LOGOUT = "logout", _("退出登录")

    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    username = models.CharField(_("用户名"), max_length=150, blank=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ip_address = models.GenericIPAddressField(_("地址"), null=True, blank=True, db_index=True)
    result = models.CharField(_("结果"), max_length=16, choices=Result.choices, db_index=True)
    user_agent = models.CharField(_("浏览器"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("登录日志")
        verbose_name_plural = pgettext_lazy("plural", "登录日志")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["username", "created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.username} {self.result}"


class PasswordHistory(models.Model):
    """The hash of a password a user has had: the newest few may not be chosen again."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="password_history",
    )
    password = models.CharField(_("密码摘要"), max_length=128)
    created_at = models.DateTimeField(_("设置时间"), default=timezone.now)

    class Meta:
        verbose_name = _("历史密码")
        verbose_name_plural = pgettext_lazy("plural", "历史密码")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"


class PasswordState(models.Model):
    """Whether a user must replace the password district staff gave them before going on.

    Users without a row (the demo logins among them) chose their own password."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="password_state",
    )
    must_change = models.BooleanField(_("须修改密码"), default=False)
    changed_at = models.DateTimeField(_("最近修改密码时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("密码状态")
        verbose_name_plural = pgettext_lazy("plural", "密码状态")

    def __str__(self) -> str:
        return f"{self.user_id} must_change={self.must_change}"
