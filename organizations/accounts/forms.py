"""Forms of the accounts pages."""

from django import forms
from django.utils.translation import gettext_lazy as _


class LockoutReleaseForm(forms.Form):
    kind = forms.ChoiceField(choices=[("username", _("账号")), ("ip_address", _("地址"))])
    value = forms.CharField(max_length=255)
