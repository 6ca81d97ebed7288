"""Periods the figures are counted over: quarters, years and custom spans of whole days,
with the reference day on which "current" seats and roles are judged."""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

from django.utils import timezone

# --------------------------------------------------------------------------- periods


@dataclass(frozen=True)
class Period:
    """A span of whole days, both ends included."""

    start: datetime.date
    end: datetime.date
    label: str = ""

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        if not 1 <= quarter <= 4:
            raise ValueError(f"quarter must be 1..4, not {quarter}")
        first_month = 3 * (quarter - 1) + 1
        last_month = first_month + 2
        end = datetime.date(year, last_month, calendar.monthrange(year, last_month)[1])
        return cls(datetime.date(year, first_month, 1), end, f"{year}Q{quarter}")

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(datetime.date(year, 1, 1), datetime.date(year, 12, 31), str(year))

    @classmethod
    def containing(cls, day: datetime.date) -> Period:
        return cls.quarter(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, text: str) -> Period:
        """``2022Q4``, ``2022`` or ``2022-01-01..2022-06-30``."""
        text = (text or "").strip().upper()
        if match := re.fullmatch(r"(\d{4})Q([1-4])", text):
            return cls.quarter(int(match[1]), int(match[2]))
        if re.fullmatch(r"\d{4}", text):
            return cls.year(int(text))
        if match := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", text):
            start = datetime.date.fromisoformat(match[1])
            end = datetime.date.fromisoformat(match[2])
            if end < start:
                raise ValueError("period ends before it starts")
            return cls(start, end, f"{start.isoformat()}..{end.isoformat()}")
        raise ValueError(f"not a period: {text!r} (use 2022Q4, 2022 or 2022-01-01..2022-06-30)")

    @property
    def code(self) -> str:
        return self.label or f"{self.start.isoformat()}..{self.end.isoformat()}"

    @property
    def is_quarter(self) -> bool:
        return bool(re.fullmatch(r"\d{4}Q[1-4]", self.label))

    def reference_day(self, today: datetime.date | None = None) -> datetime.date:
        today = today or timezone.localdate()
        return min(self.end, max(self.start, today))

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """Aware datetimes [start of first day, start of the day after the last) in Asia/Shanghai."""
        start = timezone.make_aware(datetime.datetime.combine(self.start, datetime.time.min))
        end = timezone.make_aware(
            datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time.min)
        )
        return start, end

    def quarters_overlapped(self) -> list[Period]:
        """The calendar quarters this period shares at least one day with, oldest first."""
        quarters = []
        current = Period.containing(self.start)
        while current.start <= self.end:
            quarters.append(current)
            after = current.end + datetime.timedelta(days=1)
            current = Period.containing(after)
        return quarters

    def previous_quarters(self, count: int) -> list[Period]:
        """The ``count`` quarters before this period's quarter, oldest first."""
        quarters = []
        year, quarter = self.start.year, (self.start.month - 1) // 3 + 1
        for _step in range(count):
            quarter -= 1
            if quarter == 0:
                year, quarter = year - 1, 4
            quarters.append(Period.quarter(year, quarter))
        return list(reversed(quarters))
