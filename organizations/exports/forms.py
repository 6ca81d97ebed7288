"""The form of a list export: the file format, and for those who may have them, full phone and
ID numbers with the reason they are needed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from organizations.forms import PortalForm
from organizations.models import ExportFile


class ListExportForm(PortalForm):
    format = forms.ChoiceField(
        label=_("文件格式"),
        choices=ExportFile.Format.choices,
        initial=ExportFile.Format.XLSX,
        widget=forms.RadioSelect,
    )
    full = forms.BooleanField(
        label=_("导出完整手机号码和身份证号码"),
        required=False,
        help_text=_("默认导出脱敏号码。完整号码属于个人信息，导出将记录操作人和用途。"),
    )
    reason = forms.CharField(
        label=_("导出用途"),
        required=False,
        max_length=200,
        help_text=_("导出完整号码时必填，例如：向区科协报送三长名单"),
    )
    query = forms.CharField(widget=forms.HiddenInput, required=False)
    submit_label = _("导出")

    def __init__(self, *args, allow_full: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not allow_full:
            del self.fields["full"]
            del self.fields["reason"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("full") and len((cleaned.get("reason") or "").strip()) < 4:
            self.add_error("reason", _("请写明导出完整个人信息的用途（至少4个字）。"))
        return cleaned
