"""Pages of the service ledger: activities, their workflow, evidence, QR check-in and hours.

Each view: scoped lookup → form → action → redirect. Lists start from the scoping helper;
object lookups use ``get_for_user`` (404 outside the scope, 403 when read-only). The two
check-in pages are public: the random token in the link admits the caller, and they are
rate-limited.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from organizations.audit.views import history_page
from organizations.models import Person, VolunteerTeam
from organizations.scoping import get_for_user, scope_for, scoped
from organizations.sorting import RowSorting, Sort, Sorting, name_key
from organizations.uploads import file_response
from organizations.viewutils import apply_action_errors, paginate, query_without_page, saved_message
from sanhui.clock import today
from sanhui.collation import pinyin

from . import actions, selectors
from .exports import volunteer_records_workbook
from .filters import ActivityFilter
from .forms import (
    ActivityForm,
    CheckinForm,
    EvidenceForm,
    ExportForm,
    HoursCorrectionForm,
    HoursEntryForm,
    TransitionForm,
    VolunteerCheckinForm,
)
from .models import Activity, Attendance, Evidence, VolunteerService
from .panels import render_activity_panels
from .qr import public_url, qr_svg
from .ratelimit import checkin_over_limit

Status = Activity.Status

# move → (page title, button label)
MOVE_LABELS = {
    "hold": (gettext_lazy("标记为已举办"), gettext_lazy("确认已举办")),
    "verify": (gettext_lazy("核实活动"), gettext_lazy("确认核实")),
    "cancel": (gettext_lazy("取消活动"), gettext_lazy("确认取消")),
    "reopen": (gettext_lazy("撤销核实"), gettext_lazy("确认撤销核实")),
    "restore": (gettext_lazy("恢复为计划中"), gettext_lazy("确认恢复")),
}


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return today().year
    return year if 2000 <= year <= 2100 else today().year


# --------------------------------------------------------------------------- lists


ACTIVITY_SORTING = Sorting(
    {
        "date": ("starts_at",),
        "title": (pinyin("title"), "-starts_at"),
        "kind": ("stream", "kind", "-starts_at"),
        "organizer": (pinyin("organizer__name"), "organizer", "-starts_at"),
        "region": ("region__sort_order", "region__code", "-starts_at"),
        "checkins": ("checkin_count", "-starts_at"),
        "status": ("status", "-starts_at"),
    },
    default="-date",
)


def activity_rows(request: HttpRequest, *, counts: bool = False) -> tuple[ActivityFilter, QuerySet, Sort]:
    """The activity ledger as the request asks for it: its filter, its rows in order and the
    sort (the page and its export read the same). The check-in count is a subquery per row
    only when the list is sorted by it or ``counts`` asks (the export, which reads every row);
    the page counts its own rows' (``selectors.attach_checkin_counts``)."""
    filterset = ActivityFilter(
        request.GET, queryset=selectors.activity_list(user=request.user), user=request.user
    )
    queryset = filterset.qs
    if counts or ACTIVITY_SORTING.chosen(request).key == "checkins":
        queryset = queryset.annotate(checkin_count=selectors.checkin_count())
    activities, sort = ACTIVITY_SORTING.apply(request, queryset)
    return filterset, activities, sort


def activity_list(request: HttpRequest) -> HttpResponse:
    filterset, activities, sort = activity_rows(request)
    page = paginate(request, activities)
    selectors.attach_checkin_counts(page.object_list)
    return render(
        request,
        "services/activity_list.html",
        {
            "filter": filterset,
            "page": page,
            "sort": sort,
            "query": query_without_page(request),
            "can_add": selectors.organizer_choices(user=request.user).exists(),
        },
    )


def _calendar_query(request: HttpRequest) -> QueryDict:
    """The calendar's filters without the month (and the page of a day's list): the month the
    calendar shows is its own, and a day's page is reached with the calendar's filters."""
    params = request.GET.copy()
    for name in ("month", "page", "cursor"):
        params.pop(name, None)
    return params


