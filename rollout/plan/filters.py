"""List filters of the rollout pages. Organisation choices come from the user's scope, so a
town admin can neither pick nor guess another town's records."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from organizations.filters import ScopedFilterSet, organization_filter
from rollout.models import Inspection, Phase, Rectification, ShowcaseItem, Stage, Task
from sanhui.clock import today


class TaskFilter(ScopedFilterSet):
    STATE_CHOICES = (
        ("open", _("未完成")),
        ("overdue", _("已逾期")),
        ("closed", _("已完成或已取消")),
    )

    q = django_filters.CharFilter(label=_("搜索"), method="search")
    phase = django_filters.ModelChoiceFilter(label=_("阶段"), queryset=Phase.objects.all())
    stage = django_filters.ModelChoiceFilter(label=_("子阶段"), queryset=Stage.objects.all())
    organization = organization_filter(_("责任单位"))
    status = django_filters.ChoiceFilter(label=_("状态"), choices=Task.Status.choices)
    state = django_filters.ChoiceFilter(label=_("进度"), choices=STATE_CHOICES, method="by_state")

    class Meta:
        model = Task
        fields = ["q", "phase", "stage", "organization", "status", "state"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(organization__name__icontains=value))

    def by_state(self, queryset, name, value):
        if value == "open":
            return queryset.open()
        if value == "overdue":
            return queryset.overdue(today())
        if value == "closed":
            return queryset.filter(status__in=Task.CLOSED_STATUSES)
        return queryset


class RectificationFilter(ScopedFilterSet):
    STATE_CHOICES = (("open", _("未销号")), ("overdue", _("已逾期")), ("closed", _("已销号")))

    q = django_filters.CharFilter(label=_("搜索"), method="search")
    organization = organization_filter(_("整改单位"))
    status = django_filters.ChoiceFilter(label=_("状态"), choices=Rectification.Status.choices)
    state = django_filters.ChoiceFilter(label=_("进度"), choices=STATE_CHOICES, method="by_state")

    class Meta:
        model = Rectification
        fields = ["q", "organization", "status", "state"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(organization__name__icontains=value))

    def by_state(self, queryset, name, value):
        if value == "open":
            return queryset.open()
        if value == "overdue":
            return queryset.overdue(today())
        if value == "closed":
            return queryset.filter(status=Rectification.Status.CLOSED)
        return queryset


class YearFilter(django_filters.NumberFilter):
    """A year the portal reports on: a whole number from 2000 to 2100, or the field says why not
    (a year lookup on anything else fails in the database layer)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 2000)
        kwargs.setdefault("max_value", 2100)
        super().__init__(*args, **kwargs)


class InspectionFilter(ScopedFilterSet):
    organization = organization_filter(_("被督查单位"))
    year = YearFilter(label=_("年度"), field_name="inspected_on", lookup_expr="year")

    class Meta:
        model = Inspection
        fields = ["organization", "year"]


class ShowcaseFilter(ScopedFilterSet):
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=ShowcaseItem.Kind.choices)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=ShowcaseItem.Status.choices)

    class Meta:
        model = ShowcaseItem
        fields = ["kind", "status"]
