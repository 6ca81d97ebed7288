"""Filters of the audit log: the days (Asia/Shanghai), who acted, the action, the kind of
record, and words of the summary or the record's number."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..dayfilters import DayFromFilter, DayToFilter
from ..filters import NormalizedFilterSet
from ..forms import DateInput
from ..models import AuditEntry
from . import selectors
from .labels import ACTION_LABELS


def _action_choices() -> list[tuple[str, str]]:
    return sorted(((code, str(label)) for code, label in ACTION_LABELS.items()), key=lambda choice: choice[1])


class AuditEntryFilter(NormalizedFilterSet):
    date_from = DayFromFilter(label=_("日期起"), field_name="created_at", widget=DateInput())
    date_to = DayToFilter(label=_("日期止"), field_name="created_at", widget=DateInput())
    actor = django_filters.CharFilter(label=_("操作人"), method="filter_actor")
    action = django_filters.ChoiceFilter(label=_("操作"), choices=_action_choices)
    object_type = django_filters.ChoiceFilter(label=_("对象类型"), choices=selectors.object_types)
    q = django_filters.CharFilter(label=_("摘要或对象编号"), method="filter_text")

    class Meta:
        model = AuditEntry
        fields = ["date_from", "date_to", "actor", "action", "object_type", "q"]

    def filter_actor(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(actor__username__icontains=value)
            | Q(actor__first_name__icontains=value)
            | Q(actor__last_name__icontains=value)
        )

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(summary__icontains=value) | Q(object_id=value))
