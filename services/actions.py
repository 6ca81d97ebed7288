"""Writes to the service ledger: activities and their workflow, evidence, check-ins and hours.

Every change goes through one of these functions, whoever asks: views, the admin, the demo
loader and tasks. Each is atomic, checks the actor's scope, validates (``ValidationError``
keyed by form field, in Chinese), saves, and records history: status changes in
``ActivityTransition``, hours corrections in ``VolunteerHoursChange``, everything else in the
portal's ``AuditEntry``. Public check-in functions have no actor: the secret token of the link
is what admits the caller, and the view rate-limits them.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.actions import (
    audit_record,
    field_changes,
    initial_values,
    plain,
    recorded_user,
    removed_values,
    require,
    set_change,
)
from organizations.links import join_names
from organizations.models import LeaderRole, Organization, Person, Region, TeamMembership, VolunteerTeam
from organizations.scoping import scope_for, scoped
from organizations.uploads import validate_evidence_file
from organizations.validators import validate_mobile
from sanhui import normalize
from sanhui.crypto import lookup_hash

from . import selectors, tallies
from .ledger_lock import ledger_guard
from .models import (
    Activity,
    ActivityKind,
    ActivityTransition,
    AlignmentTag,
    Attendance,
    Audience,
    Evidence,
    VenueKind,
    VolunteerHoursChange,
    VolunteerService,
    hours_served,
    stream_of,
)

Status = Activity.Status

ACTIVITY_FIELDS = (
    "title",
    "kind",
    "organizer",
    "region",
    "venue_kind",
    "venue",
    "starts_at",
    "ends_at",
    "audiences",
    "alignment_tags",
    "description",
    "planned_participants",
    "reported_participants",
)

# (from, to) → what the move is called. Anything else is refused.
TRANSITIONS: dict[tuple[str, str], str] = {
    (Status.PLANNED, Status.HELD): "hold",
    (Status.PLANNED, Status.CANCELLED): "cancel",
    (Status.HELD, Status.VERIFIED): "verify",
    (Status.VERIFIED, Status.HELD): "reopen",
    (Status.CANCELLED, Status.PLANNED): "restore",
}
# Moves that only the organiser's admin (or district staff) may make, not a leader alone.
ADMIN_MOVES = frozenset({"verify", "reopen", "restore"})
# Moves that must say why.
MOVES_NEEDING_NOTE = frozenset({"cancel", "reopen"})


def is_organizer_admin(actor, activity: Activity) -> bool:
    """District staff, or an admin of the organising organisation (leaders alone are not)."""
    scope = scope_for(actor)
    return scope.write_all or activity.organizer_id in scope.admin_org_ids


def _require_activity_write(actor, activity: Activity) -> None:
    require(scoped(actor, Activity, write=True).filter(pk=activity.pk).exists())


# --------------------------------------------------------------------------- activities


def _clean_plain_fields(merged: dict[str, Any], data: dict[str, Any], errors: dict[str, list]) -> None:
    """Title, kind, venue, region, times and the multiple choices of an activity."""
    title = (merged.get("title") or "").strip()
    if not title:
        errors["title"] = [_("请填写活动名称。")]
    data["title"] = title
    if merged.get("kind") not in ActivityKind.values:
        errors["kind"] = [_("请选择活动类型。")]
    if merged.get("venue_kind") not in VenueKind.values:
        errors["venue_kind"] = [_("请选择场所类型。")]
    if not isinstance(merged.get("region"), Region):
        errors["region"] = [_("请选择活动所在区域。")]
    starts_at, ends_at = merged.get("starts_at"), merged.get("ends_at")
    if starts_at is None:
        errors["starts_at"] = [_("请填写开始时间。")]
    if ends_at is None:
        errors["ends_at"] = [_("请填写结束时间。")]
    if starts_at and ends_at:
        if ends_at < starts_at:
            errors["ends_at"] = [_("结束时间不能早于开始时间。")]
        elif ends_at - starts_at > datetime.timedelta(days=31):
            errors["ends_at"] = [_("单次活动不能超过31天；长期活动请按场次分别登记。")]
    for field, choices, label in (
        ("audiences", Audience.values, _("服务对象")),
        ("alignment_tags", AlignmentTag.values, _("工作结合点")),
    ):
        values = list(merged.get(field) or [])
        if any(value not in choices for value in values):
            errors[field] = [_("%(label)s中有无效的选项。") % {"label": label}]
        data[field] = [value for value in choices if value in values]


def _clean_leaders(
    scope, organizer, leaders: list[Person], starts_at, errors: dict[str, list]
) -> list[Person]:
    """Those who led the activity: each a 三长/泛三长 on its day."""
    if not scope.write_all and not (
        isinstance(organizer, Organization) and organizer.pk in scope.admin_org_ids
    ):
        # A leader logging their own activity is always one of those who led it.
        own = list(Person.objects.filter(pk__in=scope.person_ids))
        leaders = list({person.pk: person for person in [*leaders, *own]}.values())
    if starts_at and leaders:
        on = timezone.localtime(starts_at).date()
        with_role = set(
            LeaderRole.objects.open_on(on)
            .filter(person__in=[p.pk for p in leaders])
            .values_list("person_id", flat=True)
        )
        not_leaders = [person.name for person in leaders if person.pk not in with_role]
        if not_leaders:
            errors["leaders"] = [
                _("%(names)s 在活动当天没有三长/泛三长身份。") % {"names": join_names(not_leaders)}
            ]
    return leaders


def _check_organizer_running(organizer: Organization, day: datetime.date, errors: dict[str, list]) -> None:
    """An activity takes place while its organiser exists: not before its founding, not from
    the day it was dissolved."""
    if organizer.founded_on and day < organizer.founded_on:
        errors["starts_at"] = [
            _("活动日期不能早于主办组织“%(name)s”的成立日期（%(day)s）。")
            % {"name": organizer.name, "day": organizer.founded_on.isoformat()}
        ]
    elif organizer.dissolved_on and day >= organizer.dissolved_on:
        errors["starts_at"] = [
            _("主办组织“%(name)s”已于 %(day)s 撤销，此后不能再有它主办的活动。")
            % {"name": organizer.name, "day": organizer.dissolved_on.isoformat()}
        ]


def _clean_activity(
    *,
    actor,
    data: dict[str, Any],
    co_organizers: Iterable[Organization],
    leaders: Iterable[Person],
    teams: Iterable[VolunteerTeam],
    instance: Activity | None,
) -> tuple[dict[str, Any], list[Organization], list[Person], list[VolunteerTeam]]:
    errors: dict[str, list] = {}
    scope = scope_for(actor)
    data = {key: value for key, value in data.items() if key in ACTIVITY_FIELDS}
    current = {key: getattr(instance, key) for key in ACTIVITY_FIELDS} if instance is not None else {}
    merged = current | data

    _clean_plain_fields(merged, data, errors)
    organizer = merged.get("organizer")
    if not isinstance(organizer, Organization):
        errors["organizer"] = [_("请选择主办组织。")]
    elif (instance is None or organizer.pk != instance.organizer_id) and not selectors.organizer_choices(
        user=actor
    ).filter(pk=organizer.pk).exists():
        # Someone else's organisation: the same answer whether it exists or not.
        errors["organizer"] = [_("只能登记本人所在或所管理组织主办的活动。")]

    if isinstance(organizer, Organization) and merged.get("starts_at"):
        _check_organizer_running(organizer, timezone.localtime(merged["starts_at"]).date(), errors)
    co_organizers = [org for org in co_organizers if organizer is None or org.pk != organizer.pk]
    leaders = _clean_leaders(scope, organizer, list(leaders), merged.get("starts_at"), errors)
    teams = list(teams)
    if isinstance(organizer, Organization):
        allowed = {organizer.pk, *(org.pk for org in co_organizers)}
        foreign = [team.name for team in teams if team.organization_id not in allowed]
        if foreign:
            errors["teams"] = [_("服务队“%(names)s”不属于主办或协办组织。") % {"names": join_names(foreign)}]
    reported = merged.get("reported_participants")
    if reported is not None and reported < 0:
        errors["reported_participants"] = [_("人数不能为负数。")]
    if errors:
        raise ValidationError(errors)
    return data, co_organizers, leaders, teams


@transaction.atomic
def activity_create(
    *,
    actor,
    data: dict[str, Any],
    co_organizers: Iterable[Organization] = (),
    leaders: Iterable[Person] = (),
    teams: Iterable[VolunteerTeam] = (),
    held: bool = False,
) -> Activity:
    """Log a new activity, planned or (with ``held``) already held."""
    require(selectors.organizer_choices(user=actor).exists())
    data, co_organizers, leaders, teams = _clean_activity(
        actor=actor, data=data, co_organizers=co_organizers, leaders=leaders, teams=teams, instance=None
    )
    now = timezone.now()
    if held and data["starts_at"] > now:
        raise ValidationError({"starts_at": _("尚未开始的活动不能登记为“已举办”。")})
    activity = Activity(
        **data, created_by=recorded_user(actor), status=Status.HELD if held else Status.PLANNED
    )
    activity.status_changed_at = now
    activity.status_changed_by = recorded_user(actor)
    activity.save()
    activity.co_organizers.set(co_organizers)
    activity.leaders.set(leaders)
    activity.teams.set(teams)
    ledger_guard(actor=actor, activity=activity, write="activity_create")
    tallies.refresh([activity.pk])
    ActivityTransition.objects.create(
        activity=activity,
        from_status="",
        to_status=activity.status,
        actor=recorded_user(actor),
        note=_("登记"),
    )
    changes = initial_values(activity, (*ACTIVITY_FIELDS, "status"))
    for name, members in (("co_organizers", co_organizers), ("leaders", leaders), ("teams", teams)):
        if change := set_change([], members):
            changes[name] = change
    audit_record(actor=actor, action="activity_create", obj=activity, summary=activity.title, changes=changes)
    return activity


@transaction.atomic
def activity_update(
    *,
    actor,
    activity: Activity,
    data: dict[str, Any],
    co_organizers: Iterable[Organization] | None = None,
    leaders: Iterable[Person] | None = None,
    teams: Iterable[VolunteerTeam] | None = None,
) -> Activity:
    _require_activity_write(actor, activity)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    moved_to = data.get("starts_at")
    ledger_guard(
        actor=actor,
        activity=activity,
        starts_at=moved_to if isinstance(moved_to, datetime.datetime) else None,
        write="activity_update",
    )
    if activity.status == Status.VERIFIED:
        raise ValidationError(_("已核实的活动不能修改；如需更正，请先撤销核实。"), code="verified")
    if activity.status == Status.CANCELLED:
        raise ValidationError(_("已取消的活动不能修改；如需恢复，请先恢复为计划中。"), code="cancelled")
    data, co_list, leader_list, team_list = _clean_activity(
        actor=actor,
        data=data,
        co_organizers=activity.co_organizers.all() if co_organizers is None else co_organizers,
        leaders=activity.leaders.all() if leaders is None else leaders,
        teams=activity.teams.all() if teams is None else teams,
        instance=activity,
    )
    if activity.status == Status.HELD and data.get("starts_at", activity.starts_at) > timezone.now():
        raise ValidationError({"starts_at": _("已举办的活动，开始时间不能晚于现在。")})
    changes = {
        key: [plain(getattr(activity, key)), plain(value)]
        for key, value in data.items()
        if getattr(activity, key) != value
    }
    for key, value in data.items():
        setattr(activity, key, value)
    if activity.is_published and stream_of(activity.kind) != "popularization":
        activity.is_published = False
        changes["is_published"] = [True, False]
    activity.save()
    for name, members in (("co_organizers", co_list), ("leaders", leader_list), ("teams", team_list)):
        manager = getattr(activity, name)
        if change := set_change(manager.values_list("pk", flat=True), members):
            changes[name] = change
        manager.set(members)
    tallies.refresh([activity.pk])
    audit_record(actor=actor, action="activity_update", obj=activity, summary=activity.title, changes=changes)
    return activity


@transaction.atomic
def activity_transition(*, actor, activity: Activity, to_status: str, note: str = "") -> Activity:
    """Move an activity along planned → held → verified (or cancel, reopen, restore)."""
    require(scoped(actor, Activity).filter(pk=activity.pk).exists())
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    ledger_guard(actor=actor, activity=activity, write="activity_transition")
    move = TRANSITIONS.get((activity.status, to_status))
    if move is None:
        raise ValidationError(
            _("活动当前为“%(current)s”，不能改为“%(target)s”。")
            % {"current": activity.get_status_display(), "target": Status(to_status).label},
            code="invalid_transition",
        )
    if move in ADMIN_MOVES:
        require(is_organizer_admin(actor, activity))
    else:
        _require_activity_write(actor, activity)
    note = (note or "").strip()
    if move in MOVES_NEEDING_NOTE and not note:
        raise ValidationError({"note": _("请说明原因。")}, code="note_required")
    now = timezone.now()
    if move == "hold" and activity.starts_at > now:
        raise ValidationError(_("活动尚未开始，不能标记为已举办。"), code="not_started")
    if move == "verify" and not activity.attendances.exists() and activity.reported_participants is None:
        raise ValidationError(
            _("核实前请先有扫码签到记录，或在活动信息中填写上报参与人数。"), code="no_participants"
        )
    previous = activity.status
    activity.status = to_status
    activity.status_changed_at = now
    activity.status_changed_by = recorded_user(actor)
    fields = ["status", "status_changed_at", "status_changed_by", "updated_at"]
    if to_status == Status.CANCELLED and activity.is_published:
        # A cancelled event leaves the public calendar at once.
        activity.is_published = False
        fields.append("is_published")
    activity.save(update_fields=fields)
    ActivityTransition.objects.create(
        activity=activity,
        from_status=previous,
        to_status=to_status,
        actor=recorded_user(actor),
        note=note,
        created_at=now,
    )
    tallies.refresh([activity.pk])
    return activity


@transaction.atomic
def activity_publish(*, actor, activity: Activity, publish: bool) -> Activity:
    """Approve (or withdraw) a popularisation activity for the public calendar."""
    require(scoped(actor, Activity).filter(pk=activity.pk).exists())
    require(is_organizer_admin(actor, activity))
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    changes = field_changes(activity, {"is_published": publish})
    if publish:
        if activity.stream != "popularization":
            raise ValidationError(_("只有科普服务活动可以在公众日历公开。"), code="not_popularization")
        if activity.status not in (Status.PLANNED, Status.HELD):
            raise ValidationError(_("已取消或已核实的活动不能公开。"), code="not_publishable")
        activity.is_published = True
        activity.published_at = timezone.now()
        activity.published_by = actor
    else:
        activity.is_published = False
    activity.save(update_fields=["is_published", "published_at", "published_by", "updated_at"])
    audit_record(
        actor=actor,
        action="activity_publish" if publish else "activity_unpublish",
        obj=activity,
        summary=activity.title,
        changes=changes,
    )
    return activity


# --------------------------------------------------------------------------- evidence

# What the audit trail keeps of a piece of evidence; ``activity`` also finds the entries of
# deleted evidence for the activity's change history.
EVIDENCE_FIELDS = ("activity", "kind", "caption", "original_name", "size")


@transaction.atomic
def evidence_add(
    *, actor, activity: Activity, upload, kind: str = Evidence.Kind.PHOTO, caption: str = ""
) -> Evidence:
    _require_activity_write(actor, activity)
    ledger_guard(actor=actor, activity=activity, write="evidence_add")
    if activity.status == Status.CANCELLED:
        raise ValidationError(_("已取消的活动不能上传材料。"), code="cancelled")
    if kind not in Evidence.Kind.values:
        raise ValidationError({"kind": _("请选择材料类型。")})
    try:
        validate_evidence_file(upload)
    except ValidationError as error:
        raise ValidationError({"file": error.messages}) from None
    evidence = Evidence(
        activity=activity,
        kind=kind,
        caption=caption.strip(),
        original_name=(upload.name or "")[-200:],
        size=upload.size or 0,
        uploaded_by=actor,
    )
    evidence.file.save(upload.name, upload, save=False)
    evidence.save()
    audit_record(
        actor=actor,
        action="evidence_add",
        obj=evidence,
        summary=evidence.original_name,
        changes=initial_values(evidence, EVIDENCE_FIELDS),
    )
    return evidence


@transaction.atomic
def evidence_delete(*, actor, evidence: Evidence) -> None:
    _require_activity_write(actor, evidence.activity)
    ledger_guard(actor=actor, activity=evidence.activity, write="evidence_delete")
    if evidence.activity.status == Status.VERIFIED:
        raise ValidationError(_("已核实活动的佐证材料不能删除。"), code="verified")
    audit_record(
        actor=actor,
        action="evidence_delete",
        obj=evidence,
        summary=evidence.original_name,
        changes=removed_values(evidence, EVIDENCE_FIELDS),
    )
    storage, name = evidence.file.storage, evidence.file.name
    evidence.delete()
    transaction.on_commit(lambda: storage.delete(name))


# --------------------------------------------------------------------------- public check-in


def _require_open(activity: Activity, now: datetime.datetime) -> None:
    state = activity.checkin_state(now)
    if state == "open":
        return
    messages = {
        "cancelled": _("本次活动已取消，无需签到。"),
        "not_yet": _("签到尚未开始，请在活动开始前不久再扫码。"),
        "closed": _("本次活动签到已结束。"),
    }
    raise ValidationError(messages[state], code=f"checkin_{state}")


def _clean_name_and_phone(name: str, phone: str) -> tuple[str, str]:
    errors: dict[str, list] = {}
    name = normalize.text(name)
    if not name:
        errors["name"] = [_("请填写姓名。")]
    elif len(name) > 32:
        errors["name"] = [_("姓名不能超过32个字。")]
    phone = normalize.phone(phone)
    try:
        validate_mobile(phone)
    except ValidationError as error:
        errors["phone"] = error.messages
    if errors:
        raise ValidationError(errors)
    return name, phone


@transaction.atomic
def attendance_record(
    *, activity: Activity, name: str, phone: str, now: datetime.datetime | None = None
) -> Attendance:
    """Record an attendee who scanned the activity's QR code: once per phone per activity."""
    now = now or timezone.now()
    _require_open(activity, now)
    ledger_guard(actor=None, activity=activity, write="attendance_record")
    name, phone = _clean_name_and_phone(name, phone)
    duplicate = ValidationError(
        {"phone": _("该手机号码已签到过本次活动，无需重复签到。")}, code="duplicate_checkin"
    )
    if Attendance.objects.filter(activity=activity, phone_hash=lookup_hash(phone)).exists():
        raise duplicate
    try:
        with transaction.atomic():
            attendance = Attendance.objects.create(
                activity=activity, name=name, phone=phone, checked_in_at=now
            )
    except IntegrityError:
        # The same phone submitted twice at once: the constraint keeps one.
        raise duplicate from None
    tallies.refresh([activity.pk])
    return attendance


