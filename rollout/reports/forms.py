"""The report request form: kind, period (a quarter, a year or a range of days), the scope the
requester may choose from, and the file format."""

from __future__ import annotations

import datetime

from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.forms import DateInput, PortalForm
from organizations.models import Organization
from organizations.scoping import scope_for, scoped
from rollout.indicators import Period
from rollout.models import ReportRun

FIRST_YEAR = 2022  # the programme year


def quarter_choices(today: datetime.date | None = None) -> list[tuple[str, str]]:
    """Every quarter from the programme year up to the current one, latest first."""
    today = today or timezone.localdate()
    current = Period.containing(today)
    choices = []
    for year in range(today.year, FIRST_YEAR - 1, -1):
        for quarter in range(4, 0, -1):
            period = Period.quarter(year, quarter)
            if period.start <= current.start:
                choices.append(
                    (period.code, _("%(year)s年第%(quarter)s季度") % {"year": year, "quarter": quarter})
                )
    return choices


class ReportRequestForm(PortalForm):
    submit_label = _("生成报表")

    class PeriodType:
        QUARTER, YEAR, CUSTOM = "quarter", "year", "custom"

    kind = forms.ChoiceField(label=_("报表类型"), choices=ReportRun.Kind.choices, widget=forms.RadioSelect)
    period_type = forms.ChoiceField(
        label=_("统计期间"),
        choices=[("quarter", _("按季度")), ("year", _("按年度")), ("custom", _("自定义起止日期"))],
        initial="quarter",
        widget=forms.RadioSelect,
    )
    quarter = forms.ChoiceField(label=_("季度"), required=False)
    year = forms.TypedChoiceField(label=_("年度"), required=False, coerce=int)
    start = forms.DateField(label=_("开始日期"), required=False, widget=DateInput())
    end = forms.DateField(label=_("结束日期"), required=False, widget=DateInput())
    organization = forms.ModelChoiceField(
        label=_("统计范围"), queryset=Organization.objects.none(), required=False
    )
    format = forms.ChoiceField(
        label=_("文件格式"), choices=ReportRun.Format.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        quarters = quarter_choices(today)
        self.fields["quarter"].choices = quarters
        # The quarter just finished is what supervisors report on.
        self.fields["quarter"].initial = quarters[1][0] if len(quarters) > 1 else quarters[0][0]
        self.fields["year"].choices = [(year, str(year)) for year in range(today.year, FIRST_YEAR - 1, -1)]
        scope = scope_for(user)
        if scope.read_all:
            organizations = Organization.objects.all()
            self.fields["organization"].empty_label = _("全区")
        else:
            organizations = scoped(user, Organization, write=True)
            self.fields["organization"].empty_label = _("本人管理的全部组织")
        self.fields["organization"].queryset = organizations.order_by("kind", "code")
        self.fields["organization"].help_text = _("可选：限定为某一组织及其下属组织")
        self.fields["kind"].initial = ReportRun.Kind.SUPERVISION
        self.fields["format"].initial = ReportRun.Format.XLSX
        self.helper.layout = Layout(
            "kind",
            "period_type",
            Row(
                Column("quarter", css_class="col-md-3"),
                Column("year", css_class="col-md-3"),
                Column("start", css_class="col-md-3"),
                Column("end", css_class="col-md-3"),
            ),
            "organization",
            "format",
        )

    def clean(self):
        data = super().clean()
        period_type = data.get("period_type")
        if period_type == "quarter":
            if not data.get("quarter"):
                self.add_error("quarter", _("请选择季度。"))
            else:
                data["period"] = data["quarter"]
        elif period_type == "year":
            if not data.get("year"):
                self.add_error("year", _("请选择年度。"))
            else:
                data["period"] = str(data["year"])
        elif period_type == "custom":
            start, end = data.get("start"), data.get("end")
            if not start:
                self.add_error("start", _("请填写开始日期。"))
            if not end:
                self.add_error("end", _("请填写结束日期。"))
            if start and end:
                if end < start:
                    self.add_error("end", _("结束日期不能早于开始日期。"))
                elif (end - start).days > 366 * 3:
                    self.add_error("end", _("统计期间不能超过三年。"))
                else:
                    data["period"] = f"{start.isoformat()}..{end.isoformat()}"
        return data
