"""Pages of the rollout: the plan with its timeline, tasks, pilots, steering group, inspections
and rectification items, showcase, incentives and term reminders.

Each view: role check → scoped lookup (404 outside the scope, 403 when read-only) → form →
action → redirect. Lists start from ``organizations.scoping.scoped`` via ``selectors``.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from organizations.audit.selectors import entries_about
from organizations.audit.views import history_page
from organizations.models import Seat
from organizations.scoping import Scope, get_for_user, scope_for, scoped
from organizations.sorting import RowSorting, Sort, Sorting, name_key
from organizations.uploads import file_response
from organizations.viewutils import apply_action_errors, paginate, query_without_page, saved_message
from rollout import tasks
from rollout.models import (
    Incentive,
    Inspection,
    Milestone,
    Phase,
    Pilot,
    Rectification,
    RectificationEvidence,
    ShowcaseItem,
    Stage,
    SteeringMember,
    Task,
)
from rollout.plan.actions import incentives as incentives_actions
from rollout.plan.actions import inspections as inspections_actions
from rollout.plan.actions import phases as phases_actions
from rollout.plan.actions import pilots as pilots_actions
from rollout.plan.actions import rectifications as rectifications_actions
from rollout.plan.actions import showcase as showcase_actions
from rollout.plan.actions import steering as steering_actions
from rollout.plan.actions import tasks as tasks_actions
from rollout.plan.actions import term_reminders as term_reminders_actions
from sanhui.clock import today
from sanhui.collation import pinyin

from . import selectors
from .filters import InspectionFilter, RectificationFilter, ShowcaseFilter, TaskFilter
from .forms import (
    IncentiveForm,
    InspectionForm,
    MilestoneForm,
    PhaseForm,
    PilotForm,
    RectificationForm,
    RectificationProgressForm,
    ReopenForm,
    ShowcaseForm,
    StageForm,
    SteeringMemberForm,
    TaskForm,
    TaskProgressForm,
    TermWindowForm,
)

FORM_TEMPLATE = "organizations/form.html"


def _reader(request: HttpRequest) -> Scope:
    """District staff and supervisors: the whole rollout is theirs to read."""
    scope = scope_for(request.user)
    if not scope.read_all:
        raise PermissionDenied
    return scope


def _manager(request: HttpRequest) -> Scope:
    scope = scope_for(request.user)
    if not scope.write_all:
        raise PermissionDenied
    return scope


def _supervision(request: HttpRequest) -> Scope:
    scope = scope_for(request.user)
    if not (scope.write_all or scope.is_supervisor):
        raise PermissionDenied
    return scope


def _task_reader(request: HttpRequest) -> Scope:
    """Tasks and rectification items: readers of the rollout, and organisation admins for
    their own organisations' items."""
    scope = scope_for(request.user)
    if not (scope.read_all or scope.is_org_admin):
        raise PermissionDenied
    return scope


def _form_page(request: HttpRequest, form, title: str, *, back=None, cancel_url: str = "") -> HttpResponse:
    return render(
        request, FORM_TEMPLATE, {"form": form, "title": title, "back": back, "cancel_url": cancel_url}
    )


# --------------------------------------------------------------------------- the plan


def overview(request: HttpRequest) -> HttpResponse:
    scope = _reader(request)
    on = today()
    phases = selectors.phases_with_plan(user=request.user)
    counts = selectors.task_counts_by_phase(user=request.user, on=on)
    grouped = selectors.tasks_by_phase(user=request.user, on=on)
    sections = [
        {"phase": phase, "counts": counts.get(phase.pk, {}), "tasks": grouped.get(phase.pk, [])}
        for phase in phases
    ]
    totals = scoped(request.user, Task).aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(status=Task.Status.DONE)),
        overdue=Count("pk", filter=Q(due_date__lt=on) & ~Q(status__in=Task.CLOSED_STATUSES)),
    )
    context = {
        "today": on,
        "timeline": selectors.build_timeline(phases, on),
        "sections": sections,
        "pilots": selectors.pilot_list(user=request.user, on=on),
        "totals": totals,
        "rectifications": selectors.rectification_counts(user=request.user, on=on),
        "published_count": scoped(request.user, ShowcaseItem).published().count(),
        "steering": selectors.steering_group(user=request.user)
        .current()
        .exclude(role=SteeringMember.Role.MEMBER),
        "can_manage": scope.write_all,
        "per_phase": selectors.TASKS_PER_PHASE,
    }
    return render(request, "rollout/overview.html", context)


