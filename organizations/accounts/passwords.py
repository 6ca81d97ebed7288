"""Password rules beyond Django's own validators (AUTH_PASSWORD_VALIDATORS in the settings).

``PasswordHistoryValidator.password_changed`` is Django's hook, called by ``User.save()``
whenever a new password was set, from any path (the portal, the admin, ``changepassword``):
the history stays complete whoever set the password.
"""

from __future__ import annotations

import unicodedata

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import ngettext

from .models import PasswordHistory


def character_classes(password: str) -> set[str]:
    """Which of upper-case letters, lower-case letters, digits and symbols ``password`` uses.

    Letters without case (Chinese characters) count as symbols: they are neither guessable
    as a Latin word nor a digit."""
    found = set()
    for char in password:
        if char.isupper():
            found.add("upper")
        elif char.islower():
            found.add("lower")
        elif unicodedata.category(char) == "Nd":
            found.add("digit")
        elif not char.isspace():
            found.add("symbol")
    return found


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule, worded in the portal's own catalogue (Django's Chinese one lacks
    the wording Django 5.2 uses)."""

    def get_error_message(self) -> str:
        return ngettext(
            "密码太短，至少需要 %(min_length)d 个字符。",
            "密码太短，至少需要 %(min_length)d 个字符。",
            self.min_length,
        ) % {"min_length": self.min_length}

    def get_help_text(self) -> str:
        return ngettext(
            "密码至少需要 %(min_length)d 个字符。",
            "密码至少需要 %(min_length)d 个字符。",
            self.min_length,
        ) % {"min_length": self.min_length}


class CharacterClassesValidator:
    """At least ``min_classes`` of the four classes: upper case, lower case, digits, symbols."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        if len(character_classes(password)) < self.min_classes:
            raise ValidationError(self.get_error_message(), code="password_too_simple")

    def get_error_message(self) -> str:
        return ngettext(
            "密码须至少包含大写字母、小写字母、数字和符号中的 %(count)d 类。",
            "密码须至少包含大写字母、小写字母、数字和符号中的 %(count)d 类。",
            self.min_classes,
        ) % {"count": self.min_classes}

    def get_help_text(self) -> str:
        return self.get_error_message()


class PasswordHistoryValidator:
    """None of the user's last ``count`` passwords (the current one included) may be chosen."""

    def __init__(self, count: int = 5) -> None:
        self.count = count

    def _recent_hashes(self, user) -> list[str]:
        hashes = list(
            PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[: self.count]
        )
        # A password set before the history was kept (or written straight to the field, as
        # the demo does) is still the current one.
        if user.password and user.password not in hashes:
            hashes = [user.password, *hashes][: self.count]
        return hashes

    def validate(self, password: str, user=None) -> None:
        if user is None or user.pk is None or self.count <= 0:
            return
        if any(check_password(password, encoded) for encoded in self._recent_hashes(user)):
            raise ValidationError(self.get_error_message(), code="password_reused")

    def password_changed(self, password: str, user=None) -> None:
        if user is None or user.pk is None or not user.has_usable_password():
            return
        PasswordHistory.objects.create(user=user, password=user.password)
        stale = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[max(self.count, 1) :]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()

    def get_error_message(self) -> str:
        return ngettext(
            "新密码不能与最近 %(count)d 次使用过的密码相同。",
            "新密码不能与最近 %(count)d 次使用过的密码相同。",
            self.count,
        ) % {"count": self.count}

    def get_help_text(self) -> str:
        return self.get_error_message()
