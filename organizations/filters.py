"""List filters. Choice lists that name organisations are limited to what the user may see."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sanhui.clock import today
from sanhui.normalize import NormalizedFormMixin

from . import options
from .models import LeaderRole, Membership, Organization, Person, Region, Seat, TeamMembership, VolunteerTeam
from .selectors import person_number_condition
from .widgets import SearchSelect

ENDING_SOON_DAYS = 90


class ListFilterFormMixin(NormalizedFormMixin):
    """The form of a list filter: normalised input, fields with the lists' compact look."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            css = (
                "form-select form-select-sm"
                if isinstance(widget, forms.Select)
                else "form-control form-control-sm"
            )
            widget.attrs.setdefault("class", css)


class NormalizedFilterSet(django_filters.FilterSet):
    """A filter set whose form normalises what is typed into it (``sanhui.normalize``), like
    every other form of the portal, and has the lists' compact look."""

    def get_form_class(self):
        form_class = super().get_form_class()
        return type(form_class.__name__, (ListFilterFormMixin, form_class), {})


def organization_filter(label, method=None) -> django_filters.ModelChoiceFilter:
    """The ``organization`` filter of a list: searched for, never listed in full (the page stays
    small however many organisations there are); its choices are set from the user's scope by
    ``ScopedFilterSet``."""
    return django_filters.ModelChoiceFilter(
        label=label,
        queryset=Organization.objects.none(),
        method=method,
        widget=SearchSelect(options.VISIBLE_ORGANIZATIONS),
    )


def region_filter(label, method) -> django_filters.ModelChoiceFilter:
    """A region filter of a list, searched for like the organisation filter."""
    return django_filters.ModelChoiceFilter(
        label=label, queryset=Region.objects.all(), method=method, widget=SearchSelect(options.REGIONS)
    )


class ScopedFilterSet(NormalizedFilterSet):
    """A filter set whose organisation choices come from the user's scope: the same source
    (``organizations.options``) its search box asks."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if "organization" in self.filters:
            self.filters["organization"].queryset = options.visible_organizations(user)


def region_subtree_filter(queryset, name, value):
    """Organisations based in, or serving, the region or anywhere below it."""
    if not value:
        return queryset
    regions = Region.objects.subtree_of(value)
    serving = Organization.served_regions.through.objects.filter(region__in=regions)
    return queryset.filter(Q(home_region__in=regions) | Q(pk__in=serving.values("organization_id")))


class PersonFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="search")
    organization = organization_filter(_("组织"), method="in_organization")
    profession = django_filters.ChoiceFilter(label=_("专业类别"), choices=Person.Profession.choices)
    gender = django_filters.ChoiceFilter(label=_("性别"), choices=Person.Gender.choices)
    leader_kind = django_filters.ChoiceFilter(
        label=_("三长身份"), choices=LeaderRole.Kind.choices, method="with_leader_kind"
    )
    tier = django_filters.ChoiceFilter(
        label=_("三长/泛三长"), choices=LeaderRole.Tier.choices, method="with_tier"
    )

    class Meta:
        model = Person
        fields = ["q", "organization", "profession", "gender", "leader_kind", "tier"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        condition = Q(name__icontains=value) | Q(employer__icontains=value) | Q(title__icontains=value)
        number = person_number_condition(value)
        if number is not None:
            condition |= number
        return queryset.filter(condition)

    def in_organization(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(
            Q(pk__in=Membership.objects.filter(organization=value, left_on__isnull=True).values("person_id"))
            | Q(pk__in=Seat.objects.filter(organization=value).values("person_id"))
            | Q(pk__in=TeamMembership.objects.filter(team__organization=value).values("person_id"))
        )

    def with_leader_kind(self, queryset, name, value):
        return queryset.filter(pk__in=LeaderRole.objects.open_on().filter(kind=value).values("person_id"))

    def with_tier(self, queryset, name, value):
        kinds = LeaderRole.CORE_KINDS
        roles = LeaderRole.objects.open_on()
        roles = (
            roles.filter(kind__in=kinds) if value == LeaderRole.Tier.CORE else roles.exclude(kind__in=kinds)
        )
        return queryset.filter(pk__in=roles.values("person_id"))


class SeatFilter(ScopedFilterSet):
    STATE_CHOICES = (
        ("current", _("在任")),
        ("ending", _("90天内到期")),
        ("ended", _("已到期")),
        ("future", _("尚未开始")),
    )
    HOLDER_CHOICES = (("leader", _("三长/泛三长")), ("other", _("其他人员")))

    q = django_filters.CharFilter(label=_("姓名"), field_name="person__name", lookup_expr="icontains")
    organization = organization_filter(_("组织"))
    position = django_filters.ChoiceFilter(label=_("职务"), choices=Seat.Position.choices)
    state = django_filters.ChoiceFilter(label=_("任期状态"), choices=STATE_CHOICES, method="by_state")
    holder = django_filters.ChoiceFilter(label=_("任职人"), choices=HOLDER_CHOICES, method="by_holder")

    class Meta:
        model = Seat
        fields = ["q", "organization", "position", "state", "holder"]

    def by_state(self, queryset, name, value):
        on = today()
        if value == "current":
            return queryset.current(on)
        if value == "ending":
            return queryset.ending_within(ENDING_SOON_DAYS, on)
        if value == "ended":
            return queryset.filter(term_end__lt=on)
        if value == "future":
            return queryset.filter(term_start__gt=on)
        return queryset

    def by_holder(self, queryset, name, value):
        led = queryset.held_by_leaders()
        return led if value == "leader" else queryset.exclude(pk__in=led.values("pk"))


class TeamFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("队伍名称"), field_name="name", lookup_expr="icontains")
    organization = organization_filter(_("组织"))
    status = django_filters.ChoiceFilter(label=_("状态"), choices=VolunteerTeam.Status.choices)

    class Meta:
        model = VolunteerTeam
        fields = ["q", "organization", "status"]


class OrganizationFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="search")
    kind = django_filters.ChoiceFilter(label=_("组织类型"), choices=Organization.Kind.choices)
    category = django_filters.ChoiceFilter(label=_("三会类别"), choices=Organization.Category.choices)
    region = region_filter(_("区域"), region_subtree_filter)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=Organization.Status.choices)
    is_demo = django_filters.BooleanFilter(
        label=_("示例数据"),
        widget=forms.Select(choices=(("", "---------"), ("true", _("是")), ("false", _("否")))),
    )

    class Meta:
        model = Organization
        fields = ["q", "kind", "category", "region", "status", "is_demo"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value))
