"""Filters of the activity list and calendar. Organisation choices come from the user's scope."""

from __future__ import annotations

import datetime
import re

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from organizations.dayfilters import DayFromFilter, DayToFilter
from organizations.filters import ScopedFilterSet, organization_filter, region_filter
from organizations.models import Organization

from .models import Activity, ActivityKind, Stream

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
TOOK_PLACE = "took_place"


def parse_month(value: str | None) -> tuple[int, int] | None:
    """ "2022-05" → (2022, 5); None for anything else."""
    match = MONTH_RE.match((value or "").strip())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and 2000 <= year <= 2100):
        return None
    return year, month


class MonthInput(forms.TextInput):
    input_type = "month"


class DateInput(forms.DateInput):
    input_type = "date"


class ActivityFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="search")
    stream = django_filters.ChoiceFilter(label=_("服务类别"), choices=Stream.choices)
    kind = django_filters.ChoiceFilter(label=_("活动类型"), choices=ActivityKind.choices)
    organizer_category = django_filters.ChoiceFilter(
        label=_("主办组织类别"), choices=Organization.Category.choices, field_name="organizer__category"
    )
    organizer_kind = django_filters.ChoiceFilter(
        label=_("主办组织类型"), choices=Organization.Kind.choices, field_name="organizer__kind"
    )
    organization = organization_filter(_("组织"), method="by_organization")
    region = region_filter(_("区域（含下级）"), "in_region")
    month = django_filters.CharFilter(label=_("月份"), method="in_month", widget=MonthInput())
    # Days of Asia/Shanghai as a range on starts_at itself, which its index serves.
    date_from = DayFromFilter(label=_("开始日期起"), field_name="starts_at", widget=DateInput())
    date_to = DayToFilter(label=_("开始日期止"), field_name="starts_at", widget=DateInput())
    status = django_filters.ChoiceFilter(
        label=_("状态"),
        choices=[(TOOK_PLACE, _("已举办（含已核实）")), *Activity.Status.choices],
        method="by_status",
    )

    class Meta:
        model = Activity
        fields = [
            "q",
            "stream",
            "kind",
            "organizer_category",
            "organizer_kind",
            "organization",
            "region",
            "month",
            "date_from",
            "date_to",
            "status",
        ]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(venue__icontains=value))

    def by_organization(self, queryset, name, value):
        if not value:
            return queryset
        co = Activity.co_organizers.through.objects.filter(organization=value).values("activity_id")
        return queryset.filter(Q(organizer=value) | Q(pk__in=co))

    def in_region(self, queryset, name, value):
        return queryset.in_region(value) if value else queryset

    def by_status(self, queryset, name, value):
        # "took place" is what the indicators count: held and verified activities.
        if value == TOOK_PLACE:
            return queryset.held()
        return queryset.filter(status=value) if value else queryset

    def in_month(self, queryset, name, value):
        parsed = parse_month(value)
        return queryset.in_month(*parsed) if parsed else queryset

    def month_or(self, default: datetime.date) -> tuple[int, int]:
        """The month chosen in the filter, else the month of ``default`` (for the calendar)."""
        parsed = parse_month(self.data.get("month")) if self.data else None
        return parsed or (default.year, default.month)
