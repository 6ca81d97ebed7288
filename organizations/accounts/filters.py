"""Filters of the login log."""

import django_filters
from django.utils.translation import gettext_lazy as _

from ..dayfilters import DayFromFilter, DayToFilter
from ..filters import NormalizedFilterSet
from ..forms import DateInput
from .models import LoginEvent


class LoginEventFilter(NormalizedFilterSet):
    username = django_filters.CharFilter(label=_("用户名"), lookup_expr="icontains")
    ip_address = django_filters.CharFilter(label=_("地址"), lookup_expr="startswith")
    result = django_filters.ChoiceFilter(label=_("结果"), choices=LoginEvent.Result.choices)
    date_from = DayFromFilter(label=_("日期起"), field_name="created_at", widget=DateInput())
    date_to = DayToFilter(label=_("日期止"), field_name="created_at", widget=DateInput())

    class Meta:
        model = LoginEvent
        fields = ["username", "ip_address", "result", "date_from", "date_to"]