def phase_edit(request: HttpRequest, pk: int) -> HttpResponse:
    phase = get_for_user(request.user, Phase, pk, write=True)
    initial = {
        "name": phase.name,
        "summary": phase.summary,
        "start_date": phase.start_date,
        "end_date": phase.end_date,
    }
    form = PhaseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            phases_actions.phase_update(actor=request.user, phase=phase, **form.cleaned_data)
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            saved_message(request, _("已保存阶段“%(name)s”。") % {"name": phase}, phase)
            return redirect("rollout:overview")
    return _form_page(request, form, _("编辑阶段：%(name)s") % {"name": phase}, cancel_url="rollout:overview")


def stage_edit(request: HttpRequest, pk: int) -> HttpResponse:
    stage = get_for_user(request.user, Stage, pk, write=True, base=Stage.objects.select_related("phase"))
    initial = {
        "name": stage.name,
        "summary": stage.summary,
        "target": stage.target,
        "start_date": stage.start_date,
        "end_date": stage.end_date,
    }
    form = StageForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            phases_actions.stage_update(actor=request.user, stage=stage, **form.cleaned_data)
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            saved_message(request, _("已保存子阶段“%(name)s”。") % {"name": stage}, stage)
            return redirect("rollout:overview")
    return _form_page(
        request, form, _("编辑子阶段：%(name)s") % {"name": stage}, cancel_url="rollout:overview"
    )


def milestone_add(request: HttpRequest) -> HttpResponse:
    _manager(request)
    form = MilestoneForm(request.POST or None, initial={"phase": request.GET.get("phase")})
    if request.method == "POST" and form.is_valid():
        try:
            milestone = phases_actions.milestone_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            saved_message(request, _("已添加里程碑“%(title)s”。") % {"title": milestone.title}, milestone)
            return redirect("rollout:overview")
    return _form_page(request, form, _("添加里程碑"), cancel_url="rollout:overview")


