"""The member import (会员名单) and the leader import (三长/泛三长与职务).

A row names a person. The person is the one registered in the district with the row's phone
number, else with its ID number (matched by their keyed hashes, across organisations); with
neither, the one current member of the target organisation of that name. A person found under
another name is an error on the number's column, in the words ``duplicate_error`` uses for the
registration form (which never names a person the importing user may not see). A person found
under the same name joins the organisation when not yet a member, and the fields the file gives
that differ from the record are updated when the user may change that person.

A leader row also gives the person's 三长/泛三长 role (added when they hold no open role of that
kind) and their seat in the target organisation (a seat with the same person, position and
term start is the same seat). The seat's rules (one chair at a time …) are those of
``organizations.actions``, checked in the dry run already.

Writes go through ``organizations.actions``: ``person_register``, ``person_update``,
``membership_add``, ``leader_role_add`` and ``seat_create``, each with its usual audit entry.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organizations import actions as org_actions
from organizations import selectors
from organizations.models import LeaderRole, Membership, Person, Seat
from organizations.scoping import scoped
from organizations.validators import resident_id_check_char

from . import cleaning
from .cleaning import Column
from .engine import (
    ImportContext,
    Importer,
    RowResult,
    as_date,
    error,
    identity_in,
    register,
    row_context,
    written_context,
)
from .models import ImportBatch, ImportRow


def email(cell) -> str:
    value = cleaning.text(cell)
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise ValidationError(_("电子邮箱格式不正确。"), code="invalid_email") from None
    return value


def choice_or_alias(choices, aliases: dict[str, str]):
    """``cleaning.choice`` that also accepts the short names people write (院长 for 医院院长)."""
    parse = cleaning.choice(choices)
    by_key = {cleaning.header_key(alias): value for alias, value in aliases.items()}

    def parse_with_aliases(value) -> str:
        found = by_key.get(cleaning.header_key(value)) if value not in (None, "") else None
        return str(found) if found else parse(value)

    return parse_with_aliases


PROFESSION = cleaning.choice(Person.Profession)
LEADER_KIND = choice_or_alias(
    LeaderRole.Kind,
    {
        "院长": LeaderRole.Kind.HOSPITAL_DIRECTOR,
        "校长": LeaderRole.Kind.SCHOOL_PRINCIPAL,
        "站长": LeaderRole.Kind.AGRITECH_STATION_HEAD,
    },
)
POSITION = choice_or_alias(Seat.Position, {"副主席": Seat.Position.VICE_CHAIR_PARTTIME})


def _labels(choices) -> str:
    return "、".join(str(label) for label in choices.labels)


# A valid ID number of a man born 1980-01-01, for the template's example row.
EXAMPLE_ID = "33021219800101123" + resident_id_check_char("33021219800101123")
NAME = Column("name", gettext_lazy("姓名"), ("名字", "人员姓名"), required=True, example="张三")
PHONE = Column(
    "phone",
    gettext_lazy("手机号码"),
    ("手机", "手机号", "联系电话", "联系方式", "电话"),
    parse=cleaning.phone,
    example="13812345678",
    help=gettext_lazy("11位手机号码；有空格、短横线或 +86 均可。手机号码或身份证号码用来识别同一人。"),
)
ID_NUMBER = Column(
    "id_number",
    gettext_lazy("身份证号码"),
    ("身份证", "身份证号", "公民身份号码", "证件号码"),
    parse=cleaning.id_number,
    example=EXAMPLE_ID,
    help=gettext_lazy("选填；18位，末位 x 大小写均可。填写后性别和出生日期可不填，由号码读出。"),
)
GENDER = Column(
    "gender", gettext_lazy("性别"), parse=cleaning.gender, example="男", help=gettext_lazy("男或女；可不填。")
)
PERSON_COLUMNS = (NAME, PHONE, ID_NUMBER, GENDER)
ORGANIZATION = Column(
    "organization",
    gettext_lazy("所属组织"),
    ("组织", "组织名称", "组织编号", "所在组织", "所属协会", "协会"),
    help=gettext_lazy(
        "选填：本次导入的组织或其下属组织（如镇科协下的三会）的名称或编号；不填即为本次导入的组织。"
    ),
)

MEMBER_COLUMNS = (
    *PERSON_COLUMNS,
    Column("birth_date", gettext_lazy("出生日期"), ("出生年月",), parse=cleaning.date, example="1980-01-01"),
    Column("employer", gettext_lazy("工作单位"), ("单位", "所在单位"), example="姜山镇卫生院"),
    Column("title", gettext_lazy("职务/职称"), ("职务", "职称"), example="主治医师"),
    Column(
        "profession",
        gettext_lazy("专业类别"),
        ("专业", "类别"),
        parse=PROFESSION,
        example=str(Person.Profession.MEDICAL.label),
        help=gettext_lazy("可填：%(choices)s。") % {"choices": _labels(Person.Profession)},
    ),
    Column("email", gettext_lazy("电子邮箱"), ("邮箱", "Email", "E-mail"), parse=email),
    Column(
        "joined_on",
        gettext_lazy("入会日期"),
        ("加入日期",),
        parse=cleaning.date,
        example="2022-03-05",
        help=gettext_lazy("不填则为导入当天。"),
    ),
    Column("notes", gettext_lazy("备注")),
    ORGANIZATION,
)

LEADER_COLUMNS = (
    *PERSON_COLUMNS,
    Column(
        "kind",
        gettext_lazy("身份"),
        ("三长类别",),
        required=True,
        parse=LEADER_KIND,
        example=str(LeaderRole.Kind.HOSPITAL_DIRECTOR.label),
        help=gettext_lazy("可填：%(choices)s；院长、校长、站长也可。")
        % {"choices": _labels(LeaderRole.Kind)},
    ),
    Column(
        "institution",
        gettext_lazy("任职单位"),
        ("所在医院/学校/农技站", "单位"),
        required=True,
        example="姜山镇卫生院",
    ),
    Column(
        "position",
        gettext_lazy("职务"),
        required=True,
        parse=POSITION,
        example=str(Seat.Position.VICE_CHAIR_PARTTIME.label),
        help=gettext_lazy("在本组织领导机构中的职务，可填：%(choices)s；副主席即兼职副主席。")
        % {"choices": _labels(Seat.Position)},
    ),
    Column(
        "term_start",
        gettext_lazy("任期开始"),
        ("任职日期",),
        required=True,
        parse=cleaning.date,
        example="2022-03-15",
    ),
    Column("term_end", gettext_lazy("任期结束"), parse=cleaning.date, example="2027-03-14"),
    ORGANIZATION,
)

# Fields of a person the file may change, compared with the record.
PERSON_FIELDS = (
    "phone",
    "id_number",
    "gender",
    "birth_date",
    "employer",
    "title",
    "profession",
    "email",
    "notes",
)
PLAN = "_plan"


# --------------------------------------------------------------------------- the person of a row


def _identity(values: dict) -> str | None:
    for key in ("phone", "id_number"):
        if values.get(key):
            return f"{values.get('name', '')}|{key}:{values[key]}"
    return f"name:{values['name']}" if values.get("name") else None


NUMBERS = ("phone", "id_number")


def _namesakes(values: dict, context: ImportContext) -> list[dict]:
    """The people of the row's name met so far in the file: for each, the row that first gave
    them and the numbers the rows that name them gave."""
    key = (values.get("organization") or "", values.get("name", ""))
    return context.memo.setdefault("namesakes", {}).setdefault(key, [])


def _numbers(values: dict) -> dict[str, str]:
    return {key: values[key] for key in NUMBERS if values.get(key)}


def _agrees(person: dict, numbers: dict[str, str]) -> bool:
    return all(person["numbers"].get(key, value) == value for key, value in numbers.items())


def _same_in_file(values: dict, context: ImportContext) -> dict | None:
    """The person met earlier in the file that a row of the same name is taken for, when one
    of the two rows gives no number: a row by name alone is the one person of its name met so
    far; a row with numbers is the one person of its name first given by name alone whose
    numbers (taken from the rows linked to them since) do not contradict the row's."""
    namesakes = _namesakes(values, context)
    numbers = _numbers(values)
    if not numbers:
        return namesakes[0] if len(namesakes) == 1 else None
    open_ = [person for person in namesakes if person["by_name"] and _agrees(person, numbers)]
    return open_[0] if len(open_) == 1 else None


