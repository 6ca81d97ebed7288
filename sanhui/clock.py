"""The portal's clock: the one place that asks what day and time it is.

The machine's clock runs in UTC, but the portal's day is the district's: Asia/Shanghai, so a new
day starts at 16:00 UTC. Code that needs "now" or "today" calls ``now()`` or ``today()`` here
(or ``django.utils.timezone`` directly, which these wrap); ``datetime.date.today()``,
``datetime.datetime.now()`` and ``time.time()`` would answer in the machine's zone and are kept
out of the code base by a test (``tests/test_clock.py``). Functions that judge something on a
day take that day as a parameter, defaulting to ``today()``, so that a report of a past period
can be computed as of that period's end.
"""

import datetime

from django.utils import timezone


def now() -> datetime.datetime:
    """The current moment, timezone-aware."""
    return timezone.now()


def today() -> datetime.date:
    """Today's date in the portal's time zone (Asia/Shanghai)."""
    return timezone.localdate()


def day_start(day: datetime.date) -> datetime.datetime:
    """The first moment of ``day`` in the portal's time zone (00:00 Asia/Shanghai, 16:00 UTC the
    day before), timezone-aware: the bound of a day on a datetime column.

    Filters write ``column__gte=day_start(first), column__lt=day_start(last + 1 day)`` rather
    than ``column__date__gte=first``: the range is on the column itself, which its index
    serves, where ``__date`` converts every row's value before comparing."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def day_after_start(day: datetime.date) -> datetime.datetime | None:
    """The first moment after ``day`` ends (``day_start`` of the next day); None after the last
    day a date can hold, when nothing lies beyond."""
    if day >= datetime.date.max:
        return None
    return day_start(day + datetime.timedelta(days=1))
