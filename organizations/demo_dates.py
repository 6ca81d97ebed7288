"""Where the demo district's programme year lies: the one place that decides it.

The demo is written in the plan's own programme year, 2022 (the reference year of
``rollout.reference``: phase 1 from 1 January, full coverage by 31 December). Seeded years
later, such a demo would open every dashboard on an empty quarter and every task would be
overdue by years. ``DemoCalendar`` therefore moves the reference year by a whole number of
quarters so that the seeding day falls in its fourth quarter (stage 3c 全面覆盖, with phase 4
梳理总结 starting in its second month): the programme began 9 to 12 months before, the earlier
stages are done, and the current quarter has work up to today.

Every date the demo writes goes through ``DemoCalendar.at``: the month moves by three months per
quarter, the day of the month is kept, and the last day of a month stays the last day of the
target month, so a quarter's or stage's end stays a quarter's end. The mapping never reverses
the order of two dates. The number of quarters depends only on the seeding day, so the same day
gives the same demo on any database.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from django.utils import timezone

from sanhui import clock

# The plan's programme year, in which the demo is written.
REFERENCE_YEAR = 2022
# The quarter of the reference year that holds the seeding day.
SEEDING_QUARTER = 4


def _quarter(day: datetime.date) -> int:
    return (day.month - 1) // 3 + 1


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def shift_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved by ``months`` months, the day of the month kept; the last day of a month
    (and a day the target month lacks) becomes the last day of the target month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = _last_day(year, month)
    if day.day == _last_day(day.year, day.month) or day.day > last:
        return datetime.date(year, month, last)
    return datetime.date(year, month, day.day)


@dataclass(frozen=True)
class DemoCalendar:
    """The seeding day, and the whole number of quarters the reference year moves by."""

    today: datetime.date
    quarters: int
    # The moment of seeding: what ends before it may have taken place, nothing after it has.
    moment: datetime.datetime

    @classmethod
    def seeded_on(cls, today: datetime.date | None = None) -> DemoCalendar:
        """The calendar of a demo seeded on ``today`` (the portal's today by default). Seeded
        today, the moment is now; planned for another day, it is that day's first moment."""
        today = today or clock.today()
        quarters = (today.year - REFERENCE_YEAR) * 4 + _quarter(today) - SEEDING_QUARTER
        if today == clock.today():
            moment = clock.now()
        else:
            moment = timezone.make_aware(datetime.datetime.combine(today, datetime.time()))
        return cls(today=today, quarters=quarters, moment=moment)

    def at(self, day: datetime.date) -> datetime.date:
        """The demo's date for a date of the reference programme year (or any reference date)."""
        return shift_months(day, 3 * self.quarters)

    @property
    def programme_start(self) -> datetime.date:
        return self.at(datetime.date(REFERENCE_YEAR, 1, 1))

    @property
    def programme_end(self) -> datetime.date:
        return self.at(datetime.date(REFERENCE_YEAR, 12, 31))
