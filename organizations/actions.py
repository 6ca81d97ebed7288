"""Writes to organisations, people, seats, memberships and teams.

Every change goes through one of these functions, whoever asks: views, the admin, imports,
management commands and tasks. Each is atomic, checks the actor's scope, validates, saves,
and leaves an audit entry.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from sanhui import normalize
from sanhui.clock import today

from . import selectors
from .models import (
    AuditEntry,
    LeaderRole,
    Membership,
    Organization,
    Person,
    Region,
    RoleAssignment,
    Seat,
    TeamMembership,
    VolunteerTeam,
)
from .scoping import forget_scope, scope_for, scoped
from .validators import (
    MOBILE_RE,
    RESIDENT_ID_RE,
    mask_phone,
    mask_resident_id,
    resident_id_birth_date,
    resident_id_gender,
    validate_credit_code_format,
    validate_mobile,
    validate_resident_id,
)

# Fields whose values never go into the audit trail; only the fact that they changed.
PERSONAL_FIELDS = frozenset({"phone", "id_number", "birth_date", "email"})


def recorded_user(actor):
    """The user to record as having done something: ``actor``, or None for an actor that is not
    a signed-in user (an import run from the shell, ``imports.engine.SystemActor``)."""
    return actor if getattr(actor, "is_authenticated", False) else None


def audit_record(
    *, actor, action: str, obj, summary: str = "", changes: dict[str, Any] | None = None
) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=recorded_user(actor),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        summary=summary[:255],
        changes=changes or {},
    )


def field_changes(obj, data: dict[str, Any]) -> dict[str, Any]:
    """Old and new values of the fields that differ; personal fields are named, not shown."""
    diff: dict[str, Any] = {}
    for name, new in data.items():
        old = getattr(obj, name, None)
        if hasattr(old, "all"):  # many-to-many manager
            continue
        if old != new:
            if name in PERSONAL_FIELDS:
                diff[name] = "***"
            else:
                diff[name] = [plain(old), plain(new)]
    return diff


def _held(obj, fields: Iterable[str]):
    """(field, value) for each of ``fields`` that holds something; many-to-many sets skipped."""
    for name in fields:
        value = getattr(obj, name, None)
        if not (hasattr(value, "all") or value is None or value in ("", [], {})):
            yield name, value


def initial_values(obj, fields: Iterable[str]) -> dict[str, Any]:
    """What a new record starts with, as ``{field: [None, value]}`` for each field that holds
    something (blank fields say nothing); personal fields are named, not shown."""
    return {
        name: "***" if name in PERSONAL_FIELDS else [None, plain(value)] for name, value in _held(obj, fields)
    }


def removed_values(obj, fields: Iterable[str]) -> dict[str, Any]:
    """What a deleted record held, as ``{field: [value, None]}``; personal fields named, not shown."""
    return {
        name: "***" if name in PERSONAL_FIELDS else [plain(value), None] for name, value in _held(obj, fields)
    }


def set_change(before: Iterable[Any], after: Iterable[Any]) -> list[list[Any]] | None:
    """Old and new members of a many-to-many set, as sorted primary keys; None when the same."""
    old = sorted(plain(item) for item in before)
    new = sorted(plain(item) for item in after)
    return None if old == new else [old, new]


def plain(value: Any) -> Any:
    """A value as the audit trail (JSON) keeps it."""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="minutes")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "pk"):
        return value.pk
    return value


def require(condition: bool) -> None:
    """Refuse (403) unless the condition holds."""
    if not condition:
        raise PermissionDenied


def _require_org_write(actor, organization: Organization) -> None:
    require(scoped(actor, Organization, write=True).filter(pk=organization.pk).exists())


def _require_person_write(actor, person: Person) -> None:
    require(scoped(actor, Person, write=True).filter(pk=person.pk).exists())


# --------------------------------------------------------------------------- people


def person_clean_identifiers(
    *, actor, phone: str, id_number: str, exclude_pk: int | None = None, name: str = ""
) -> dict[str, Any]:
    """Normalise and validate phone and ID number and check them for duplicates.

    Returns the cleaned values (plus the birth date read from the ID number). Raises a
    ``ValidationError`` keyed by field. A duplicate names the existing record only when the
    actor may see it; otherwise it says the number is already registered in the district."""
    errors: dict[str, list[ValidationError]] = {}
    cleaned: dict[str, Any] = {"phone": normalize.phone(phone), "id_number": normalize.id_number(id_number)}
    if cleaned["phone"]:
        try:
            validate_mobile(cleaned["phone"])
        except ValidationError as error:
            errors["phone"] = [error]
    if cleaned["id_number"]:
        try:
            validate_resident_id(cleaned["id_number"], today=today())
            cleaned["birth_date"] = resident_id_birth_date(cleaned["id_number"])
        except ValidationError as error:
            errors["id_number"] = [error]
    for field, value in (("phone", cleaned["phone"]), ("id_number", cleaned["id_number"])):
        if field in errors or not value:
            continue
        existing = selectors.person_duplicate(field=field, value=value, exclude_pk=exclude_pk)
        if existing is not None:
            errors[field] = [duplicate_error(actor=actor, field=field, existing=existing, name=name)]
    if errors:
        raise ValidationError(errors)
    return cleaned


def duplicate_error(*, actor, field: str, existing: Person, name: str = "") -> ValidationError:
    label = _("手机号码") if field == "phone" else _("身份证号码")
    if scoped(actor, Person).filter(pk=existing.pk).exists():
        affiliations = selectors.person_affiliation_names(existing, user=actor)
        return ValidationError(
            _("该%(label)s已登记给“%(name)s”（%(where)s，编号 %(pk)s），请勿重复登记。")
            % {
                "label": label,
                "name": existing.name,
                "where": affiliations or _("暂无所属组织"),
                "pk": existing.pk,
            },
            code="duplicate_visible",
        )
    if name and existing.name == normalize.text(name):
        # The actor already knows both the name and the number: they may add that person to
        # their organisation, which reveals nothing they did not type themselves.
        return ValidationError(
            _(
                "该%(label)s已由区内其他组织登记，姓名也相同。如确为同一人，请勾选"
                "“此人已在区内登记时，将其加入本组织”后再次提交，不会重复登记。"
            )
            % {"label": label},
            code="duplicate_same_name",
        )
    return ValidationError(
        _(
            "该%(label)s已被区内其他组织登记的人员使用。如确为同一人，"
            "请联系区科协将其加入本组织，请勿重复登记。"
        )
        % {"label": label},
        code="duplicate_hidden",
    )


PERSON_FIELDS = ("name", "gender", "employer", "title", "profession", "email", "notes")
# What a new person's audit entry records (the personal ones as "***").
PERSON_REGISTER_FIELDS = ("name", "gender", "phone", "id_number", "birth_date", *PERSON_FIELDS[2:])


@transaction.atomic
def person_register(
    *,
    actor,
    organization: Organization,
    name: str,
    phone: str = "",
    id_number: str = "",
    gender: str = Person.Gender.UNKNOWN,
    employer: str = "",
    title: str = "",
    profession: str = Person.Profession.OTHER,
    email: str = "",
    notes: str = "",
    joined_on: datetime.date | None = None,
    leader_kind: str = "",
    leader_institution: str = "",
    link_existing: bool = False,
    birth_date: datetime.date | None = None,
) -> Person:
    """Register a new person as a member of ``organization`` (and, optionally, as a leader).

    With ``link_existing``, a person already registered in the district under exactly this
    name and this phone or ID number joins the organisation instead of being registered twice."""
    _require_org_write(actor, organization)
    name = normalize.text(name)
    if link_existing:
        existing = selectors.person_matching(
            name=name, phone=normalize.phone(phone), id_number=normalize.id_number(id_number)
        )
        if existing is not None:
            return _person_link(
                actor=actor,
                person=existing,
                organization=organization,
                joined_on=joined_on,
                leader_kind=leader_kind,
                leader_institution=leader_institution,
            )
    cleaned = person_clean_identifiers(actor=actor, phone=phone, id_number=id_number, name=name)
    person = Person(
        name=name,
        gender=gender,
        employer=employer,
        title=title,
        profession=profession,
        email=email,
        notes=notes,
        **cleaned,
    )
    if person.birth_date is None:
        # Given apart (an import's 出生日期) only when the ID number does not say it.
        person.birth_date = birth_date
    if person.id_number and person.gender == Person.Gender.UNKNOWN:
        person.gender = resident_id_gender(person.id_number)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        # Another request registered the same number between the check and the insert.
        raise ValidationError(
            _("该手机号码或身份证号码刚刚已被登记，请刷新后核对。"), code="duplicate_race"
        ) from None
    Membership.objects.create(person=person, organization=organization, joined_on=joined_on or today())
    if leader_kind:
        LeaderRole.objects.create(person=person, kind=leader_kind, institution=leader_institution)
    audit_record(
        actor=actor,
        action="person_register",
        obj=person,
        summary=f"{person.name} → {organization.name}",
        changes={
            **initial_values(person, PERSON_REGISTER_FIELDS),
            "organization": organization.pk,
            "leader_kind": leader_kind,
        },
    )
    return person


def _person_link(
    *,
    actor,
    person: Person,
    organization: Organization,
    joined_on: datetime.date | None,
    leader_kind: str,
    leader_institution: str,
) -> Person:
    if Membership.objects.filter(person=person, organization=organization, left_on__isnull=True).exists():
        raise ValidationError(_("此人已是该组织的会员。"), code="duplicate_membership")
    Membership.objects.create(person=person, organization=organization, joined_on=joined_on or today())
    if leader_kind and not person.leader_roles.open_on().filter(kind=leader_kind).exists():
        LeaderRole.objects.create(person=person, kind=leader_kind, institution=leader_institution)
    audit_record(
        actor=actor,
        action="person_link",
        obj=person,
        summary=f"{person.name} → {organization.name}",
        changes={"organization": organization.pk, "leader_kind": leader_kind},
    )
    return person


@transaction.atomic
def person_update(*, actor, person: Person, data: dict[str, Any]) -> Person:
    _require_person_write(actor, person)
    data = dict(data)
    cleaned = person_clean_identifiers(
        actor=actor,
        phone=data.pop("phone", person.phone),
        id_number=data.pop("id_number", person.id_number),
        exclude_pk=person.pk,
    )
    if not cleaned["id_number"]:
        cleaned.setdefault("birth_date", data.pop("birth_date", person.birth_date))
    data = {key: value for key, value in data.items() if key in PERSON_FIELDS}
    data.update(cleaned)
    changes = field_changes(person, data)
    for key, value in data.items():
        setattr(person, key, value)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        raise ValidationError(
            _("该手机号码或身份证号码刚刚已被登记，请刷新后核对。"), code="duplicate_race"
        ) from None
    if changes:
        audit_record(actor=actor, action="person_update", obj=person, summary=person.name, changes=changes)
    return person


@transaction.atomic
def leader_role_add(
    *,
    actor,
    person: Person,
    kind: str,
    institution: str = "",
    started_on: datetime.date | None = None,
) -> LeaderRole:
    _require_person_write(actor, person)
    if person.leader_roles.filter(kind=kind, ended_on__isnull=True).exists():
        raise ValidationError({"kind": _("此人已有该身份，无需重复添加。")}, code="duplicate_leader_role")
    role = LeaderRole.objects.create(person=person, kind=kind, institution=institution, started_on=started_on)
    audit_record(
        actor=actor,
        action="leader_role_add",
        obj=role,
        summary=str(role),
        changes=initial_values(role, ("person", "kind", "institution", "started_on")),
    )
    return role


def _close(obj, *, actor, action: str, end_field: str, start_field: str, on, message: str, form_field: str):
    """End a dated relation (a role, a membership, a place in a team) on the given day."""
    on = on or today()
    started = getattr(obj, start_field)
    if started and on < started:
        raise ValidationError({form_field: message})
    changes = field_changes(obj, {end_field: on})
    setattr(obj, end_field, on)
    obj.save(update_fields=[end_field])
    audit_record(actor=actor, action=action, obj=obj, summary=str(obj), changes=changes)
    return obj


@transaction.atomic
def leader_role_end(*, actor, role: LeaderRole, ended_on: datetime.date | None = None) -> LeaderRole:
    _require_person_write(actor, role.person)
    return _close(
        role, actor=actor, action="leader_role_end", end_field="ended_on", start_field="started_on",
        on=ended_on, message=_("卸任日期不能早于任职日期。"), form_field="ended_on",
    )  # fmt: skip


# --------------------------------------------------------------------------- memberships


@transaction.atomic
def membership_add(
    *, actor, person: Person, organization: Organization, joined_on: datetime.date | None = None
) -> Membership:
    _require_org_write(actor, organization)
    if Membership.objects.filter(person=person, organization=organization, left_on__isnull=True).exists():
        raise ValidationError({"organization": _("此人已是该组织的会员。")}, code="duplicate_membership")
    membership = Membership.objects.create(
        person=person, organization=organization, joined_on=joined_on or today()
    )
    audit_record(
        actor=actor,
        action="membership_add",
        obj=membership,
        summary=str(membership),
        changes=initial_values(membership, ("person", "organization", "joined_on")),
    )
    return membership


@transaction.atomic
def membership_end(*, actor, membership: Membership, left_on: datetime.date | None = None) -> Membership:
    _require_org_write(actor, membership.organization)
    return _close(
        membership, actor=actor, action="membership_end", end_field="left_on", start_field="joined_on",
        on=left_on, message=_("退出日期不能早于入会日期。"), form_field="ended_on",
    )  # fmt: skip


# --------------------------------------------------------------------------- seats


def _check_seat(
    *, organization: Organization, position: str, term_start, term_end, exclude_pk: int | None = None
) -> None:
    if term_end and term_start and term_end < term_start:
        raise ValidationError({"term_end": _("任期结束日期不能早于开始日期。")})
    if position in Seat.SINGLE_HOLDER:
        clash = Seat.objects.filter(organization=organization, position=position).overlapping(
            term_start, term_end
        )
        if exclude_pk is not None:
            clash = clash.exclude(pk=exclude_pk)
        holder = clash.select_related("person").first()
        if holder is not None:
            raise ValidationError(
                {
                    "position": _("%(position)s在此任期内已由%(name)s担任，请先调整其任期。")
                    % {"position": Seat.Position(position).label, "name": holder.person.name}
                },
                code="single_holder",
            )


@transaction.atomic
def seat_create(
    *,
    actor,
    organization: Organization,
    person: Person,
    position: str,
    term_start: datetime.date,
    term_end: datetime.date | None = None,
    notes: str = "",
) -> Seat:
    _require_org_write(actor, organization)
    require(scoped(actor, Person).filter(pk=person.pk).exists())
    _check_seat(organization=organization, position=position, term_start=term_start, term_end=term_end)
    if Seat.objects.filter(
        organization=organization, person=person, position=position, term_start=term_start
    ).exists():
        raise ValidationError(_("该人员在此组织已有相同职务和任期的记录。"), code="duplicate_seat")
    seat = Seat.objects.create(
        organization=organization,
        person=person,
        position=position,
        term_start=term_start,
        term_end=term_end,
        notes=notes,
    )
    # A seat holder belongs to the association; record the membership if it is missing.
    if not Membership.objects.filter(person=person, organization=organization, left_on__isnull=True).exists():
        Membership.objects.create(person=person, organization=organization, joined_on=term_start)
    audit_record(
        actor=actor,
        action="seat_create",
        obj=seat,
        summary=str(seat),
        changes=initial_values(
            seat, ("organization", "person", "position", "term_start", "term_end", "notes")
        ),
    )
    return seat


@transaction.atomic
def seat_update(*, actor, seat: Seat, data: dict[str, Any]) -> Seat:
    _require_org_write(actor, seat.organization)
    allowed = {key: data[key] for key in ("position", "term_start", "term_end", "notes") if key in data}
    _check_seat(
        organization=seat.organization,
        position=allowed.get("position", seat.position),
        term_start=allowed.get("term_start", seat.term_start),
        term_end=allowed.get("term_end", seat.term_end),
        exclude_pk=seat.pk,
    )
    changes = field_changes(seat, allowed)
    for key, value in allowed.items():
        setattr(seat, key, value)
    try:
        with transaction.atomic():
            seat.save()
    except IntegrityError:
        raise ValidationError(_("该人员在此组织已有相同职务和任期的记录。")) from None
    if changes:
        audit_record(actor=actor, action="seat_update", obj=seat, summary=str(seat), changes=changes)
    return seat


# --------------------------------------------------------------------------- teams


@transaction.atomic
def team_create(
    *,
    actor,
    organization: Organization,
    name: str,
    leader: Person | None = None,
    founded_on: datetime.date | None = None,
    service_area: str = "",
) -> VolunteerTeam:
    _require_org_write(actor, organization)
    if leader is not None:
        require(scoped(actor, Person).filter(pk=leader.pk).exists())
    if VolunteerTeam.objects.filter(organization=organization, name=name).exists():
        raise ValidationError({"name": _("本组织已有同名的服务队。")}, code="duplicate_team")
    team = VolunteerTeam.objects.create(
        organization=organization,
        name=name,
        leader=leader,
        founded_on=founded_on,
        service_area=service_area,
    )
    if leader is not None:
        TeamMembership.objects.create(team=team, person=leader, joined_on=founded_on or today())
    audit_record(
        actor=actor,
        action="team_create",
        obj=team,
        summary=team.name,
        changes=initial_values(
            team, ("organization", "name", "leader", "founded_on", "service_area", "status")
        ),
    )
    return team


@transaction.atomic
def team_update(*, actor, team: VolunteerTeam, data: dict[str, Any]) -> VolunteerTeam:
    _require_org_write(actor, team.organization)
    allowed = {
        key: data[key] for key in ("name", "leader", "founded_on", "service_area", "status") if key in data
    }
    if (
        "name" in allowed
        and VolunteerTeam.objects.filter(organization=team.organization, name=allowed["name"])
        .exclude(pk=team.pk)
        .exists()
    ):
        raise ValidationError({"name": _("本组织已有同名的服务队。")}, code="duplicate_team")
    leader = allowed.get("leader")
    if leader is not None:
        require(scoped(actor, Person).filter(pk=leader.pk).exists())
    changes = field_changes(team, allowed)
    for key, value in allowed.items():
        setattr(team, key, value)
    team.save()
    if leader is not None and not team.memberships.filter(person=leader, left_on__isnull=True).exists():
        # The leader joins the team as a volunteer: recorded as any other volunteer's joining,
        # also when the team's own fields are unchanged.
        membership = TeamMembership.objects.create(team=team, person=leader, joined_on=today())
        audit_record(actor=actor, action="team_volunteer_add", obj=membership, summary=str(membership))
    if changes:
        audit_record(actor=actor, action="team_update", obj=team, summary=team.name, changes=changes)
    return team


@transaction.atomic
def team_volunteer_add(
    *, actor, team: VolunteerTeam, person: Person, joined_on: datetime.date | None = None
) -> TeamMembership:
    _require_org_write(actor, team.organization)
    require(scoped(actor, Person).filter(pk=person.pk).exists())
    if team.memberships.filter(person=person, left_on__isnull=True).exists():
        raise ValidationError({"person": _("此人已在该服务队中。")}, code="duplicate_volunteer")
    membership = TeamMembership.objects.create(team=team, person=person, joined_on=joined_on or today())
    audit_record(
        actor=actor,
        action="team_volunteer_add",
        obj=membership,
        summary=str(membership),
        changes=initial_values(membership, ("team", "person", "joined_on")),
    )
    return membership


@transaction.atomic
def team_volunteer_remove(
    *, actor, membership: TeamMembership, left_on: datetime.date | None = None
) -> TeamMembership:
    _require_org_write(actor, membership.team.organization)
    return _close(
        membership, actor=actor, action="team_volunteer_remove", end_field="left_on", start_field="joined_on",
        on=left_on, message=_("退出日期不能早于加入日期。"), form_field="left_on",
    )  # fmt: skip


# --------------------------------------------------------------------------- organisations

# Called in the transaction that changes an organisation's category, after its row is saved,
# with (organisation id, category before, category after): the ledger keeps sums per organiser
# category (services.tallies.recategorize registers itself here; this app may not import it).
CATEGORY_CHANGE_HOOKS: list[Callable[[int, str, str], None]] = []


def on_category_change(hook: Callable[[int, str, str], None]) -> None:
    if hook not in CATEGORY_CHANGE_HOOKS:
        CATEGORY_CHANGE_HOOKS.append(hook)


def _category_changed(organization: Organization, before: str) -> None:
    if organization.category != before:
        for hook in CATEGORY_CHANGE_HOOKS:
            hook(organization.pk, before, organization.category)


ORGANIZATION_FIELDS = (
    "code",
    "name",
    "kind",
    "category",
    "home_region",
    "parent",
    "status",
    "founded_on",
    "dissolved_on",
    "credit_code",
    "contact_name",
    "contact_phone",
    "address",
    "description",
    "is_demo",
)


def _lifecycle_errors(data: dict[str, Any], *, instance: Organization | None, status: str) -> dict[str, Any]:
    """The founding and dissolution days that date an organisation's status (the indicators
    read them for every past period): a dissolved organisation gives the day, after its
    founding and not in the future; one that starts running gives its founding day. Clears
    ``dissolved_on`` in ``data`` when the status is not dissolved."""
    errors: dict[str, Any] = {}
    founded_on = data.get("founded_on", instance.founded_on if instance else None)
    if status != Organization.Status.DISSOLVED:
        data["dissolved_on"] = None
    else:
        dissolved_on = data.get("dissolved_on", instance.dissolved_on if instance else None)
        if dissolved_on is None:
            errors["dissolved_on"] = [_("撤销组织须填写撤销日期。")]
        elif dissolved_on > today():
            errors["dissolved_on"] = [_("撤销日期不能晚于今天。")]
        elif founded_on and dissolved_on <= founded_on:
            errors["dissolved_on"] = [_("撤销日期须晚于成立日期。")]
    starts_running = (
        status == Organization.Status.ACTIVE
        and instance is not None
        and instance.status == Organization.Status.PREPARING
    )
    if starts_running and founded_on is None:
        errors["founded_on"] = [_("筹备中的组织转为正常运行时，须填写成立日期。")]
    if status == Organization.Status.ACTIVE and founded_on and founded_on > today():
        errors["founded_on"] = [_("正常运行的组织，成立日期不能晚于今天。")]
    return errors


def _clean_organization(data: dict[str, Any], *, instance: Organization | None) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    data = dict(data)
    if data.get("credit_code"):
        data["credit_code"] = normalize.credit_code(data["credit_code"])
        try:
            validate_credit_code_format(data["credit_code"])
        except ValidationError as error:
            errors["credit_code"] = [error]
    kind = data.get("kind", instance.kind if instance else "")
    category = data.get("category", instance.category if instance else "")
    if kind == Organization.Kind.GRASSROOTS_ASSOCIATION and not category:
        errors["category"] = [_("基层科普协会（三会）必须选择类别。")]
    elif kind != Organization.Kind.GRASSROOTS_ASSOCIATION and category:
        data["category"] = ""
    parent = data.get("parent")
    if parent is not None and instance is not None:
        ancestor = parent
        while ancestor is not None:
            if ancestor.pk == instance.pk:
                errors["parent"] = [_("上级组织不能是本组织或其下级组织。")]
                break
            ancestor = ancestor.parent
    region = data.get("home_region", instance.home_region if instance else None)
    status = data.get("status", instance.status if instance else Organization.Status.ACTIVE)
    errors.update(_lifecycle_errors(data, instance=instance, status=status))
    if kind == Organization.Kind.TOWN_ASSOCIATION and region and status != Organization.Status.DISSOLVED:
        clash = Organization.objects.filter(
            kind=Organization.Kind.TOWN_ASSOCIATION, home_region=region
        ).exclude(status=Organization.Status.DISSOLVED)
        if instance is not None:
            clash = clash.exclude(pk=instance.pk)
        if clash.exists():
            errors["home_region"] = [_("该镇（街道）已有一个镇（街）科协。")]
    code = data.get("code")
    if code:
        clash = Organization.objects.filter(code=code)
        if instance is not None:
            clash = clash.exclude(pk=instance.pk)
        if clash.exists():
            errors["code"] = [_("该组织编码已被使用。")]
    if errors:
        raise ValidationError(errors)
    return data


@transaction.atomic
def organization_create(
    *,
    actor,
    data: dict[str, Any],
    served_regions: list[Region] | None = None,
    partners: list[Organization] | None = None,
) -> Organization:
    scope = scope_for(actor)
    parent = data.get("parent")
    # District staff create any organisation; an org admin only below one they administer.
    require(scope.write_all or (parent is not None and parent.pk in scope.admin_org_ids))
    data = _clean_organization(data, instance=None)
    organization = Organization.objects.create(
        **{key: value for key, value in data.items() if key in ORGANIZATION_FIELDS}
    )
    changes = initial_values(organization, ORGANIZATION_FIELDS)
    if served_regions:
        organization.served_regions.set(served_regions)
        changes["served_regions"] = set_change([], served_regions)
    if partners:
        organization.partners.set(partners)
        changes["partners"] = set_change([], partners)
    audit_record(
        actor=actor,
        action="organization_create",
        obj=organization,
        summary=organization.name,
        changes=changes,
    )
    forget_scope(actor)
    return organization


@transaction.atomic
def organization_update(
    *,
    actor,
    organization: Organization,
    data: dict[str, Any],
    served_regions: list[Region] | None = None,
    partners: list[Organization] | None = None,
) -> Organization:
    _require_org_write(actor, organization)
    scope = scope_for(actor)
    if not scope.write_all:
        # Kind, code, parent and status shape the district's figures: district staff decide them.
        for key in ("kind", "code", "parent", "status", "dissolved_on", "home_region", "is_demo"):
            data.pop(key, None)
    data = _clean_organization(data, instance=organization)
    allowed = {key: value for key, value in data.items() if key in ORGANIZATION_FIELDS}
    changes = field_changes(organization, allowed)
    category_before = organization.category
    for key, value in allowed.items():
        setattr(organization, key, value)
    organization.save()
    _category_changed(organization, category_before)
    for name, members in (("served_regions", served_regions), ("partners", partners)):
        if members is not None:
            manager = getattr(organization, name)
            if change := set_change(manager.values_list("pk", flat=True), members):
                changes[name] = change
            manager.set(members)
    audit_record(
        actor=actor,
        action="organization_update",
        obj=organization,
        summary=organization.name,
        changes=changes,
    )
    return organization


# --------------------------------------------------------------------------- roles


@transaction.atomic
def role_assign(
    *,
    actor,
    user,
    role: str,
    organization: Organization | None = None,
    person: Person | None = None,
    system: bool = False,
) -> RoleAssignment:
    """Give ``user`` a role. Only district staff hand out roles; commands that set the portal
    up (the demo, a first install) say ``system=True`` and pass no actor."""
    require(system if actor is None else scope_for(actor).write_all)
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, organization=organization, person=person
    )
    forget_scope(user)
    if actor is not None:
        audit_record(
            actor=actor,
            action="role_assign",
            obj=assignment,
            summary=str(assignment),
            changes=initial_values(assignment, ("user", "role", "organization", "person")) if created else {},
        )
    return assignment


@transaction.atomic
def role_revoke(*, actor, assignment: RoleAssignment) -> RoleAssignment:
    """End a role: the assignment is removed (an assignment has no dates of its own), and with
    it whatever the role gave, the admin's permissions of district staff included. Only district
    staff take roles away."""
    require(scope_for(actor).write_all)
    audit_record(
        actor=actor,
        action="role_revoke",
        obj=assignment,
        summary=str(assignment),
        changes=removed_values(assignment, ("user", "role", "organization", "person")),
    )
    user = assignment.user
    assignment.delete()
    forget_scope(user)
    return assignment


# Never copied into the audit trail, not even as "***": a password's hash.
SECRET_FIELDS = frozenset({"password"})


def _admin_fields(obj, names: Iterable[str]) -> list[str]:
    """The record's own columns among ``names`` (a form's fields): many-to-many sets, form-only
    fields and secrets left out."""
    columns = {field.name for field in obj._meta.concrete_fields if not field.primary_key}
    return [name for name in names if name in columns and name not in SECRET_FIELDS]


@transaction.atomic
def admin_record_save(*, actor, obj, fields: Iterable[str]):
    """Save a record as district staff edited it in the Django admin, with its audit entry: a
    new record's first values, or the ``fields`` the form changed, before and after. The admin
    validated the form (the model's own checks and constraints); the portal's pages, with their
    workflow rules, remain the ordinary way to change records."""
    require(scope_for(actor).write_all)
    names = _admin_fields(obj, fields)
    adding = obj._state.adding
    before = None if adding else type(obj)._default_manager.filter(pk=obj.pk).first()
    obj.save()
    if isinstance(obj, Organization) and before is not None:
        _category_changed(obj, before.category)
    if before is None:
        action, changes = "admin_create", initial_values(obj, names)
    else:
        action, changes = "admin_update", field_changes(before, {name: getattr(obj, name) for name in names})
    audit_record(actor=actor, action=action, obj=obj, summary=str(obj), changes=changes)
    return obj


@transaction.atomic
def admin_record_delete(*, actor, obj, fields: Iterable[str] = ()):
    """Delete a record from the Django admin (district staff only), recording what it held."""
    require(scope_for(actor).write_all)
    names = _admin_fields(
        obj, fields or (field.name for field in obj._meta.concrete_fields if field.editable)
    )
    audit_record(
        actor=actor, action="admin_delete", obj=obj, summary=str(obj), changes=removed_values(obj, names)
    )
    obj.delete()
    return obj


@transaction.atomic
def list_export_record(
    *, actor, list_key: str, object_type: str, reason: str, count: int, filters: str
) -> AuditEntry:
    """Full phone and ID numbers leave the portal only with a stated reason, on the record: who
    exported which list (``list_key``, of records ``object_type``), how many rows, filtered
    how, and why. The entry keeps the action name it has always had in the audit log."""
    if not scope_for(actor).can_see_full_personal_data():
        raise PermissionDenied
    reason = reason.strip()
    if len(reason) < 4:
        raise ValidationError({"reason": _("请写明导出完整个人信息的用途（至少4个字）。")})
    return AuditEntry.objects.create(
        actor=actor,
        action="people_export_full",
        object_type=object_type,
        object_id="*",
        summary=reason[:255],
        changes={"list": list_key, "count": count, "filters": _filters_for_the_record(filters)},
    )


def _filters_for_the_record(filters: str) -> str:
    """An export's list filters as the audit trail keeps them: a whole phone or ID number
    searched for is masked, as everywhere else."""
    query = QueryDict(filters, mutable=True)
    searched = query.get("q", "")
    phone, id_number = normalize.phone(searched), normalize.id_number(searched)
    if MOBILE_RE.fullmatch(phone):
        query["q"] = mask_phone(phone)
    elif RESIDENT_ID_RE.fullmatch(id_number):
        query["q"] = mask_resident_id(id_number)
    else:
        return filters
    return query.urlencode()