def _in_file_namesakes(importer: Importer, values: dict, context: ImportContext) -> RowResult | None:
    """A row by name alone when the file already named two people of that name."""
    namesakes = _namesakes(values, context)
    if _numbers(values) or len(namesakes) < 2:
        return None
    rows = "、".join(str(person["row"]) for person in namesakes)
    return error(
        values,
        importer.label("name"),
        _("文件中已有多名“%(name)s”（第 %(rows)s 行），请填写手机号码或身份证号码以区分。")
        % {"name": values["name"], "rows": rows},
    )


def _id_facts(importer: Importer, values: dict) -> RowResult | None:
    """Gender and birth date read from the ID number where the file leaves them out; an error
    when the file gives ones the number contradicts."""
    if not values.get("id_number"):
        return None
    gender, birth_date = cleaning.id_facts(values["id_number"])
    if values.get("gender") in (None, "", Person.Gender.UNKNOWN):
        values["gender"] = gender
    elif values["gender"] != gender:
        return error(values, importer.label("gender"), _("性别与身份证号码不符。"))
    if "birth_date" in values:
        given = as_date(values.get("birth_date"))
        if given is None:
            values["birth_date"] = birth_date
        elif given != birth_date:
            return error(values, str(gettext_lazy("出生日期")), _("出生日期与身份证号码不符。"))
    return None