def _calendar_rows(request: HttpRequest) -> QuerySet:
    """What the calendar and a day's page read: the activities the user may see, filtered as
    the request asks."""
    return ActivityFilter(
        _calendar_query(request), queryset=selectors.calendar_activities(user=request.user), user=request.user
    ).qs


def activity_calendar(request: HttpRequest) -> HttpResponse:
    filterset = ActivityFilter(
        request.GET, queryset=selectors.calendar_activities(user=request.user), user=request.user
    )
    year, month = filterset.month_or(today())
    first = datetime.date(year, month, 1)
    previous = (first - datetime.timedelta(days=1)).replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    params = _calendar_query(request)
    weeks = selectors.month_calendar(_calendar_rows(request), year, month)
    return render(
        request,
        "services/activity_calendar.html",
        {
            "filter": filterset,
            "weeks": weeks,
            "has_activities": any(day.activities for week in weeks for day in week if day.in_month),
            "month": first,
            "previous": f"{previous:%Y-%m}",
            "following": f"{following:%Y-%m}",
            "query": params.urlencode(),
            "today": today(),
        },
    )


def activity_day(request: HttpRequest, day: str) -> HttpResponse:
    """One day of the calendar: every activity that starts on it, in start order, a page at a
    time. The month shows a day's first few and links here for the rest; the rows are the
    calendar's own (the user's scope and the calendar's filters), so another organisation's
    admin finds none of ours here, whatever the date."""
    try:
        date = datetime.date.fromisoformat(day)
    except ValueError:
        raise Http404 from None
    if not 2000 <= date.year <= 2100:
        raise Http404
    params = _calendar_query(request)
    query = params.urlencode()
    month = f"month={date:%Y-%m}"
    return render(
        request,
        "services/activity_day.html",
        {
            "day": date,
            "page": paginate(request, selectors.activities_on(_calendar_rows(request), date)),
            "query": query,
            "calendar_url": f"{reverse('services:activity_calendar')}?{query + '&' if query else ''}{month}",
            "previous": (date - datetime.timedelta(days=1)).isoformat(),
            "following": (date + datetime.timedelta(days=1)).isoformat(),
        },
    )


# The activities a leader led, with their check-in count (selectors.leader_record).
LED_SORTING = Sorting(
    {
        "date": ("starts_at",),
        "title": (pinyin("title"), "-starts_at"),
        "kind": ("stream", "kind", "-starts_at"),
        "organizer": (pinyin("organizer__name"), "organizer", "-starts_at"),
        "checkins": ("checkin_count", "-starts_at"),
        "status": ("status", "-starts_at"),
    },
    default="-date",
)


def my_activities(request: HttpRequest) -> HttpResponse:
    if not scope_for(request.user).person_ids:
        raise PermissionDenied
    context = selectors.leader_record(user=request.user)
    context["led"], context["sort"] = LED_SORTING.apply(request, context["led"])
    return render(request, "services/my_activities.html", context)


# --------------------------------------------------------------------------- activities


def activity_add(request: HttpRequest) -> HttpResponse:
    if not selectors.organizer_choices(user=request.user).exists():
        raise PermissionDenied
    form = ActivityForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            activity = actions.activity_create(
                actor=request.user, held=form.cleaned_data["held"], **form.action_arguments()
            )
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            saved_message(request, _("已登记活动“%(title)s”。") % {"title": activity.title}, activity)
            return redirect(activity)
    return render(
        request,
        "organizations/form.html",
        {"form": form, "title": _("登记活动"), "cancel_url": "services:activity_list"},
    )


