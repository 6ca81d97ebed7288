"""The upload form of an import: the kind, the organisation it goes into (only those the user
may write) and the file (whose format ``reading`` decides, with its own messages)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from organizations import options
from organizations.forms import PortalForm
from organizations.models import Organization
from organizations.scoping import scope_for
from organizations.widgets import SearchSelect

from .engine import importers


class ImportUploadForm(PortalForm):
    kind = forms.ChoiceField(label=_("导入类型"))
    organization = forms.ModelChoiceField(
        label=_("导入到组织"),
        queryset=Organization.objects.none(),
        widget=SearchSelect(options.MANAGED_OPEN_ORGANIZATIONS),
    )
    file = forms.FileField(
        label=_("文件"),
        help_text=_("XLSX（Excel 或 WPS 保存的均可）或 CSV（UTF-8 或 GB18030 编码）。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.et,.csv,.txt"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(importer.kind, importer.kind_label()) for importer in importers()]
        self.fields["organization"].queryset = options.managed_open_organizations(user)
        assigned = scope_for(user).assigned_org_ids
        if len(assigned) == 1:
            self.fields["organization"].initial = next(iter(assigned))