def _in_file_clash(importer: Importer, values: dict, context: ImportContext) -> RowResult | None:
    """The same phone or ID number given earlier in the file for someone of another name."""
    claims = context.memo.setdefault("numbers", {})
    for key in ("phone", "id_number"):
        value = values.get(key)
        if not value:
            continue
        name, number = claims.setdefault((key, value), (values["name"], context.number))
        if name != values["name"] and number != context.number:
            return error(
                values,
                importer.label(key),
                _("与第 %(row)d 行的%(label)s相同，但姓名不同。")
                % {"row": number, "label": importer.label(key)},
            )
    return None


def _find_person(
    importer: Importer, values: dict, context: ImportContext
) -> tuple[Person | None, RowResult | None]:
    """The registered person the row names (see the module's docstring), or the row's error."""
    found: dict[str, Person] = {}
    for key in ("phone", "id_number"):
        if values.get(key):
            existing = selectors.person_duplicate(field=key, value=values[key])
            if existing is not None:
                found[key] = existing
    for key, existing in found.items():
        if existing.name != values["name"] or existing.pk != next(iter(found.values())).pk:
            message = org_actions.duplicate_error(actor=context.actor, field=key, existing=existing)
            return None, error(values, importer.label(key), *message.messages)
    if found:
        return next(iter(found.values())), None
    if values.get("phone") or values.get("id_number"):
        return None, None
    namesakes = list(
        Person.objects.filter(
            name=values["name"],
            memberships__organization=context.organization,
            memberships__left_on__isnull=True,
        ).distinct()[:2]
    )
    if len(namesakes) > 1:
        return None, error(
            values, importer.label("name"), _("本组织有多名同名会员，请填写手机号码或身份证号码以区分。")
        )
    return (namesakes[0] if namesakes else None), None


def _changed_fields(person: Person, values: dict, context: ImportContext) -> list[str]:
    """The person's fields the file gives other values for, when the user may change them."""
    if not scoped(context.actor, Person, write=True).filter(pk=person.pk).exists():
        return []
    changed = []
    for key in PERSON_FIELDS:
        value = values.get(key)
        if value in (None, "") or (key == "gender" and value == Person.Gender.UNKNOWN):
            continue
        current = getattr(person, key)
        if key == "birth_date":
            value = as_date(value)
        if current != value:
            changed.append(key)
    return changed


