"""Pages for organisations, people, seats, memberships and volunteer teams.

Each view: scoped lookup → form → action → redirect. Lists start from the scoping helper,
object lookups use ``get_for_user`` (404 outside the scope, 403 when read-only).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sanhui.clock import today
from sanhui.collation import pinyin

from . import actions, options, selectors
from .filters import OrganizationFilter, PersonFilter, SeatFilter, TeamFilter
from .forms import (
    EndDateForm,
    LeaderRoleForm,
    MembershipAddForm,
    OrganizationForm,
    PersonEditForm,
    PersonRegisterForm,
    SeatForm,
    TeamForm,
    TeamVolunteerForm,
)
from .models import LeaderRole, Membership, Organization, Person, Seat, TeamMembership, VolunteerTeam
from .scoping import get_for_user, scope_for, scoped
from .sorting import Sort, Sorting
from .viewutils import apply_action_errors, paginate, query_without_page, saved_message


def _require_manager(request: HttpRequest) -> None:
    if not scope_for(request.user).can_manage_people:
        raise PermissionDenied


# --------------------------------------------------------------------------- home


def home(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    organizations = scoped(request.user, Organization)
    counts = organizations.aggregate(
        total=Count("pk"),
        active=Count("pk", filter=Q(status=Organization.Status.ACTIVE)),
        grassroots=Count(
            "pk",
            filter=Q(kind=Organization.Kind.GRASSROOTS_ASSOCIATION, status=Organization.Status.ACTIVE),
        ),
    )
    seats = scoped(request.user, Seat).current()
    seat_total = seats.count()
    seat_led = seats.held_by_leaders().count()
    context = {
        "counts": counts,
        "people_count": scoped(request.user, Person).count(),
        "leader_count": scoped(request.user, Person).leaders().count(),
        "team_count": scoped(request.user, VolunteerTeam).filter(status="active").count(),
        "seat_total": seat_total,
        "seat_led": seat_led,
        "seat_share": (seat_led / seat_total) if seat_total else None,
        "ending_seats": selectors.seat_list(user=request.user).ending_within(90).order_by("term_end")[:10],
        "my_organizations": organizations.filter(pk__in=scope.admin_org_ids).order_by(pinyin("name"))
        if scope.admin_org_ids
        else [],
        "my_people": Person.objects.filter(pk__in=scope.person_ids),
        # A leader who manages nothing lands on what they do: log an activity, show its code.
        "leader_first": scope.is_leader and not scope.read_all and not scope.admin_org_ids,
    }
    return render(request, "organizations/home.html", context)


@login_not_required
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


# --------------------------------------------------------------------------- people


PEOPLE_SORTING = Sorting(
    {
        "name": (pinyin("name"),),
        "gender": ("gender", pinyin("name")),
        "employer": (pinyin("employer"), pinyin("name")),
        "profession": ("profession", pinyin("name")),
    },
    default="name",
)


def person_rows(request: HttpRequest, *, leaders_only: bool = False) -> tuple[PersonFilter, QuerySet, Sort]:
    """The people list as the request asks for it: its filter, its rows in order and the sort
    (the page and its export read the same)."""
    queryset = selectors.people_list(user=request.user, leaders_only=leaders_only)
    filterset = PersonFilter(request.GET, queryset=queryset, user=request.user)
    people, sort = PEOPLE_SORTING.apply(request, filterset.qs)
    return filterset, people, sort


def person_list(request: HttpRequest, *, leaders_only: bool = False) -> HttpResponse:
    filterset, people, sort = person_rows(request, leaders_only=leaders_only)
    total = None
    if leaders_only:
        filtered = any(filterset.form.cleaned_data.get(name) for name in filterset.filters)
        total = selectors.leader_total(user=request.user, filtered=filtered)
    return render(
        request,
        "organizations/person_list.html",
        {
            "filter": filterset,
            "page": paginate(request, people, total=total),
            "sort": sort,
            "leaders_only": leaders_only,
            "query": query_without_page(request),
        },
    )


def leader_list(request: HttpRequest) -> HttpResponse:
    return person_list(request, leaders_only=True)


def _options(request: HttpRequest, kind: str, default: str) -> HttpResponse:
    """Matches for a searching choice widget: records of the source the widget names (``for``)
    that the user may choose, at most ``options.MAX_OPTIONS`` of them. An unknown source is a
    404, as a page that does not exist."""
    source = options.source_for(kind, request.GET.get("for", default))
    if source is None:
        raise Http404
    found, truncated = options.search(
        source, user=request.user, query=request.GET.get("q", ""), params=request.GET
    )
    return render(
        request,
        "organizations/includes/options.html",
        {"options": [(record.pk, source.label(record)) for record in found], "truncated": truncated},
    )


def person_options(request: HttpRequest) -> HttpResponse:
    """Options for the person picker: people the user may see, matching the search."""
    return _options(request, options.PERSON, options.PEOPLE.name)


def organization_options(request: HttpRequest) -> HttpResponse:
    """Options for an organisation picker: organisations the field's source allows the user."""
    return _options(request, options.ORGANIZATION, options.VISIBLE_ORGANIZATIONS.name)


