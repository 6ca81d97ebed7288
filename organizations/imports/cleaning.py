"""The cells of an imported spreadsheet: which header names which column, and how each cell
becomes the value the portal validates and stores.

A town secretary's roster is typed by hand in Excel or WPS, pasted from chat apps and copied
between files for years: headers carry stars and "（必填）", phones are stored as numbers or
written with spaces and +86, ID numbers end in a lower-case x or were turned into numbers (and
lost their last digits), dates are Excel serials or written 2022.3.5, 2022年3月5日 or 2022-3.
This module owns what an import accepts of all that:

- ``Column``: one column of an import's template (its key, its Chinese header, the other headers
  accepted for it, whether it is required, its parser, its example and its help line).
- ``header_key`` and ``match_headers``: headers compared tolerant of order, spacing, full-width
  characters and decorations; what matched, what is unknown, missing or given twice.
- The parsers (``text``, ``phone``, ``id_number``, ``date``, ``datetime_``, ``integer``,
  ``decimal_hours``, ``gender``, ``choice``): a cell as read (str, int, float, datetime, date,
  time or None) to a clean value, or a ``ValidationError`` with a Chinese message saying what
  to write instead. An empty cell gives the column's empty value ("" or None); whether it may
  be empty is the importer's call (``Column.required``).
- ``id_facts``: the gender and birth date an ID number carries, for rows that leave them out.

Text goes through ``sanhui.normalize`` and identifiers through ``organizations.validators``,
the rules every portal form uses; nothing here restates them. Messages carry their values as
``params`` (read them through ``ValidationError.messages``).
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from organizations import validators
from sanhui import clock, normalize

# --------------------------------------------------------------------------- cells as text


def _number_text(value: int | float) -> str:
    """A number as Excel's General format shows it: 13812345678.0 is 13812345678, 0.1 + 0.2
    is 0.3 (15 significant digits, Excel's precision)."""
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.15g}"
    return str(value)


