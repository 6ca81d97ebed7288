"""The exports of the service ledger's lists: activities, one activity's check-ins, the teams'
volunteer hours of a year, a volunteer's record (their services of a year) and a team's record
(its volunteers' totals of a year) (``organizations.exports``).

Each export has the columns its page shows, in the page's order, with what the page abbreviates
written out; the rows are the page's own (``services.views``). The lists of one record's rows
name it in the query: ``?activity=<id>``, ``?person=<id>``, ``?team=<id>``; the year is
``?year=``, as on the pages.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organizations.exports.lists import joined
from organizations.exports.registry import (
    PHONE,
    Column,
    ListExport,
    choice_label,
    list_query,
    page_of,
    register,
)

from . import selectors, views
from .models import Activity

ACTIVITY_COLUMNS = (
    Column(gettext_lazy("开始时间"), lambda a: a.starts_at, width=17),
    Column(gettext_lazy("结束时间"), lambda a: a.ends_at, width=17),
    Column(gettext_lazy("活动名称"), lambda a: a.title, width=32),
    Column(gettext_lazy("服务类别"), choice_label(Activity, "stream"), width=10),
    Column(gettext_lazy("活动类型"), choice_label(Activity, "kind"), width=18),
    Column(gettext_lazy("主办组织"), lambda a: a.organizer.name, width=28),
    Column(gettext_lazy("区域"), lambda a: str(a.region) if a.region_id else "", width=10),
    Column(gettext_lazy("活动地点"), lambda a: a.venue, width=24),
    Column(gettext_lazy("带队三长"), lambda a: joined(leader.name for leader in a.leaders.all()), width=16),
    Column(gettext_lazy("签到人数"), lambda a: a.checkin_count, width=10),
    Column(gettext_lazy("上报参与人数"), lambda a: a.reported_participants, width=12),
    Column(gettext_lazy("状态"), choice_label(Activity, "status"), width=10),
)

ATTENDEE_COLUMNS = (
    Column(gettext_lazy("姓名"), lambda a: a.name, width=12),
    Column(gettext_lazy("手机号码"), lambda a: a.phone, personal=PHONE),
    Column(gettext_lazy("签到时间"), lambda a: a.checked_in_at, width=17),
)


def _reached(reached: bool) -> str:
    return _("已达到") if reached else _("未达到")


def _recognised(team) -> str:
    thresholds = selectors.TEAM_THRESHOLDS
    return _reached(
        team.year_volunteers >= thresholds["volunteers"]
        and team.year_activities >= thresholds["activities"]
        and team.year_hours >= thresholds["hours"]
    )


TEAM_HOURS_COLUMNS = (
    Column(gettext_lazy("服务队"), lambda t: t.name, width=28),
    Column(gettext_lazy("所属组织"), lambda t: t.organization.name, width=28),
    Column(gettext_lazy("参与志愿者"), lambda t: t.year_volunteers, width=10),
    Column(gettext_lazy("服务活动"), lambda t: t.year_activities, width=10),
    Column(gettext_lazy("时长（小时）"), lambda t: t.year_hours, width=12),
    Column(gettext_lazy("认定条件"), _recognised, width=10),
)


VOLUNTEER_SERVICE_COLUMNS = (
    Column(gettext_lazy("志愿者"), lambda s: s.person.name, width=12),
    Column(gettext_lazy("日期"), lambda s: timezone.localdate(s.activity.starts_at), width=12),
    Column(gettext_lazy("活动"), lambda s: s.activity.title, width=32),
    Column(gettext_lazy("主办组织"), lambda s: s.activity.organizer.name, width=28),
    Column(gettext_lazy("服务队"), lambda s: s.team.name if s.team_id else "", width=24),
    Column(gettext_lazy("签到"), lambda s: s.checked_in_at, width=17),
    Column(gettext_lazy("签退"), lambda s: s.checked_out_at, width=17),
    Column(gettext_lazy("时长（小时）"), lambda s: s.hours, width=12),
)

TEAM_VOLUNTEER_COLUMNS = (
    Column(gettext_lazy("志愿者"), lambda r: r["person__name"], width=12),
    Column(gettext_lazy("手机号码"), lambda r: r["person__phone"], personal=PHONE),
    Column(gettext_lazy("服务次数"), lambda r: r["activities"], width=10),
    Column(gettext_lazy("时长（小时）"), lambda r: r["total_hours"], width=12),
    Column(gettext_lazy("个人认定"), lambda r: _reached(selectors.volunteer_recognised(r)), width=10),
)


def _record_id(query: QueryDict, name: str) -> str:
    """The record a list of one record's rows belongs to (``?activity=``, ``?person=``…)."""
    value = query.get(name, "")
    if not value.isdigit():
        raise Http404
    return value


def _attendees(request: HttpRequest):
    return views.attendee_rows(request, _record_id(request.GET, "activity"))[1]


def _volunteer_services(request: HttpRequest):
    return views.volunteer_record_rows(request, _record_id(request.GET, "person"))[2]["services"]


def _team_volunteers(request: HttpRequest):
    team, year = views.team_record_team(request, _record_id(request.GET, "team"))
    return selectors.team_volunteer_totals(team=team, year=year)


def _record_page(url_name: str, name: str):
    """``ListExport.page`` for the list of one record's rows: its page, the record named in the
    path rather than the query."""

    def page(query: QueryDict) -> str:
        kept = list_query(query)
        pk = _record_id(kept, name)
        kept.pop(name)
        encoded = kept.urlencode()
        return reverse(url_name, args=[pk]) + (f"?{encoded}" if encoded else "")

    return page


def register_exports() -> None:
    register(
        ListExport(
            key="activities",
            title=gettext_lazy("服务活动台账"),
            columns=ACTIVITY_COLUMNS,
            rows=lambda request: views.activity_rows(request, counts=True)[1],
            page=page_of("services:activity_list"),
        )
    )
    register(
        ListExport(
            key="checkins",
            title=gettext_lazy("签到名单"),
            columns=ATTENDEE_COLUMNS,
            rows=_attendees,
            page=_record_page("services:attendee_list", "activity"),
        )
    )
    register(
        ListExport(
            key="volunteer_record",
            title=gettext_lazy("志愿服务记录"),
            columns=VOLUNTEER_SERVICE_COLUMNS,
            rows=_volunteer_services,
            page=_record_page("services:volunteer_record", "person"),
            select_related=("person",),
        )
    )
    register(
        ListExport(
            key="team_volunteers",
            title=gettext_lazy("服务队志愿者时长"),
            columns=TEAM_VOLUNTEER_COLUMNS,
            rows=_team_volunteers,
            page=_record_page("services:team_record", "team"),
        )
    )
    register(
        ListExport(
            key="team_hours",
            title=gettext_lazy("志愿服务时长"),
            columns=TEAM_HOURS_COLUMNS,
            rows=lambda request: views.team_hours_rows(request)[1],
            page=page_of("services:team_list"),
        )
    )