def region_options(request: HttpRequest) -> HttpResponse:
    """Options for a region picker."""
    return _options(request, options.REGION, options.REGIONS.name)


def team_options(request: HttpRequest) -> HttpResponse:
    """Options for a volunteer-team picker: active teams the user may see."""
    return _options(request, options.TEAM, options.ACTIVE_TEAMS.name)


def person_add(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    form = PersonRegisterForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = actions.person_register(
                actor=request.user,
                organization=data["organization"],
                name=data["name"],
                phone=data["phone"],
                id_number=data["id_number"],
                gender=data["gender"],
                employer=data["employer"],
                title=data["title"],
                profession=data["profession"],
                email=data["email"],
                notes=data["notes"],
                joined_on=data["joined_on"],
                leader_kind=data["leader_kind"],
                leader_institution=data["leader_institution"],
                link_existing=data["link_existing"],
            )
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            saved_message(request, _("已登记会员 %(name)s。") % {"name": person.name}, person)
            return redirect(person)
    return render(
        request,
        "organizations/form.html",
        {"form": form, "title": _("登记会员"), "cancel_url": "organizations:person_list"},
    )


def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_for_user(request.user, Person, pk)
    scope = scope_for(request.user)
    can_edit = scoped(request.user, Person, write=True).filter(pk=person.pk).exists()
    context = {
        "person": person,
        "can_edit": can_edit,
        "show_full": can_edit and scope.can_see_full_personal_data(),
        **selectors.person_detail_context(user=request.user, person=person),
    }
    return render(request, "organizations/person_detail.html", context)


def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_for_user(request.user, Person, pk, write=True)
    initial = {
        "name": person.name,
        "gender": person.gender,
        "phone": person.phone,
        "employer": person.employer,
        "title": person.title,
        "profession": person.profession,
        "email": person.email,
        "notes": person.notes,
    }
    form = PersonEditForm(request.POST or None, initial=initial, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            person = actions.person_update(actor=request.user, person=person, data=form.cleaned_data)
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            saved_message(request, _("已保存 %(name)s。") % {"name": person.name}, person)
            return redirect(person)
    return render(
        request,
        "organizations/form.html",
        {"form": form, "title": _("编辑人员：%(name)s") % {"name": person.name}, "back": person},
    )


def leader_role_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_for_user(request.user, Person, pk, write=True)
    form = LeaderRoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.leader_role_add(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            messages.success(request, _("已添加身份。"))
            return redirect(person)
    return render(
        request,
        "organizations/form.html",
        {"form": form, "title": _("添加三长/泛三长身份：%(name)s") % {"name": person.name}, "back": person},
    )


def leader_role_end(request: HttpRequest, pk: int) -> HttpResponse:
    role = get_for_user(request.user, LeaderRole, pk, write=True)
    form = EndDateForm(request.POST or None, initial={"ended_on": today()})
    if request.method == "POST" and form.is_valid():
        try:
            actions.leader_role_end(actor=request.user, role=role, ended_on=form.cleaned_data["ended_on"])
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            messages.success(request, _("已记录卸任。"))
            return redirect(role.person)
    return render(
        request,
        "organizations/form.html",
        {"form": form, "title": _("卸任：%(role)s") % {"role": role}, "back": role.person},
    )


def membership_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_for_user(request.user, Person, pk, write=True)
    form = MembershipAddForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            actions.membership_add(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            messages.success(request, _("已加入组织。"))
            return redirect(person)
    return render(
        request,
        "organizations/form.html",
        {"form": form, "title": _("加入组织：%(name)s") % {"name": person.name}, "back": person},
    )


def membership_end(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_for_user(request.user, Membership, pk, write=True)
    form = EndDateForm(request.POST or None, initial={"ended_on": today()})
    if request.method == "POST" and form.is_valid():
        try:
            actions.membership_end(
                actor=request.user, membership=membership, left_on=form.cleaned_data["ended_on"]
            )
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            messages.success(request, _("已记录退出。"))
            return redirect(membership.person)
    return render(
        request,
        "organizations/form.html",
        {"form": form, "title": _("退出组织：%(m)s") % {"m": membership}, "back": membership.person},
    )


# --------------------------------------------------------------------------- seats


SEAT_SORTING = Sorting(
    {
        "organization": (pinyin("organization__name"), "organization", "position_rank", "-term_start"),
        "position": ("position_rank", pinyin("organization__name"), "organization"),
        "name": (pinyin("person__name"), "person"),
        "leader": ("-holder_is_leader", pinyin("person__name")),
        "term_start": ("term_start",),
        "term_end": ("term_end",),
    },
    default="organization",
)


def seat_rows(request: HttpRequest) -> tuple[SeatFilter, QuerySet, Sort]:
    filterset = SeatFilter(request.GET, queryset=selectors.seat_list(user=request.user), user=request.user)
    seats, sort = SEAT_SORTING.apply(request, filterset.qs)
    return filterset, seats, sort


def seat_list(request: HttpRequest) -> HttpResponse:
    filterset, seats, sort = seat_rows(request)
    return render(
        request,
        "organizations/seat_list.html",
        {
            "filter": filterset,
            "page": paginate(request, seats),
            "sort": sort,
            "query": query_without_page(request),
            "today": today(),
        },
    )


def seat_detail(request: HttpRequest, pk: int) -> HttpResponse:
    seat = get_for_user(request.user, Seat, pk, base=Seat.objects.select_related("organization", "person"))
    can_edit = scoped(request.user, Seat, write=True).filter(pk=seat.pk).exists()
    roles = seat.person.leader_roles.open_on()
    return render(
        request, "organizations/seat_detail.html", {"seat": seat, "can_edit": can_edit, "roles": roles}
    )


def seat_add(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    initial = {"term_start": today()}
    if person_pk := request.GET.get("person"):
        initial["person"] = person_pk
    if org_pk := request.GET.get("organization"):
        initial["organization"] = org_pk
    form = SeatForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            seat = actions.seat_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            saved_message(request, _("已添加职务：%(seat)s。") % {"seat": seat}, seat)
            return redirect(seat)
    return render(
        request,
        "organizations/form.html",
        {"form": form, "title": _("添加领导机构职务"), "cancel_url": "organizations:seat_list"},
    )


def seat_edit(request: HttpRequest, pk: int) -> HttpResponse:
    seat = get_for_user(request.user, Seat, pk, write=True)
    initial = {
        "position": seat.position,
        "term_start": seat.term_start,
        "term_end": seat.term_end,
        "notes": seat.notes,
    }
    form = SeatForm(request.POST or None, user=request.user, seat=seat, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            seat = actions.seat_update(actor=request.user, seat=seat, data=form.cleaned_data)
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            saved_message(request, _("已保存职务：%(seat)s。") % {"seat": seat}, seat)
            return redirect(seat)
    return render(
        request,
        "organizations/form.html",
        {"form": form, "title": _("编辑职务：%(seat)s") % {"seat": seat}, "back": seat},
    )


# --------------------------------------------------------------------------- teams


TEAM_SORTING = Sorting(
    {
        "name": (pinyin("name"),),
        "organization": (pinyin("organization__name"), "organization", pinyin("name")),
        "leader": (pinyin("leader__name"), pinyin("name")),
        "volunteers": ("volunteer_count",),
        "status": ("status", pinyin("name")),
    },
    default="organization",
)


def team_rows(request: HttpRequest) -> tuple[TeamFilter, QuerySet, Sort]:
    filterset = TeamFilter(request.GET, queryset=selectors.team_list(user=request.user), user=request.user)
    teams, sort = TEAM_SORTING.apply(request, filterset.qs)
    return filterset, teams, sort


def team_list(request: HttpRequest) -> HttpResponse:
    filterset, teams, sort = team_rows(request)
    return render(
        request,
        "organizations/team_list.html",
        {
            "filter": filterset,
            "page": paginate(request, teams),
            "sort": sort,
            "query": query_without_page(request),
        },
    )


def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    team = get_for_user(
        request.user, VolunteerTeam, pk, base=VolunteerTeam.objects.select_related("organization", "leader")
    )
    can_edit = scoped(request.user, VolunteerTeam, write=True).filter(pk=team.pk).exists()
    volunteers = team.memberships.select_related("person").order_by("left_on", pinyin("person__name"))
    return render(
        request,
        "organizations/team_detail.html",
        {
            "team": team,
            "can_edit": can_edit,
            "volunteers": volunteers,
            "active_count": team.memberships.filter(left_on__isnull=True).count(),
        },
    )


def team_add(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    form = TeamForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("status", None)
        try:
            team = actions.team_create(actor=request.user, **data)
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            saved_message(request, _("已创建服务队 %(name)s。") % {"name": team.name}, team)
            return redirect(team)
    return render(
        request,
        "organizations/form.html",
        {"form": form, "title": _("新建科技志愿服务队"), "cancel_url": "organizations:team_list"},
    )


def team_edit(request: HttpRequest, pk: int) -> HttpResponse:
    team = get_for_user(request.user, VolunteerTeam, pk, write=True)
    initial = {
        "name": team.name,
        "leader": team.leader_id,
        "founded_on": team.founded_on,
        "service_area": team.service_area,
        "status": team.status,
    }
    form = TeamForm(request.POST or None, user=request.user, team=team, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            team = actions.team_update(actor=request.user, team=team, data=form.cleaned_data)
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            saved_message(request, _("已保存服务队 %(name)s。") % {"name": team.name}, team)
            return redirect(team)
    return render(
        request,
        "organizations/form.html",
        {"form": form, "title": _("编辑服务队：%(name)s") % {"name": team.name}, "back": team},
    )


def team_volunteer_add(request: HttpRequest, pk: int) -> HttpResponse:
    team = get_for_user(request.user, VolunteerTeam, pk, write=True)
    form = TeamVolunteerForm(request.POST or None, user=request.user, team=team)
    if request.method == "POST" and form.is_valid():
        try:
            actions.team_volunteer_add(actor=request.user, team=team, **form.cleaned_data)
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            messages.success(request, _("已加入服务队。"))
            return redirect(team)
    return render(
        request,
        "organizations/form.html",
        {"form": form, "title": _("添加志愿者：%(name)s") % {"name": team.name}, "back": team},
    )


@require_POST
def team_volunteer_remove(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_for_user(request.user, TeamMembership, pk, write=True)
    try:
        actions.team_volunteer_remove(actor=request.user, membership=membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已将 %(name)s 移出服务队。") % {"name": membership.person.name})
    return redirect(membership.team)


# --------------------------------------------------------------------------- organisations


# "kind" is the order of ``by_kind``, whose alias the list adds; the counts are the list's own
# annotations (selectors.organization_list).
ORGANIZATION_SORTING = Sorting(
    {
        "kind": ("kind_rank", "region_order", "category", pinyin("name")),
        "name": (pinyin("name"),),
        "category": ("category", "kind_rank", pinyin("name")),
        "region": ("home_region__sort_order", "home_region__code", "kind_rank", pinyin("name")),
        "status": ("status", "kind_rank", pinyin("name")),
        "members": ("member_count",),
        "seats": ("seat_count",),
        "teams": ("team_count",),
    },
    default="kind",
)


def organization_rows(
    request: HttpRequest, *, counts: bool = False
) -> tuple[OrganizationFilter, QuerySet, Sort]:
    """The organisation list as the request asks for it. A count is computed per row only
    when the list is sorted by it, or for every count with ``counts`` (the export, which reads
    every row); the page sets the others on its own rows (``attach_organization_counts``)."""
    filterset = OrganizationFilter(
        request.GET, queryset=selectors.organization_list(user=request.user), user=request.user
    )
    chosen = ORGANIZATION_SORTING.chosen(request)
    needed = selectors.ORGANIZATION_COUNTS if counts else ()
    sort_column = ORGANIZATION_SORTING.columns[chosen.key][0]
    if sort_column in selectors.ORGANIZATION_COUNTS and sort_column not in needed:
        needed = (sort_column,)
    queryset = filterset.qs.by_kind().annotate(**selectors.organization_count_columns(needed))
    organizations, sort = ORGANIZATION_SORTING.apply(request, queryset)
    return filterset, organizations, sort


def organization_list(request: HttpRequest) -> HttpResponse:
    filterset, organizations, sort = organization_rows(request)
    page = paginate(request, organizations)
    selectors.attach_organization_counts(page.object_list)
    return render(
        request,
        "organizations/organization_list.html",
        {
            "filter": filterset,
            "page": page,
            "sort": sort,
            "query": query_without_page(request),
        },
    )


def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organization = get_for_user(
        request.user,
        Organization,
        pk,
        base=Organization.objects.select_related("home_region", "parent"),
    )
    on = today()
    can_edit = scoped(request.user, Organization, write=True).filter(pk=organization.pk).exists()
    seats = selectors.seat_list(user=request.user).filter(organization=organization)
    context = {
        "organization": organization,
        "can_edit": can_edit,
        "current_seats": seats.current(on),
        "past_seat_count": seats.filter(term_end__lt=on).count(),
        "seat_summary": selectors.organization_seat_summary(organization, on),
        "members": scoped(request.user, Membership)
        .filter(organization=organization, left_on__isnull=True)
        .select_related("person")
        .order_by(pinyin("person__name"))[:200],
        "member_count": organization.memberships.filter(left_on__isnull=True).count(),
        "teams": selectors.team_list(user=request.user).filter(organization=organization),
        "children": scoped(request.user, Organization)
        .filter(parent=organization)
        .order_by("kind", pinyin("name")),
        "served_regions": organization.served_regions.all(),
        "partners": organization.partners.order_by(pinyin("name")),
    }
    return render(request, "organizations/organization_detail.html", context)


def _organization_form_view(request: HttpRequest, organization: Organization | None) -> HttpResponse:
    form = OrganizationForm(request.POST or None, instance=organization, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {
            key: value
            for key, value in form.cleaned_data.items()
            if key not in ("served_regions", "partners")
        }
        try:
            if organization is None:
                saved = actions.organization_create(
                    actor=request.user,
                    data=data,
                    served_regions=list(form.cleaned_data["served_regions"]),
                    partners=list(form.cleaned_data["partners"]),
                )
            else:
                saved = actions.organization_update(
                    actor=request.user,
                    organization=organization,
                    data=data,
                    served_regions=list(form.cleaned_data["served_regions"]),
                    partners=list(form.cleaned_data["partners"]),
                )
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            saved_message(request, _("已保存组织 %(name)s。") % {"name": saved.name}, saved)
            if saved.credit_code_warning:
                messages.warning(
                    request,
                    _("统一社会信用代码 %(code)s 的校验位不符合 GB 32100，请核对。")
                    % {"code": saved.credit_code},
                )
            return redirect(saved)
    title = _("新建组织") if organization is None else _("编辑组织：%(name)s") % {"name": organization.name}
    return render(
        request,
        "organizations/form.html",
        {
            "form": form,
            "title": title,
            "back": organization,
            "cancel_url": "organizations:organization_list",
        },
    )


def organization_add(request: HttpRequest) -> HttpResponse:
    if not scope_for(request.user).write_all:
        raise PermissionDenied
    return _organization_form_view(request, None)


def organization_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organization = get_for_user(request.user, Organization, pk, write=True)
    return _organization_form_view(request, organization)