def _person_step(importer: Importer, values: dict, context: ImportContext):
    """(person or None, plan of what to write for the person, error)."""
    values = {key: value for key, value in values.items() if key != PLAN}
    failed = _id_facts(importer, values) or _in_file_clash(importer, values, context)
    if failed:
        return values, None, {}, failed
    person, failed = _find_person(importer, values, context)
    if failed:
        return values, None, {}, failed
    plan: dict[str, Any] = {"person": None, "join": True, "update": []}
    if person is not None:
        plan["person"] = person.pk
        plan["join"] = not Membership.objects.filter(
            person=person, organization=context.organization, left_on__isnull=True
        ).exists()
        plan["update"] = _changed_fields(person, values, context)
    return values, person, plan, None


def _note(importer: Importer, plan: dict, *more: str) -> str:
    parts = []
    if plan["person"] is None:
        parts.append(_("将登记为新人员"))
    elif plan["join"]:
        parts.append(_("将加入本组织"))
    if plan["update"]:
        labels = "、".join(
            importer.label(key) if key != "birth_date" else _("出生日期") for key in plan["update"]
        )
        parts.append(_("将更新：%(fields)s") % {"fields": labels})
    return "；".join([*parts, *more])


def _target(person: Person | None, context: ImportContext) -> str:
    if person is None or not scoped(context.actor, Person).filter(pk=person.pk).exists():
        return ""
    return f"organizations.person:{person.pk}"


def _write_person(values: dict, plan: dict, context: ImportContext, *, joined_on) -> Person:
    """The row's person: registered as a member, or joined and updated as planned."""
    if plan["person"] is None:
        return org_actions.person_register(
            actor=context.actor,
            organization=context.organization,
            name=values["name"],
            phone=values.get("phone") or "",
            id_number=values.get("id_number") or "",
            gender=values.get("gender") or Person.Gender.UNKNOWN,
            employer=values.get("employer") or "",
            title=values.get("title") or "",
            profession=values.get("profession") or Person.Profession.OTHER,
            email=values.get("email") or "",
            notes=values.get("notes") or "",
            joined_on=joined_on,
            birth_date=as_date(values.get("birth_date")),
        )
    person = Person.objects.get(pk=plan["person"])
    if plan["join"]:
        org_actions.membership_add(
            actor=context.actor, person=person, organization=context.organization, joined_on=joined_on
        )
    if plan["update"]:
        data = {key: values[key] for key in plan["update"]}
        if "birth_date" in data:
            data["birth_date"] = as_date(data["birth_date"])
        person = org_actions.person_update(actor=context.actor, person=person, data=data)
    return person


# --------------------------------------------------------------------------- members


class MemberImporter(Importer):
    kind = ImportBatch.Kind.PEOPLE
    columns = MEMBER_COLUMNS
    sheet_title = gettext_lazy("会员名单")

    def identity(self, values: dict) -> str | None:
        return identity_in(values, _identity(values))

    def earlier_row(self, values: dict, context: ImportContext) -> int | None:
        person = _same_in_file(values, context)
        if person is None:
            return None
        # The row's numbers become the person's: a later row with other numbers is someone else.
        person["numbers"].update(_numbers(values))
        return person["row"]

    def remember(self, values: dict, context: ImportContext) -> None:
        numbers = _numbers(values)
        _namesakes(values, context).append(
            {"row": context.number, "by_name": not numbers, "numbers": numbers}
        )

    def check(self, values: dict, context: ImportContext) -> RowResult:
        context, failed = row_context(self, values, context)
        if failed:
            return failed
        failed = _in_file_namesakes(self, values, context)
        if failed:
            return failed
        values, person, plan, failed = _person_step(self, values, context)
        if failed:
            return failed
        values[PLAN] = plan
        target = _target(person, context)
        if person is None:
            return RowResult(ImportRow.Outcome.NEW, values, note=_note(self, plan), target=target)
        if plan["join"] or plan["update"]:
            return RowResult(ImportRow.Outcome.UPDATE, values, note=_note(self, plan), target=target)
        return RowResult(
            ImportRow.Outcome.DUPLICATE, values, note=_("已是本组织会员，信息相同"), target=target
        )

    def write(self, row: ImportRow, context: ImportContext) -> str:
        values = row.values
        context = written_context(values, context)
        person = _write_person(values, values[PLAN], context, joined_on=as_date(values.get("joined_on")))
        return f"organizations.person:{person.pk}"


