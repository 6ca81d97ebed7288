"""Forms of the closing pages: the confirmation of a closing and the reason of a reopening."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from organizations.forms import PortalForm


class QuarterCloseForm(PortalForm):
    confirm = forms.BooleanField(
        label=_("我已核对本季度台账，确认关闭本季度并印发督查通报"),
        error_messages={"required": _("请勾选确认后再关闭。")},
    )
    note = forms.CharField(
        label=_("说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    submit_label = _("关闭季度")


class QuarterReopenForm(PortalForm):
    reason = forms.CharField(
        label=_("重新开放的原因"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("例如：某单位补报漏登的活动。原因会记入操作记录。"),
    )
    submit_label = _("重新开放")
