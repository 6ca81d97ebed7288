"""The exports of the organisations app's lists: people, leaders, seats, teams, organisations.

Each export has the columns its page shows, in the page's order, with what the page abbreviates
written out (full names, dates, status labels, counts as numbers). The rows are the page's own
(``organizations.views.*_rows``).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from sanhui.clock import today
from sanhui.collation import sort_key

from .. import selectors, views
from ..models import LeaderRole, Organization, Person, Seat, VolunteerTeam
from .registry import ID_NUMBER, PHONE, Column, ListExport, choice_label, page_of, register


def joined(names) -> str:
    """Names as one cell, with the list separator of the user's language."""
    return str(pgettext_lazy("list separator", "、")).join(str(name) for name in names)


def yes_no(value: bool) -> str:
    return _("是") if value else _("否")


_leader_kind_labels = dict(LeaderRole.Kind.choices)


def _leader_kinds(person) -> str:
    """A person's open leader roles, in the order the people page lists them (by kind), from
    the list ``selectors.people_export_rows`` aggregated with the row."""
    return joined(_leader_kind_labels.get(kind, kind) for kind in sorted(person.leader_kinds or ()))


def _organization_names(person) -> str:
    """The organisations a person is a current member of, in pinyin order as on the page."""
    return joined(sorted(person.organization_names or (), key=sort_key))


def _name(record) -> str:
    return record.name if record is not None else ""


PEOPLE_COLUMNS = (
    Column(gettext_lazy("姓名"), lambda p: p.name, width=12),
    Column(gettext_lazy("性别"), choice_label(Person, "gender"), width=6),
    Column(gettext_lazy("手机号码"), lambda p: p.phone, personal=PHONE),
    Column(gettext_lazy("身份证号码"), lambda p: p.id_number, personal=ID_NUMBER, width=22),
    Column(gettext_lazy("工作单位"), lambda p: p.employer, width=24),
    Column(gettext_lazy("职务/职称"), lambda p: p.title),
    Column(gettext_lazy("专业类别"), choice_label(Person, "profession")),
    Column(gettext_lazy("三长/泛三长身份"), _leader_kinds, width=20),
    Column(gettext_lazy("所属组织"), _organization_names, width=30),
)


def _seat_state(seat) -> str:
    on = today()
    if seat.term_start > on:
        return _("尚未开始")
    if seat.term_end and seat.term_end < on:
        return _("已到期")
    return _("在任")


SEAT_COLUMNS = (
    Column(gettext_lazy("组织"), lambda s: s.organization.name, width=28),
    Column(gettext_lazy("所在区域"), lambda s: str(s.organization.home_region)),
    Column(gettext_lazy("职务"), choice_label(Seat, "position")),
    Column(gettext_lazy("姓名"), lambda s: s.person.name, width=12),
    Column(gettext_lazy("三长/泛三长"), lambda s: yes_no(s.holder_is_leader), width=10),
    Column(gettext_lazy("任期开始"), lambda s: s.term_start, width=12),
    Column(gettext_lazy("任期结束"), lambda s: s.term_end, width=12),
    Column(gettext_lazy("状态"), _seat_state, width=10),
)

TEAM_COLUMNS = (
    Column(gettext_lazy("队伍名称"), lambda t: t.name, width=28),
    Column(gettext_lazy("所属组织"), lambda t: t.organization.name, width=28),
    Column(gettext_lazy("队长"), lambda t: _name(t.leader), width=12),
    Column(gettext_lazy("志愿者人数"), lambda t: t.volunteer_count, width=10),
    Column(gettext_lazy("服务领域"), lambda t: t.service_area, width=24),
    Column(gettext_lazy("状态"), choice_label(VolunteerTeam, "status"), width=10),
    Column(gettext_lazy("成立日期"), lambda t: t.founded_on, width=12),
)

ORGANIZATION_COLUMNS = (
    Column(gettext_lazy("名称"), lambda o: o.name, width=30),
    Column(gettext_lazy("组织代码"), lambda o: o.code),
    Column(gettext_lazy("组织类型"), choice_label(Organization, "kind"), width=18),
    Column(gettext_lazy("三会类别"), choice_label(Organization, "category")),
    Column(gettext_lazy("所在区域"), lambda o: str(o.home_region)),
    Column(gettext_lazy("上级组织"), lambda o: _name(o.parent), width=28),
    Column(gettext_lazy("状态"), choice_label(Organization, "status"), width=10),
    Column(gettext_lazy("成立日期"), lambda o: o.founded_on, width=12),
    Column(gettext_lazy("会员"), lambda o: o.member_count, width=8),
    Column(gettext_lazy("在任职务"), lambda o: o.seat_count, width=10),
    Column(gettext_lazy("志愿服务队"), lambda o: o.team_count, width=10),
)


def register_exports() -> None:
    register(
        ListExport(
            key="people",
            title=gettext_lazy("人员名单"),
            columns=PEOPLE_COLUMNS,
            rows=lambda request: selectors.people_export_rows(
                views.person_rows(request)[1], user=request.user
            ),
            page=page_of("organizations:person_list"),
        )
    )
    register(
        ListExport(
            key="leaders",
            title=gettext_lazy("三长名单"),
            columns=PEOPLE_COLUMNS,
            rows=lambda request: selectors.people_export_rows(
                views.person_rows(request, leaders_only=True)[1], user=request.user
            ),
            page=page_of("organizations:leader_list"),
        )
    )
    register(
        ListExport(
            key="seats",
            title=gettext_lazy("领导机构职务"),
            columns=SEAT_COLUMNS,
            rows=lambda request: views.seat_rows(request)[1],
            page=page_of("organizations:seat_list"),
            select_related=("organization__home_region",),
        )
    )
    register(
        ListExport(
            key="teams",
            title=gettext_lazy("志愿服务队"),
            columns=TEAM_COLUMNS,
            rows=lambda request: views.team_rows(request)[1],
            page=page_of("organizations:team_list"),
        )
    )
    register(
        ListExport(
            key="organizations",
            title=gettext_lazy("组织名单"),
            columns=ORGANIZATION_COLUMNS,
            rows=lambda request: views.organization_rows(request, counts=True)[1],
            page=page_of("organizations:organization_list"),
        )
    )