def milestone_edit(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = get_for_user(request.user, Milestone, pk, write=True)
    initial = {
        "phase": milestone.phase_id,
        "stage": milestone.stage_id,
        "title": milestone.title,
        "due_date": milestone.due_date,
        "achieved_on": milestone.achieved_on,
        "description": milestone.description,
    }
    form = MilestoneForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            phases_actions.milestone_update(actor=request.user, milestone=milestone, data=form.cleaned_data)
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            saved_message(request, _("已保存里程碑“%(title)s”。") % {"title": milestone.title}, milestone)
            return redirect("rollout:overview")
    return _form_page(
        request, form, _("编辑里程碑：%(title)s") % {"title": milestone.title}, cancel_url="rollout:overview"
    )


# --------------------------------------------------------------------------- tasks


# "status" is the order the lists open in: open before closed, overdue first, then by due date
# (the ``overdue``/``closed`` flags are the lists' own annotations).
TASK_SORTING = Sorting(
    {
        "status": ("closed", "-overdue", "due_date"),
        "title": (pinyin("title"), "due_date"),
        "organization": (pinyin("organization__name"), "organization", "due_date"),
        "phase": ("phase__number", "stage__code", "due_date"),
        "due": ("due_date",),
    },
    default="status",
)


def task_rows(request: HttpRequest, on: datetime.date | None = None) -> tuple[TaskFilter, QuerySet, Sort]:
    """The task list as the request asks for it (403 to those who may not read it): its
    filter, its rows in order and the sort (the page and its export read the same)."""
    _task_reader(request)
    filterset = TaskFilter(
        request.GET, queryset=selectors.task_list(user=request.user, on=on or today()), user=request.user
    )
    tasks, sort = TASK_SORTING.apply(request, filterset.qs)
    return filterset, tasks, sort


def task_list(request: HttpRequest) -> HttpResponse:
    scope = _task_reader(request)
    on = today()
    filterset, tasks, sort = task_rows(request, on)
    return render(
        request,
        "rollout/task_list.html",
        {
            "filter": filterset,
            "page": paginate(request, tasks),
            "sort": sort,
            "query": query_without_page(request),
            "today": on,
            "can_manage": scope.write_all,
        },
    )


def task_add(request: HttpRequest) -> HttpResponse:
    _manager(request)
    initial = {key: request.GET[key] for key in ("phase", "stage", "organization") if request.GET.get(key)}
    form = TaskForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            task = tasks_actions.task_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            saved_message(request, _("已添加任务“%(title)s”。") % {"title": task.title}, task)
            return redirect(task)
    return _form_page(request, form, _("添加推进任务"), cancel_url="rollout:task_list")


def _task_page(request: HttpRequest, task: Task, progress_form=None, status: int = 200) -> HttpResponse:
    scope = scope_for(request.user)
    can_update = scoped(request.user, Task, write=True).filter(pk=task.pk).exists()
    if can_update and progress_form is None:
        progress_form = TaskProgressForm(initial={"status": task.status}, manager=scope.write_all)
    context = {
        "task": task,
        "history": selectors.task_history(task),
        "can_update": can_update,
        "can_manage": scope.write_all,
        "progress_form": progress_form if can_update else None,
        "today": today(),
    }
    return render(request, "rollout/task_detail.html", context, status=status)


def _task_detail_base():
    # Built per request: the overdue flag compares with today's date.
    return Task.objects.with_overdue_flag().select_related("phase", "stage", "organization", "created_by")


def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_for_user(request.user, Task, pk, base=_task_detail_base())
    return _task_page(request, task)


@require_GET
def task_history(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_for_user(request.user, Task, pk)
    return history_page(
        request,
        record=task,
        entries=entries_about(task),
        heading=task.title,
        covers=_("责任单位报告的进展见任务页面的“进展记录”。"),
    )


@require_POST
def task_progress(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_for_user(request.user, Task, pk, write=True, base=_task_detail_base())
    form = TaskProgressForm(
        request.POST, initial={"status": task.status}, manager=scope_for(request.user).write_all
    )
    if form.is_valid():
        try:
            tasks_actions.task_record_progress(actor=request.user, task=task, **form.cleaned_data)
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            messages.success(request, _("已记录任务进展。"))
            return redirect(task)
    return _task_page(request, get_for_user(request.user, Task, pk, base=_task_detail_base()), form)


def task_edit(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_for_user(request.user, Task, pk, write=True)
    _manager(request)
    initial = {
        "phase": task.phase_id,
        "stage": task.stage_id,
        "title": task.title,
        "organization": task.organization_id,
        "due_date": task.due_date,
        "description": task.description,
        "status": task.status,
    }
    form = TaskForm(request.POST or None, user=request.user, task=task, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            task = tasks_actions.task_update(actor=request.user, task=task, data=form.cleaned_data)
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            saved_message(request, _("已保存任务“%(title)s”。") % {"title": task.title}, task)
            return redirect(task)
    return _form_page(request, form, _("编辑任务：%(title)s") % {"title": task.title}, back=task)


# --------------------------------------------------------------------------- pilots


def pilot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pilot = get_for_user(
        request.user,
        Pilot,
        pk,
        base=Pilot.objects.select_related("organization", "organization__home_region", "stage"),
    )
    scope = _reader(request)
    on = today()
    organization = pilot.organization
    context = {
        "pilot": pilot,
        "can_manage": scope.write_all,
        "tasks": selectors.task_list(user=request.user, on=on).filter(organization=organization),
        "inspections": selectors.inspection_list(user=request.user, on=on).filter(organization=organization),
        "rectifications": selectors.rectification_list(user=request.user, on=on).filter(
            organization=organization
        ),
        "today": on,
    }
    return render(request, "rollout/pilot_detail.html", context)


def pilot_add(request: HttpRequest) -> HttpResponse:
    _manager(request)
    initial = {"stage": Stage.objects.filter(code="3a").values_list("pk", flat=True).first()}
    form = PilotForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            pilot = pilots_actions.pilot_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            saved_message(request, _("已添加试点：%(name)s。") % {"name": pilot}, pilot)
            return redirect(pilot)
    return _form_page(request, form, _("添加试点单位"), cancel_url="rollout:overview")


def pilot_edit(request: HttpRequest, pk: int) -> HttpResponse:
    pilot = get_for_user(request.user, Pilot, pk, write=True)
    initial = {
        "organization": pilot.organization_id,
        "stage": pilot.stage_id,
        "started_on": pilot.started_on,
        "focus": pilot.focus,
        "findings": pilot.findings,
        "measures": pilot.measures,
    }
    form = PilotForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            pilot = pilots_actions.pilot_update(actor=request.user, pilot=pilot, data=form.cleaned_data)
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            saved_message(request, _("已保存试点：%(name)s。") % {"name": pilot}, pilot)
            return redirect(pilot)
    return _form_page(request, form, _("编辑试点：%(name)s") % {"name": pilot.organization.name}, back=pilot)


# --------------------------------------------------------------------------- steering group


def steering_group(request: HttpRequest) -> HttpResponse:
    scope = _reader(request)
    members = list(selectors.steering_group(user=request.user))
    return render(
        request,
        "rollout/steering_group.html",
        {
            "current": [m for m in members if m.is_current],
            "former": [m for m in members if not m.is_current],
            "can_manage": scope.write_all,
        },
    )


def steering_member_add(request: HttpRequest) -> HttpResponse:
    _manager(request)
    form = SteeringMemberForm(request.POST or None, initial={"started_on": today()})
    if request.method == "POST" and form.is_valid():
        try:
            member = steering_actions.steering_member_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            saved_message(request, _("已添加专项指导组成员 %(name)s。") % {"name": member.name}, member)
            return redirect("rollout:steering_group")
    return _form_page(request, form, _("添加专项指导组成员"), cancel_url="rollout:steering_group")


def steering_member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_for_user(request.user, SteeringMember, pk, write=True)
    initial = {
        "role": member.role,
        "name": member.name,
        "title": member.title,
        "user": member.user_id,
        "started_on": member.started_on,
        "ended_on": member.ended_on,
        "notes": member.notes,
        "grant_supervisor_role": False,
    }
    form = SteeringMemberForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        grant = data.pop("grant_supervisor_role", False)
        try:
            steering_actions.steering_member_update(
                actor=request.user, member=member, data=data, grant_supervisor_role=grant
            )
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            saved_message(request, _("已保存专项指导组成员 %(name)s。") % {"name": member.name}, member)
            return redirect("rollout:steering_group")
    return _form_page(
        request,
        form,
        _("编辑专项指导组成员：%(name)s") % {"name": member.name},
        cancel_url="rollout:steering_group",
    )


# --------------------------------------------------------------------------- inspections


def supervision(request: HttpRequest) -> HttpResponse:
    """The steering group's page: open rectification items by deadline, overdue first, and the
    latest inspections."""
    scope = _reader(request)
    on = today()
    open_items = selectors.rectification_list(user=request.user, on=on).open()
    return render(
        request,
        "rollout/supervision.html",
        {
            "today": on,
            "counts": selectors.rectification_counts(user=request.user, on=on),
            "open_items": open_items[:50],
            "inspections": selectors.inspection_list(user=request.user, on=on)[:10],
            "inspection_count": scoped(request.user, Inspection).filter(inspected_on__year=on.year).count(),
            "can_record": scope.write_all or scope.is_supervisor,
        },
    )


# The rectification count is the list's own annotation (selectors.inspection_list).
INSPECTION_SORTING = Sorting(
    {
        "date": ("inspected_on",),
        "organization": (pinyin("organization__name"), "organization", "-inspected_on"),
        "reference": ("reference",),
        "score": ("score", "-inspected_on"),
        "rectifications": ("rectification_count", "-inspected_on"),
    },
    default="-date",
)


def inspection_rows(request: HttpRequest) -> tuple[InspectionFilter, QuerySet, Sort]:
    _reader(request)
    filterset = InspectionFilter(
        request.GET, queryset=selectors.inspection_list(user=request.user), user=request.user
    )
    inspections, sort = INSPECTION_SORTING.apply(request, filterset.qs)
    return filterset, inspections, sort


def inspection_list(request: HttpRequest) -> HttpResponse:
    scope = _reader(request)
    filterset, inspections, sort = inspection_rows(request)
    return render(
        request,
        "rollout/inspection_list.html",
        {
            "filter": filterset,
            "page": paginate(request, inspections),
            "sort": sort,
            "query": query_without_page(request),
            "can_record": scope.write_all or scope.is_supervisor,
        },
    )


def inspection_add(request: HttpRequest) -> HttpResponse:
    _supervision(request)
    initial = {"inspected_on": today()}
    if request.GET.get("organization"):
        initial["organization"] = request.GET["organization"]
    form = InspectionForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {
            key: value for key, value in form.cleaned_data.items() if not key.startswith("rectification_")
        }
        try:
            inspection = inspections_actions.inspection_create(
                actor=request.user, rectifications=form.rectifications(), **data
            )
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            saved_message(request, _("已保存督查记录：%(name)s。") % {"name": inspection}, inspection)
            return redirect(inspection)
    return _form_page(request, form, _("登记督查"), cancel_url="rollout:supervision")


def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = get_for_user(
        request.user,
        Inspection,
        pk,
        base=Inspection.objects.select_related("organization", "organization__home_region", "supervisor"),
    )
    scope = _reader(request)
    can_record = scoped(request.user, Inspection, write=True).filter(pk=inspection.pk).exists()
    return render(
        request,
        "rollout/inspection_detail.html",
        {
            "inspection": inspection,
            "rectifications": selectors.rectification_list(user=request.user).filter(inspection=inspection),
            "can_record": can_record and (scope.write_all or scope.is_supervisor),
            "today": today(),
        },
    )


def inspection_edit(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = get_for_user(request.user, Inspection, pk, write=True)
    initial = {
        "inspected_on": inspection.inspected_on,
        "reference": inspection.reference,
        "inspectors": inspection.inspectors,
        "score": inspection.score,
        "findings": inspection.findings,
    }
    form = InspectionForm(request.POST or None, user=request.user, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            inspection = inspections_actions.inspection_update(
                actor=request.user, inspection=inspection, data=form.cleaned_data
            )
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            saved_message(request, _("已保存督查记录：%(name)s。") % {"name": inspection}, inspection)
            return redirect(inspection)
    return _form_page(request, form, _("编辑督查：%(name)s") % {"name": inspection}, back=inspection)


def rectification_add(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = get_for_user(request.user, Inspection, pk, write=True)
    initial = {"organization": inspection.organization_id}
    form = RectificationForm(request.POST or None, user=request.user, inspection=inspection, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            item = rectifications_actions.rectification_create(
                actor=request.user, inspection=inspection, **form.cleaned_data
            )
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            saved_message(request, _("已添加整改事项“%(title)s”。") % {"title": item.title}, item)
            return redirect(inspection)
    return _form_page(request, form, _("添加整改事项：%(name)s") % {"name": inspection}, back=inspection)


# --------------------------------------------------------------------------- rectifications


RECTIFICATION_SORTING = Sorting(
    {
        "status": ("closed", "-overdue", "deadline"),
        "title": (pinyin("title"), "deadline"),
        "organization": (pinyin("organization__name"), "organization", "deadline"),
        "inspected": ("inspection__inspected_on", "deadline"),
        "deadline": ("deadline",),
        "evidence": ("evidence_count", "deadline"),
    },
    default="status",
)


def rectification_rows(
    request: HttpRequest, on: datetime.date | None = None
) -> tuple[RectificationFilter, QuerySet, Sort]:
    _task_reader(request)
    filterset = RectificationFilter(
        request.GET,
        queryset=selectors.rectification_list(user=request.user, on=on or today()),
        user=request.user,
    )
    items, sort = RECTIFICATION_SORTING.apply(request, filterset.qs)
    return filterset, items, sort


def rectification_list(request: HttpRequest) -> HttpResponse:
    on = today()
    filterset, items, sort = rectification_rows(request, on)
    return render(
        request,
        "rollout/rectification_list.html",
        {
            "filter": filterset,
            "page": paginate(request, items),
            "sort": sort,
            "query": query_without_page(request),
            "today": on,
        },
    )


def _rectification_page(
    request: HttpRequest, rectification: Rectification, progress_form=None, reopen_form=None
):
    scope = scope_for(request.user)
    # The organisation reports progress; the steering group edits, moves deadlines and reopens.
    can_report = rectifications_actions.may_report_on(scope, rectification)
    can_supervise = scope.write_all or scope.is_supervisor
    if can_report and progress_form is None and not rectification.is_closed:
        progress_form = RectificationProgressForm(initial={"status": rectification.status})
    if can_supervise and reopen_form is None and rectification.is_closed:
        reopen_form = ReopenForm()
    context = {
        "rectification": rectification,
        "inspection": rectification.inspection,
        "history": selectors.rectification_history(rectification),
        "evidence": rectification.evidence.select_related("uploaded_by"),
        "progress_form": progress_form if can_report and not rectification.is_closed else None,
        "reopen_form": reopen_form if can_supervise and rectification.is_closed else None,
        "can_supervise": can_supervise,
        "show_inspection_link": scope.read_all,
        "today": today(),
    }
    return render(request, "rollout/rectification_detail.html", context)


def _get_rectification(request: HttpRequest, pk: int, *, write: bool = False) -> Rectification:
    return get_for_user(
        request.user,
        Rectification,
        pk,
        write=write,
        base=Rectification.objects.with_overdue_flag().select_related(
            "organization", "inspection", "inspection__organization", "inspection__supervisor"
        ),
    )


def rectification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _rectification_page(request, _get_rectification(request, pk))


@require_POST
def rectification_progress(request: HttpRequest, pk: int) -> HttpResponse:
    rectification = _get_rectification(request, pk, write=True)
    if not rectifications_actions.may_report_on(scope_for(request.user), rectification):
        raise PermissionDenied
    form = RectificationProgressForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            rectifications_actions.rectification_record_progress(
                actor=request.user, rectification=rectification, **form.cleaned_data
            )
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            rectification.refresh_from_db()
            if rectification.is_closed:
                messages.success(request, _("整改事项已销号。"))
            else:
                messages.success(request, _("已记录整改进展。"))
            return redirect(rectification)
    return _rectification_page(request, rectification, progress_form=form)


def rectification_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rectification = _get_rectification(request, pk, write=True)
    _supervision(request)
    initial = {
        "organization": rectification.organization_id,
        "title": rectification.title,
        "requirement": rectification.requirement,
        "deadline": rectification.deadline,
        "owner_name": rectification.owner_name,
    }
    form = RectificationForm(
        request.POST or None,
        user=request.user,
        inspection=rectification.inspection,
        initial=initial,
        editing=True,
    )
    if request.method == "POST" and form.is_valid():
        try:
            rectifications_actions.rectification_update(
                actor=request.user, rectification=rectification, data=form.cleaned_data
            )
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect(rectification)
    return _form_page(
        request, form, _("编辑整改事项：%(title)s") % {"title": rectification.title}, back=rectification
    )


@require_POST
def rectification_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    rectification = _get_rectification(request, pk, write=True)
    _supervision(request)
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            rectifications_actions.rectification_reopen(
                actor=request.user, rectification=rectification, **form.cleaned_data
            )
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            messages.success(request, _("已重新打开整改事项。"))
            return redirect(rectification)
    return _rectification_page(request, rectification, reopen_form=form)


def evidence_file(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = get_for_user(request.user, RectificationEvidence, pk)
    return file_response(evidence.file, download_name=evidence.original_name)


# --------------------------------------------------------------------------- showcase


@login_not_required
def showcase_public(request: HttpRequest) -> HttpResponse:
    """Published exemplary practices, organisations and leaders, for everyone."""
    grouped = selectors.published_showcase(user=request.user)
    sections = [(kind, label, grouped[kind]) for kind, label in ShowcaseItem.Kind.choices]
    return render(request, "rollout/showcase_public.html", {"sections": sections})


@login_not_required
def showcase_item(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_for_user(
        request.user,
        ShowcaseItem,
        pk,
        base=ShowcaseItem.objects.select_related("organization", "organization__home_region", "person"),
    )
    roles = item.person.leader_roles.open_on() if item.person_id else []
    return render(request, "rollout/showcase_item.html", {"item": item, "roles": roles})


SHOWCASE_SORTING = Sorting(
    {
        "status": ("status", "-nominated_on"),
        "kind": ("kind", "-nominated_on"),
        "title": (pinyin("title"),),
        "nominated": ("nominated_on",),
    },
    default="status",
)


def showcase_manage(request: HttpRequest) -> HttpResponse:
    scope = _reader(request)
    filterset = ShowcaseFilter(
        request.GET, queryset=selectors.showcase_list(user=request.user), user=request.user
    )
    items, sort = SHOWCASE_SORTING.apply(request, filterset.qs)
    counts = scoped(request.user, ShowcaseItem).aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status in ShowcaseItem.Status.values}
    )
    return render(
        request,
        "rollout/showcase_manage.html",
        {
            "filter": filterset,
            "page": paginate(request, items),
            "sort": sort,
            "query": query_without_page(request),
            "counts": counts,
            "can_manage": scope.write_all,
            "steps": showcase_actions.SHOWCASE_STEPS,
        },
    )


def showcase_add(request: HttpRequest) -> HttpResponse:
    _manager(request)
    form = ShowcaseForm(request.POST or None, user=request.user, initial={"nominated_on": today()})
    if request.method == "POST" and form.is_valid():
        try:
            item = showcase_actions.showcase_nominate(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            saved_message(request, _("已登记推荐“%(title)s”。") % {"title": item.title}, item)
            return redirect("rollout:showcase_manage")
    return _form_page(request, form, _("推荐典型"), cancel_url="rollout:showcase_manage")


def showcase_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_for_user(request.user, ShowcaseItem, pk, write=True)
    initial = {
        "kind": item.kind,
        "title": item.title,
        "summary": item.summary,
        "story": item.story,
        "organization": item.organization_id,
        "person": item.person_id,
        "nominated_on": item.nominated_on,
        "nominated_by": item.nominated_by,
    }
    form = ShowcaseForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            item = showcase_actions.showcase_update(actor=request.user, item=item, data=form.cleaned_data)
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            saved_message(request, _("已保存典型“%(title)s”。") % {"title": item.title}, item)
            return redirect("rollout:showcase_manage")
    return _form_page(request, form, _("编辑典型：%(title)s") % {"title": item.title}, back=item)


STEP_MESSAGES = {
    "approve": gettext_lazy("已审定：%(title)s"),
    "publish": gettext_lazy("已发布：%(title)s"),
    "unpublish": gettext_lazy("已撤回发布：%(title)s"),
    "reject": gettext_lazy("未采纳：%(title)s"),
    "renominate": gettext_lazy("已重新推荐：%(title)s"),
}


@require_POST
def showcase_advance(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    item = get_for_user(request.user, ShowcaseItem, pk, write=True)
    try:
        item = showcase_actions.showcase_advance(actor=request.user, item=item, step=step)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, str(STEP_MESSAGES[step]) % {"title": item.title})
    return redirect(
        reverse("rollout:showcase_manage") + (f"?{request.GET.urlencode()}" if request.GET else "")
    )


# --------------------------------------------------------------------------- incentives


INCENTIVE_SORTING = Sorting(
    {
        "date": ("granted_on",),
        "person": (pinyin("person__name"), "person", "-granted_on"),
        "kind": ("kind", "-granted_on"),
        "title": (pinyin("title"), "-granted_on"),
        "amount": ("amount", "-granted_on"),
    },
    default="-date",
)


def incentive_list(request: HttpRequest) -> HttpResponse:
    scope = _reader(request)
    queryset = selectors.incentive_list(user=request.user)
    kind = request.GET.get("kind", "")
    if kind in Incentive.Kind.values:
        queryset = queryset.filter(kind=kind)
    # A saved incentive's link (Incentive.get_absolute_url) narrows the list to its person.
    person = None
    person_pk = request.GET.get("person", "")
    if person_pk.isascii() and person_pk.isdigit() and len(person_pk) < 10:
        queryset = queryset.filter(person_id=int(person_pk))
        first = queryset.select_related("person").first()
        person = first.person if first else None
    incentives, sort = INCENTIVE_SORTING.apply(request, queryset)
    return render(
        request,
        "rollout/incentive_list.html",
        {
            "page": paginate(request, incentives),
            "sort": sort,
            "query": query_without_page(request),
            "totals": selectors.incentive_totals(queryset),
            "kinds": Incentive.Kind.choices,
            "kind": kind,
            "person": person,
            "can_manage": scope.write_all,
        },
    )


def incentive_add(request: HttpRequest) -> HttpResponse:
    _manager(request)
    initial = {"granted_on": today()}
    if request.GET.get("person"):
        initial["person"] = request.GET["person"]
    form = IncentiveForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            incentive = incentives_actions.incentive_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            saved_message(request, _("已记录激励“%(title)s”。") % {"title": incentive.title}, incentive)
            return redirect("rollout:incentive_list")
    return _form_page(request, form, _("记录激励"), cancel_url="rollout:incentive_list")


def incentive_edit(request: HttpRequest, pk: int) -> HttpResponse:
    incentive = get_for_user(
        request.user, Incentive, pk, write=True, base=Incentive.objects.select_related("person")
    )
    initial = {
        "kind": incentive.kind,
        "title": incentive.title,
        "granted_on": incentive.granted_on,
        "granted_by": incentive.granted_by,
        "amount": incentive.amount,
        "organization": incentive.organization_id,
        "notes": incentive.notes,
    }
    form = IncentiveForm(request.POST or None, user=request.user, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            incentives_actions.incentive_update(
                actor=request.user, incentive=incentive, data=form.cleaned_data
            )
        except ValidationError as error:
            apply_action_errors(form, error)
        else:
            saved_message(request, _("已保存激励“%(title)s”。") % {"title": incentive.title}, incentive)
            return redirect("rollout:incentive_list")
    return _form_page(
        request,
        form,
        _("编辑激励：%(name)s · %(title)s") % {"name": incentive.person.name, "title": incentive.title},
        cancel_url="rollout:incentive_list",
    )


# --------------------------------------------------------------------------- term reminders


# The rows are built in Python (selectors.term_overview), the nearest term end first.
TERM_SORTING = RowSorting(
    {
        "organization": lambda row: name_key(row.seat.organization.name),
        "position": lambda row: (
            Seat.RANK.index(row.seat.position) if row.seat.position in Seat.RANK else len(Seat.RANK)
        ),
        "name": lambda row: name_key(row.seat.person.name),
        "term_end": lambda row: row.seat.term_end,
        "reminded": lambda row: row.reminded_at,
    },
    default="term_end",
)


def term_list(request: HttpRequest) -> HttpResponse:
    scope = _reader(request)
    form = TermWindowForm(request.GET or None)
    days = term_reminders_actions.term_reminder_days()
    if form.is_valid() and form.cleaned_data.get("days"):
        days = form.cleaned_data["days"]
    rows, sort = TERM_SORTING.apply(request, selectors.term_overview(user=request.user, days=days))
    return render(
        request,
        "rollout/term_list.html",
        {
            "rows": rows,
            "sort": sort,
            "days": days,
            "default_days": term_reminders_actions.term_reminder_days(),
            "form": form,
            "today": today(),
            "organization_count": len({row.seat.organization_id for row in rows}),
            "pending": sum(1 for row in rows if row.reminded_at is None),
            "can_send": scope.write_all,
        },
    )


@require_POST
def term_send(request: HttpRequest) -> HttpResponse:
    _manager(request)
    transaction.on_commit(tasks.send_term_reminders.delay)
    messages.success(request, _("已开始发送换届提醒；已提醒过的职务不会重复发送。"))
    return redirect("rollout:term_list")