def cell_text(value: Any) -> str:
    """A cell as Excel would show it, before any normalisation: "" for an empty cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return _number_text(value)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M:%S" if value.second else "%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M:%S" if value.second else "%H:%M")
    return str(value)


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and normalize.text(value) == "")


# --------------------------------------------------------------------------- headers

# Decorations a template's headers carry around the name (after NFKC: full-width ＊ and （） are
# ASCII by then): a required mark, a colon, a note in brackets.
_HEADER_DECORATIONS = ("*", "(必填)", "(选填)", ":")


def header_key(value: Any) -> str:
    """The form headers are compared in: NFKC, no whitespace at all, the decorations of
    ``_HEADER_DECORATIONS`` taken off either end, case-folded. "手机 号码*" and "手机号码"
    have the same key, as have "身份证号码（必填）" and "身份证号码"."""
    key = re.sub(r"\s+", "", normalize.compact(cell_text(value)))
    trimmed = None
    while trimmed != key:
        trimmed = key
        for decoration in _HEADER_DECORATIONS:
            key = key.removeprefix(decoration).removesuffix(decoration)
    return key.casefold()


def text(value: Any) -> str:
    """One line of text (``sanhui.normalize.text``); numbers as Excel shows them."""
    return normalize.text(cell_text(value))


@dataclass(frozen=True)
class Column:
    """One column of an import: its key (the importer's name for the value), its header in the
    template, the other headers accepted for it, and how a cell of it is read."""

    key: str
    label: str
    synonyms: tuple[str, ...] = ()
    required: bool = False
    parse: Callable[[Any], Any] = text
    example: str = ""
    help: str = ""

    def header_keys(self) -> list[str]:
        """The keys of every header accepted for this column, its label's first. A lazily
        translated label counts in Chinese, the template's language, and in the reader's."""
        names = (self.label, *self.synonyms)
        with translation.override("zh-hans"):
            keys = [header_key(name) for name in names]
        return list(dict.fromkeys([*keys, *(header_key(name) for name in names)]))


@dataclass
class HeaderMatch:
    """Which position of a header row holds which column, and what did not fit."""

    index_by_key: dict[str, int] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    missing: list[Column] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)


def match_headers(header: Sequence[Any], columns: Sequence[Column]) -> HeaderMatch:
    """Match the cells of a header row to ``columns`` by ``header_key``, in any order. Blank
    header cells are passed over; when two cells name the same column the first one wins."""
    column_by_key: dict[str, Column] = {}
    for column in columns:
        for key in column.header_keys():
            column_by_key.setdefault(key, column)
    match = HeaderMatch()
    for index, cell in enumerate(header):
        key = header_key(cell)
        if not key:
            continue
        column = column_by_key.get(key)
        if column is None:
            match.unknown.append(text(cell))
        elif column.key in match.index_by_key:
            match.duplicated.append(text(cell))
        else:
            match.index_by_key[column.key] = index
    match.missing = [c for c in columns if c.required and c.key not in match.index_by_key]
    return match


# --------------------------------------------------------------------------- identifiers

# What Excel's General format makes of a long number: 1.38123E+10, 1.10105E+17.
_SCIENTIFIC = re.compile(r"^[0-9]+(\.[0-9]+)?e\+?[0-9]+$", re.IGNORECASE)


def phone(value: Any) -> str:
    """A mainland mobile number: normalised (``sanhui.normalize.phone``) and validated
    (``validators.validate_mobile``). A number cell is read as its digits; a number Excel has
    already shown in scientific notation has lost digits and is refused."""
    if _is_empty(value):
        return ""
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise ValidationError(_("手机号码应为11位数字。"), code="invalid_mobile")
    if isinstance(value, int | float):
        value = str(int(value))
    value = normalize.compact(value)
    if _SCIENTIFIC.match(value):
        raise ValidationError(
            _(
                "手机号码显示成了科学计数法（%(value)s），后几位已丢失：请把这一列设为“文本”格式，重新填写号码。"
            ),
            code="scientific_notation",
            params={"value": value},
        )
    value = normalize.phone(value)
    validators.validate_mobile(value)
    return value


def id_number(value: Any) -> str:
    """A resident ID number: normalised (``sanhui.normalize.id_number``: spaces out, x upper
    case) and validated (``validators.validate_resident_id``). An ID that Excel stored as a
    number has lost its last digits (Excel keeps 15) and is refused."""
    if _is_empty(value):
        return ""
    if isinstance(value, bool | int | float) or _SCIENTIFIC.match(normalize.compact(value)):
        raise ValidationError(
            _("身份证号码被 Excel 存成了数字，后几位已丢失：请把这一列设为“文本”格式，重新填写号码。"),
            code="id_stored_as_number",
        )
    value = normalize.id_number(value)
    validators.validate_resident_id(value, today=clock.today())
    return value


def id_facts(id_number: str) -> tuple[str, datetime.date | None]:
    """The gender (a ``Person.Gender`` value) and birth date a valid ID number carries; ("",
    None) for anything that is not a valid ID number."""
    try:
        validators.validate_resident_id(id_number, today=clock.today())
    except ValidationError:
        return "", None
    return validators.resident_id_gender(id_number), validators.resident_id_birth_date(id_number)


# --------------------------------------------------------------------------- dates and times

FIRST_YEAR, LAST_YEAR = 1900, 2100
# Excel's day 1 is 1900-01-01, and its day 60 is 1900-02-29, a day that never was (Lotus 1-2-3's
# leap-year error, kept for compatibility): from day 61 on, day N is 1899-12-30 + N days.
_EXCEL_LEAP_BUG_SERIAL = 60
_EXCEL_LAST_SERIAL = 73415  # 2100-12-31
_YEAR_MONTH_DAY = re.compile(
    r"(?P<year>[0-9]{4})\s*[-/.年]\s*(?P<month>[0-9]{1,2})\s*[-/.月]\s*(?P<day>[0-9]{1,2})\s*[日号]?"
)
_COMPACT_DATE = re.compile(r"(?P<year>[0-9]{4})(?P<month>[0-9]{2})(?P<day>[0-9]{2})")
_YEAR_MONTH = re.compile(r"(?P<year>[0-9]{4})\s*[-/.年]\s*(?P<month>[0-9]{1,2})\s*月?")
_TIME = re.compile(
    r"(?P<half>上午|早上|中午|下午|晚上|am|pm)?\s*"
    r"(?P<hour>[0-9]{1,2})\s*(?::|时|点)\s*(?:(?P<minute>[0-9]{1,2})\s*分?)?"
    r"(?:\s*:\s*(?P<second>[0-9]{1,2})\s*秒?)?\s*(?P<half_after>am|pm)?",
    re.IGNORECASE,
)
_AFTERNOON = {"下午", "晚上", "pm"}
_MORNING = {"上午", "早上", "am"}


def _date_of(year: int, month: int, day: int, written: str) -> datetime.date:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError(
            _("日期“%(value)s”的年份应在1900年至2100年之间。"),
            code="year_out_of_range",
            params={"value": written},
        )
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ValidationError(
            _("日期“%(value)s”不存在，请检查月份和日。"), code="impossible_date", params={"value": written}
        ) from None


def _unrecognised_date(written: str) -> ValidationError:
    return ValidationError(
        _("无法识别日期“%(value)s”，请写成 2022-03-05 或 2022年3月5日 的形式。"),
        code="invalid_date",
        params={"value": written},
    )


def _date_from_serial(value: int | float) -> datetime.date:
    written = _number_text(value)
    serial = math.floor(value)
    if FIRST_YEAR <= value <= LAST_YEAR and value == serial:
        raise ValidationError(
            _("日期“%(value)s”只有年份，请填写完整的日期，例如 2022-03-05。"),
            code="year_only",
            params={"value": written},
        )
    if 19000101 <= value <= 21001231 and value == serial:
        # 20220305 typed into a cell Excel keeps as a number.
        return _date_of(serial // 10000, serial // 100 % 100, serial % 100, written)
    if serial == _EXCEL_LEAP_BUG_SERIAL:
        raise ValidationError(
            _("日期“%(value)s”不存在，请检查月份和日。"),
            code="impossible_date",
            params={"value": "1900-02-29"},
        )
    if not 1 <= serial <= _EXCEL_LAST_SERIAL:
        raise _unrecognised_date(written)
    start = datetime.date(1899, 12, 31) if serial < _EXCEL_LEAP_BUG_SERIAL else datetime.date(1899, 12, 30)
    return start + datetime.timedelta(days=serial)


def _date_from_text(value: str) -> datetime.date:
    for pattern in (_YEAR_MONTH_DAY, _COMPACT_DATE):
        found = pattern.fullmatch(value)
        if found:
            return _date_of(int(found["year"]), int(found["month"]), int(found["day"]), value)
    found = _YEAR_MONTH.fullmatch(value)
    if found:
        return _date_of(int(found["year"]), int(found["month"]), 1, value)
    raise _unrecognised_date(value)


def _time_from_text(value: str, written: str) -> datetime.time:
    found = _TIME.fullmatch(value)
    if not found:
        raise ValidationError(
            _("无法识别时间“%(value)s”，请写成 2022-03-05 14:30 的形式。"),
            code="invalid_time",
            params={"value": written},
        )
    hour = int(found["hour"])
    half = (found["half"] or found["half_after"] or "").lower()
    if hour < 12 and (half in _AFTERNOON or (half == "中午" and hour < 11)):
        hour += 12
    elif hour == 12 and half in _MORNING:
        hour = 0
    try:
        return datetime.time(hour, int(found["minute"] or 0), int(found["second"] or 0))
    except ValueError:
        raise ValidationError(
            _("时间“%(value)s”不存在，请检查小时和分钟。"), code="impossible_time", params={"value": written}
        ) from None


def _split_date_time(value: str) -> tuple[str, str]:
    """The date and the time of "2022-03-05 14:30", "2022年3月5日14时30分", "2022-03-05T14:30"
    ("" for the time of a date alone)."""
    for pattern in (_YEAR_MONTH_DAY, _COMPACT_DATE):
        found = pattern.match(value)
        if found and found.end() < len(value):
            return value[: found.end()].strip(), value[found.end() :].lstrip(" T")
    return value, ""


def date(value: Any) -> datetime.date | None:
    """A date: a date cell, an Excel serial number (1900 date system), 20220305 typed as a
    number, or text written 2022-03-05, 2022/3/5, 2022.3.5, 2022年3月5日 (or 号), 20220305, with
    full-width digits or not; a month alone (2022-3, 2022.3, 2022年3月) is its first day. A time
    written after the date is ignored. None for an empty cell."""
    if _is_empty(value):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _unrecognised_date(cell_text(value))
    if isinstance(value, int | float):
        return _date_from_serial(value)
    written = normalize.compact(value)
    date_part, time_part = _split_date_time(written)
    if time_part:
        _time_from_text(time_part, written)
    return _date_from_text(date_part)


def _aware(moment: datetime.datetime) -> datetime.datetime:
    zone = timezone.get_default_timezone()
    if timezone.is_aware(moment):
        return moment.astimezone(zone)
    return timezone.make_aware(moment, zone)


def datetime_(value: Any, *, default_time: datetime.time = datetime.time(9, 0)) -> datetime.datetime | None:
    """A moment, aware, in the portal's zone (Asia/Shanghai): a date-and-time cell (naive ones
    are Shanghai time), an Excel serial with a fraction of a day, or text such as
    "2022-03-05 14:30", "2022/3/5 14:30", "2022年3月5日14时30分", "2022.3.5 下午2:30",
    "2022-03-05T14:30". A date alone, in any form ``date`` accepts, is at ``default_time``;
    so is a date-and-time cell at exactly midnight, which is what Excel gives for a cell
    formatted as a date. None for an empty cell."""
    if _is_empty(value):
        return None
    if isinstance(value, datetime.datetime):
        if timezone.is_naive(value) and value.time() == datetime.time(0, 0):
            value = datetime.datetime.combine(value.date(), default_time)
        return _aware(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        day = _date_from_serial(value)
        seconds = round((value - math.floor(value)) * 86400)
        if seconds == 0 or value > _EXCEL_LAST_SERIAL:
            return _aware(datetime.datetime.combine(day, default_time))
        return _aware(datetime.datetime.combine(day, datetime.time(0)) + datetime.timedelta(seconds=seconds))
    if isinstance(value, str):
        written = normalize.compact(value)
        date_part, time_part = _split_date_time(written)
        day = _date_from_text(date_part)
        moment = _time_from_text(time_part, written) if time_part else default_time
        return _aware(datetime.datetime.combine(day, moment))
    return _aware(datetime.datetime.combine(date(value), default_time))


# --------------------------------------------------------------------------- numbers

MAX_INTEGER = 2_147_483_647  # the largest value of a database integer column
# 12, 1,200, 12.0, then an optional unit of up to three characters (12人, 30人次).
_INTEGER_TEXT = re.compile(
    r"(?P<number>[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?)\s*(?P<unit>[^\s0-9]{0,3})"
)
_HOURS_TEXT = re.compile(
    r"(?P<number>[+-]?[0-9]*\.?[0-9]+)\s*(?P<unit>小时|个小时|时|h|hrs?|hours?|分钟|min)?", re.IGNORECASE
)


def _number_of(value: Any, pattern: re.Pattern, message: str, code: str) -> tuple[Decimal, str]:
    """The number in a cell and the unit written after it (text only)."""
    if isinstance(value, bool):
        raise ValidationError(message, code=code)
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValidationError(message, code=code)
        return Decimal(_number_text(value)), ""
    found = pattern.fullmatch(normalize.compact(cell_text(value)))
    if not found:
        raise ValidationError(message, code=code)
    try:
        return Decimal(found["number"].replace(",", "")), (found["unit"] or "").lower()
    except InvalidOperation:
        raise ValidationError(message, code=code) from None


def integer(value: Any) -> int | None:
    """A count: 12, 12.0, "12", "１２", "1,200", "12人". Negative numbers, fractions and numbers
    past a database integer are refused. None for an empty cell."""
    if _is_empty(value):
        return None
    number, unit = _number_of(value, _INTEGER_TEXT, _("应填写整数，例如 12。"), "invalid_integer")
    if unit and not all("\u4e00" <= char <= "\u9fff" for char in unit):
        raise ValidationError(_("应填写整数，例如 12。"), code="invalid_integer")
    if number != number.to_integral_value():
        raise ValidationError(_("应填写整数，不能有小数。"), code="not_an_integer")
    if number < 0:
        raise ValidationError(_("不能为负数。"), code="negative")
    if number > MAX_INTEGER:
        raise ValidationError(
            _("数值太大，不能超过 %(limit)s。"), code="too_large", params={"limit": f"{MAX_INTEGER:,}"}
        )
    return int(number)


MAX_HOURS = Decimal(24)
_HUNDREDTH = Decimal("0.01")


def decimal_hours(value: Any) -> Decimal | None:
    """Hours served at one activity, to the hundredth (half up): 1.5, "1.5", "1.5小时", "1.5h",
    "90分钟", a time cell 1:30 or a duration cell. More than 0, at most 24. None for an empty
    cell."""
    if _is_empty(value):
        return None
    message = _("服务时长应填写小时数，例如 1.5。")
    if isinstance(value, datetime.time):
        number = Decimal(value.hour) + Decimal(value.minute) / 60
    elif isinstance(value, datetime.timedelta):
        number = Decimal(value.total_seconds()) / 3600
    else:
        number, unit = _number_of(value, _HOURS_TEXT, message, "invalid_hours")
        if unit in {"分钟", "min"}:
            number = number / 60
    hours = number.quantize(_HUNDREDTH, rounding=ROUND_HALF_UP)
    if not 0 < hours <= MAX_HOURS:
        raise ValidationError(_("服务时长应大于0小时、不超过24小时。"), code="hours_out_of_range")
    return hours


# --------------------------------------------------------------------------- choices

_GENDERS = {
    "male": {"男", "男性", "男士", "m", "male"},
    "female": {"女", "女性", "女士", "f", "female"},
}


def gender(value: Any) -> str:
    """A ``Person.Gender`` value: 男, 男性, M, male are "male"; 女, 女性, F, female are "female";
    "" for an empty cell."""
    if _is_empty(value):
        return ""
    key = header_key(value)
    for gender_value, spellings in _GENDERS.items():
        if key in spellings:
            return gender_value
    raise ValidationError(_("性别应填写“男”或“女”。"), code="invalid_gender")


def _choice_pairs(choices) -> list[tuple[str, Any]]:
    return list(getattr(choices, "choices", choices))


def choice(choices) -> Callable[[Any], str]:
    """A parser for one of ``choices`` (a ``TextChoices`` class or (value, label) pairs): the
    cell may hold a label (Chinese, as the template shows it, or in the reader's language) or a
    value, compared by ``header_key``. "" for an empty cell."""
    pairs = _choice_pairs(choices)
    known: dict[str, str] = {}

    def parse(value: Any) -> str:
        if _is_empty(value):
            return ""
        if not known:
            with translation.override("zh-hans"):
                known.update({header_key(str(label)): stored for stored, label in pairs})
            known.update({header_key(stored): stored for stored, _label in pairs})
        key = header_key(value)
        stored = known.get(key)
        if stored is None:
            stored = next((s for s, label in pairs if header_key(str(label)) == key), None)
        if stored is None:
            raise ValidationError(
                _("应为以下之一：%(choices)s。"),
                code="invalid_choice",
                params={"choices": "、".join(str(label) for _stored, label in pairs)},
            )
        return stored

    return parse


__all__ = [
    "Column",
    "HeaderMatch",
    "cell_text",
    "choice",
    "date",
    "datetime_",
    "decimal_hours",
    "gender",
    "header_key",
    "id_facts",
    "id_number",
    "integer",
    "match_headers",
    "phone",
    "text",
]
