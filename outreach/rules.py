"""When a themed day falls in a given year.

Four kinds of rule, as in the reference list ``outreach/data/themed-days.csv``:

- ``fixed:MM-DD`` — the same Gregorian date every year (全国爱耳日 ``fixed:03-03``);
- ``nth_weekday:MM:N:DAY`` — the N-th given weekday of a month (全国助残日, the third Sunday
  of May: ``nth_weekday:05:3:sun``); N = -1 means the last one;
- ``solar_term:NAME`` — one of the 24 solar terms (中国农民丰收节 at 秋分:
  ``solar_term:autumn_equinox``);
- ``lunar:MM-DD`` — a date of the Chinese lunar calendar (重阳节 ``lunar:09-09``).

Lunar dates and solar terms come from ``lunar_python`` (the lunar-calendar library of the
6tail project), which computes them astronomically rather than from a table that runs out.
"""

from __future__ import annotations

import calendar
import datetime
import functools
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from lunar_python import Lunar

WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}

# English names of the 24 solar terms → the names lunar_python uses.
SOLAR_TERMS = {
    "minor_cold": "小寒",
    "major_cold": "大寒",
    "start_of_spring": "立春",
    "rain_water": "雨水",
    "awakening_of_insects": "惊蛰",
    "spring_equinox": "春分",
    "pure_brightness": "清明",
    "grain_rain": "谷雨",
    "start_of_summer": "立夏",
    "grain_buds": "小满",
    "grain_in_ear": "芒种",
    "summer_solstice": "夏至",
    "minor_heat": "小暑",
    "major_heat": "大暑",
    "start_of_autumn": "立秋",
    "end_of_heat": "处暑",
    "white_dew": "白露",
    "autumn_equinox": "秋分",
    "cold_dew": "寒露",
    "frost_descent": "霜降",
    "start_of_winter": "立冬",
    "minor_snow": "小雪",
    "major_snow": "大雪",
    "winter_solstice": "冬至",
}

FIXED_RE = re.compile(r"^fixed:(\d{2})-(\d{2})$")
NTH_RE = re.compile(r"^nth_weekday:(\d{2}):(-1|[1-5]):(mon|tue|wed|thu|fri|sat|sun)$")
TERM_RE = re.compile(r"^solar_term:([a-z_]+)$")
LUNAR_RE = re.compile(r"^lunar:(\d{2})-(\d{2})$")


class RuleError(ValueError):
    pass


def _fixed(month: int, day: int, year: int) -> datetime.date:
    if (month, day) == (2, 29) and not calendar.isleap(year):
        # A 29 February day is kept on the 28th in common years.
        return datetime.date(year, 2, 28)
    return datetime.date(year, month, day)


def _nth_weekday(month: int, n: int, weekday: int, year: int) -> datetime.date:
    days = [
        datetime.date(year, month, day)
        for day in range(1, calendar.monthrange(year, month)[1] + 1)
        if datetime.date(year, month, day).weekday() == weekday
    ]
    if n == -1:
        return days[-1]
    if n > len(days):
        raise RuleError(f"no weekday #{n} in {year}-{month:02d}")
    return days[n - 1]


def _solar_term(name: str, year: int) -> datetime.date:
    # The term table of a lunar year runs from the winter solstice of the year before to the
    # heavy snow (大雪) of its own December; the winter solstice of ``year`` itself therefore
    # sits in the next lunar year's table.
    for lunar_year in (year, year + 1):
        solar = Lunar.fromYmd(lunar_year, 1, 1).getJieQiTable()[SOLAR_TERMS[name]]
        if solar.getYear() == year:
            return datetime.date(solar.getYear(), solar.getMonth(), solar.getDay())
    raise RuleError(f"solar term {name} not found in {year}")


@functools.lru_cache(maxsize=512)
def _lunar_in(lunar_year: int, month: int, day: int) -> datetime.date:
    # Converting a lunar date builds the whole lunar year: a few milliseconds, the same answer
    # every time.
    try:
        solar = Lunar.fromYmd(lunar_year, month, day).getSolar()
    except Exception:  # the library raises a bare Exception for a 30th its month lacks
        solar = Lunar.fromYmd(lunar_year, month, day - 1).getSolar()
    return datetime.date(solar.getYear(), solar.getMonth(), solar.getDay())


def _lunar(month: int, day: int, year: int) -> datetime.date:
    """The Gregorian date in ``year`` of lunar month/day. Late in the lunar year (the 12th
    month) that date belongs to the lunar year that began the year before; when both lunar
    years give a date in ``year``, the earlier one counts."""
    found = [d for d in (_lunar_in(year - 1, month, day), _lunar_in(year, month, day)) if d.year == year]
    if not found:
        raise RuleError(f"lunar {month:02d}-{day:02d} not found in {year}")
    return min(found)


def first_day(rule: str, year: int) -> datetime.date:
    """The first day of the themed day in ``year`` under ``rule``; ``RuleError`` if malformed."""
    rule = (rule or "").strip()
    if match := FIXED_RE.match(rule):
        month, day = int(match.group(1)), int(match.group(2))
        try:
            return _fixed(month, day, year)
        except ValueError as error:
            raise RuleError(str(error)) from None
    if match := NTH_RE.match(rule):
        month = int(match.group(1))
        if not 1 <= month <= 12:
            raise RuleError(f"bad month in {rule}")
        return _nth_weekday(month, int(match.group(2)), WEEKDAYS[match.group(3)], year)
    if match := TERM_RE.match(rule):
        if match.group(1) not in SOLAR_TERMS:
            raise RuleError(f"unknown solar term in {rule}")
        return _solar_term(match.group(1), year)
    if match := LUNAR_RE.match(rule):
        month, day = int(match.group(1)), int(match.group(2))
        if not (1 <= month <= 12 and 1 <= day <= 30):
            raise RuleError(f"bad lunar date in {rule}")
        return _lunar(month, day, year)
    raise RuleError(f"unknown rule {rule!r}")


def validate_rule(value: str) -> None:
    """Model and form validator: the rule must compute a date (checked against one year)."""
    try:
        first_day(value, 2024)
    except RuleError:
        raise ValidationError(
            _(
                "日期规则格式不正确。可用：fixed:MM-DD、nth_weekday:MM:N:星期（mon…sun）、"
                "solar_term:节气英文名（如 autumn_equinox）、lunar:MM-DD。"
            ),
            code="invalid_rule",
        ) from None