def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_for_user(
        request.user, Activity, pk, base=Activity.objects.select_related("organizer", "region", "created_by")
    )
    can_edit = scoped(request.user, Activity, write=True).filter(pk=activity.pk).exists()
    context = selectors.activity_detail_context(user=request.user, activity=activity)
    is_admin = context["is_admin"]
    moves = [
        (to, MOVE_LABELS[move][0])
        for (from_status, to), move in actions.TRANSITIONS.items()
        if from_status == activity.status
        and (is_admin if move in actions.ADMIN_MOVES else can_edit)
        and not (move == "hold" and activity.starts_at > timezone.now())
    ]
    context.update(
        {
            "activity": activity,
            "can_edit": can_edit and activity.status in (Status.PLANNED, Status.HELD),
            "can_upload": can_edit and activity.status != Status.CANCELLED,
            "moves": moves,
            "checkin_state": activity.checkin_state(),
            "panels": render_activity_panels(request, activity),
        }
    )
    return render(request, "services/activity_detail.html", context)


@require_GET
def activity_history(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_for_user(request.user, Activity, pk, base=Activity.objects.select_related("organizer"))
    return history_page(
        request,
        record=activity,
        entries=selectors.activity_history(user=request.user, activity=activity),
        heading=activity.title,
        covers=_("包括本活动佐证材料的上传和删除、志愿服务时长的录入和更正。"),
    )


def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_for_user(request.user, Activity, pk, write=True)
    form = ActivityForm(
        request.POST or None, user=request.user, activity=activity, initial=ActivityForm.initial_for(activity)
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.activity_update(actor=request.user, activity=activity, **form.action_arguments())
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            saved_message(request, _("已保存活动“%(title)s”。") % {"title": activity.title}, activity)
            return redirect(activity)
    return render(
        request,
        "organizations/form.html",
        {"form": form, "title": _("编辑活动：%(title)s") % {"title": activity.title}, "back": activity},
    )


def activity_transition(request: HttpRequest, pk: int, to: str) -> HttpResponse:
    activity = get_for_user(request.user, Activity, pk)
    if to not in Status.values:
        raise Http404
    move = actions.TRANSITIONS.get((activity.status, to))
    if move in actions.ADMIN_MOVES:
        allowed = actions.is_organizer_admin(request.user, activity)
    else:
        allowed = scoped(request.user, Activity, write=True).filter(pk=activity.pk).exists()
    if not allowed:
        raise PermissionDenied
    if move is None:
        messages.error(
            request,
            _("活动当前为“%(current)s”，不能改为“%(target)s”。")
            % {"current": activity.get_status_display(), "target": Status(to).label},
        )
        return redirect(activity)
    title, button = MOVE_LABELS[move]
    form = TransitionForm(
        request.POST or None, note_required=move in actions.MOVES_NEEDING_NOTE, submit_label=button
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.activity_transition(
                actor=request.user, activity=activity, to_status=to, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            messages.success(request, _("活动状态已改为“%(status)s”。") % {"status": Status(to).label})
            return redirect(activity)
    return render(
        request,
        "organizations/form.html",
        {"form": form, "title": f"{title}：{activity.title}", "back": activity},
    )


@require_POST
def activity_publish(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_for_user(request.user, Activity, pk)
    publish = request.POST.get("publish") == "1"
    try:
        actions.activity_publish(actor=request.user, activity=activity, publish=publish)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已在公众日历公开。") if publish else _("已从公众日历撤下。"))
    return redirect(activity)


# --------------------------------------------------------------------------- evidence


def evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_for_user(request.user, Activity, pk, write=True)
    form = EvidenceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.evidence_add(
                actor=request.user,
                activity=activity,
                upload=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
                caption=form.cleaned_data["caption"],
            )
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            messages.success(request, _("已上传。"))
            return redirect(activity)
    return render(
        request,
        "services/form.html",
        {
            "form": form,
            "title": _("上传佐证材料：%(title)s") % {"title": activity.title},
            "cancel_href": activity.get_absolute_url(),
            "back": activity,
        },
    )


def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    evidence = get_for_user(request.user, Evidence, pk)
    try:
        return file_response(evidence.file, download_name=evidence.original_name or None)
    except FileNotFoundError:
        raise Http404 from None


@require_POST
def evidence_delete(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = get_for_user(
        request.user, Evidence, pk, write=True, base=Evidence.objects.select_related("activity")
    )
    try:
        actions.evidence_delete(actor=request.user, evidence=evidence)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已删除。"))
    return redirect(evidence.activity)


# --------------------------------------------------------------------------- QR code and poster


def _checkin_url(request: HttpRequest, activity: Activity, volunteer: bool) -> str:
    """The public address an activity's check-in code (for attendees or for volunteers) opens."""
    return public_url(request, activity.volunteer_checkin_path() if volunteer else activity.checkin_path())


def activity_qr(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_for_user(request.user, Activity, pk)
    volunteer = request.GET.get("for") == "volunteer"
    response = HttpResponse(qr_svg(_checkin_url(request, activity, volunteer)), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=300"
    return response


def activity_poster(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_for_user(
        request.user, Activity, pk, base=Activity.objects.select_related("organizer", "region")
    )
    volunteer = request.GET.get("for") == "volunteer"
    url = _checkin_url(request, activity, volunteer)
    return render(
        request,
        "services/poster.html",
        {
            "activity": activity,
            "url": url,
            "qr": qr_svg(url),
            "volunteer": volunteer,
            "co_organizers": activity.co_organizers.order_by(pinyin("name")),
        },
    )


def activity_qr_screen(request: HttpRequest, pk: int) -> HttpResponse:
    """The check-in code as large as the screen allows, to hold up to attendees."""
    activity = get_for_user(request.user, Activity, pk, base=Activity.objects.select_related("region"))
    volunteer = request.GET.get("for") == "volunteer"
    url = _checkin_url(request, activity, volunteer)
    return render(
        request, "services/qr_screen.html", {"activity": activity, "qr": qr_svg(url), "volunteer": volunteer}
    )


def my_next_activity(request: HttpRequest) -> HttpResponse:
    """The leader's home card: their next activity with its check-in code (a fragment)."""
    if not scope_for(request.user).person_ids:
        raise PermissionDenied
    activity = selectors.next_activity(user=request.user)
    qr = qr_svg(public_url(request, activity.checkin_path())) if activity else None
    return render(request, "services/_next_activity.html", {"activity": activity, "qr": qr})


# --------------------------------------------------------------------------- attendance


ATTENDEE_SORTING = Sorting(
    {"time": ("checked_in_at",), "name": (pinyin("name"), "checked_in_at")},
    default="time",
)


def attendee_rows(request: HttpRequest, pk) -> tuple[Activity, QuerySet, Sort]:
    """One activity's check-ins as the request asks for them: the activity (404 outside the
    user's scope), its attendances in order and the sort."""
    activity = get_for_user(request.user, Activity, pk, base=Activity.objects.select_related("organizer"))
    attendances = scoped(request.user, Attendance).filter(activity=activity)
    attendances, sort = ATTENDEE_SORTING.apply(request, attendances)
    return activity, attendances, sort


def attendee_list(request: HttpRequest, pk: int) -> HttpResponse:
    activity, attendances, sort = attendee_rows(request, pk)
    # The export of the list names its activity in the query (services.list_exports).
    export_query = QueryDict(query_without_page(request), mutable=True)
    export_query["activity"] = str(activity.pk)
    return render(
        request,
        "services/attendee_list.html",
        {
            "activity": activity,
            "page": paginate(request, attendances),
            # One activity's check-ins, counted in full: the figure the live count shows too.
            "checkin_count": attendances.count(),
            "sort": sort,
            "query": query_without_page(request),
            "export_query": export_query.urlencode(),
        },
    )


def attendance_count(request: HttpRequest, pk: int) -> HttpResponse:
    """The live check-in count, polled by htmx on the activity and attendee pages."""
    activity = get_for_user(request.user, Activity, pk)
    count = scoped(request.user, Attendance).filter(activity=activity).count()
    return render(
        request, "services/activity_detail.html#checkin-count", {"activity": activity, "checkin_count": count}
    )


# --------------------------------------------------------------------------- volunteer hours


def hours_enter(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_for_user(request.user, Activity, pk)
    scope = scope_for(request.user)
    if not (scope.write_all or scope.admin_org_ids):
        raise PermissionDenied
    form = HoursEntryForm(request.POST or None, activity=activity, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            actions.volunteer_hours_enter(actor=request.user, activity=activity, **form.cleaned_data)
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            messages.success(request, _("已录入服务时长。"))
            return redirect(activity)
    return render(
        request,
        "organizations/form.html",
        {
            "form": form,
            "title": _("录入志愿服务时长：%(title)s") % {"title": activity.title},
            "back": activity,
        },
    )


def hours_correct(request: HttpRequest, pk: int) -> HttpResponse:
    service = get_for_user(
        request.user,
        VolunteerService,
        pk,
        write=True,
        base=VolunteerService.objects.select_related("activity", "person"),
    )
    form = HoursCorrectionForm(request.POST or None, initial={"hours": service.hours})
    if request.method == "POST" and form.is_valid():
        try:
            actions.volunteer_hours_correct(actor=request.user, service=service, **form.cleaned_data)
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            messages.success(request, _("已更正服务时长。"))
            return redirect(service.activity)
    return render(
        request,
        "services/hours_correct.html",
        {
            "form": form,
            "service": service,
            "changes": service.changes.select_related("actor").order_by("created_at", "pk"),
            "title": _("更正服务时长：%(name)s") % {"name": service.person.name},
            "cancel_href": service.activity.get_absolute_url(),
            "back": service.activity,
        },
    )


def volunteer_record_rows(request: HttpRequest, pk) -> tuple[Person, int, dict]:
    """A volunteer's year as the request asks for it (404 outside the user's scope): the
    person, the year, and the record (its ``services`` are the page's list and its export's)."""
    person = get_for_user(request.user, Person, pk)
    year = _year(request)
    return person, year, selectors.volunteer_year_summary(user=request.user, person=person, year=year)


def volunteer_record(request: HttpRequest, pk: int) -> HttpResponse:
    person, year, context = volunteer_record_rows(request, pk)
    context.update(
        {
            "person": person,
            "year": year,
            "years": selectors.volunteer_years(person),
            "export_query": f"person={person.pk}&year={year}",
        }
    )
    return render(request, "services/volunteer_record.html", context)


# The figures are the list's own annotations (selectors.team_hours_list).
TEAM_HOURS_SORTING = Sorting(
    {
        "team": (pinyin("name"),),
        "organization": (pinyin("organization__name"), "organization", pinyin("name").asc()),
        "volunteers": ("year_volunteers", pinyin("name").asc()),
        "activities": ("year_activities", pinyin("name").asc()),
        "hours": ("year_hundredths", pinyin("name").asc()),
    },
    default="-hours",
)


def team_hours_rows(request: HttpRequest) -> tuple[int, QuerySet, Sort]:
    """The teams' hours of the year the request asks for: the year, the rows in order, the sort."""
    year = _year(request)
    teams, sort = TEAM_HOURS_SORTING.apply(request, selectors.team_hours_list(user=request.user, year=year))
    return year, teams, sort


def team_list(request: HttpRequest) -> HttpResponse:
    year, teams, sort = team_hours_rows(request)
    return render(
        request,
        "services/team_list.html",
        {
            "page": paginate(request, teams),
            "sort": sort,
            "query": query_without_page(request),
            "year": year,
            "years": list(range(today().year, 2019, -1)),
            "thresholds": selectors.TEAM_THRESHOLDS,
        },
    )


def team_record_team(request: HttpRequest, pk) -> tuple[VolunteerTeam, int]:
    """The team of a team record (404 outside the user's scope) and the year the request asks
    for; its volunteers' totals are ``selectors.team_volunteer_totals``."""
    team = get_for_user(
        request.user, VolunteerTeam, pk, base=VolunteerTeam.objects.select_related("organization")
    )
    return team, _year(request)


# The volunteers' totals are grouped rows (selectors.team_year_summary), most hours first.
TEAM_RECORD_SORTING = RowSorting(
    {
        "volunteer": lambda row: name_key(row["person__name"]),
        "activities": lambda row: row["activities"],
        "hours": lambda row: row["total_hours"],
    },
    default="-hours",
)


def team_record(request: HttpRequest, pk: int) -> HttpResponse:
    team, year = team_record_team(request, pk)
    context = selectors.team_year_summary(team=team, year=year)
    context["rows"], sort = TEAM_RECORD_SORTING.apply(request, context["rows"])
    context.update(
        {
            "sort": sort,
            "team": team,
            "year": year,
            "years": list(range(today().year, 2019, -1)),
            "can_export": scoped(request.user, VolunteerTeam, write=True).filter(pk=team.pk).exists(),
            "export_query": f"team={team.pk}&year={year}",
        }
    )
    return render(request, "services/team_record.html", context)


def team_export(request: HttpRequest, pk: int) -> HttpResponse:
    team = get_for_user(request.user, VolunteerTeam, pk, write=True)
    form = ExportForm(request.POST or None, initial={"year": _year(request)})
    if request.method == "POST" and form.is_valid():
        year = form.cleaned_data["year"]
        try:
            rows = actions.volunteer_records_export(
                actor=request.user, team=team, year=year, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            handle = volunteer_records_workbook(rows, sheet_title=f"{year}志愿服务记录")
            response = FileResponse(
                handle,
                as_attachment=True,
                filename=f"{team.name}-{year}-志愿服务时长.xlsx",
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            response["Cache-Control"] = "private, no-store"
            return response
    return render(
        request,
        "services/form.html",
        {
            "form": form,
            "title": _("导出志愿服务记录：%(name)s") % {"name": team.name},
            "cancel_href": reverse("services:team_record", args=[team.pk]),
            "back": team,
        },
    )


# --------------------------------------------------------------------------- public check-in


def _public_activity(token: str) -> Activity:
    activity = selectors.activity_by_checkin_token(token)
    if activity is None:
        raise Http404
    return activity


def _checkin_page(request: HttpRequest, token: str, *, volunteer: bool) -> HttpResponse:
    activity = _public_activity(token)
    form_class = VolunteerCheckinForm if volunteer else CheckinForm
    form = form_class(request.POST or None)
    context = {"activity": activity, "form": form, "volunteer": volunteer, "state": activity.checkin_state()}
    if request.method == "POST":
        if checkin_over_limit(request, token):
            context["rate_limited"] = True
            return render(request, "services/checkin.html", context, status=429)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if not volunteer:
                    record = actions.attendance_record(
                        activity=activity, name=data["name"], phone=data["phone"]
                    )
                elif data["direction"] == "out":
                    record = actions.volunteer_check_out(
                        activity=activity, name=data["name"], phone=data["phone"]
                    )
                else:
                    record = actions.volunteer_check_in(
                        activity=activity, name=data["name"], phone=data["phone"]
                    )
            except ValidationError as error:
                apply_action_errors(form, error)
            else:
                context.update({"done": True, "record": record, "direction": data.get("direction", "in")})
                return render(request, "services/checkin.html", context)
    return render(request, "services/checkin.html", context)


@login_not_required
@never_cache
def checkin(request: HttpRequest, token: str) -> HttpResponse:
    return _checkin_page(request, token, volunteer=False)


@login_not_required
@never_cache
def volunteer_checkin(request: HttpRequest, token: str) -> HttpResponse:
    return _checkin_page(request, token, volunteer=True)