# --------------------------------------------------------------------------- leaders and seats


def _seat_clash(importer: Importer, values: dict, context: ImportContext) -> RowResult | None:
    """The seat rules of ``organizations.actions`` against the database, and, for positions
    one person holds at a time, against the earlier rows of the file."""
    start, end = as_date(values["term_start"]), as_date(values.get("term_end"))
    try:
        org_actions._check_seat(
            organization=context.organization, position=values["position"], term_start=start, term_end=end
        )
    except ValidationError as refused:
        field, messages = next(iter(refused.message_dict.items()))
        label = importer.label("term_end") if field == "term_end" else importer.label("position")
        return error(values, label, *messages)
    if values["position"] in Seat.SINGLE_HOLDER:
        planned = context.memo.setdefault("single_seats", [])
        for position, other_start, other_end, number in planned:
            overlaps = (other_end is None or other_end >= start) and (end is None or end >= other_start)
            if position == values["position"] and overlaps and number != context.number:
                return error(
                    values,
                    importer.label("position"),
                    _("与第 %(row)d 行的%(position)s任期重叠。")
                    % {"row": number, "position": Seat.Position(position).label},
                )
        planned.append((values["position"], start, end, context.number))
    return None


class LeaderImporter(Importer):
    kind = ImportBatch.Kind.LEADERS
    columns = LEADER_COLUMNS
    sheet_title = gettext_lazy("三长与职务")

    def identity(self, values: dict) -> str | None:
        person = _identity(values)
        seat = f"{person}|{values.get('position')}|{values.get('term_start')}" if person else None
        return identity_in(values, seat)

    def check(self, values: dict, context: ImportContext) -> RowResult:
        context, failed = row_context(self, values, context)
        if failed:
            return failed
        values, person, plan, failed = _person_step(self, values, context)
        if failed:
            return failed
        plan["role"] = (
            person is None
            or not person.leader_roles.filter(kind=values["kind"], ended_on__isnull=True).exists()
        )
        plan["seat"] = (
            person is None
            or not Seat.objects.filter(
                organization=context.organization,
                person=person,
                position=values["position"],
                term_start=as_date(values["term_start"]),
            ).exists()
        )
        if plan["seat"] and (failed := _seat_clash(self, values, context)):
            return failed
        values[PLAN] = plan
        target = _target(person, context)
        more = [_("将添加身份")] if plan["role"] and person is not None else []
        more += [_("将添加职务")] if plan["seat"] else []
        note = _note(self, {**plan, "join": plan["join"] and not plan["seat"]}, *more)
        if plan["seat"]:
            return RowResult(ImportRow.Outcome.NEW, values, note=note, target=target)
        if plan["role"] or plan["update"] or plan["join"]:
            return RowResult(ImportRow.Outcome.UPDATE, values, note=note, target=target)
        return RowResult(ImportRow.Outcome.DUPLICATE, values, note=_("此职务已登记，信息相同"), target=target)

    def write(self, row: ImportRow, context: ImportContext) -> str:
        values, plan = row.values, row.values[PLAN]
        context = written_context(values, context)
        term_start = as_date(values["term_start"])
        person = _write_person(values, plan, context, joined_on=term_start)
        if plan["role"]:
            org_actions.leader_role_add(
                actor=context.actor,
                person=person,
                kind=values["kind"],
                institution=values.get("institution") or "",
                started_on=term_start,
            )
        if plan["seat"]:
            org_actions.seat_create(
                actor=context.actor,
                organization=context.organization,
                person=person,
                position=values["position"],
                term_start=term_start,
                term_end=as_date(values.get("term_end")),
            )
        return f"organizations.person:{person.pk}"


def register_importers() -> None:
    register(MemberImporter())
    register(LeaderImporter())