def _volunteer_for(activity: Activity, name: str, phone: str) -> tuple[Person, VolunteerTeam]:
    teams = selectors.eligible_teams(activity)
    membership = (
        TeamMembership.objects.filter(
            team__in=teams, left_on__isnull=True, person__phone_hash=lookup_hash(phone), person__name=name
        )
        .select_related("person", "team")
        .order_by("team__name")
    )
    listed = set(activity.teams.values_list("pk", flat=True))
    found = sorted(membership, key=lambda m: (m.team_id not in listed, m.team.name))
    if not found:
        raise ValidationError(
            _(
                "未找到与该姓名和手机号码对应的本活动服务队志愿者。请核对输入，"
                "或请服务队负责人确认您已登记在队。"
            ),
            code="not_a_volunteer",
        )
    return found[0].person, found[0].team


@transaction.atomic
def volunteer_check_in(
    *, activity: Activity, name: str, phone: str, now: datetime.datetime | None = None
) -> VolunteerService:
    """A volunteer of a team of the organiser or a co-organiser starts serving at the activity."""
    now = now or timezone.now()
    _require_open(activity, now)
    ledger_guard(actor=None, activity=activity, write="volunteer_check_in")
    name, phone = _clean_name_and_phone(name, phone)
    person, team = _volunteer_for(activity, name, phone)
    service = VolunteerService.objects.select_for_update().filter(activity=activity, person=person).first()
    if service is not None:
        if service.checked_out_at is not None or service.hours is not None:
            raise ValidationError(_("您在本次活动的服务已记录，无需再次签到。"), code="already_recorded")
        raise ValidationError(_("您已签到，服务结束时请签退。"), code="already_checked_in")
    try:
        with transaction.atomic():
            service = VolunteerService.objects.create(
                activity=activity,
                person=person,
                team=team,
                checked_in_at=now,
                source=VolunteerService.Source.CHECKIN,
            )
    except IntegrityError:
        raise ValidationError(_("您已签到，服务结束时请签退。"), code="already_checked_in") from None
    tallies.refresh([activity.pk])
    return service


