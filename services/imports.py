"""The activity import (服务活动台账): a town's ledger of activities, kept in Excel or WPS, with
the participants each reported and the hours its volunteers served.

A row names one activity of the importing organisation, or of an organisation below it that its
主办组织 names (by name or code, as a roster's 所属组织): the same organisation, title and start
are the same activity (``source_key`` is "import:" and a hash of the three, so that the file
can be imported again; an activity logged by hand with the same three is found too). A new
activity is logged held or planned; a known one is a duplicate when the file says nothing new
of it, else it is updated: the fields the file gives that differ, a planned activity the file
says was held, and the volunteers' hours that are missing or differ (never removed).

Volunteers are written "张三 2；李四 1.5" or "张三(2) 李四(1.5)", a name or an 11-digit phone
each, and must be volunteers of a team of the organisation, as ``volunteer_hours_enter``
requires; only the organisation's own teams are searched, so an error never names anyone else.

Every rule is the ledger's own: the dry run writes the row through the same actions
(``activity_create`` or ``activity_update``, ``activity_transition``, ``volunteer_hours_enter``
and ``volunteer_hours_correct``) in a savepoint that is rolled back, so whatever they refuse —
a closed quarter, an organiser dissolved on the day, an end before the start, a held activity
that has not started — is the row's error in their words, and no rule is stated twice. The
commit writes the row through them again, for good.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from organizations.imports import cleaning
from organizations.imports.cleaning import Column
from organizations.imports.engine import (
    ImportContext,
    Importer,
    RowResult,
    error,
    identity_in,
    register,
    row_context,
    written_context,
)
from organizations.imports.models import ImportBatch, ImportRow
from organizations.imports.people import choice_or_alias
from organizations.models import Person, Region, TeamMembership, VolunteerTeam
from sanhui import normalize
from sanhui.crypto import lookup_hash

from . import actions
from .forms import DEFAULT_DURATION, ActivityForm
from .models import Activity, ActivityKind, VenueKind, VolunteerService

Status = Activity.Status
PLAN = "_plan"
SOURCE_PREFIX = "import:"


def _labels(choices) -> str:
    return "、".join(str(label) for label in choices.labels)


# Short names secretaries write for a type or a venue, where only one label can be meant.
KIND = choice_or_alias(
    ActivityKind,
    {
        "义诊": ActivityKind.FREE_CLINIC,
        "技术指导": ActivityKind.FIELD_GUIDANCE,
        "技术对接": ActivityKind.TECH_MATCHING,
        "项目合作": ActivityKind.TECH_MATCHING,
        "科普咨询": ActivityKind.CONSULTATION,
        "科技节": ActivityKind.FESTIVAL,
        "科普节": ActivityKind.FESTIVAL,
        "线上科普": ActivityKind.ONLINE,
    },
)
VENUE_KIND = choice_or_alias(
    VenueKind,
    {
        "新时代文明实践中心": VenueKind.CIVILIZATION_CENTER,
        "文明实践中心": VenueKind.CIVILIZATION_CENTER,
        "文明实践站": VenueKind.CIVILIZATION_CENTER,
        "村": VenueKind.VILLAGE,
        "社区": VenueKind.VILLAGE,
        "医院": VenueKind.HOSPITAL,
        "卫生院": VenueKind.HOSPITAL,
        "企业": VenueKind.ENTERPRISE,
        "园区": VenueKind.ENTERPRISE,
        "科普场馆": VenueKind.VENUE,
        "科普基地": VenueKind.VENUE,
        "网络": VenueKind.ONLINE,
    },
)
# What the activity form shows selected when nobody picks a venue kind: its first choice.
DEFAULT_VENUE_KIND = ActivityForm.base_fields["venue_kind"].choices[0][0]

_STATUS_WORDS = {
    Status.HELD: ("已举办", "已开展", "已完成", "已结束", "举办"),
    Status.PLANNED: ("计划中", "计划", "未举办", "未开展", "待举办"),
}


def status(value: Any) -> str:
    """已举办 (held) or 计划中 (planned), and the obvious other words for them; "" when empty."""
    key = cleaning.header_key(value)
    if not key:
        return ""
    for stored, words in _STATUS_WORDS.items():
        if key in {cleaning.header_key(word) for word in words} or key == stored:
            return stored
    raise ValidationError(
        _("应为以下之一：%(choices)s。") % {"choices": f"{Status.HELD.label}、{Status.PLANNED.label}"},
        code="invalid_status",
    )


# --------------------------------------------------------------------------- the volunteers' cell

_SEPARATORS = re.compile(r"[;,、\n\r]+")
# "张三(2) 李四(1.5)" and "张三 2 李四 1.5": a new entry starts after hours and a space.
_ENTRY_BREAK = re.compile(r"(?<=[0-9)时钟hH])\s+(?=[^\s0-9(])")
_ENTRY = re.compile(
    r"(?P<who>.+?)(?:\s*[(:]\s*|\s+|(?<=[^\s0-9]))"
    r"(?P<hours>[0-9]*\.?[0-9]+\s*(?:个小时|小时|时|h|hrs?|hours?|分钟|min)?)\s*\)?",
    re.IGNORECASE,
)


def volunteers(value: Any) -> list[list[str]]:
    """A list of volunteers and their hours: [[name or phone, hours as text], …]. Entries are
    separated by ；;、,， or line breaks (or, after their hours, by a space) and written
    "张三 2", "张三(2)", "张三：1.5小时" or "13812345678 2"; each volunteer once, hours more
    than 0 and at most 24. [] for an empty cell."""
    written = normalize.folded(cleaning.cell_text(value))
    entries: list[list[str]] = []
    problems: list[str] = []
    seen: set[str] = set()
    for chunk in _SEPARATORS.split(written):
        for piece in _ENTRY_BREAK.split(normalize.compact(chunk)):
            if not piece:
                continue
            found = _ENTRY.fullmatch(piece)
            if not found:
                problems.append(_("“%(entry)s”没有写服务时长，请写成“张三 2”。") % {"entry": piece})
                continue
            who = normalize.text(found["who"])
            try:
                hours = cleaning.decimal_hours(found["hours"])
            except ValidationError as refused:
                problems.extend(f"{who}：{message}" for message in refused.messages)
                continue
            if who in seen:
                problems.append(_("“%(name)s”填写了两次。") % {"name": who})
                continue
            seen.add(who)
            entries.append([who, str(hours)])
    if problems:
        raise ValidationError(problems, code="invalid_volunteers")
    return entries


# --------------------------------------------------------------------------- the columns

ACTIVITY_COLUMNS = (
    Column(
        "title",
        gettext_lazy("活动名称"),
        ("活动主题", "名称", "主题"),
        required=True,
        example="姜山镇健康科普讲座",
    ),
    Column(
        "kind",
        gettext_lazy("活动类型"),
        ("类型", "形式"),
        required=True,
        parse=KIND,
        example=str(ActivityKind.POPULAR_LECTURE.label),
        help=gettext_lazy("可填：%(choices)s；“义诊”即医疗义诊。") % {"choices": _labels(ActivityKind)},
    ),
    Column(
        "starts_at",
        gettext_lazy("开始时间"),
        ("活动时间", "日期", "活动日期"),
        required=True,
        parse=cleaning.datetime_,
        example="2022-03-05 09:00",
        help=gettext_lazy("只写日期时按当天 9:00 计。"),
    ),
    Column(
        "ends_at",
        gettext_lazy("结束时间"),
        parse=cleaning.datetime_,
        example="2022-03-05 11:00",
        help=gettext_lazy("不填则按开始后2小时计。"),
    ),
    Column(
        "region",
        gettext_lazy("活动区域"),
        ("所在镇街", "地点所在村社区", "区域"),
        required=True,
        example="姜山镇",
        help=gettext_lazy("镇（街道）或村（社区）的全称，例如“姜山镇”。"),
    ),
    Column(
        "venue_kind",
        gettext_lazy("场所类型"),
        parse=VENUE_KIND,
        example=str(VenueKind.PARTY_SERVICE_CENTER.label),
        help=gettext_lazy("可填：%(choices)s；不填则为%(default)s。")
        % {"choices": _labels(VenueKind), "default": VenueKind(DEFAULT_VENUE_KIND).label},
    ),
    Column("venue", gettext_lazy("活动地点"), ("地址",), example="姜山镇党群服务中心二楼"),
    Column(
        "planned_participants",
        gettext_lazy("计划参与人数"),
        ("计划人数",),
        parse=cleaning.integer,
        example="50",
    ),
    Column(
        "reported_participants",
        gettext_lazy("实际参与人数"),
        ("参与人数", "服务人数", "受益人数"),
        parse=cleaning.integer,
        example="48",
    ),
    Column(
        "status",
        gettext_lazy("状态"),
        parse=status,
        example=str(Status.HELD.label),
        help=gettext_lazy("已举办或计划中；不填时，已开始的活动为已举办，其余为计划中。"),
    ),
    Column("description", gettext_lazy("活动内容"), ("内容", "简介"), example="高血压防治知识讲座及义诊"),
    Column(
        "volunteers",
        gettext_lazy("志愿者及服务时长"),
        ("志愿者", "志愿服务时长"),
        parse=volunteers,
        example="张三 2；李四 1.5",
        help=gettext_lazy(
            "每人写姓名（或手机号码）和小时数，用分号、顿号、逗号或换行隔开，如“张三 2；李四 1.5”"
            "或“张三(2) 李四(1.5)”；须是本组织服务队的志愿者，每人不超过24小时。"
        ),
    ),
    Column(
        "organization",
        gettext_lazy("主办组织"),
        ("主办单位", "组织", "组织名称", "组织编号", "所属组织", "协会"),
        help=gettext_lazy(
            "选填：本次导入的组织或其下属组织（如镇科协下的三会）的名称或编号；不填即由本次导入的组织主办。"
        ),
    ),
)

# The column an action's error falls under, by the action's field name ("" for the whole row).
COLUMN_OF_FIELD = {
    **{key: key for key in ("title", "kind", "starts_at", "ends_at", "region", "venue_kind", "venue")},
    **{key: key for key in ("planned_participants", "reported_participants", "description")},
    "organizer": "organization",
    "hours": "volunteers",
    "person": "volunteers",
    "reason": "volunteers",
}
# Fields of a known activity the file may change, when it gives them.
UPDATABLE = (
    "kind",
    "region",
    "venue_kind",
    "venue",
    "ends_at",
    "planned_participants",
    "reported_participants",
    "description",
)


def _moment(value: Any) -> datetime.datetime | None:
    """A moment as a row keeps it: parsed (first pass) or ISO text (a commit's second look)."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value
    return datetime.datetime.fromisoformat(str(value))


def source_key(organization_id: int, title: str, starts_at: datetime.datetime) -> str:
    """The identity of an imported activity: organiser, title and start (to the minute, in
    the portal's zone), as "import:" and a short hash, within ``Activity.source_key``."""
    moment = timezone.localtime(starts_at).strftime("%Y-%m-%dT%H:%M")
    digest = hashlib.sha256(f"{organization_id}|{title}|{moment}".encode()).hexdigest()
    return SOURCE_PREFIX + digest[:24]


# --------------------------------------------------------------------------- what a row names


def _regions(context: ImportContext) -> dict[str, list[Region]]:
    if "regions" not in context.memo:
        by_name: dict[str, list[Region]] = {}
        for region in Region.objects.select_related("parent").order_by("path"):
            by_name.setdefault(normalize.folded(region.name).strip(), []).append(region)
        organization = context.organization
        homes = [organization.home_region, *organization.served_regions.all()]
        context.memo["regions"] = by_name
        context.memo["home_paths"] = tuple(region.path for region in homes if region is not None)
    return context.memo["regions"]


def _region(name: str, context: ImportContext) -> tuple[Region | None, str]:
    """The region of that name: one at or below the organiser's home or served regions first,
    else the one region of the district of that name (the activity form lets any be chosen)."""
    found = _regions(context).get(normalize.folded(name).strip(), [])
    near = [region for region in found if region.path.startswith(context.memo["home_paths"])]
    for candidates in (near, found):
        if len(candidates) == 1:
            return candidates[0], ""
        if len(candidates) > 1:
            parents = "、".join(f"{r.parent.name if r.parent else ''}{r.name}" for r in candidates)
            return None, _("有多个名为“%(name)s”的区域（%(regions)s），无法确定是哪一个。") % {
                "name": name,
                "regions": parents,
            }
    return None, _("未找到名为“%(name)s”的区域，请填写镇（街道）或村（社区）的全称，例如“姜山镇”。") % {
        "name": name
    }


def _volunteer_memberships(context: ImportContext) -> dict[str, dict[int, int]]:
    """Name → {person: team} of the volunteers of the organisation's teams (current members'
    teams first)."""
    if "volunteers" not in context.memo:
        by_name: dict[str, dict[int, int]] = {}
        memberships = (
            TeamMembership.objects.filter(team__organization=context.organization)
            .select_related("person")
            .order_by(F("left_on").asc(nulls_first=True), "team__name", "pk")
        )
        for membership in memberships:
            by_name.setdefault(membership.person.name, {}).setdefault(
                membership.person_id, membership.team_id
            )
        context.memo["volunteers"] = by_name
    return context.memo["volunteers"]


def _volunteer(who: str, context: ImportContext) -> tuple[tuple[int, int] | None, str]:
    """(person, team) of one name or phone of the volunteers' cell, or why not."""
    number = normalize.phone(who)
    if re.fullmatch(r"1[0-9]{10}", number):
        membership = (
            TeamMembership.objects.filter(
                team__organization=context.organization, person__phone_hash=lookup_hash(number)
            )
            .order_by(F("left_on").asc(nulls_first=True), "team__name", "pk")
            .first()
        )
        matches = {membership.person_id: membership.team_id} if membership else {}
    else:
        matches = _volunteer_memberships(context).get(who, {})
    if len(matches) > 1:
        return None, _("本组织服务队中有多名“%(name)s”，请改写其手机号码以区分。") % {"name": who}
    if not matches:
        return None, _("“%(name)s”不是本组织服务队的志愿者，请核对姓名或手机号码，或先将其加入服务队。") % {
            "name": who
        }
    return next(iter(matches.items())), ""


def _existing(key: str, title: str, starts_at: datetime.datetime, context: ImportContext) -> Activity | None:
    """The activity a row names: imported before under the same key, else logged by hand by the
    same organiser with the same title and start."""
    found = Activity.objects.filter(source_key=key).first()
    if found is None:
        found = (
            Activity.objects.filter(organizer=context.organization, title=title, starts_at=starts_at)
            .order_by("pk")
            .first()
        )
    return found


# --------------------------------------------------------------------------- the plan of a row


def _plan_new(values: dict, region: Region, hours: list, key: str) -> dict:
    starts_at = _moment(values["starts_at"])
    ends_at = _moment(values.get("ends_at")) or starts_at + DEFAULT_DURATION
    held = values.get("status") == Status.HELD or (not values.get("status") and starts_at < timezone.now())
    return {
        "activity": None,
        "source_key": key,
        "held": held,
        "data": {
            "title": values["title"],
            "kind": values["kind"],
            "organizer": None,
            "region": region.pk,
            "venue_kind": values.get("venue_kind") or DEFAULT_VENUE_KIND,
            "venue": values.get("venue") or "",
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
            "planned_participants": values.get("planned_participants") or 0,
            "reported_participants": values.get("reported_participants"),
            "description": values.get("description") or "",
        },
        "teams": sorted({team for _person, team, _hours, _service in hours}),
        "hours": hours,
    }


def _plan_update(values: dict, activity: Activity, region: Region, hours: list) -> dict:
    given = {
        "kind": values["kind"],
        "region": region.pk,
        "venue_kind": values.get("venue_kind") or None,
        "venue": values.get("venue") or None,
        "ends_at": _moment(values.get("ends_at")),
        "planned_participants": values.get("planned_participants"),
        "reported_participants": values.get("reported_participants"),
        "description": values.get("description") or None,
    }
    data = {}
    for field in UPDATABLE:
        value = given[field]
        current = activity.region_id if field == "region" else getattr(activity, field)
        if value is not None and value != current:
            data[field] = value.isoformat() if isinstance(value, datetime.datetime) else value
    services = {
        service.person_id: service
        for service in activity.volunteer_services.filter(person__in=[h[0] for h in hours])
    }
    changed_hours = []
    for person, team, value, _service in hours:
        service = services.get(person)
        if service is None or str(service.hours) != value:
            changed_hours.append([person, team, value, service.pk if service else None])
    return {
        "activity": activity.pk,
        "held": values.get("status") == Status.HELD and activity.status == Status.PLANNED,
        "data": data,
        "hours": changed_hours,
    }


# --------------------------------------------------------------------------- writing a plan


def _data(plan_data: dict, context: ImportContext) -> dict:
    data = dict(plan_data)
    if "organizer" in data:
        data["organizer"] = context.organization
    if "region" in data:
        data["region"] = Region.objects.get(pk=data["region"])
    for field in ("starts_at", "ends_at"):
        if field in data:
            data[field] = _moment(data[field])
    return data


def _enter_hours(activity: Activity, plan: dict, context: ImportContext) -> None:
    reason = _("批量导入")
    for person_pk, team_pk, hours, service_pk in plan["hours"]:
        person = Person.objects.get(pk=person_pk)
        try:
            if service_pk:
                actions.volunteer_hours_correct(
                    actor=context.actor,
                    service=VolunteerService.objects.get(pk=service_pk),
                    hours=hours,
                    reason=reason,
                )
            else:
                actions.volunteer_hours_enter(
                    actor=context.actor,
                    activity=activity,
                    person=person,
                    hours=hours,
                    reason=reason,
                    team=VolunteerTeam.objects.get(pk=team_pk),
                )
        except ValidationError as refused:
            raise ValidationError({"volunteers": [f"{person.name}：{m}" for m in refused.messages]}) from None


def _apply(plan: dict, context: ImportContext) -> Activity:
    """Write a row's plan through the ledger's actions."""
    actor = context.actor
    if plan["activity"] is None:
        activity = actions.activity_create(
            actor=actor,
            data=_data(plan["data"], context),
            teams=VolunteerTeam.objects.filter(pk__in=plan["teams"]),
            held=plan["held"],
        )
        # ``activity_create`` takes no source key: the key is the import's own bookkeeping,
        # set in the same transaction.
        Activity.objects.filter(pk=activity.pk).update(source_key=plan["source_key"])
    else:
        activity = Activity.objects.get(pk=plan["activity"])
        if plan["data"]:
            activity = actions.activity_update(
                actor=actor, activity=activity, data=_data(plan["data"], context)
            )
        if plan["held"]:
            activity = actions.activity_transition(
                actor=actor, activity=activity, to_status=Status.HELD, note=_("批量导入")
            )
    _enter_hours(activity, plan, context)
    return activity


class _TrialOver(Exception):
    """Raised to roll back a dry run's trial write."""


def _trial(importer: Importer, values: dict, plan: dict, context: ImportContext) -> RowResult | None:
    """Write the plan in a savepoint and roll it back: the row's error in the actions' words,
    under the column it concerns, or None when they accept it."""
    try:
        with transaction.atomic():
            _apply(plan, context)
            raise _TrialOver
    except _TrialOver:
        return None
    except PermissionDenied:
        return error(values, "", _("无权登记此活动。"))
    except ValidationError as refused:
        errors: dict[str, list[str]] = {}
        by_field = refused.message_dict if hasattr(refused, "error_dict") else {"": refused.messages}
        for field, messages in by_field.items():
            key = COLUMN_OF_FIELD.get(field, "")
            label = importer.label(key) if key else ""
            errors.setdefault(label, []).extend(str(message) for message in messages)
        return RowResult(ImportRow.Outcome.ERROR, values, errors)


# --------------------------------------------------------------------------- the importer


class ActivityImporter(Importer):
    kind = ImportBatch.Kind.ACTIVITIES
    columns = ACTIVITY_COLUMNS
    sheet_title = gettext_lazy("服务活动台账")

    def identity(self, values: dict) -> str | None:
        starts_at = _moment(values.get("starts_at"))
        if not values.get("title") or starts_at is None:
            return None
        return identity_in(values, f"{values['title']}|{timezone.localtime(starts_at):%Y-%m-%dT%H:%M}")

    def records_url(self, organization) -> str:
        return reverse("services:activity_list") + "?" + urlencode({"organization": organization.pk})

    def records_label(self, organization) -> str:
        return _("查看%(name)s的服务活动") % {"name": organization.name}

    def _names(self, values: dict, context: ImportContext) -> tuple[Region | None, list, RowResult | None]:
        """The row's region and volunteers, or its error."""
        region, problem = _region(values["region"], context)
        if region is None:
            return None, [], error(values, self.label("region"), problem)
        hours, problems = [], []
        for who, value in values.get("volunteers") or []:
            found, problem = _volunteer(who, context)
            if found is None:
                problems.append(problem)
            else:
                hours.append([found[0], found[1], value, None])
        if problems:
            return None, [], error(values, self.label("volunteers"), *problems)
        return region, hours, None

    def check(self, values: dict, context: ImportContext) -> RowResult:
        values = {key: value for key, value in values.items() if key != PLAN}
        context, failed = row_context(self, values, context)
        if failed:
            return failed
        region, hours, failed = self._names(values, context)
        if failed:
            return failed
        starts_at = _moment(values["starts_at"])
        key = source_key(context.organization.pk, values["title"], starts_at)
        activity = _existing(key, values["title"], starts_at, context)
        if activity is None:
            plan = _plan_new(values, region, hours, key)
        else:
            plan = _plan_update(values, activity, region, hours)
            target = f"services.activity:{activity.pk}"
            if not (plan["data"] or plan["held"] or plan["hours"]):
                return RowResult(
                    ImportRow.Outcome.DUPLICATE, values, note=_("此活动已登记，信息相同"), target=target
                )
        if failed := _trial(self, values, plan, context):
            return failed
        values[PLAN] = plan
        if activity is None:
            note = _("将登记为已举办的活动") if plan["held"] else _("将登记为计划中的活动")
            if hours:
                note += ngettext(
                    "，录入 %(count)d 名志愿者的服务时长", "，录入 %(count)d 名志愿者的服务时长", len(hours)
                ) % {"count": len(hours)}
            return RowResult(ImportRow.Outcome.NEW, values, note=note)
        return RowResult(ImportRow.Outcome.UPDATE, values, note=self._update_note(plan), target=target)

    def _update_note(self, plan: dict) -> str:
        parts = []
        if plan["data"]:
            labels = "、".join(self.label(field) for field in plan["data"])
            parts.append(_("将更新：%(fields)s") % {"fields": labels})
        if plan["held"]:
            parts.append(_("将标记为已举办"))
        if plan["hours"]:
            count = len(plan["hours"])
            parts.append(
                ngettext(
                    "将录入或更正 %(count)d 名志愿者的服务时长",
                    "将录入或更正 %(count)d 名志愿者的服务时长",
                    count,
                )
                % {"count": count}
            )
        return "；".join(parts)

    def write(self, row: ImportRow, context: ImportContext) -> str:
        activity = _apply(row.values[PLAN], written_context(row.values, context))
        return f"services.activity:{activity.pk}"


def register_importers() -> None:
    register(ActivityImporter())
