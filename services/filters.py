"""Filters of the activity list and calendar. Organisation choices come from the user's scope."""

from __future__ import annotations

import datetime
import re

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from organizations.filters import ScopedFilterSet
from organizations.models import Organization, Region

from .models import Activity, ActivityKind, Stream

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


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
    organization = django_filters.ModelChoiceFilter(
        label=_("组织"), queryset=Organization.objects.none(), method="by_organization"
    )
    region = django_filters.ModelChoiceFilter(
        label=_("区域（含下级）"), queryset=Region.objects.all(), method="in_region"
    )
    month = django_filters.CharFilter(label=_("月份"), method="in_month", widget=MonthInput())
    status = django_filters.ChoiceFilter(label=_("状态"), choices=Activity.Status.choices)

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

    def in_month(self, queryset, name, value):
        parsed = parse_month(value)
        return queryset.in_month(*parsed) if parsed else queryset

    def month_or(self, default: datetime.date) -> tuple[int, int]:
        """The month chosen in the filter, else the month of ``default`` (for the calendar)."""
        parsed = parse_month(self.data.get("month")) if self.data else None
        return parsed or (default.year, default.month)
