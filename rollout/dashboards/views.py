"""Dashboards: the district's (district staff and supervisors), a town's (its organisation
admin, or district readers choosing a town) and a leader's own page.

Each page renders its headline figures on the server and loads its charts from a JSON endpoint
that applies exactly the same scope: an organisation admin asking for the district data gets
403, for another town 404.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from organizations.models import Region
from organizations.scoping import Scope, scope_for
from rollout.indicators import Period
from sanhui.clock import today
from sanhui.db import reading_replica

from . import blocks
from .forms import TownPickForm


def _district_reader(request: HttpRequest) -> Scope:
    scope = scope_for(request.user)
    if not scope.read_all:
        raise PermissionDenied
    return scope


def _town_reader(request: HttpRequest) -> tuple[Scope, QuerySet[Region], Region]:
    """The town asked for in GET ``region`` among the towns the user may see (404 otherwise),
    or the first of them."""
    scope = scope_for(request.user)
    if not (scope.read_all or scope.is_org_admin):
        raise PermissionDenied
    towns = blocks.towns_queryset(scope)
    wanted = (request.GET.get("region") or "").strip()
    if not wanted:
        town = towns.first()
    elif wanted.isascii() and wanted.isdigit() and len(wanted) < 19:
        town = towns.filter(pk=int(wanted)).first()
    else:
        town = None
    if town is None:
        raise Http404
    return scope, towns, town


def _leader(request: HttpRequest) -> Scope:
    scope = scope_for(request.user)
    if not scope.is_leader:
        raise PermissionDenied
    return scope


def _page_context(request: HttpRequest, data_url: str, extra: dict) -> tuple[dict, Period]:
    on = today()
    period, error = blocks.period_from(request.GET, on)
    context = {
        "period": period,
        "period_label": blocks.period_label(period),
        "period_error": error,
        "quick_periods": blocks.quick_periods(on),
        "data_url": f"{data_url}?{_query(request, period)}",
        "today": on,
        **extra,
    }
    return context, period


def _query(request: HttpRequest, period: Period) -> str:
    params = {"period": period.code}
    if request.GET.get("region"):
        params["region"] = request.GET["region"]
    return urlencode(params)


def _json_period(request: HttpRequest):
    period, error = blocks.period_from(request.GET)
    if error:
        return None, JsonResponse({"error": error}, status=400)
    return period, None


# --------------------------------------------------------------------------- district


def district(request: HttpRequest) -> HttpResponse:
    _district_reader(request)
    context, period = _page_context(request, reverse("dashboards:district_data"), {})
    # The figures may come from the read replica (sanhui/db.py); the access check above did not.
    with reading_replica():
        context["data"] = blocks.district_dashboard(user=request.user, period=period, on=context["today"])
    context["town_form"] = TownPickForm(user=request.user)
    return render(request, "rollout/dashboard/district.html", context)


def district_data(request: HttpRequest) -> JsonResponse:
    _district_reader(request)
    period, error = _json_period(request)
    if error:
        return error
    with reading_replica():
        return JsonResponse(blocks.district_dashboard(user=request.user, period=period))


# --------------------------------------------------------------------------- towns


def town(request: HttpRequest) -> HttpResponse:
    scope, towns, region = _town_reader(request)
    context, period = _page_context(request, reverse("dashboards:town_data"), {})
    with reading_replica():
        data = blocks.town_dashboard(user=request.user, town=region, period=period, on=context["today"])
    context.update(
        {
            "data": data,
            "region": region,
            "town_form": TownPickForm(user=request.user, initial={"region": region.pk}),
            "several_towns": len(towns[:2]) > 1,
            "is_district_reader": scope.read_all,
        }
    )
    return render(request, "rollout/dashboard/town.html", context)


def town_data(request: HttpRequest) -> JsonResponse:
    _scope, _towns, region = _town_reader(request)
    period, error = _json_period(request)
    if error:
        return error
    with reading_replica():
        return JsonResponse(blocks.town_dashboard(user=request.user, town=region, period=period))


# --------------------------------------------------------------------------- a leader's own page


def mine(request: HttpRequest) -> HttpResponse:
    scope = _leader(request)
    context, period = _page_context(request, reverse("dashboards:mine_data"), {})
    with reading_replica():
        context["data"] = blocks.leader_dashboard(scope=scope, period=period, on=context["today"])
    return render(request, "rollout/dashboard/mine.html", context)


def mine_data(request: HttpRequest) -> JsonResponse:
    scope = _leader(request)
    period, error = _json_period(request)
    if error:
        return error
    with reading_replica():
        return JsonResponse(blocks.leader_dashboard(scope=scope, period=period))
