"""Forms of the accounts pages."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from sanhui.normalize import NormalizedFormMixin


class LockoutReleaseForm(NormalizedFormMixin, forms.Form):
    kind = forms.ChoiceField(choices=[("username", _("账号")), ("ip_address", _("地址"))])
    value = forms.CharField(max_length=255)


class LoginForm(NormalizedFormMixin, AuthenticationForm):
    """Django's sign-in form, refusing a user name longer than any account's. Django normalises
    the name (NFKC, which can lengthen it) but checks no length, so an overlong name went on to
    the lockout's record of failed attempts and failed in the database there."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].validators.append(MaxLengthValidator(self.fields["username"].max_length))


class PasswordResetRequestForm(NormalizedFormMixin, PasswordResetForm):
    """忘记密码: the address to send the link to. ``get_users`` finds the active accounts with a
    usable password at that address; the page queues their mail and answers the same whether
    or not one was found."""


class PasswordResetSetForm(NormalizedFormMixin, SetPasswordForm):
    """The new password chosen through a reset link, checked against the password rules."""