@transaction.atomic
def volunteer_check_out(
    *, activity: Activity, name: str, phone: str, now: datetime.datetime | None = None
) -> VolunteerService:
    """The volunteer leaves: the hours served are the time since check-in (see ``hours_served``)."""
    now = now or timezone.now()
    _require_open(activity, now)
    ledger_guard(actor=None, activity=activity, write="volunteer_check_out")
    name, phone = _clean_name_and_phone(name, phone)
    person, _team = _volunteer_for(activity, name, phone)
    service = VolunteerService.objects.select_for_update().filter(activity=activity, person=person).first()
    if service is None or service.checked_in_at is None:
        raise ValidationError(_("您尚未签到，请先签到。"), code="not_checked_in")
    if service.checked_out_at is not None:
        raise ValidationError(_("您已签退，服务时长已记录。"), code="already_checked_out")
    service.checked_out_at = now
    if service.source == VolunteerService.Source.CHECKIN:
        service.hours = hours_served(service.checked_in_at, now)
    service.save(update_fields=["checked_out_at", "hours", "updated_at"])
    tallies.refresh([activity.pk])
    return service


# --------------------------------------------------------------------------- hours by admins


def _clean_hours(hours: Any, reason: str) -> tuple[Decimal, str]:
    errors: dict[str, list] = {}
    try:
        value = Decimal(str(hours)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        value = None
    if value is None or value < 0 or value > 24:
        errors["hours"] = [_("服务时长应为0到24之间的数字（小时）。")]
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [_("请说明录入或更正的原因。")]
    if errors:
        raise ValidationError(errors)
    return value, reason


def _record_hours(*, actor, service: VolunteerService, hours: Decimal, reason: str, source: str) -> None:
    old = service.hours
    service.hours = hours
    service.source = source
    service.save(update_fields=["hours", "source", "updated_at"])
    tallies.refresh([service.activity_id])
    VolunteerHoursChange.objects.create(
        service=service, actor=recorded_user(actor), old_hours=old, new_hours=hours, reason=reason
    )
    audit_record(
        actor=actor,
        action="volunteer_hours_change",
        obj=service,
        summary=reason,
        changes={"hours": [plain(old), plain(hours)]},
    )


@transaction.atomic
def volunteer_hours_enter(
    *,
    actor,
    activity: Activity,
    person: Person,
    hours: Any,
    reason: str,
    team: VolunteerTeam | None = None,
) -> VolunteerService:
    """An admin of the organiser (or of the volunteer's team) records hours for a volunteer who
    did not check in and out by QR code."""
    require(scoped(actor, Activity).filter(pk=activity.pk).exists())
    scope = scope_for(actor)
    ledger_guard(actor=actor, activity=activity, write="volunteer_hours_enter")
    value, reason = _clean_hours(hours, reason)
    if activity.status not in Activity.TOOK_PLACE:
        raise ValidationError(_("只能为已举办的活动录入服务时长。"), code="not_held")
    teams = selectors.eligible_teams(activity)
    memberships = TeamMembership.objects.filter(person=person, team__in=teams).select_related("team")
    if team is not None:
        memberships = memberships.filter(team=team)
    membership = memberships.order_by("left_on", "team__name").first()
    if membership is None:
        raise ValidationError({"person": _("此人不是主办或协办组织服务队的志愿者。")}, code="not_a_volunteer")
    require(is_organizer_admin(actor, activity) or membership.team.organization_id in scope.admin_org_ids)
    service = VolunteerService.objects.select_for_update().filter(activity=activity, person=person).first()
    if service is None:
        service = VolunteerService.objects.create(
            activity=activity, person=person, team=membership.team, source=VolunteerService.Source.ENTERED
        )
        source = VolunteerService.Source.ENTERED
    else:
        source = VolunteerService.Source.CORRECTED
    _record_hours(actor=actor, service=service, hours=value, reason=reason, source=source)
    return service


@transaction.atomic
def volunteer_hours_correct(*, actor, service: VolunteerService, hours: Any, reason: str) -> VolunteerService:
    """An admin corrects recorded hours; the old and new values and the reason are kept."""
    require(scoped(actor, VolunteerService, write=True).filter(pk=service.pk).exists())
    value, reason = _clean_hours(hours, reason)
    service = VolunteerService.objects.select_for_update().select_related("activity").get(pk=service.pk)
    ledger_guard(actor=actor, activity=service.activity, write="volunteer_hours_correct")
    if service.hours == value:
        raise ValidationError({"hours": _("新时长与原时长相同。")}, code="unchanged")
    _record_hours(
        actor=actor, service=service, hours=value, reason=reason, source=VolunteerService.Source.CORRECTED
    )
    return service


# --------------------------------------------------------------------------- exports


@transaction.atomic
def volunteer_records_export(*, actor, team: VolunteerTeam, year: int, reason: str) -> list[VolunteerService]:
    """The team's volunteer records of a year with full phone numbers, for the national platform.

    Full numbers are personal data: only an admin of the team's organisation (or district staff)
    may export them, must say why, and the export leaves an audit entry."""
    require(scoped(actor, VolunteerTeam, write=True).filter(pk=team.pk).exists())
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise ValidationError({"reason": _("请具体说明导出用途（至少4个字）。")}, code="reason_required")
    rows = list(selectors.team_service_rows(team=team, year=year))
    audit_record(
        actor=actor,
        action="volunteer_records_export",
        obj=team,
        summary=reason,
        changes={"year": year, "rows": len(rows), "reason": reason},
    )
    return rows
