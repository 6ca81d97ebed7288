"""Forms of the accounts pages."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
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
