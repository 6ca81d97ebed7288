"""The town picker of the dashboards: a search box over the towns the user may open a
dashboard of (a province has 1,400; the page holds only the current one)."""

from __future__ import annotations

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from organizations import options
from organizations.forms import PortalForm
from organizations.models import Region
from organizations.scoping import scope_for
from organizations.widgets import SearchSelect

from .blocks import towns_queryset


def dashboard_towns(user, params=None) -> QuerySet[Region]:
    """The towns whose dashboard the user may open (``blocks.towns_queryset``)."""
    return towns_queryset(scope_for(user))


DASHBOARD_TOWNS = options.register(options.OptionSource(options.REGION, "dashboard_towns", dashboard_towns))


class TownPickForm(PortalForm):
    region = forms.ModelChoiceField(
        label=_("镇（街道）"),
        queryset=Region.objects.none(),
        empty_label=_("选择镇（街道）"),
        widget=SearchSelect(
            DASHBOARD_TOWNS, attrs={"class": "form-select form-select-sm", "data-autosubmit": ""}
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = dashboard_towns(user)
